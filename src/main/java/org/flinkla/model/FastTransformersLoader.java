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

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.flinkla.engine.AttentionConfig;
import org.flinkla.engine.AttentionWeights;
import org.flinkla.engine.FeatureMapKind;
import org.flinkla.engine.StatePrecision;
import org.flinkla.engine.WeightPrecision;
import org.flinkla.engine.Variant;
import org.flinkla.engine.stack.Activation;
import org.flinkla.engine.stack.EncoderLayerWeights;
import org.flinkla.engine.stack.EncoderStack;
import org.flinkla.engine.stack.EncoderWeights;
import org.flinkla.engine.stack.SoftmaxEncoder;

/**
 * Loads a fast-transformers {@code RecurrentTransformerEncoder} saved as one safetensors file
 * whose {@code __metadata__} has {@code format = fast-transformers-encoder} (what
 * {@link ModelLoader} dispatches here): the encoder's {@code state_dict()} under its own names,
 * plus optionally {@code embedding.weight} in front and {@code head.weight}/{@code head.bias}
 * behind.
 *
 * <pre>{@code
 * SequenceModel stack = FastTransformersLoader.load(Path.of("encoder.safetensors"), Map.of());
 * SoftmaxEncoder full = FastTransformersLoader.loadSoftmax(Path.of("softmax.safetensors"), Map.of());
 * }</pre>
 *
 * <p>Per layer i, all required: {@code layers.i.attention.{query,key,value,out}_projection.{weight,bias}},
 * {@code layers.i.linear1.{weight,bias}}, {@code layers.i.linear2.{weight,bias}},
 * {@code layers.i.norm1.{weight,bias}}, {@code layers.i.norm2.{weight,bias}}; for favor
 * {@code layers.i.attention.inner_attention.feature_map.omega} [d_k, m/2]; the variant tensors of
 * a single layer ({@code gate_projection}, {@code beta_projection}, {@code alpha_projection}) under
 * {@code layers.i.attention.} when the variant needs them. Optional: {@code norm.{weight,bias}}
 * (final LayerNorm), {@code embedding.weight} [vocab, d_model], {@code head.{weight,bias}}.
 * Layers must be numbered 0..L−1; every layer must have the shapes of layer 0; tensors that are
 * not part of this layout are an error (a prefix such as {@code encoder.} is not stripped).
 *
 * <p>Metadata keys (overrides take precedence): {@code heads} (required), {@code feature_map}
 * (required: elu, relu, favor, softmax), {@code activation} (relu, gelu; default relu),
 * {@code eps} (linear attention, default 1e-6), {@code layer_norm_eps} (default 1e-5),
 * {@code favor_features} (default 2 × omega's columns), {@code softmax_temp} (favor and softmax,
 * default 1/√d_k), {@code vocab}, {@code variant}, {@code decay}, {@code state_precision}.
 *
 * <p>{@code softmax} has no fixed-size state: {@link #load} refuses it (naming the key
 * feature_map); {@link #loadSoftmax} gives a {@link SoftmaxEncoder} with a growing KV cache.
 * Every problem is a {@link ModelFileException} naming the file and the tensor or key.
 */
public final class FastTransformersLoader {
    private static final String FORMAT = ModelLoader.FAST_TRANSFORMERS_ENCODER;
    private static final Pattern LAYER = Pattern.compile("layers\\.(0|[1-9][0-9]{0,8})\\.(.+)");
    private static final String OMEGA = "attention.inner_attention.feature_map.omega";
    private static final List<String> TOP_LEVEL = List.of("norm.weight", "norm.bias", "embedding.weight",
            "head.weight", "head.bias");
    private static final String SOFTMAX = "softmax";

    private FastTransformersLoader() {}

    /** The option keys of this format (metadata and overrides). */
    public static List<String> optionKeys() {
        return ModelMetadata.ENCODER_KEYS;
    }

    public static EncoderStack load(Path file, Map<String, String> overrides) {
        return load(Safetensors.read(file), overrides);
    }

    /**
     * A linear-attention stack (feature map elu, relu or favor).
     *
     * @throws ModelFileException for softmax files (key feature_map) and every malformed file
     */
    public static EncoderStack load(Safetensors st, Map<String, String> overrides) {
        EncoderWeights w = parse(st, overrides, false);
        try {
            return new EncoderStack(w, st.source(), weightPrecision(st, overrides));
        } catch (IllegalArgumentException e) {
            throw new ModelFileException(st.source(), "configuration", e.getMessage(), e);
        }
    }

    public static SoftmaxEncoder loadSoftmax(Path file, Map<String, String> overrides) {
        return loadSoftmax(Safetensors.read(file), overrides);
    }

