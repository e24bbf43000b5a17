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
import org.flinkla.engine.FeatureMapKind;
import org.flinkla.engine.StatePrecision;
import org.flinkla.engine.Variant;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The configuration keys of a model file's {@code __metadata__} (docs/models.md, docs/variants.md) and their
 * command-line overrides: parsing, precedence (override over file), and writing them back.
 */
final class ModelMetadata {
    private ModelMetadata() {}

    static final String HEADS = "heads";
    static final String FEATURE_MAP = "feature_map";
    static final String EPS = "eps";
    static final String FAVOR_FEATURES = "favor_features";
    static final String FAVOR_SEED = "favor_seed";
    static final String VOCAB = "vocab";
    static final String VARIANT = "variant";
    static final String DECAY = "decay";
    static final String STATE_PRECISION = "state_precision";
    /** How dense weights are held: float64, float32 or bfloat16 (encoder stacks and FLA models). */
    static final String WEIGHTS = "weights";

    static final List<String> KEYS = List.of(HEADS, FEATURE_MAP, EPS, FAVOR_FEATURES, FAVOR_SEED, VOCAB,
            VARIANT, DECAY, STATE_PRECISION);

    // fast-transformers encoder stacks (FastTransformersLoader)
    static final String ACTIVATION = "activation";
    static final String LAYER_NORM_EPS = "layer_norm_eps";
    static final String SOFTMAX_TEMP = "softmax_temp";

    /** The keys of a fast-transformers-encoder file (favor_seed does not apply: its ω is stored). */
    static final List<String> ENCODER_KEYS = List.of(HEADS, FEATURE_MAP, ACTIVATION, EPS, LAYER_NORM_EPS,
            FAVOR_FEATURES, SOFTMAX_TEMP, VOCAB, VARIANT, DECAY, STATE_PRECISION, WEIGHTS);

    /** Every key any format accepts, in a stable order (single-layer keys first). */
    static final List<String> ALL_KEYS = List.of(HEADS, FEATURE_MAP, EPS, FAVOR_FEATURES, FAVOR_SEED, VOCAB,
            VARIANT, DECAY, STATE_PRECISION, ACTIVATION, LAYER_NORM_EPS, SOFTMAX_TEMP, WEIGHTS);

    /** A configuration value and where it came from ("metadata heads" or "override heads"), for messages. */
    static final class Setting {
        final String value;
        final String origin;

        Setting(String value, String origin) {
            this.value = value;
            this.origin = origin;
        }
    }

    /**
     * Our keys from the file's metadata, then the overrides on top. Unknown metadata keys are
     * ignored (PyTorch writes e.g. {@code format}); an unknown override key is an error (a typo on
     * the command line must not pass silently). Override keys may use '-' for '_' and any case.
     */
    static Map<String, Setting> merge(Map<String, String> metadata, Map<String, String> overrides, String source) {
        return merge(metadata, overrides, source, KEYS, "single attention-layer");
    }

    /**
     * {@link #merge(Map, Map, String)} for a format with its own {@code keys}; an override that
     * another format knows but this one does not is rejected naming {@code format}.
     */
    static Map<String, Setting> merge(Map<String, String> metadata, Map<String, String> overrides, String source,
                                      List<String> keys, String format) {
        Map<String, Setting> merged = new LinkedHashMap<>();
        for (String key : keys) {
            String v = metadata.get(key);
            if (v != null) {
                merged.put(key, new Setting(v, "metadata " + key));
            }
        }
        if (overrides != null) {
            for (Map.Entry<String, String> e : overrides.entrySet()) {
                String key = e.getKey().trim().toLowerCase(Locale.ROOT).replace('-', '_');
                if (!keys.contains(key)) {
                    if (ALL_KEYS.contains(key)) {
                        throw new ModelFileException(source, "override " + e.getKey(), "does not apply to "
                                + format + " files (their options: " + String.join(", ", keys) + ")");
                    }
                    throw new ModelFileException(source, "override " + e.getKey(),
                            "unknown model option (known: " + String.join(", ", keys) + ")");
                }
                if (e.getValue() == null) {
                    throw new ModelFileException(source, "override " + e.getKey(), "has no value");
                }
                merged.put(key, new Setting(e.getValue(), "override " + key));
            }
        }
        return merged;
    }

