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
