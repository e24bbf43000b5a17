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
package org.flinkla.model;

import org.flinkla.engine.AttentionConfig;
import org.flinkla.engine.AttentionWeights;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Loading, saving and seeded creation of {@link Model}s as safetensors files (docs/models.md).
 *
 * <pre>{@code
 * // a file written by PyTorch (fast-transformers RecurrentAttentionLayer) plus the head count
 * Model m = ModelFiles.load(Path.of("layer.safetensors"), Map.of("heads", "4"));
 *
 * // a repeatable random model for demos
 * AttentionConfig cfg = AttentionConfig.builder().dModel(16).heads(2).dKey(8).dValue(8).dOut(16)
 *     .vocab("ACGTN").build();
 * Model r = ModelFiles.random(cfg, 42L);
 * ModelFiles.save(r, Path.of("demo.safetensors"));      // same seed → same bytes
 * }</pre>
 *
 * <p>Configuration comes from the header's {@code __metadata__} strings — {@code heads},
 * {@code feature_map}, {@code eps}, {@code favor_features}, {@code favor_seed}, {@code vocab},
 * {@code variant}, {@code decay}, {@code state_precision} — with overrides (the command line, same
 * key names) taking precedence. d_model, d_k, d_v and d_out come from the tensor shapes. Tensors
 * that are not ours are ignored. Every problem is one {@link ModelFileException} naming the file
 * and the tensor or metadata key.
 */
public final class ModelFiles {
    private ModelFiles() {}

    /**
     * The configuration keys read from {@code __metadata__} and accepted as overrides: heads,
     * feature_map, eps, favor_features, favor_seed, vocab, variant, decay, state_precision.
     */
    public static List<String> configKeys() {
        return ModelMetadata.KEYS;
    }

    /** Loads a model file using only its own metadata. */
    public static Model load(Path file) {
        return load(file, Map.of());
    }

    /** Loads a model file; {@code overrides} (same key names as the metadata) beat the file's metadata. */
    public static Model load(Path file, Map<String, String> overrides) {
        return load(Safetensors.read(file), overrides);
    }

    /** Builds a model from already read safetensors contents (see {@link #load(Path, Map)}). */
    public static Model load(Safetensors st, Map<String, String> overrides) {
        String source = st.source();
        Map<String, ModelMetadata.Setting> settings = ModelMetadata.merge(st.metadata(), overrides, source);

        long[] q = matrixShape(st, ModelTensors.QUERY_WEIGHT, "[H·d_k, d_model]");
        long[] v = matrixShape(st, ModelTensors.VALUE_WEIGHT, "[H·d_v, d_model]");
        long[] o = matrixShape(st, ModelTensors.OUT_WEIGHT, "[d_out, H·d_v]");
        int heads = ModelMetadata.heads(settings, source);
        String headsOrigin = settings.get(ModelMetadata.HEADS).origin;
        splitIntoHeads(source, ModelTensors.QUERY_WEIGHT, q[0], heads, headsOrigin);
        splitIntoHeads(source, ModelTensors.VALUE_WEIGHT, v[0], heads, headsOrigin);
        ModelMetadata.checkDecayCount(settings, heads, source);

        AttentionConfig.Builder b = AttentionConfig.builder()
                .heads(heads)
                .dModel((int) q[1])
                .dKey((int) (q[0] / heads))
                .dValue((int) (v[0] / heads))
                .dOut((int) o[0]);
        ModelMetadata.apply(b, settings, source);
        AttentionConfig config;
        try {
            config = b.build();
        } catch (IllegalArgumentException e) {
            // The builder's message names the key (decay, vocab, eps, variant, ...); it may come from
            // the file or an override, so the subject says "configuration".
            throw new ModelFileException(source, "configuration", e.getMessage(), e);
        }
        AttentionWeights w = ModelTensors.toWeights(config, name -> st.contains(name) ? st.tensor(name) : null, source);
        return Model.checked(config, w, source);
    }

