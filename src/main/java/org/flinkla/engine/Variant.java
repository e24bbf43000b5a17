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

/** The state update rules of docs/variants.md; the name is the model metadata value {@code variant}. */
public enum Variant {
    /** S += φ(k)vᵀ, z += φ(k); y = φ(q)ᵀS / (φ(q)ᵀz + eps). */
    LINEAR,
    /** S = γ_h S + φ(k)vᵀ, z = γ_h z + φ(k); fixed per-head γ. */
    DECAY,
    /** S = diag(α_t) S + φ(k)vᵀ, z = α_t ⊙ z + φ(k); α_t = sigmoid(W_g x + b_g)^(1/16). */
    GATED,
    /** Delta rule on L2-normalised keys, optional per-head gate α_t; y = Sᵀq̂. */
    DELTA;

    public String metadataName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Variant parse(String name) {
        for (Variant v : values()) {
            if (v.metadataName().equals(name.trim().toLowerCase(Locale.ROOT))) {
                return v;
            }
        }
        throw new IllegalArgumentException(
                "unknown variant '" + name + "' (expected linear, decay, gated or delta)");
    }
}