    static int heads(Map<String, Setting> s, String source) {
        Setting h = s.get(HEADS);
        if (h == null) {
            throw new ModelFileException(source, "metadata " + HEADS, "missing: the file does not say how many"
                    + " heads the projections split into (a plain PyTorch state_dict carries no configuration)."
                    + " Add it to the file's __metadata__, e.g. {\"heads\": \"4\"}, or pass the override heads=4"
                    + " (--heads 4 on the command line)");
        }
        int v = parseInt(h, source);
        if (v <= 0) {
            throw new ModelFileException(source, h.origin, "must be positive, got " + h.value);
        }
        return v;
    }

    /** Applies every setting but heads (which the caller needed first to derive d_k, d_v). */
    static void apply(AttentionConfig.Builder b, Map<String, Setting> s, String source) {
        Setting fm = s.get(FEATURE_MAP);
        if (fm != null) {
            b.featureMap(parse(fm, source, () -> FeatureMapKind.parse(fm.value)));
        }
        Setting eps = s.get(EPS);
        if (eps != null) {
            b.eps(parseDouble(eps, source));
        }
        Setting ff = s.get(FAVOR_FEATURES);
        if (ff != null) {
            b.favorFeatures(parseInt(ff, source));
        }
        Setting fs = s.get(FAVOR_SEED);
        if (fs != null) {
            b.favorSeed(parse(fs, source, () -> Long.parseLong(fs.value.trim())));
        }
        Setting vocab = s.get(VOCAB);
        if (vocab != null) {
            b.vocab(vocab.value);
        }
        Setting variant = s.get(VARIANT);
        if (variant != null) {
            b.variant(parse(variant, source, () -> Variant.parse(variant.value)));
        }
        Setting decay = s.get(DECAY);
        if (decay != null) {
            String[] parts = decay.value.split(",", -1);
            double[] g = new double[parts.length];
            for (int i = 0; i < parts.length; i++) {
                String part = parts[i].trim();
                g[i] = parse(decay, source, () -> Double.parseDouble(part));
            }
            b.decay(g);
        }
        Setting precision = s.get(STATE_PRECISION);
        if (precision != null) {
            b.statePrecision(parse(precision, source, () -> StatePrecision.parse(precision.value)));
        }
    }

    /** Checks a setting the builder would otherwise reject with a message that does not name its origin. */
    static void checkDecayCount(Map<String, Setting> s, int heads, String source) {
        Setting d = s.get(DECAY);
        if (d != null) {
            int n = d.value.split(",", -1).length;
            if (n != heads) {
                throw new ModelFileException(source, d.origin, "gives " + n + " γ value" + (n == 1 ? "" : "s") + " for " + heads
                        + " heads (comma-separated, one per head)");
            }
        }
    }

    /** Full metadata for a configuration: what a later load needs to rebuild it exactly. */
    static Map<String, String> of(AttentionConfig c) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(HEADS, Integer.toString(c.heads()));
        m.put(FEATURE_MAP, c.featureMap().metadataName());
        m.put(EPS, Double.toString(c.eps()));
        m.put(VARIANT, c.variant().metadataName());
        m.put(STATE_PRECISION, c.statePrecision().name().toLowerCase(Locale.ROOT));
        if (c.featureMap() == FeatureMapKind.FAVOR || c.favorFeatures() != AttentionConfig.DEFAULT_FAVOR_FEATURES
                || c.favorSeed() != AttentionConfig.DEFAULT_FAVOR_SEED) {
            m.put(FAVOR_FEATURES, Integer.toString(c.favorFeatures()));
            m.put(FAVOR_SEED, Long.toString(c.favorSeed()));
        }
        double[] decay = c.decay();
        if (c.variant() == Variant.DECAY || !Arrays.equals(decay, AttentionConfig.defaultDecay(c.heads()))) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < decay.length; i++) {
                sb.append(i == 0 ? "" : ",").append(Double.toString(decay[i]));
            }
            m.put(DECAY, sb.toString());
        }
        if (c.vocab() != null) {
            m.put(VOCAB, c.vocab());
        }
        return m;
    }

    interface Parser<T> {
        T parse();
    }

    static <T> T parse(Setting s, String source, Parser<T> p) {
        try {
            return p.parse();
        } catch (IllegalArgumentException e) { // includes NumberFormatException
            String msg = e instanceof NumberFormatException ? "'" + s.value + "' is not a number" : e.getMessage();
            throw new ModelFileException(source, s.origin, msg, e);
        }
    }

    static int parseInt(Setting s, String source) {
        return parse(s, source, () -> Integer.parseInt(s.value.trim()));
    }

    static double parseDouble(Setting s, String source) {
        return parse(s, source, () -> Double.parseDouble(s.value.trim()));
    }
}
