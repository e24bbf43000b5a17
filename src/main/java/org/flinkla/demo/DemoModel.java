package org.flinkla.demo;

import java.nio.file.Files;
import java.nio.file.Path;
import org.flinkla.engine.AttentionConfig;
import org.flinkla.engine.AttentionWeights;
import org.flinkla.engine.FeatureMapKind;
import org.flinkla.engine.RecurrentLinearAttention;
import org.flinkla.engine.Variant;
import org.flinkla.model.Model;
import org.flinkla.model.ModelFiles;

/**
 * The demo's model: by default (as in {@code flink-jobs/chr1-demo.yaml}) a seeded random layer over
 * the DNA alphabet, d_model 64, 4 heads of d_k = d_v = 16, d_out 64, φ = elu, vocabulary
 * {@code ACGT}. The state per sequence is then 4 × (16·16 + 16) float64 values = 8,704 bytes
 * (linear variant).
 *
 * <pre>{@code
 * DemoModel model = DemoModel.create(42, Variant.LINEAR).saveTo(reportDir.resolve("model.safetensors"));
 * RecurrentLinearAttention layer = model.newLayer();
 * DemoModel again = DemoModel.fromSpec(model.spec());   // loads the saved file
 * }</pre>
 */
public final class DemoModel {
    public static final int D_MODEL = 64;
    public static final int HEADS = 4;
    public static final int D_HEAD = 16;
    public static final String VOCAB = "ACGT";
    public static final long DEFAULT_SEED = 42;

    private final Model model;
    private final long seed;
    private final Path file;

    private DemoModel(Model model, long seed, Path file) {
        this.model = model;
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

    /** A seeded random model ({@link ModelFiles#random}: same seed and variant → same weights). */
    public static DemoModel create(long seed, Variant variant) {
        return create(config(variant), seed);
    }

    /** A seeded random model of any configuration (e.g. a job file's {@code model.seeded}). */
    public static DemoModel create(AttentionConfig config, long seed) {
        return new DemoModel(ModelFiles.random(config, seed), seed, null);
    }

    /** A model already loaded from {@code file} (no seed). */
    public static DemoModel of(Model model, Path file) {
        return new DemoModel(model, -1, file);
    }

    /** A model loaded from a safetensors file (no seed). */
    public static DemoModel load(Path file) {
        return new DemoModel(ModelFiles.load(file), -1, file);
    }

    /** Saves the model as safetensors (F64, so a reload is exact) and returns it with its file. */
    public DemoModel saveTo(Path file) throws java.io.IOException {
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        ModelFiles.save(model, file);
        return new DemoModel(model, seed, file);
    }

    /**
     * A model from a spec string as passed to the memory children: a safetensors path, or
     * {@code seed:<n>:<variant>} for an unsaved seeded model.
     */
    public static DemoModel fromSpec(String spec) {
        String[] f = spec.split(":");
        if (f.length == 3 && f[0].equals("seed")) {
            return create(Long.parseLong(f[1]), Variant.parse(f[2]));
        }
        return load(Path.of(spec));
    }

    /** The spec that {@link #fromSpec} turns back into this model: its file if saved. */
    public String spec() {
        return file != null ? file.toAbsolutePath().toString()
                : "seed:" + seed + ":" + config().variant().metadataName();
    }

    public Model model() { return model; }
    public AttentionConfig config() { return model.config(); }
    public AttentionWeights weights() { return model.weights(); }
    /** The seed, or -1 for a model loaded from a file. */
    public long seed() { return seed; }
    /** The safetensors file this model was saved to, or null. */
    public Path file() { return file; }

    public RecurrentLinearAttention newLayer() {
        return new RecurrentLinearAttention(model.config(), model.weights());
    }
}
