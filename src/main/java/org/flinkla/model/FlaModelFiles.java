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

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.flinkla.engine.StatePrecision;
import org.flinkla.engine.WeightPrecision;
import org.flinkla.engine.fla.Activation;
import org.flinkla.engine.fla.FlaArchitecture;
import org.flinkla.engine.fla.FlaConfig;
import org.flinkla.engine.fla.FlaLanguageModel;

/**
 * Loads (and writes) flash-linear-attention causal-LM directories as {@code save_pretrained}
 * writes them: {@code config.json} plus {@code model.safetensors}, or
 * {@code model.safetensors.index.json} with its shards.
 *
 * <pre>{@code
 * FlaLanguageModel m = FlaModelFiles.load(Path.of("models/gdn"), Map.of("state_precision", "float64"));
 * }</pre>
 *
 * <p>config.json is read as FLA's configuration class reads it: keys it leaves out take the class
 * defaults of its {@code model_type} (gated_deltanet, delta_net, gla, retnet). Every key that
 * changes the math is honoured, or refused when this runtime does not implement it (hybrid
 * {@code attn} layers, {@code attnres_block_size}, a {@code hidden_act} other than swish, keys FLA
 * stores but never passes to its layers set to a value other than the one FLA effectively uses);
 * keys about training, kernels or generation (fuse_*, use_cache, initializer_range, token ids,
 * dtype, ...) do not change the decoded logits and are ignored. The extra key {@code vocab} (a
 * string, one symbol per token id, or a list of strings) gives symbols to the first token ids.
 *
 * <p>Overrides: {@code state_precision} (float32, FLA's and the default, or float64),
 * {@code vocab}, and {@code weights} (float64, float32 or bfloat16: how the matrices are held;
 * default float32 when every weight is a float32 value, else float64). Every problem is a {@link ModelFileException} naming the file and the key or
 * tensor.
 */
public final class FlaModelFiles {
    public static final String CONFIG = "config.json";
    public static final String WEIGHTS = "model.safetensors";
    public static final String INDEX = "model.safetensors.index.json";
    /** Placeholder in {@link FlaLanguageModel#vocab()} for a token whose symbol is more than one character. */
    public static final char NO_SYMBOL = '\uFFFF';

    static final String STATE_PRECISION = "state_precision";
    static final String VOCAB = "vocab";
    static final String WEIGHT_PRECISION = "weights";
    /** Override keys this format takes. */
    public static final List<String> OPTION_KEYS = List.of(STATE_PRECISION, VOCAB, WEIGHT_PRECISION);

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private FlaModelFiles() {}

    // ------------------------------------------------------------------ FLA's configuration classes

    /** FLA's {@code <Type>Config.__init__} defaults (the keys that matter here). */
    private static Map<String, Object> defaults(FlaArchitecture a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("attn", null);
        m.put("attnres_block_size", null);
        m.put("hidden_act", "swish");
        m.put("hidden_size", 2048);
        m.put("intermediate_size", null);
        m.put("attn_mode", "chunk");
        m.put("norm_eps", 1e-6);
        m.put("vocab_size", 32000);
        m.put("tie_word_embeddings", false);
        m.put("fuse_norm", true);
        m.put("fuse_swiglu", true);
        switch (a) {
            case GATED_DELTANET:
                m.put("expand_v", 2.0);
                m.put("use_gate", true);
                m.put("use_short_conv", true);
                m.put("allow_neg_eigval", false);
                m.put("conv_size", 4);
                m.put("head_dim", 256);
                m.put("num_heads", 6);
                m.put("num_v_heads", null);
                m.put("hidden_ratio", 4);
                m.put("num_hidden_layers", 21);
                break;
            case DELTA_NET:
                m.put("expand_k", 1.0);
                m.put("expand_v", 1.0);
                m.put("use_gate", false);
                m.put("use_short_conv", true);
                m.put("allow_neg_eigval", false);
                m.put("conv_size", 4);
                m.put("use_beta", true);
                m.put("num_heads", 16);
                m.put("qk_norm", "l2");
                m.put("qk_activation", "silu");
                m.put("hidden_ratio", 4);
                m.put("num_hidden_layers", 24);
                break;
            case GLA:
                m.put("expand_k", 0.5);
                m.put("expand_v", 1.0);
                m.put("hidden_ratio", 4);
                m.put("num_hidden_layers", 24);
                m.put("num_heads", 4);
                m.put("num_kv_heads", null);
                m.put("feature_map", null);
                m.put("use_short_conv", false);
                m.put("conv_size", 4);
                m.put("use_output_gate", true);
                m.put("clamp_min", null);
                m.put("elementwise_affine", true);
                break;
            case RETNET:
                m.put("expand_k", 1.0);
                m.put("expand_v", 2.0);
                m.put("hidden_ratio", 2);
                m.put("num_hidden_layers", 24);
                m.put("num_heads", 8);
                m.put("num_kv_heads", null);
                m.put("feature_map", null);
                m.put("use_output_gate", true);
                m.put("elementwise_affine", true);
                break;
            default:
                throw new AssertionError(a);
        }
        return m;
    }

