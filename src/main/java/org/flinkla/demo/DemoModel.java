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
package org.flinkla.demo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.flinkla.engine.AttentionConfig;
import org.flinkla.engine.FeatureMapKind;
import org.flinkla.engine.SequenceModel;
import org.flinkla.engine.Variant;
import org.flinkla.flink.ModelReference;
import org.flinkla.flink.SequenceStateSerializer;
import org.flinkla.model.Model;
import org.flinkla.model.ModelFiles;

/**
 * The demo's model: any {@link SequenceModel} with the reference the job's operator loads it by.
 *
 * <ul>
 *   <li>By default the trained Gated DeltaNet shipped in the jar ({@value #DEFAULT_URI}, an FLA
 *       model directory: a language model over {@code ACGTN}); {@code demo --model URI|path}
 *       picks another, e.g. {@value #LINEAR_URI} or a file.
 *   <li>A seeded random single attention layer ({@link #create}): d_model 64, 4 heads of
 *       d_k = d_v = 16, d_out 64, φ = elu, vocabulary {@code ACGT}, state 4 × (16·16 + 16) float64
 *       = 8,704 bytes. It is not a language model; the memory curves of the softmax forms use it
 *       ({@link #referenceLayer}) when the demo's model is not a single layer.
 * </ul>
 *
 * <pre>{@code
 * DemoModel gdn = DemoModel.load(DemoModel.DEFAULT_URI, Map.of());      // loaded once per JVM
 * DemoModel layer = DemoModel.create(42, Variant.LINEAR).saveTo(reportDir.resolve("model.safetensors"));
 * DemoModel again = DemoModel.fromSpec(gdn.spec(), gdn.overrides());    // what a child JVM does
 * }</pre>
 */
public final class DemoModel {
    /** The trained Gated DeltaNet (FLA directory) the demo runs by default. */
    public static final String DEFAULT_URI = "classpath:/models/dna/gdn";
    /** The trained linear-attention (elu+1) encoder stack, the demo's "linear" comparison. */
    public static final String LINEAR_URI = "classpath:/models/dna/linear-elu";
    /** The trained softmax encoder stack (KV cache, not a fixed-size state): run in a child JVM. */
    public static final String SOFTMAX_URI = "classpath:/models/dna/softmax";
    /** The resource the softmax model is read from, to tell whether this build has it. */
    public static final String SOFTMAX_RESOURCE = "/models/dna/softmax/model.safetensors";
    /**
     * Relative difference allowed between the bits per base of an FLA model run with its default
     * float32 state and the float64 reference (the state is rounded to float32 after every token;
     * on the first 2,000 bases of the chr1 fragment the Gated DeltaNet's mean moves by 2.3e-10).
     * A float32 sink ({@code format: binary}) rounds each emitted surprisal by up to 2⁻²⁴ ≈ 6e-8
     * relative on top of that.
     */
    public static final double FLOAT32_BITS_TOLERANCE = 1e-8;

    public static final int D_MODEL = 64;
    public static final int HEADS = 4;
    public static final int D_HEAD = 16;
    public static final String VOCAB = "ACGT";
    public static final long DEFAULT_SEED = 42;

    private final SequenceModel model;
    private final ModelReference reference;
    private final String uri;
    private final Map<String, String> overrides;
    private final long seed;
    private final Path file;

    private DemoModel(SequenceModel model, ModelReference reference, String uri, Map<String, String> overrides,
            long seed, Path file) {
        this.model = model;
        this.reference = reference;
        this.uri = uri;
        this.overrides = Map.copyOf(overrides);
        this.seed = seed;
        this.file = file;
    }

    /** The seeded single layer's configuration for a variant. */
    public static AttentionConfig config(Variant variant) {
        return AttentionConfig.builder()
                .dModel(D_MODEL).heads(HEADS).dKey(D_HEAD).dValue(D_HEAD).dOut(D_MODEL)
                .featureMap(FeatureMapKind.ELU).variant(variant).vocab(VOCAB)
                .build();
    }

    /** A seeded random single layer ({@link ModelFiles#random}: same seed and variant → same weights). */
    public static DemoModel create(long seed, Variant variant) {
        return create(config(variant), seed);
    }

    /** A seeded random single layer of any configuration. */
    public static DemoModel create(AttentionConfig config, long seed) {
        Model m = ModelFiles.random(config, seed);
        return new DemoModel(m, ModelReference.of(m), null, Map.of(), seed, null);
    }

    /** The single layer the softmax memory curves run on when the demo's model is not one: seed 42, linear. */
    public static DemoModel referenceLayer() {
        return create(DEFAULT_SEED, Variant.LINEAR);
    }