    /** A softmax stack (feature_map softmax), run over growing KV caches; not for the operator. */
    public static SoftmaxEncoder loadSoftmax(Safetensors st, Map<String, String> overrides) {
        return new SoftmaxEncoder(parse(st, overrides, true), st.source(), weightPrecision(st, overrides));
    }

    /** The {@code weights} option (metadata or override): float64, float32 or bfloat16; null when absent. */
    private static WeightPrecision weightPrecision(Safetensors st, Map<String, String> overrides) {
        ModelMetadata.Setting w = ModelMetadata.merge(st.metadata(), overrides, st.source(),
                ModelMetadata.ENCODER_KEYS, FORMAT).get(ModelMetadata.WEIGHTS);
        return w == null ? null : ModelMetadata.parse(w, st.source(), () -> WeightPrecision.parse(w.value));
    }

    /** The checked weights of the file; {@code softmaxWanted} says which kind of attention the caller runs. */
    private static EncoderWeights parse(Safetensors st, Map<String, String> overrides, boolean softmaxWanted) {
        String src = st.source();
        Map<String, ModelMetadata.Setting> s = ModelMetadata.merge(st.metadata(), overrides, src,
                ModelMetadata.ENCODER_KEYS, FORMAT);

        // feature map first: softmax is refused before anything else is looked at
        ModelMetadata.Setting fm = s.get(ModelMetadata.FEATURE_MAP);
        if (fm == null) {
            throw new ModelFileException(src, "metadata " + ModelMetadata.FEATURE_MAP,
                    "missing: say which attention the layers use (elu, relu, favor or softmax)");
        }
        String fmName = fm.value.trim().toLowerCase(Locale.ROOT);
        boolean softmax = fmName.equals(SOFTMAX);
        FeatureMapKind kind = null;
        switch (fmName) {
            case "elu":
                kind = FeatureMapKind.ELU;
                break;
            case "relu":
                kind = FeatureMapKind.RELU;
                break;
            case "favor":
                kind = FeatureMapKind.FAVOR;
                break;
            case SOFTMAX:
                break;
            default:
                throw new ModelFileException(src, fm.origin, "'" + fm.value + "' is not a fast-transformers feature "
                        + "map of this format (expected elu, relu, favor or softmax)");
        }
        if (softmax && !softmaxWanted) {
            throw new ModelFileException(src, fm.origin, "softmax (RecurrentFullAttention) keeps every past key and "
                    + "value, so its state grows with the sequence and cannot be a fixed-size keyed state: the "
                    + "operator runs only linear attention (elu, relu, favor). Run softmax models with "
                    + "FastTransformersLoader.loadSoftmax (SoftmaxEncoder, a growing KV cache)");
        }
        if (!softmax && softmaxWanted) {
            throw new ModelFileException(src, fm.origin, "is " + fmName + ", a linear-attention stack: load it with "
                    + "ModelLoader.load / FastTransformersLoader.load");
        }
        if (softmax) {
            for (String key : List.of(ModelMetadata.EPS, ModelMetadata.FAVOR_FEATURES, ModelMetadata.VARIANT,
                    ModelMetadata.DECAY, ModelMetadata.STATE_PRECISION)) {
                ModelMetadata.Setting x = s.get(key);
                if (x != null && x.origin.startsWith("override")) {
                    throw new ModelFileException(src, x.origin, "does not apply to softmax attention");
                }
            }
        }

        TreeMap<Integer, Set<String>> layers = layerTensors(st);
        int count = layers.lastKey() + 1;
        int heads = ModelMetadata.heads(s, src);
        String headsOrigin = s.get(ModelMetadata.HEADS).origin;
        String q0 = "layers.0.attention.query_projection.weight";
        long[] q = matrix(st, q0, "[H·d_k, d_model]");
        long[] v = matrix(st, "layers.0.attention.value_projection.weight", "[H·d_v, d_model]");
        long[] l1 = matrix(st, "layers.0.linear1.weight", "[d_ff, d_model]");
        splitIntoHeads(src, q0, q[0], heads, headsOrigin);
        splitIntoHeads(src, "layers.0.attention.value_projection.weight", v[0], heads, headsOrigin);
        int dm = (int) q[1];
        int dk = (int) (q[0] / heads);
        int dv = (int) (v[0] / heads);
        int dFf = (int) l1[0];

        Activation activation = Activation.RELU;
        ModelMetadata.Setting act = s.get(ModelMetadata.ACTIVATION);
        if (act != null) {
            activation = ModelMetadata.parse(act, src, () -> Activation.parse(act.value));
        }
        double lnEps = 1e-5;
        ModelMetadata.Setting lne = s.get(ModelMetadata.LAYER_NORM_EPS);
        if (lne != null) {
            lnEps = ModelMetadata.parseDouble(lne, src);
            if (!(lnEps >= 0) || !Double.isFinite(lnEps)) {
                throw new ModelFileException(src, lne.origin, "must be finite and >= 0, got " + lne.value);
            }
        }
        double temp = 1.0 / Math.sqrt(dk);
        ModelMetadata.Setting st0 = s.get(ModelMetadata.SOFTMAX_TEMP);
        if (st0 != null) {
            if (kind != null && kind != FeatureMapKind.FAVOR) {
                throw new ModelFileException(src, st0.origin, "applies to favor and softmax only, not to " + fmName);
            }
            double t = ModelMetadata.parseDouble(st0, src);
            if (!(t > 0) || !Double.isFinite(t)) {
                // fast-transformers' softmax reads 0 as "the default"; a negative or 0 τ is refused here
                throw new ModelFileException(src, st0.origin, "must be finite and > 0, got " + st0.value);
            }
            temp = t;
        }
        int m = 0;
        if (kind == FeatureMapKind.FAVOR) {
            long[] om = shape(st, "layers.0." + OMEGA, "favor needs each layer's stored omega [d_k, m/2]");
            if (om.length != 2 || om[0] != dk || om[1] <= 0) {
                throw new ModelFileException(src, "tensor layers.0." + OMEGA, "expected shape [d_k=" + dk
                        + ", m/2], got " + Arrays.toString(om));
            }
            m = (int) (2 * om[1]);
            ModelMetadata.Setting ff = s.get(ModelMetadata.FAVOR_FEATURES);
            if (ff != null) {
                int given = ModelMetadata.parseInt(ff, src);
                if (given != m) {
                    throw new ModelFileException(src, "tensor layers.0." + OMEGA, "shape " + Arrays.toString(om)
                            + " gives m = " + m + " features, but " + ff.origin + " says " + ff.value);
                }
            }
        } else if (s.get(ModelMetadata.FAVOR_FEATURES) != null && s.get(ModelMetadata.FAVOR_FEATURES).origin
                .startsWith("override")) {
            throw new ModelFileException(src, s.get(ModelMetadata.FAVOR_FEATURES).origin,
                    "applies to favor only, not to " + fmName);
        }

        AttentionConfig.Builder b = AttentionConfig.builder().heads(heads).dModel(dm).dKey(dk).dValue(dv).dOut(dm)
                .featureMap(kind == null ? FeatureMapKind.ELU : kind);
        if (m > 0) {
            b.favorFeatures(m);
        }
        if (!softmax) {
            ModelMetadata.Setting eps = s.get(ModelMetadata.EPS);
            if (eps != null) {
                b.eps(ModelMetadata.parseDouble(eps, src));
            }
            ModelMetadata.Setting var = s.get(ModelMetadata.VARIANT);
            if (var != null) {
                b.variant(ModelMetadata.parse(var, src, () -> Variant.parse(var.value)));
            }
            ModelMetadata.checkDecayCount(s, heads, src);
            ModelMetadata.Setting decay = s.get(ModelMetadata.DECAY);
            if (decay != null) {
                String[] parts = decay.value.split(",", -1);
                double[] g = new double[parts.length];
                for (int i = 0; i < parts.length; i++) {
                    String part = parts[i].trim();
                    g[i] = ModelMetadata.parse(decay, src, () -> Double.parseDouble(part));
                }
                b.decay(g);
            }
            ModelMetadata.Setting prec = s.get(ModelMetadata.STATE_PRECISION);
            if (prec != null) {
                b.statePrecision(ModelMetadata.parse(prec, src, () -> StatePrecision.parse(prec.value)));
            }
        }
        AttentionConfig config;
        try {
            config = b.build();
        } catch (IllegalArgumentException e) {
            throw new ModelFileException(src, "configuration", e.getMessage(), e);
        }

        List<EncoderLayerWeights> list = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            list.add(layer(st, i, layers.get(i), config, fmName, dFf, activation, lnEps, temp, m));
        }

