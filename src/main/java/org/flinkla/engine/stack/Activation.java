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
package org.flinkla.engine.stack;

import java.util.Locale;

/** The feed-forward activation of an encoder layer; the name is the metadata value {@code activation}. */
public enum Activation {
    /** max(x, 0). */
    RELU,
    /** The exact GELU x·Φ(x) = ½·x·(1 + erf(x/√2)) ({@link Erf#gelu}), not the tanh approximation. */
    GELU;

    public String metadataName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** a[off .. off+n) = act(a[off .. off+n)), in place. */
    public void apply(double[] a, int off, int n) {
        if (this == RELU) {
            for (int i = off; i < off + n; i++) {
                a[i] = Math.max(a[i], 0.0);
            }
        } else {
            for (int i = off; i < off + n; i++) {
                a[i] = Erf.gelu(a[i]);
            }
        }
    }

    public static Activation parse(String name) {
        for (Activation a : values()) {
            if (a.metadataName().equals(name.trim().toLowerCase(Locale.ROOT))) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown activation '" + name + "' (expected relu or gelu)");
    }
}