    /**
     * A model by URI or path (anything {@link ModelReference} reads: {@code classpath:}, {@code file:},
     * a plain path, a model directory), loaded once per JVM with {@code overrides} (e.g.
     * {@code state_precision=float64}). The job's operator gets the same reference, so in-process it
     * shares the loaded model.
     */
    public static DemoModel load(String uri, Map<String, String> overrides) {
        ModelReference ref = ModelReference.uri(uri, overrides);
        return new DemoModel(ref.resolve(), ref, uri, overrides, -1, null);
    }

    /** A seeded single layer saved as safetensors (F64, so a reload is exact); returns it with its file. */
    public DemoModel saveTo(Path target) throws java.io.IOException {
        if (!(model instanceof Model)) {
            throw new IllegalStateException("only a seeded single layer is saved with the report; " + uri
                    + " is read where it is");
        }
        if (target.getParent() != null) {
            Files.createDirectories(target.getParent());
        }
        ModelFiles.save((Model) model, target);
        return new DemoModel(model, reference, uri, overrides, seed, target);
    }

    /**
     * A model from {@link #spec()} and {@link #overrides()} as passed to a child JVM: a URI or path,
     * or {@code seed:<n>:<variant>} for an unsaved seeded layer.
     */
    public static DemoModel fromSpec(String spec, Map<String, String> overrides) {
        String[] f = spec.split(":");
        if (f.length == 3 && f[0].equals("seed")) {
            return create(Long.parseLong(f[1]), Variant.parse(f[2]));
        }
        return load(spec, overrides);
    }

    /** What {@link #fromSpec} turns back into this model: its URI, its saved file, or its seed. */
    public String spec() {
        if (file != null) {
            return file.toAbsolutePath().toString();
        }
        if (uri != null) {
            return uri;
        }
        return "seed:" + seed + ":" + ((Model) model).config().variant().metadataName();
    }

    /** The overrides as {@code key=value} arguments of a child JVM. */
    public List<String> overrideArgs() {
        List<String> a = new ArrayList<>();
        overrides.forEach((k, v) -> a.add(k + "=" + v));
        return a;
    }

    /** {@code key=value} arguments back into overrides. */
    static Map<String, String> parseOverrides(List<String> args) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("model option '" + a + "' is not key=value");
            }
            m.put(a.substring(0, eq), a.substring(eq + 1));
        }
        return m;
    }

    public SequenceModel model() { return model; }
    /** How the job's operator finds the model (by URI, or the seeded layer by value). */
    public ModelReference reference() { return reference; }
    /** The URI or path it was loaded from, or null for a seeded layer. */
    public String uri() { return uri; }
    public Map<String, String> overrides() { return overrides; }
    /** The seed, or -1 for a model loaded by URI. */
    public long seed() { return seed; }
    /** The file a seeded layer was saved to, or null. */
    public Path file() { return file; }

    /** True when its outputs are logits over its token ids: it predicts the next base. */
    public boolean isLanguageModel() {
        return model.outputsLogits();
    }

    /** The single attention layer, or null when the model is a stack or an FLA model. */
    public Model singleLayer() {
        return model instanceof Model ? (Model) model : null;
    }

    /** Where the model comes from, for the summary: its URI, its saved file name, or its seed. */
    public String path() {
        if (uri != null) {
            return uri;
        }
        return file != null ? file.getFileName().toString() : "seed:" + seed;
    }

    /** A short name for people: {@code gdn}, {@code linear-elu}, a file name, or "seeded layer". */
    public String shortName() {
        if (uri == null) {
            return "seeded layer";
        }
        String u = uri.endsWith("/") ? uri.substring(0, uri.length() - 1) : uri;
        String last = u.substring(Math.max(u.lastIndexOf('/'), u.lastIndexOf(':')) + 1);
        if (last.equals("model.safetensors") && u.lastIndexOf('/') > 0) {
            String parent = u.substring(0, u.lastIndexOf('/'));
            last = parent.substring(Math.max(parent.lastIndexOf('/'), parent.lastIndexOf(':')) + 1);
        }
        return last.isEmpty() ? uri : last;
    }

    /**
     * Bytes of the job's keyed state per sequence, as the operator stores it: its serializer's
     * header, the model's state and, when surprisal is emitted, the previous prediction (V doubles).
     */
    public long stateBytesPerKey(boolean prediction) {
        return SequenceStateSerializer.serializedBytes(model.statePrecision(), model.stateLength(),
                prediction ? model.vocabSize() : 0);
    }
}