    private static String causalLm(FlaArchitecture a) {
        switch (a) {
            case GATED_DELTANET: return "GatedDeltaNetForCausalLM";
            case DELTA_NET: return "DeltaNetForCausalLM";
            case GLA: return "GLAForCausalLM";
            case RETNET: return "RetNetForCausalLM";
            default: throw new AssertionError(a);
        }
    }

    private static List<String> attnModes(FlaArchitecture a) {
        switch (a) {
            case GATED_DELTANET:
            case DELTA_NET:
                return List.of("chunk", "fused_recurrent");
            case GLA:
                return List.of("chunk", "fused_recurrent", "fused_chunk");
            case RETNET:
                return List.of("chunk", "fused_chunk", "parallel", "fused_recurrent");
            default:
                throw new AssertionError(a);
        }
    }

    /**
     * Keys FLA's configuration stores (or takes through **kwargs) but its blocks never pass to the
     * layers, with the value the layer always uses: a file that sets another value expects a
     * behaviour FLA does not have, so it is refused rather than decoded as if it were not there.
     */
    private static Map<String, Object> ignoredByFla(FlaArchitecture a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("conv_bias", false);
        switch (a) {
            case DELTA_NET:
                m.put("use_output_norm", true);
                break;
            case GLA:
                m.put("use_gk", true);
                m.put("use_gv", false);
                m.put("gate_logit_normalizer", 16);
                m.put("gate_low_rank_dim", 16);
                break;
            case RETNET:
                m.put("use_short_conv", false);
                break;
            default:
                break;
        }
        return m;
    }

    /** GLA's feature maps: fla.modules.activations.ACT2FN. */
    private static Activation glaFeatureMap(String name) {
        switch (name) {
            case "relu": return Activation.RELU;
            case "sigmoid": return Activation.SIGMOID;
            case "logsigmoid": return Activation.LOGSIGMOID;
            case "silu":
            case "swish": return Activation.SILU;
            case "sqrelu": return Activation.SQRELU;
            case "gelu": return Activation.GELU_TANH;
            default: return null;
        }
    }

    /** RetNet's feature maps: transformers.activations.ACT2FN (those implemented here). */
    private static Activation retnetFeatureMap(String name) {
        switch (name) {
            case "relu": return Activation.RELU;
            case "sigmoid": return Activation.SIGMOID;
            case "silu":
            case "swish": return Activation.SILU;
            case "tanh": return Activation.TANH;
            default: return null;
        }
    }

    // ------------------------------------------------------------------ loading

    /** Whether {@code dir} looks like an FLA model directory (has config.json). */
    public static boolean isModelDirectory(Path dir) {
        return Files.isDirectory(dir) && Files.isRegularFile(dir.resolve(CONFIG));
    }

    public static FlaLanguageModel load(Path dir) {
        return load(dir, Map.of());
    }

    /** Loads a model directory; {@code overrides}: state_precision, vocab, weights. */
    public static FlaLanguageModel load(Path dir, Map<String, String> overrides) {
        String dirName = dir.toString();
        Path configFile = dir.resolve(CONFIG);
        String cfgName = configFile.toString();
        StatePrecision precision = StatePrecision.FLOAT32;
        String vocabOverride = null;
        WeightPrecision weights = null;
        if (overrides != null) {
            for (Map.Entry<String, String> e : overrides.entrySet()) {
                String key = e.getKey().trim().toLowerCase(Locale.ROOT).replace('-', '_');
                if (e.getValue() == null) {
                    throw new ModelFileException(dirName, "override " + e.getKey(), "has no value");
                }
                if (key.equals(STATE_PRECISION)) {
                    try {
                        precision = StatePrecision.parse(e.getValue());
                    } catch (IllegalArgumentException ex) {
                        throw new ModelFileException(dirName, "override " + STATE_PRECISION, ex.getMessage(), ex);
                    }
                } else if (key.equals(VOCAB)) {
                    vocabOverride = e.getValue();
                } else if (key.equals(WEIGHT_PRECISION)) {
                    try {
                        weights = WeightPrecision.parse(e.getValue());
                    } catch (IllegalArgumentException ex) {
                        throw new ModelFileException(dirName, "override " + WEIGHT_PRECISION, ex.getMessage(), ex);
                    }
                } else {
                    throw new ModelFileException(dirName, "override " + e.getKey(),
                            "does not apply to a flash-linear-attention model directory (it takes "
                                    + String.join(", ", OPTION_KEYS) + "; everything else comes from config.json)");
                }
            }
        }
        JsonNode root = readJson(configFile);
        Config cfg = new Config(root, cfgName);
        FlaConfig config = cfg.resolve(precision);
        String vocab;
        if (vocabOverride != null) {
            vocab = vocabOverride;
            if (vocab.isEmpty()) {
                throw new ModelFileException(dirName, "override " + VOCAB, "is empty");
            }
            if (vocab.length() > config.vocabSize()) {
                throw new ModelFileException(dirName, "override " + VOCAB, "has " + vocab.length()
                        + " symbols, more than vocab_size " + config.vocabSize());
            }
        } else {
            vocab = cfg.vocab(config.vocabSize());
        }
        Map<String, double[]> tensors = readTensors(dir, config);
        try {
            return new FlaLanguageModel(config, tensors, vocab, dirName, weights);
        } catch (IllegalArgumentException e) {
            throw new ModelFileException(dirName, null, e.getMessage(), e);
        }
    }

