/*
 * Copyright 2026 The flink-linear-attention authors
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
package org.flinkla.model;

/**
 * A model file (or an in-memory model) that cannot be used. The message always names the file
 * and what in it is wrong (a tensor, a metadata key, the header), e.g.
 * {@code model.safetensors: tensor query_projection.weight: expected shape [64, 64], got [64, 32]}.
 */
public final class ModelFileException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String file;
    private final String subject;

    /**
     * @param file    the file (or source description) concerned
     * @param subject what in it is wrong, e.g. {@code "tensor key_projection.bias"}, {@code "metadata heads"},
     *                {@code "header"}; may be null
     * @param problem the problem, in words a user can act on
     */
    public ModelFileException(String file, String subject, String problem) {
        this(file, subject, problem, null);
    }

    public ModelFileException(String file, String subject, String problem, Throwable cause) {
        super(file + ": " + (subject == null ? "" : subject + ": ") + problem, cause);
        this.file = file;
        this.subject = subject;
    }

    /** The file or source description. */
    public String file() {
        return file;
    }

    /** The tensor, metadata key or part of the file that is wrong (may be null). */
    public String subject() {
        return subject;
    }
}
