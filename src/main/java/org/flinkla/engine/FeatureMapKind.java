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

/** The kernel feature maps φ of docs/models.md; the name is the model metadata value {@code feature_map}. */
public enum FeatureMapKind {
    /** elu(x)+1, computed as {@code x >= 0 ? x + 1 : exp(x)}; d_φ = d_k. */
    ELU,
    /** max(x, 0); d_φ = d_k. */
    RELU,
    /** Performer FAVOR+ positive random features; d_φ = favor_features. */
    FAVOR,
    /** 2nd-order Taylor map of exp (Based); d_φ = 1 + d_k + d_k². */
    TAYLOR;

    public String metadataName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static FeatureMapKind parse(String name) {
        for (FeatureMapKind k : values()) {
            if (k.metadataName().equals(name.trim().toLowerCase(Locale.ROOT))) {
                return k;
            }
        }
        throw new IllegalArgumentException(
                "unknown feature_map '" + name + "' (expected elu, relu, favor or taylor)");
    }
}
