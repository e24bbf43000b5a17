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

/** Element type of the recurrent state (S, z). Projections and outputs are always float64. */
public enum StatePrecision {
    FLOAT64(8),
    FLOAT32(4);

    private final int bytes;

    StatePrecision(int bytes) {
        this.bytes = bytes;
    }

    public int bytesPerElement() {
        return bytes;
    }

    public static StatePrecision parse(String name) {
        switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "float64":
            case "f64":
            case "double":
                return FLOAT64;
            case "float32":
            case "f32":
            case "float":
                return FLOAT32;
            default:
                throw new IllegalArgumentException(
                        "unknown state precision '" + name + "' (expected float64 or float32)");
        }
    }
}