        double[] normW = optionalTensor(st, "norm.weight", new int[] {dm}, "final LayerNorm, d_model=" + dm);
        double[] normB = optionalTensor(st, "norm.bias", new int[] {dm}, "final LayerNorm, d_model=" + dm);
        if ((normW == null) != (normB == null)) {
            throw new ModelFileException(src, "tensor " + (normW == null ? "norm.weight" : "norm.bias"),
                    "missing: the final LayerNorm has both norm.weight and norm.bias");
        }
        ModelMetadata.Setting vocabSetting = s.get(ModelMetadata.VOCAB);
        String vocab = vocabSetting == null ? null : vocabSetting.value;
        double[] emb = null;
        if (st.contains("embedding.weight")) {
            long[] e = matrix(st, "embedding.weight", "[vocab, d_model]");
            if (e[1] != dm || (vocab != null && e[0] != vocab.length())) {
                throw new ModelFileException(src, "tensor embedding.weight", "expected shape ["
                        + (vocab != null ? Integer.toString(vocab.length()) : "vocab") + ", " + dm + "], got "
                        + Arrays.toString(e) + (vocab != null ? " (vocab '" + vocab + "' has " + vocab.length()
                        + " symbols, d_model=" + dm + ")" : ""));
            }
            emb = tensor(st, "embedding.weight", new int[] {(int) e[0], dm}, "");
        } else if (vocab != null) {
            throw new ModelFileException(src, "tensor embedding.weight", "missing (" + vocabSetting.origin + " '"
                    + vocab + "' needs an embedding row per symbol)");
        }
        double[] headW = null;
        double[] headB = null;
        if (st.contains("head.weight") || st.contains("head.bias")) {
            long[] h = matrix(st, "head.weight", "[n_out, d_model]");
            if (h[1] != dm) {
                throw new ModelFileException(src, "tensor head.weight", "expected shape [n_out, " + dm + "], got "
                        + Arrays.toString(h));
            }
            headW = tensor(st, "head.weight", new int[] {(int) h[0], dm}, "");
            headB = tensor(st, "head.bias", new int[] {(int) h[0]}, "n_out=" + h[0] + " rows of head.weight");
        }
        try {
            return new EncoderWeights(list, emb, vocab, normW, normB, headW, headB);
        } catch (IllegalArgumentException e) {
            throw new ModelFileException(src, "configuration", e.getMessage(), e);
        }
    }

    /** Tensor names by layer index; every name must be a layer's or one of {@link #TOP_LEVEL}; no gaps. */
    private static TreeMap<Integer, Set<String>> layerTensors(Safetensors st) {
        TreeMap<Integer, Set<String>> layers = new TreeMap<>();
        for (String name : st.names()) {
            Matcher mt = LAYER.matcher(name);
            if (mt.matches()) {
                layers.computeIfAbsent(Integer.parseInt(mt.group(1)), k -> new HashSet<>()).add(mt.group(2));
            } else if (!TOP_LEVEL.contains(name)) {
                throw new ModelFileException(st.source(), "tensor " + name, "is not part of a fast-transformers encoder"
                        + " file (expected layers.{i}.* as in RecurrentTransformerEncoder.state_dict(), without a prefix,"
                        + " and optionally " + String.join(", ", TOP_LEVEL) + ")");
            }
        }
        if (layers.isEmpty()) {
            throw new ModelFileException(st.source(), "tensor layers.0.attention.query_projection.weight",
                    "missing: the file has no layers.{i}.* tensors (names as in RecurrentTransformerEncoder.state_dict())");
        }
        for (int i = 0; i <= layers.lastKey(); i++) {
            if (!layers.containsKey(i)) {
                throw new ModelFileException(st.source(), "tensor layers." + i + ".*", "missing: the file has layers "
                        + layers.keySet() + " but no layer " + i + " (layers are numbered 0..L-1 without gaps)");
            }
        }
        return layers;
    }

    private static EncoderLayerWeights layer(Safetensors st, int i, Set<String> names, AttentionConfig config,
                                             String fmName, int dFf, Activation activation, double lnEps, double temp, int m) {
        String src = st.source();
        String p = "layers." + i + ".";
        String ap = p + "attention.";
        Set<String> expected = new HashSet<>();
        for (ModelTensors.Spec spec : ModelTensors.specs(config)) {
            if (!spec.name.equals(ModelTensors.EMBEDDING)) {
                expected.add("attention." + spec.name);
            }
        }
        for (String t : List.of("linear1.weight", "linear1.bias", "linear2.weight", "linear2.bias", "norm1.weight",
                "norm1.bias", "norm2.weight", "norm2.bias")) {
            expected.add(t);
        }
        boolean favor = config.featureMap() == FeatureMapKind.FAVOR;
        for (String n : new java.util.TreeSet<>(names)) {
            if (n.equals(OMEGA) && !favor) {
                throw new ModelFileException(src, "tensor " + p + n, "present, but feature_map is " + fmName
                        + " (a stored omega belongs to favor)");
            }
            if (!expected.contains(n) && !n.equals(OMEGA)) {
                throw new ModelFileException(src, "tensor " + p + n, "is not part of a fast-transformers encoder layer"
                        + " with variant " + config.variant().metadataName()
                        + " (attention.{query,key,value,out}_projection, linear1, linear2, norm1, norm2"
                        + (favor ? ", " + OMEGA : "") + ")");
            }
        }
        int dm = config.dModel();
        AttentionWeights aw = ModelTensors.toWeights(config, name -> st.contains(name) ? st.tensor(name) : null, src, ap);
        // fast-transformers' projections always have biases: a missing one means a damaged or foreign file
        String[] biasNames = {"query_projection.bias", "key_projection.bias", "value_projection.bias", "out_projection.bias"};
        double[][] biases = {aw.queryBias, aw.keyBias, aw.valueBias, aw.outBias};
        for (int j = 0; j < biasNames.length; j++) {
            if (biases[j] == null) {
                throw new ModelFileException(src, "tensor " + ap + biasNames[j], "missing");
            }
        }
        String hint = "d_model=" + dm + ", d_ff=" + dFf + " (from layers.0.linear1.weight)";
        EncoderLayerWeights l = new EncoderLayerWeights();
        l.attention = config;
        l.attentionWeights = aw;
        l.dFf = dFf;
        l.activation = activation;
        l.layerNormEps = lnEps;
        l.softmaxTemp = temp;
        l.linear1Weight = tensor(st, p + "linear1.weight", new int[] {dFf, dm}, hint);
        l.linear1Bias = tensor(st, p + "linear1.bias", new int[] {dFf}, hint);
        l.linear2Weight = tensor(st, p + "linear2.weight", new int[] {dm, dFf}, hint);
        l.linear2Bias = tensor(st, p + "linear2.bias", new int[] {dm}, hint);
        l.norm1Weight = tensor(st, p + "norm1.weight", new int[] {dm}, "d_model=" + dm);
        l.norm1Bias = tensor(st, p + "norm1.bias", new int[] {dm}, "d_model=" + dm);
        l.norm2Weight = tensor(st, p + "norm2.weight", new int[] {dm}, "d_model=" + dm);
        l.norm2Bias = tensor(st, p + "norm2.bias", new int[] {dm}, "d_model=" + dm);
        if (favor) {
            l.omega = tensor(st, p + OMEGA, new int[] {config.dKey(), m / 2},
                    "d_k=" + config.dKey() + ", m/2=" + (m / 2) + " as in layer 0");
        }
        return l;
    }

    private static long[] shape(Safetensors st, String name, String why) {
        if (!st.contains(name)) {
            throw new ModelFileException(st.source(), "tensor " + name, "missing (" + why + ")");
        }
        return st.shape(name);
    }

    private static long[] matrix(Safetensors st, String name, String layout) {
        long[] s = shape(st, name, "expected a matrix " + layout);
        if (s.length != 2) {
            throw new ModelFileException(st.source(), "tensor " + name, "expected a matrix " + layout + ", got shape "
                    + Arrays.toString(s));
        }
        if (s[0] <= 0 || s[1] <= 0 || s[0] > Integer.MAX_VALUE || s[1] > Integer.MAX_VALUE) {
            throw new ModelFileException(st.source(), "tensor " + name, "shape " + Arrays.toString(s) + " is not usable");
        }
        return s;
    }

    private static void splitIntoHeads(String source, String name, long rows, int heads, String headsOrigin) {
        if (rows % heads != 0) {
            throw new ModelFileException(source, "tensor " + name, rows + " rows do not split into " + heads
                    + " heads (" + headsOrigin + ")");
        }
    }

    /** A required tensor of exactly {@code shape}, finite. */
    private static double[] tensor(Safetensors st, String name, int[] shape, String hint) {
        if (!st.contains(name)) {
            throw new ModelFileException(st.source(), "tensor " + name, "missing");
        }
        long[] s = st.shape(name);
        boolean ok = s.length == shape.length;
        for (int i = 0; ok && i < s.length; i++) {
            ok = s[i] == shape[i];
        }
        if (!ok) {
            throw new ModelFileException(st.source(), "tensor " + name, "expected shape " + Arrays.toString(shape)
                    + ", got " + Arrays.toString(s) + (hint.isEmpty() ? "" : " (" + hint + ")"));
        }
        double[] data = st.tensor(name).data();
        ModelTensors.checkFinite(data, st.source(), "tensor " + name);
        return data;
    }

    private static double[] optionalTensor(Safetensors st, String name, int[] shape, String hint) {
        return st.contains(name) ? tensor(st, name, shape, hint) : null;
    }
}
