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