    private static JsonNode readJson(Path file) {
        String name = file.toString();
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ModelFileException(name, null, "cannot read: " + e, e);
        }
        JsonNode root;
        try {
            root = JSON.readTree(new String(bytes, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new ModelFileException(name, null, "bad JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ModelFileException(name, null, "must hold a JSON object");
        }
        return root;
    }

    /** config.json with FLA's defaults under it; typed getters that name the key in their errors. */
    private static final class Config {
        private final JsonNode root;
        private final String file;
        private final FlaArchitecture arch;
        private final Map<String, Object> defaults;

        Config(JsonNode root, String file) {
            this.root = root;
            this.file = file;
            JsonNode mt = root.get("model_type");
            if (mt == null || !mt.isTextual()) {
                throw error("model_type", "missing or not a string: a flash-linear-attention config.json names its"
                        + " model_type (gated_deltanet, delta_net, gla, retnet)");
            }
            this.arch = FlaArchitecture.ofModelType(mt.asText());
            if (arch == null) {
                throw error("model_type", "'" + mt.asText() + "' is not supported (gated_deltanet, delta_net, gla, retnet)");
            }
            this.defaults = defaults(arch);
        }

        ModelFileException error(String key, String problem) {
            return new ModelFileException(file, "key " + key, problem);
        }

        boolean isNull(String key) {
            JsonNode n = root.get(key);
            if (n == null) {
                return defaults.get(key) == null;
            }
            return n.isNull();
        }

        private Object value(String key) {
            JsonNode n = root.get(key);
            if (n == null) {
                return defaults.get(key);
            }
            if (n.isNull()) {
                return null;
            }
            if (n.isBoolean()) {
                return n.booleanValue();
            }
            if (n.isIntegralNumber()) {
                return n.longValue();
            }
            if (n.isNumber()) {
                return n.doubleValue();
            }
            if (n.isTextual()) {
                return n.asText();
            }
            return n;
        }

        int integer(String key, int min) {
            Object v = value(key);
            if (v instanceof Number && !(v instanceof Double)) {
                long x = ((Number) v).longValue();
                if (x >= min && x <= Integer.MAX_VALUE) {
                    return (int) x;
                }
            } else if (v instanceof Double && ((Double) v) == Math.rint((Double) v)) {
                double x = (Double) v;
                if (x >= min && x <= Integer.MAX_VALUE) {
                    return (int) x;
                }
            }
            throw error(key, "must be an integer >= " + min + ", got " + show(key));
        }

        double number(String key) {
            Object v = value(key);
            if (v instanceof Number && Double.isFinite(((Number) v).doubleValue())) {
                return ((Number) v).doubleValue();
            }
            throw error(key, "must be a finite number, got " + show(key));
        }

        boolean bool(String key) {
            Object v = value(key);
            if (v instanceof Boolean) {
                return (Boolean) v;
            }
            throw error(key, "must be true or false, got " + show(key));
        }

        String string(String key) {
            Object v = value(key);
            if (v instanceof String) {
                return (String) v;
            }
            throw error(key, "must be a string, got " + show(key));
        }

        String show(String key) {
            JsonNode n = root.get(key);
            return n == null ? String.valueOf(defaults.get(key)) + " (FLA's default)" : n.toString();
        }

        FlaConfig resolve(StatePrecision precision) {
            JsonNode archs = root.get("architectures");
            if (archs != null && !archs.isNull()) {
                boolean ok = false;
                if (archs.isArray()) {
                    for (JsonNode n : archs) {
                        ok |= n.isTextual() && n.asText().equals(causalLm(arch));
                    }
                }
                if (!ok) {
                    throw error("architectures", "expected [\"" + causalLm(arch) + "\"] (a causal LM with its lm_head),"
                            + " got " + archs);
                }
            }
            if (!isNull("attn")) {
                throw error("attn", "hybrid softmax-attention layers are not supported (their state grows with the"
                        + " sequence): only pure " + arch.modelType() + " stacks decode here");
            }
            if (!isNull("attnres_block_size")) {
                throw error("attnres_block_size", "attention residuals are not supported (null only), got "
                        + show("attnres_block_size"));
            }
            String act = string("hidden_act");
            if (!act.equals("swish")) {
                throw error("hidden_act", "only 'swish' (SwiGLU MLP" + (arch == FlaArchitecture.GLA
                        || arch == FlaArchitecture.RETNET ? " and output gate" : "") + ") is supported, got '" + act + "'");
            }
            String mode = string("attn_mode");
            if (!attnModes(arch).contains(mode)) {
                throw error("attn_mode", "FLA accepts " + attnModes(arch) + " (decoding always runs fused_recurrent), got '"
                        + mode + "'");
            }
            for (Map.Entry<String, Object> e : ignoredByFla(arch).entrySet()) {
                JsonNode n = root.get(e.getKey());
                if (n != null && !sameValue(n, e.getValue())) {
                    throw error(e.getKey(), "FLA's " + causalLm(arch) + " does not pass this key to its layers and"
                            + " always behaves as if it were " + e.getValue() + "; got " + n);
                }
            }
            bool("fuse_norm");
            bool("tie_word_embeddings");

            int hidden = integer("hidden_size", 1);
            FlaConfig.Builder b = FlaConfig.builder(arch)
                    .hiddenSize(hidden)
                    .vocabSize(integer("vocab_size", 1))
                    .layers(integer("num_hidden_layers", 1))
                    .tieWordEmbeddings(bool("tie_word_embeddings"))
                    .statePrecision(precision);
            double eps = number("norm_eps");
            if (eps < 0) {
                throw error("norm_eps", "must be >= 0, got " + show("norm_eps"));
            }
            b.normEps(eps);
            b.intermediateSize(intermediateSize(hidden));
            int heads = integer("num_heads", 1);
            b.heads(heads);
            switch (arch) {
                case GATED_DELTANET: {
                    int dk = integer("head_dim", 1);
                    double ev = number("expand_v");
                    int dv = (int) (dk * ev);
                    if (dv < 1 || !isClose(dk * ev, dv)) {
                        throw error("expand_v", "head_dim × expand_v = " + (dk * ev) + " is not a positive integer");
                    }
                    int hv = isNull("num_v_heads") ? heads : integer("num_v_heads", 1);
                    if (hv < heads || hv % heads != 0) {
                        throw error("num_v_heads", "must be a multiple of num_heads=" + heads
                                + " (FLA maps value head j to key head j / (num_v_heads / num_heads)), got " + hv);
                    }
                    b.headKDim(dk).headVDim(dv).valueHeads(hv)
                            .outputGate(bool("use_gate"))
                            .allowNegEigval(bool("allow_neg_eigval"));
                    shortConv(b);
                    break;
                }
                case DELTA_NET: {
                    int[] kv = keyValueDims(hidden, heads, heads);
                    b.headKDim(kv[0]).headVDim(kv[1])
                            .outputGate(bool("use_gate"))
                            .allowNegEigval(bool("allow_neg_eigval"))
                            .useBeta(bool("use_beta"));
                    String qa = string("qk_activation");
                    switch (qa) {
                        case "silu": b.qkActivation(Activation.SILU); break;
                        case "relu": b.qkActivation(Activation.RELU); break;
                        case "elu": b.qkActivation(Activation.ELU_P1); break;
                        case "identity": b.qkActivation(Activation.IDENTITY); break;
                        default: throw error("qk_activation", "must be silu, relu, elu or identity, got '" + qa + "'");
                    }
                    String qn = string("qk_norm");
                    if (!qn.equals("l2") && !qn.equals("sum")) {
                        throw error("qk_norm", "must be l2 or sum, got '" + qn + "'");
                    }
                    b.qkL2Norm(qn.equals("l2"));
                    shortConv(b);
                    break;
                }
                case GLA:
                case RETNET: {
                    int kvHeads = isNull("num_kv_heads") ? heads : integer("num_kv_heads", 1);
                    if (heads % kvHeads != 0) {
                        throw error("num_kv_heads", "must divide num_heads=" + heads + ", got " + kvHeads);
                    }
                    int[] kv = keyValueDims(hidden, heads, heads / kvHeads);
                    b.headKDim(kv[0]).headVDim(kv[1]).kvHeads(kvHeads)
                            .outputGate(bool("use_output_gate"))
                            .fusedGateNorm(bool("fuse_norm"));
                    JsonNode ea = root.get("elementwise_affine");
                    if (ea != null && !ea.isNull() && !ea.isBoolean()) {
                        throw error("elementwise_affine", "must be true, false or null, got " + ea);
                    }
                    // null builds the norms without a weight, like false
                    b.outputNormWeight(ea == null || (ea.isBoolean() && ea.booleanValue()));
                    if (!isNull("feature_map")) {
                        String fm = string("feature_map");
                        Activation a = arch == FlaArchitecture.GLA ? glaFeatureMap(fm) : retnetFeatureMap(fm);
                        if (a == null) {
                            throw error("feature_map", "'" + fm + "' is not supported (null or one of "
                                    + (arch == FlaArchitecture.GLA ? "relu, sigmoid, logsigmoid, silu, swish, sqrelu, gelu"
                                    : "relu, sigmoid, silu, swish, tanh") + ")");
                        }
                        b.featureMap(a);
                    }
                    if (arch == FlaArchitecture.GLA) {
                        shortConv(b);
                        b.clampMin(isNull("clamp_min") ? Double.NaN : number("clamp_min"));
                        b.gateLowRankDim(FlaConfig.GLA_GATE_LOW_RANK_DIM);
                    } else if (kv[0] % 2 != 0 || kv[0] > 256) {
                        throw error("expand_k", "head_k_dim " + kv[0] + " must be even and <= 256 for FLA's rotary embedding");
                    }
                    break;
                }
                default:
                    throw new AssertionError(arch);
            }
            try {
                return b.build();
            } catch (IllegalArgumentException e) {
                throw new ModelFileException(file, "configuration", e.getMessage(), e);
            }
        }

        private void shortConv(FlaConfig.Builder b) {
            boolean on = bool("use_short_conv");
            b.shortConv(on, on ? integer("conv_size", 1) : 4);
        }

        /** key_dim = int(hidden·expand_k), value_dim = int(hidden·expand_v), each split into heads. */
        private int[] keyValueDims(int hidden, int heads, int groups) {
            int keyDim = (int) (hidden * number("expand_k"));
            int valueDim = (int) (hidden * number("expand_v"));
            if (keyDim < heads || keyDim % heads != 0 || keyDim % groups != 0) {
                throw error("expand_k", "key dim int(hidden_size × expand_k) = " + keyDim
                        + " does not split into num_heads=" + heads + " heads");
            }
            if (valueDim < heads || valueDim % heads != 0 || valueDim % groups != 0) {
                throw error("expand_v", "value dim int(hidden_size × expand_v) = " + valueDim
                        + " does not split into num_heads=" + heads + " heads");
            }
            return new int[] {keyDim / heads, valueDim / heads};
        }

        /** GatedMLP: intermediate_size, else int(hidden·hidden_ratio·2/3) rounded up to a multiple of 256. */
        private int intermediateSize(int hidden) {
            if (!isNull("intermediate_size")) {
                return integer("intermediate_size", 1);
            }
            double ratio = 4;
            if (!isNull("hidden_ratio")) {
                ratio = number("hidden_ratio");
                if (ratio <= 0) {
                    throw error("hidden_ratio", "must be positive, got " + show("hidden_ratio"));
                }
            }
            long n = (long) (hidden * ratio * 2 / 3);
            n = 256 * ((n + 256 - 1) / 256);
            if (n < 1 || n > Integer.MAX_VALUE) {
                throw error("hidden_ratio", "gives an intermediate size of " + n);
            }
            return (int) n;
        }

        /** The extra key {@code vocab}: a string (one symbol per id) or a list of strings. */
        String vocab(int vocabSize) {
            JsonNode v = root.get(VOCAB);
            if (v == null || v.isNull()) {
                return null;
            }
            String s;
            if (v.isTextual()) {
                s = v.asText();
            } else if (v.isArray()) {
                StringBuilder sb = new StringBuilder();
                for (JsonNode e : v) {
                    if (!e.isTextual() || e.asText().isEmpty()) {
                        throw error(VOCAB, "a list of vocab entries must hold non-empty strings, got " + e);
                    }
                    String t = e.asText();
                    // a special token such as "<pad>" has no single-character symbol: ids only
                    sb.append(t.length() == 1 ? t.charAt(0) : NO_SYMBOL);
                }
                s = sb.toString();
            } else {
                throw error(VOCAB, "must be a string of symbols or a list of strings, got " + v);
            }
            if (s.isEmpty()) {
                throw error(VOCAB, "is empty");
            }
            if (s.length() > vocabSize) {
                throw error(VOCAB, "has " + s.length() + " symbols, more than vocab_size " + vocabSize);
            }
            Set<Character> seen = new LinkedHashSet<>();
            for (int i = 0; i < s.length(); i++) {
                char ch = s.charAt(i);
                if (ch != NO_SYMBOL && !seen.add(ch)) {
                    throw error(VOCAB, "symbol '" + ch + "' appears twice");
                }
            }
            return s;
        }
    }

    private static boolean sameValue(JsonNode n, Object v) {
        if (v instanceof Boolean) {
            return n.isBoolean() && n.booleanValue() == (Boolean) v;
        }
        if (v instanceof Integer) {
            return n.isNumber() && n.doubleValue() == (Integer) v;
        }
        return false;
    }

    /** Python's math.isclose(a, b, rel_tol=1e-5) as FLA uses it for head_dim × expand_v. */
    private static boolean isClose(double a, double b) {
        return Math.abs(a - b) <= 1e-5 * Math.max(Math.abs(a), Math.abs(b));
    }

    // ------------------------------------------------------------------ tensors

    /**
     * The tensors the configuration needs, from model.safetensors or the shards of
     * model.safetensors.index.json: each present with FLA's shape and finite; none else (an
     * unexpected tensor means the file does not match its config.json), except RetNet's rotary
     * {@code inv_freq} buffers some FLA versions saved (recomputed here).
     */
    static Map<String, double[]> readTensors(Path dir, FlaConfig config) {
        Map<String, int[]> expected = config.expectedTensors();
        Path single = dir.resolve(WEIGHTS);
        Path index = dir.resolve(INDEX);
        Map<String, Safetensors> byTensor = new LinkedHashMap<>();
        List<Safetensors> files = new ArrayList<>();
        String indexName = index.toString();
        if (Files.isRegularFile(single)) {
            Safetensors st = Safetensors.read(single);
            files.add(st);
            for (String name : st.names()) {
                byTensor.put(name, st);
            }
        } else if (Files.isRegularFile(index)) {
            JsonNode root = readJson(index);
            JsonNode map = root.get("weight_map");
            if (map == null || !map.isObject()) {
                throw new ModelFileException(indexName, "key weight_map", "missing or not an object of tensor → shard file");
            }
            Map<String, Safetensors> shards = new TreeMap<>();
            Iterator<Map.Entry<String, JsonNode>> it = map.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isTextual()) {
                    throw new ModelFileException(indexName, "tensor " + e.getKey(), "weight_map value must be a shard file name, got "
                            + e.getValue());
                }
                String shard = e.getValue().asText();
                Path p = dir.resolve(shard).normalize();
                if (shard.isEmpty() || !p.getParent().equals(dir.normalize()) || shard.contains("/") || shard.contains("\\")) {
                    throw new ModelFileException(indexName, "tensor " + e.getKey(), "shard '" + shard
                            + "' must be a file name in the model directory");
                }
                if (!Files.isRegularFile(p)) {
                    throw new ModelFileException(indexName, "tensor " + e.getKey(), "shard " + shard + " does not exist");
                }
                Safetensors st = shards.computeIfAbsent(shard, s -> {
                    Safetensors r = Safetensors.read(p);
                    files.add(r);
                    return r;
                });
                if (!st.contains(e.getKey())) {
                    throw new ModelFileException(st.source(), "tensor " + e.getKey(), "missing (" + INDEX + " maps it to this shard)");
                }
                byTensor.put(e.getKey(), st);
            }
            for (Safetensors st : shards.values()) {
                for (String name : st.names()) {
                    if (byTensor.get(name) != st) {
                        throw new ModelFileException(st.source(), "tensor " + name, "is not mapped to this shard by " + INDEX);
                    }
                }
            }
        } else {
            throw new ModelFileException(dir.toString(), WEIGHTS, "the directory has neither " + WEIGHTS + " nor " + INDEX
                    + " (only safetensors weights are read; convert a pytorch_model.bin with save_pretrained(safe_serialization=True))");
        }
        Map<String, double[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, int[]> e : expected.entrySet()) {
            String name = e.getKey();
            Safetensors st = byTensor.get(name);
            if (st == null) {
                String where = files.size() == 1 && Files.isRegularFile(single) ? single.toString() : indexName;
                throw new ModelFileException(where, "tensor " + name, "missing (config.json needs it with shape "
                        + Arrays.toString(e.getValue()) + ")");
            }
            long[] shape = st.shape(name);
            if (!sameShape(shape, e.getValue())) {
                throw new ModelFileException(st.source(), "tensor " + name, "shape " + Arrays.toString(shape)
                        + " does not fit config.json, which needs " + Arrays.toString(e.getValue()));
            }
            double[] data = st.tensor(name).data();
            for (int i = 0; i < data.length; i++) {
                if (!Double.isFinite(data[i])) {
                    throw new ModelFileException(st.source(), "tensor " + name, "element " + i + " is " + data[i]);
                }
            }
            out.put(name, data);
        }
        for (Map.Entry<String, Safetensors> e : byTensor.entrySet()) {
            String name = e.getKey();
            if (!expected.containsKey(name) && !(config.architecture() == FlaArchitecture.RETNET
                    && name.endsWith(".attn.rotary.inv_freq"))) {
                throw new ModelFileException(e.getValue().source(), "tensor " + name, "unexpected for this config.json ("
                        + config.architecture().modelType() + " " + config + ")");
            }
        }
        return out;
    }