    private static long[] matrixShape(Safetensors st, String name, String layout) {
        long[] s = st.shape(name); // throws "missing" naming the tensor
        if (s.length != 2) {
            throw new ModelFileException(st.source(), "tensor " + name, "expected a matrix " + layout + ", got shape "
                    + Arrays.toString(s));
        }
        if (s[0] > Integer.MAX_VALUE || s[1] > Integer.MAX_VALUE) {
            throw new ModelFileException(st.source(), "tensor " + name, "shape " + Arrays.toString(s) + " is too large");
        }
        return s;
    }

    private static void splitIntoHeads(String source, String name, long rows, int heads, String headsOrigin) {
        if (rows % heads != 0) {
            throw new ModelFileException(source, "tensor " + name, rows + " rows do not split into " + heads
                    + " heads (" + headsOrigin + ")");
        }
    }

    // ------------------------------------------------------------------ saving

    /** Saves as F64, so that loading gives back exactly the same weights. */
    public static void save(Model model, Path file) {
        save(model, file, Dtype.F64);
    }

    /**
     * Saves with full metadata (every key a later {@link #load(Path)} needs to rebuild the same
     * configuration). Deterministic: the same model gives the same bytes.
     */
    public static void save(Model model, Path file, Dtype dtype) {
        Safetensors.write(file, model.tensors(), metadata(model), dtype);
    }

    /** The bytes {@link #save(Model, Path, Dtype)} writes. */
    public static byte[] encode(Model model, Dtype dtype) {
        return Safetensors.encode(model.tensors(), metadata(model), dtype);
    }

    private static Map<String, String> metadata(Model model) {
        Map<String, String> m = new LinkedHashMap<>(ModelMetadata.of(model.config()));
        m.put("format", "pt"); // what PyTorch's safetensors writer puts there; other tools expect it
        return m;
    }

    // ------------------------------------------------------------------ random init

    /** {@link #random(AttentionConfig, long, boolean)} without the delta variant's α gate. */
    public static Model random(AttentionConfig config, long seed) {
        return random(config, seed, false);
    }

    /**
     * A seeded random model, initialised like PyTorch: every {@code nn.Linear} weight and bias
     * uniform(−1/√in, 1/√in), the embedding (present when the configuration has a vocab) N(0, 1).
     * Biases are included; variant tensors are created when the variant needs them, and for
     * {@code delta} the optional {@code alpha_projection} only when {@code deltaAlphaGate}.
     * Each tensor draws from its own {@link Random} seeded from {@code seed} and its name, so the
     * result depends on nothing but the arguments (and does not shift when a tensor is added).
     */
    public static Model random(AttentionConfig config, long seed, boolean deltaAlphaGate) {
        AttentionWeights w = new AttentionWeights();
        for (ModelTensors.Spec spec : ModelTensors.specs(config)) {
            boolean alpha = spec.name.equals(ModelTensors.ALPHA_WEIGHT) || spec.name.equals(ModelTensors.ALPHA_BIAS);
            boolean embedding = spec.name.equals(ModelTensors.EMBEDDING);
            if ((alpha && !deltaAlphaGate) || (embedding && config.vocab() == null)) {
                continue;
            }
            int n = 1;
            for (int d : spec.shape) {
                n *= d;
            }
            // Seed per tensor: a 64-bit mix (golden-ratio multiplier) of the seed and the name's hash.
            Random r = new Random(seed * 0x9E3779B97F4A7C15L + spec.name.hashCode());
            double[] a = new double[n];
            if (spec.fanIn == 0) {
                for (int i = 0; i < n; i++) {
                    a[i] = r.nextGaussian();
                }
            } else {
                double bound = 1.0 / Math.sqrt(spec.fanIn);
                for (int i = 0; i < n; i++) {
                    a[i] = (2.0 * r.nextDouble() - 1.0) * bound;
                }
            }
            spec.set.accept(w, a);
        }
        return new Model(config, w, "random init (seed " + seed + (deltaAlphaGate ? ", with α gate" : "") + ")");
    }
}
