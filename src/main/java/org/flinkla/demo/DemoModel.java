package org.flinkla.demo;

import java.nio.file.Path;
import java.util.Random;
import org.flinkla.engine.AttentionConfig;
import org.flinkla.engine.AttentionWeights;
import org.flinkla.engine.FeatureMapKind;
import org.flinkla.engine.RecurrentLinearAttention;
import org.flinkla.engine.Variant;

/**
 * The demo's model: a seeded random layer over the DNA alphabet, d_model 64, 4 heads of
 * d_k = d_v = 16, d_out 64, φ = elu, vocabulary {@code ACGT}. The state per sequence is then
 * 4 × (16·16 + 16) float64 values = 8,704 bytes (linear variant).
 *
 * <pre>{@code
 * DemoModel model = DemoModel.create(42, Variant.LINEAR);
 * RecurrentLinearAttention layer = model.newLayer();
 * }</pre>
 */
public final class DemoModel {
    public static final int D_MODEL = 64;
    public static final int HEADS = 4;
    public static final int D_HEAD = 16;
    public static final String VOCAB = "ACGT";
    public static final long DEFAULT_SEED = 42;

    private final AttentionConfig config;
    private final AttentionWeights weights;
    private final long seed;
    private final Path file;

    private DemoModel(AttentionConfig config, AttentionWeights weights, long seed, Path file) {
        this.config = config;
        this.weights = weights;
        this.seed = seed;
        this.file = file;
    }

    /** The demo's configuration for a variant. */
    public static AttentionConfig config(Variant variant) {
        return AttentionConfig.builder()
                .dModel(D_MODEL).heads(HEADS).dKey(D_HEAD).dValue(D_HEAD).dOut(D_MODEL)
                .featureMap(FeatureMapKind.ELU).variant(variant).vocab(VOCAB)
                .build();
    }

    /** A seeded random model (same seed and variant → same weights). */
    public static DemoModel create(long seed, Variant variant) {
        AttentionConfig cfg = config(variant);
        return new DemoModel(cfg, SeededWeights.create(cfg, seed), seed, null);
    }

    /**
     * A model from a spec string: {@code seed:<n>:<variant>} (as passed to the memory children).
     */
    public static DemoModel fromSpec(String spec) {
        String[] f = spec.split(":");
        if (f.length != 3 || !f[0].equals("seed")) {
            throw new IllegalArgumentException("model spec '" + spec + "' is not seed:<n>:<variant>");
        }
        return create(Long.parseLong(f[1]), Variant.parse(f[2]));
    }

    /** The spec that {@link #fromSpec} turns back into this model. */
    public String spec() {
        return "seed:" + seed + ":" + config.variant().metadataName();
    }

    public AttentionConfig config() { return config; }
    public AttentionWeights weights() { return weights; }
    public long seed() { return seed; }
    /** The safetensors file this model was saved to, or null. */
    public Path file() { return file; }

    public RecurrentLinearAttention newLayer() {
        return new RecurrentLinearAttention(config, weights);
    }

    /** Temporary seeded initialiser until org.flinkla.model's lands (then this delegates there). */
    static final class SeededWeights {
        static AttentionWeights create(AttentionConfig c, long seed) {
            Random r = new Random(seed);
            AttentionWeights w = new AttentionWeights();
            int hk = c.heads() * c.dKey();
            int hv = c.heads() * c.dValue();
            w.queryWeight = gaussian(r, hk * c.dModel(), 1 / Math.sqrt(c.dModel()));
            w.queryBias = new double[hk];
            w.keyWeight = gaussian(r, hk * c.dModel(), 1 / Math.sqrt(c.dModel()));
            w.keyBias = new double[hk];
            w.valueWeight = gaussian(r, hv * c.dModel(), 1 / Math.sqrt(c.dModel()));
            w.valueBias = new double[hv];
            w.outWeight = gaussian(r, c.dOut() * hv, 1 / Math.sqrt(hv));
            w.outBias = new double[c.dOut()];
            w.embedding = gaussian(r, c.vocab().length() * c.dModel(), 1);
            if (c.variant() == Variant.GATED) {
                w.gateWeight = gaussian(r, hk * c.dModel(), 1 / Math.sqrt(c.dModel()));
                w.gateBias = new double[hk];
            } else if (c.variant() == Variant.DELTA) {
                w.betaWeight = gaussian(r, c.heads() * c.dModel(), 1 / Math.sqrt(c.dModel()));
                w.betaBias = new double[c.heads()];
            }
            return w;
        }

        private static double[] gaussian(Random r, int n, double std) {
            double[] a = new double[n];
            for (int i = 0; i < n; i++) {
                a[i] = r.nextGaussian() * std;
            }
            return a;
        }
    }
}
