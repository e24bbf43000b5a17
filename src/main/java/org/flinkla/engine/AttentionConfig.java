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

import java.util.Arrays;
import java.util.Objects;

/**
 * Shape and hyper-parameters of one multi-head linear-attention layer (docs/models.md).
 *
 * <pre>{@code
 * AttentionConfig cfg = AttentionConfig.builder()
 *     .dModel(64).heads(4).dKey(16).dValue(16).dOut(64)
 *     .featureMap(FeatureMapKind.ELU)
 *     .build();
 * }</pre>
 *
 * <p>Immutable. {@link Builder#build()} checks every value and names the one that is wrong.
 */
public final class AttentionConfig implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    public static final double DEFAULT_EPS = 1e-6;
    public static final int DEFAULT_FAVOR_FEATURES = 64;
    public static final long DEFAULT_FAVOR_SEED = 42L;
    /** Largest favor_features accepted. */
    public static final int MAX_FAVOR_FEATURES = 1 << 16;
    /** Largest state of one sequence, in values (2^26 = 512 MiB of float64). */
    public static final long MAX_STATE_ELEMENTS = 1L << 26;

    private final int dModel;
    private final int heads;
    private final int dKey;
    private final int dValue;
    private final int dOut;
    private final FeatureMapKind featureMap;
    private final double eps;
    private final int favorFeatures;
    private final long favorSeed;
    private final Variant variant;
    private final double[] decay;
    private final String vocab;
    private final StatePrecision statePrecision;

    private AttentionConfig(Builder b) {
        this.dModel = b.dModel;
        this.heads = b.heads;
        this.dKey = b.dKey;
        this.dValue = b.dValue;
        this.dOut = b.dOut;
        this.featureMap = b.featureMap;
        this.eps = b.eps;
        this.favorFeatures = b.favorFeatures;
        this.favorSeed = b.favorSeed;
        this.variant = b.variant;
        this.decay = b.decay == null ? defaultDecay(b.heads) : b.decay.clone();
        this.vocab = b.vocab;
        this.statePrecision = b.statePrecision;
    }

    /** RetNet's schedule γ_h = 1 − 2^(−5−h), h = 0..H−1. */
    public static double[] defaultDecay(int heads) {
        double[] g = new double[Math.max(heads, 0)];
        for (int h = 0; h < g.length; h++) {
            g[h] = 1.0 - Math.pow(2.0, -5 - h);
        }
        return g;
    }

    public int dModel() { return dModel; }
    public int heads() { return heads; }
    /** d_k: query/key width per head. */
    public int dKey() { return dKey; }
    /** d_v: value width per head. */
    public int dValue() { return dValue; }
    public int dOut() { return dOut; }
    public FeatureMapKind featureMap() { return featureMap; }
    public double eps() { return eps; }
    public int favorFeatures() { return favorFeatures; }
    public long favorSeed() { return favorSeed; }
    public Variant variant() { return variant; }
    /** γ per head (used by {@link Variant#DECAY}); a copy. */
    public double[] decay() { return decay.clone(); }
    /** Symbols of the embedding rows in order (e.g. "ACGTN"), or null when the model has no embedding. */
    public String vocab() { return vocab; }
    public StatePrecision statePrecision() { return statePrecision; }

    /** d_φ: width of the feature map output per head. */
    public int featureDim() {
        switch (featureMap) {
            case FAVOR:
                return favorFeatures;
            case TAYLOR:
                return 1 + dKey + dKey * dKey;
            default:
                return dKey;
        }
    }

    public Builder toBuilder() {
        return new Builder()
                .dModel(dModel).heads(heads).dKey(dKey).dValue(dValue).dOut(dOut)
                .featureMap(featureMap).eps(eps).favorFeatures(favorFeatures).favorSeed(favorSeed)
                .variant(variant).decay(decay).vocab(vocab).statePrecision(statePrecision);
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof AttentionConfig)) {
            return false;
        }
        AttentionConfig c = (AttentionConfig) o;
        return dModel == c.dModel && heads == c.heads && dKey == c.dKey && dValue == c.dValue
                && dOut == c.dOut && featureMap == c.featureMap && Double.compare(eps, c.eps) == 0
                && favorFeatures == c.favorFeatures && favorSeed == c.favorSeed && variant == c.variant
                && Arrays.equals(decay, c.decay) && Objects.equals(vocab, c.vocab)
                && statePrecision == c.statePrecision;
    }

    @Override
    public int hashCode() {
        return Objects.hash(dModel, heads, dKey, dValue, dOut, featureMap, eps, favorFeatures,
                favorSeed, variant, Arrays.hashCode(decay), vocab, statePrecision);
    }

    @Override
    public String toString() {
        return "AttentionConfig{d_model=" + dModel + ", heads=" + heads + ", d_k=" + dKey
                + ", d_v=" + dValue + ", d_out=" + dOut + ", feature_map=" + featureMap.metadataName()
                + ", eps=" + eps + (featureMap == FeatureMapKind.FAVOR
                        ? ", favor_features=" + favorFeatures + ", favor_seed=" + favorSeed : "")
                + ", variant=" + variant.metadataName()
                + (variant == Variant.DECAY ? ", decay=" + Arrays.toString(decay) : "")
                + (vocab != null ? ", vocab=" + vocab : "")
                + ", state=" + statePrecision.name().toLowerCase(java.util.Locale.ROOT) + "}";
    }

    /** Builder; {@link #build()} validates. */
    public static final class Builder {
        private int dModel = -1;
        private int heads = 1;
        private int dKey = -1;
        private int dValue = -1;
        private int dOut = -1;
        private FeatureMapKind featureMap = FeatureMapKind.ELU;
        private double eps = DEFAULT_EPS;
        private int favorFeatures = DEFAULT_FAVOR_FEATURES;
        private long favorSeed = DEFAULT_FAVOR_SEED;
        private Variant variant = Variant.LINEAR;
        private double[] decay;
        private String vocab;
        private StatePrecision statePrecision = StatePrecision.FLOAT64;

        public Builder dModel(int v) { this.dModel = v; return this; }
        public Builder heads(int v) { this.heads = v; return this; }
        public Builder dKey(int v) { this.dKey = v; return this; }
        public Builder dValue(int v) { this.dValue = v; return this; }
        public Builder dOut(int v) { this.dOut = v; return this; }
        public Builder featureMap(FeatureMapKind v) { this.featureMap = v; return this; }
        public Builder eps(double v) { this.eps = v; return this; }
        public Builder favorFeatures(int v) { this.favorFeatures = v; return this; }
        public Builder favorSeed(long v) { this.favorSeed = v; return this; }
        public Builder variant(Variant v) { this.variant = v; return this; }
        public Builder decay(double[] v) { this.decay = v == null ? null : v.clone(); return this; }
        public Builder vocab(String v) { this.vocab = v; return this; }
        public Builder statePrecision(StatePrecision v) { this.statePrecision = v; return this; }

        public AttentionConfig build() {
            require(dModel > 0, "d_model must be positive, got " + dModel);
            require(heads > 0, "heads must be positive, got " + heads);
            require(dKey > 0, "d_k (per head) must be positive, got " + dKey);
            require(dValue > 0, "d_v (per head) must be positive, got " + dValue);
            require(dOut > 0, "d_out must be positive, got " + dOut);
            require(featureMap != null, "feature_map must be set");
            require(variant != null, "variant must be set");
            require(statePrecision != null, "state precision must be set");
            require(eps >= 0 && Double.isFinite(eps), "eps must be finite and >= 0, got " + eps);
            require(featureMap != FeatureMapKind.FAVOR || (favorFeatures > 0 && favorFeatures <= MAX_FAVOR_FEATURES),
                    "favor_features must be between 1 and " + MAX_FAVOR_FEATURES + ", got " + favorFeatures);
            // bounded here, with the keys named, rather than by an OutOfMemoryError when the engine
            // allocates: the state per sequence is heads × d_φ × (d_v + 1) values, favor's ω is m × d_k
            long dPhi = featureMap == FeatureMapKind.FAVOR ? favorFeatures
                    : featureMap == FeatureMapKind.TAYLOR ? 1L + dKey + (long) dKey * dKey : dKey;
            long stateElements = heads * dPhi * (dValue + 1L);
            require(stateElements <= MAX_STATE_ELEMENTS, "the state of one sequence would hold " + stateElements
                    + " values (heads " + heads + " × d_φ " + dPhi + " × (d_v " + dValue + " + 1)), more than "
                    + MAX_STATE_ELEMENTS + ": lower heads, d_value, or "
                    + (featureMap == FeatureMapKind.FAVOR ? "favor_features" : "d_key"));
            require(featureMap != FeatureMapKind.FAVOR || (long) favorFeatures * dKey <= MAX_STATE_ELEMENTS,
                    "favor_features " + favorFeatures + " × d_k " + dKey + " random features exceed "
                            + MAX_STATE_ELEMENTS + " values: lower favor_features");
            if (decay != null) {
                require(decay.length == heads,
                        "decay must give one γ per head: " + heads + " heads, got " + decay.length);
                for (double g : decay) {
                    require(g > 0 && g <= 1, "decay γ must be in (0, 1], got " + g);
                }
            }
            boolean dPhiIsDk = featureMap == FeatureMapKind.ELU || featureMap == FeatureMapKind.RELU;
            require(dPhiIsDk || (variant != Variant.GATED && variant != Variant.DELTA),
                    "variant " + variant.metadataName() + " needs a feature map with d_φ = d_k (elu or relu), got "
                            + featureMap.metadataName());
            if (vocab != null) {
                require(!vocab.isEmpty(), "vocab must not be empty");
                for (int i = 0; i < vocab.length(); i++) {
                    require(vocab.indexOf(vocab.charAt(i)) == i,
                            "vocab has the symbol '" + vocab.charAt(i) + "' twice");
                }
            }
            return new AttentionConfig(this);
        }

        private static void require(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException(message);
            }
        }
    }
}