    private static boolean sameShape(long[] a, int[] b) {
        if (a.length != b.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            if (a[i] != b[i]) {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------ writing

    /**
     * config.json for a configuration, with the keys FLA's configuration class reads (and
     * {@code model_type}, {@code architectures}); {@code vocab} as the extra key when not null.
     */
    public static ObjectNode configJson(FlaConfig c, String vocab) {
        ObjectNode n = JSON.createObjectNode();
        FlaArchitecture a = c.architecture();
        n.put("model_type", a.modelType());
        n.putArray("architectures").add(causalLm(a));
        n.put("hidden_size", c.hiddenSize());
        n.put("num_hidden_layers", c.layers());
        n.put("vocab_size", c.vocabSize());
        n.put("intermediate_size", c.intermediateSize());
        n.put("hidden_act", "swish");
        n.put("norm_eps", c.normEps());
        n.put("tie_word_embeddings", c.tieWordEmbeddings());
        n.put("num_heads", c.heads());
        n.put("attn_mode", "fused_recurrent");
        n.putNull("attn");
        n.put("fuse_norm", !(a == FlaArchitecture.GLA || a == FlaArchitecture.RETNET) || c.fusedGateNormName() || !c.outputGate());
        switch (a) {
            case GATED_DELTANET:
                n.put("head_dim", c.headKDim());
                n.put("expand_v", (double) c.headVDim() / c.headKDim());
                n.put("num_v_heads", c.stateHeads());
                n.put("use_gate", c.outputGate());
                n.put("allow_neg_eigval", c.allowNegEigval());
                n.put("use_short_conv", c.shortConv());
                n.put("conv_size", c.shortConv() ? c.convSize() : 4);
                break;
            case DELTA_NET:
                n.put("expand_k", expand(c.keyDim(), c.hiddenSize(), "expand_k"));
                n.put("expand_v", expand(c.valueDim(), c.hiddenSize(), "expand_v"));
                n.put("use_gate", c.outputGate());
                n.put("use_beta", c.useBeta());
                n.put("allow_neg_eigval", c.allowNegEigval());
                n.put("qk_activation", c.qkActivation() == Activation.ELU_P1 ? "elu"
                        : c.qkActivation().name().toLowerCase(Locale.ROOT));
                n.put("qk_norm", c.qkL2Norm() ? "l2" : "sum");
                n.put("use_short_conv", c.shortConv());
                n.put("conv_size", c.shortConv() ? c.convSize() : 4);
                break;
            case GLA:
            case RETNET:
                n.put("expand_k", expand(c.keyDim(), c.hiddenSize(), "expand_k"));
                n.put("expand_v", expand(c.valueDim(), c.hiddenSize(), "expand_v"));
                n.put("num_kv_heads", c.kvHeads());
                n.put("use_output_gate", c.outputGate());
                n.put("elementwise_affine", c.outputNormWeight());
                if (c.featureMap() == Activation.IDENTITY) {
                    n.putNull("feature_map");
                } else {
                    n.put("feature_map", featureMapName(c.featureMap()));
                }
                if (a == FlaArchitecture.GLA) {
                    n.put("use_short_conv", c.shortConv());
                    n.put("conv_size", c.shortConv() ? c.convSize() : 4);
                    if (Double.isNaN(c.clampMin())) {
                        n.putNull("clamp_min");
                    } else {
                        n.put("clamp_min", c.clampMin());
                    }
                }
                break;
            default:
                throw new AssertionError(a);
        }
        if (vocab != null) {
            n.put(VOCAB, vocab);
        }
        return n;
    }

    private static String featureMapName(Activation a) {
        switch (a) {
            case RELU: return "relu";
            case SIGMOID: return "sigmoid";
            case LOGSIGMOID: return "logsigmoid";
            case SILU: return "swish";
            case SQRELU: return "sqrelu";
            case GELU_TANH: return "gelu";
            case TANH: return "tanh";
            default: throw new IllegalArgumentException("feature map " + a + " has no FLA name");
        }
    }

    private static double expand(int dim, int hidden, String key) {
        double e = (double) dim / hidden;
        if ((int) (hidden * e) != dim) {
            throw new IllegalArgumentException(key + ": " + dim + " / " + hidden + " cannot be written as a ratio FLA"
                    + " turns back into " + dim);
        }
        return e;
    }

    /**
     * Writes a model directory: config.json and the tensors as {@code dtype}, in one
     * model.safetensors ({@code shards} = 1) or {@code shards} files with model.safetensors.index.json.
     */
    public static void write(Path dir, FlaConfig config, Map<String, double[]> tensors, String vocab, Dtype dtype,
                             int shards) {
        try {
            Files.createDirectories(dir);
            Files.write(dir.resolve(CONFIG), JSON.copy().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsBytes(configJson(config, vocab)));
        } catch (IOException e) {
            throw new ModelFileException(dir.toString(), null, "cannot write: " + e, e);
        }
        Map<String, int[]> shapes = config.expectedTensors();
        List<String> names = new ArrayList<>(shapes.keySet());
        if (shards <= 1) {
            Safetensors.write(dir.resolve(WEIGHTS), toTensors(names, shapes, tensors), Map.of("format", "pt"), dtype);
            return;
        }
        ObjectNode index = JSON.createObjectNode();
        index.putObject("metadata");
        ObjectNode map = index.putObject("weight_map");
        int per = (names.size() + shards - 1) / shards;
        for (int s = 0; s < shards; s++) {
            List<String> part = names.subList(Math.min(names.size(), s * per), Math.min(names.size(), (s + 1) * per));
            String file = String.format("model-%05d-of-%05d.safetensors", s + 1, shards);
            Safetensors.write(dir.resolve(file), toTensors(part, shapes, tensors), Map.of("format", "pt"), dtype);
            for (String name : part) {
                map.put(name, file);
            }
        }
        try {
            Files.write(dir.resolve(INDEX), JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(index));
        } catch (IOException e) {
            throw new ModelFileException(dir.toString(), null, "cannot write: " + e, e);
        }
    }

    private static Map<String, Tensor> toTensors(List<String> names, Map<String, int[]> shapes, Map<String, double[]> t) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String name : names) {
            double[] data = t.get(name);
            if (data == null) {
                throw new IllegalArgumentException("tensor " + name + " is missing");
            }
            out.put(name, new Tensor(shapes.get(name), data));
        }
        return out;
    }

    /**
     * Seeded random weights for a configuration, roughly as FLA initialises a model that has
     * trained a little: linear layers uniform(±1/√in), norm weights 1 ± 0.1, embeddings N(0, 1),
     * short convolutions uniform(±1/√conv_size), A_log = log uniform(1, 16), dt_bias the inverse
     * softplus of dt ∈ [0.001, 0.1] log-uniform, GLA's gate bias uniform(±1). Each tensor has its
     * own generator (seed and name), so the result depends on nothing else.
     */
    public static Map<String, double[]> random(FlaConfig config, long seed) {
        Map<String, double[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, int[]> e : config.expectedTensors().entrySet()) {
            String name = e.getKey();
            int[] shape = e.getValue();
            int n = 1;
            for (int d : shape) {
                n *= d;
            }
            Random r = new Random(seed * 0x9E3779B97F4A7C15L + name.hashCode());
            double[] a = new double[n];
            for (int i = 0; i < n; i++) {
                if (name.endsWith("embeddings.weight")) {
                    a[i] = r.nextGaussian();
                } else if (name.endsWith("norm.weight") || name.endsWith("norm_swish_gate.weight")) {
                    a[i] = 1.0 + 0.2 * (r.nextDouble() - 0.5);
                } else if (name.endsWith("A_log")) {
                    a[i] = Math.log(1.0 + 15.0 * r.nextDouble());
                } else if (name.endsWith("dt_bias")) {
                    double dt = Math.exp(r.nextDouble() * (Math.log(0.1) - Math.log(0.001)) + Math.log(0.001));
                    a[i] = dt + Math.log(-Math.expm1(-dt));
                } else if (name.endsWith("conv1d.weight")) {
                    a[i] = (2 * r.nextDouble() - 1) / Math.sqrt(shape[2]);
                } else if (name.endsWith(".bias")) {
                    a[i] = 2 * r.nextDouble() - 1;
                } else {
                    a[i] = (2 * r.nextDouble() - 1) / Math.sqrt(shape[shape.length - 1]);
                }
            }
            out.put(name, a);
        }
        return out;
    }
}
