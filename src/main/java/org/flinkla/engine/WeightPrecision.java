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
package org.flinkla.engine;

import java.util.Locale;

/** How a {@link Gemm} holds its weights. Products are accumulated in float64 whatever the storage. */
public enum WeightPrecision {
    /** 8 bytes a weight, the values as given. */
    FLOAT64(8),
    /** 4 bytes a weight: exact for weights that are float32 values, else rounded to nearest (ties to even). */
    FLOAT32(4),
    /** 2 bytes a weight (bfloat16: float32's exponent, 7 fraction bits), rounded to nearest, ties to even. */
    BFLOAT16(2);

    private final int bytes;

    WeightPrecision(int bytes) {
        this.bytes = bytes;
    }

    public int bytesPerWeight() {
        return bytes;
    }

    /** The lower-case name used by the {@code weights} model option, e.g. {@code "bfloat16"}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static WeightPrecision parse(String name) {
        switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "float64":
            case "f64":
            case "double":
                return FLOAT64;
            case "float32":
            case "f32":
            case "float":
                return FLOAT32;
            case "bfloat16":
            case "bf16":
                return BFLOAT16;
            default:
                throw new IllegalArgumentException(
                        "unknown weight precision '" + name + "' (expected float64, float32 or bfloat16)");
        }
    }
}
