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

import java.util.Locale;

/**
 * Element types of the safetensors format. All of them are recognised (so a file whose other
 * tensors are, say, I64 buffers still validates), but only the floating-point ones
 * {@link #F32}, {@link #F64}, {@link #F16} and {@link #BF16} can be decoded to {@code double[]} or
 * written.
 */
public enum Dtype {
    BOOL(1, false),
    U8(1, false),
    I8(1, false),
    F8_E4M3(1, false),
    F8_E5M2(1, false),
    I16(2, false),
    U16(2, false),
    F16(2, true),
    BF16(2, true),
    I32(4, false),
    U32(4, false),
    F32(4, true),
    F64(8, true),
    I64(8, false),
    U64(8, false);

    private final int bytes;
    private final boolean decodable;

    Dtype(int bytes, boolean decodable) {
        this.bytes = bytes;
        this.decodable = decodable;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }

    /** Whether this reader converts it to and from {@code double} (F32, F64, F16, BF16). */
    public boolean isDecodable() {
        return decodable;
    }

    /** The header spelling (e.g. {@code "BF16"}), or null when the name is not a safetensors dtype. */
    static Dtype fromHeader(String name) {
        for (Dtype d : values()) {
            if (d.name().equals(name)) {
                return d;
            }
        }
        return null;
    }

    /** Parses a user-given name case-insensitively ({@code f32}, {@code bf16}, ...). */
    public static Dtype parse(String name) {
        Dtype d = fromHeader(name.trim().toUpperCase(Locale.ROOT));
        if (d == null || !d.decodable) {
            throw new IllegalArgumentException(
                    "unsupported dtype '" + name + "' (expected F32, F64, F16 or BF16)");
        }
        return d;
    }
}
