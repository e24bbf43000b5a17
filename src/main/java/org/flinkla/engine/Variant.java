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
