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
package org.flinkla.engine.fla;

import java.util.Locale;

/** The token mixers of the flash-linear-attention causal LMs this runtime decodes, by {@code model_type}. */
public enum FlaArchitecture {
    /** {@code GatedDeltaNetForCausalLM}: gated delta rule, decay −exp(A_log)·softplus(a_proj x + dt_bias). */
    GATED_DELTANET("gated_deltanet"),
    /** {@code DeltaNetForCausalLM}: delta rule without decay. */
    DELTA_NET("delta_net"),
    /** {@code GLAForCausalLM}: gated linear attention, a data-dependent decay per key channel. */
    GLA("gla"),
    /** {@code RetNetForCausalLM}: multi-scale retention, a fixed decay per head and rotary q/k. */
    RETNET("retnet");

    private final String modelType;

    FlaArchitecture(String modelType) {
        this.modelType = modelType;
    }

    /** The {@code model_type} of config.json. */
    public String modelType() {
        return modelType;
    }

    /** The architecture of a {@code model_type}, or null when it is not one of the four. */
    public static FlaArchitecture ofModelType(String modelType) {
        if (modelType == null) {
            return null;
        }
        String m = modelType.trim().toLowerCase(Locale.ROOT);
        for (FlaArchitecture a : values()) {
            if (a.modelType.equals(m)) {
                return a;
            }
        }
        return null;
    }

    /** Whether the mixer has a delta-rule state update (S ← S + k·β(v − Sk)ᵀ). */
    boolean deltaRule() {
        return this == GATED_DELTANET || this == DELTA_NET;
    }
}
