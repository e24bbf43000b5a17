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

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.flinkla.engine.SequenceModel;

/**
 * Loads any model the runtime knows from a local path, choosing the format from what is there:
 * <ul>
 *   <li>a directory with {@code config.json}: a flash-linear-attention causal LM, by its
 *       {@code model_type};</li>
 *   <li>a safetensors file whose metadata {@code format} is {@code fast-transformers-encoder}: a
 *       fast-transformers encoder stack;</li>
 *   <li>any other safetensors file: a single attention layer ({@link ModelFiles#load}).</li>
 * </ul>
 * {@code overrides} take precedence over the file's own configuration keys. Every problem is a
 * {@link ModelFileException} naming the file and the tensor or key.
 *
 * <pre>{@code
 * SequenceModel m = ModelLoader.load(Path.of("models/dna/gdn"), Map.of("state_precision", "float64"));
 * }</pre>
 */
public final class ModelLoader {
    /** Metadata {@code format} of a fast-transformers encoder stack file. */
    public static final String FAST_TRANSFORMERS_ENCODER = "fast-transformers-encoder";

    private ModelLoader() {}

    /** The option keys a job or command may pass to any model format (each format rejects those that do not apply). */
    public static java.util.List<String> optionKeys() {
        java.util.LinkedHashSet<String> keys = new java.util.LinkedHashSet<>(ModelMetadata.ALL_KEYS);
        keys.addAll(FlaModelFiles.OPTION_KEYS);
        return java.util.List.copyOf(keys);
    }

    public static SequenceModel load(Path path) {
        return load(path, Map.of());
    }

    public static SequenceModel load(Path path, Map<String, String> overrides) {
        if (Files.isDirectory(path)) {
            if (!Files.isRegularFile(path.resolve("config.json"))) {
                throw new ModelFileException(path.toString(), "config.json",
                        "a model directory needs a config.json (flash-linear-attention save_pretrained layout)");
            }
            return FlaModelFiles.load(path, overrides);
        }
        if (!Files.exists(path)) {
            throw new ModelFileException(path.toString(), "file", "no such file or directory");
        }
        Safetensors st = Safetensors.read(path);
        String format = st.metadata().get("format");
        if (FAST_TRANSFORMERS_ENCODER.equals(format)) {
            return FastTransformersLoader.load(st, overrides);
        }
        return ModelFiles.load(st, overrides);
    }
}
