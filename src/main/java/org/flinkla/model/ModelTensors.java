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
import org.flinkla.engine.Variant;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The tensors of a model: their names (docs/models.md, docs/variants.md), the shape each must have under an
 * {@link AttentionConfig}, and the mapping to and from {@link AttentionWeights}. The one place that
 * knows the layout; loading, saving, random init and the {@link Model} constructor all go through it.
 */
final class ModelTensors {
    private ModelTensors() {}

    static final String QUERY_WEIGHT = "query_projection.weight";
    static final String QUERY_BIAS = "query_projection.bias";
    static final String KEY_WEIGHT = "key_projection.weight";
    static final String KEY_BIAS = "key_projection.bias";
    static final String VALUE_WEIGHT = "value_projection.weight";
    static final String VALUE_BIAS = "value_projection.bias";
    static final String OUT_WEIGHT = "out_projection.weight";
    static final String OUT_BIAS = "out_projection.bias";
    static final String EMBEDDING = "embedding.weight";
    static final String GATE_WEIGHT = "gate_projection.weight";
    static final String GATE_BIAS = "gate_projection.bias";
    static final String BETA_WEIGHT = "beta_projection.weight";
    static final String BETA_BIAS = "beta_projection.bias";
    static final String ALPHA_WEIGHT = "alpha_projection.weight";
    static final String ALPHA_BIAS = "alpha_projection.bias";

    /** Rows of the embedding when the vocabulary does not fix them. */
    static final int ANY = -1;

    /** One tensor of ours: name, expected shape (a dimension may be {@link #ANY}), whether it must be there. */
    static final class Spec {
        final String name;
        final int[] shape;
        final boolean required;
        /** The weight this bias belongs to (null for a weight). */
        final String weightOf;
        /** fan-in for the PyTorch-style init, 0 for N(0,1). */
        final int fanIn;
        final Function<AttentionWeights, double[]> get;
        final BiConsumer<AttentionWeights, double[]> set;

        Spec(String name, int[] shape, boolean required, String weightOf, int fanIn,
                Function<AttentionWeights, double[]> get, BiConsumer<AttentionWeights, double[]> set) {
            this.name = name;
            this.shape = shape;
            this.required = required;
            this.weightOf = weightOf;
            this.fanIn = fanIn;
            this.get = get;
            this.set = set;
        }

        boolean matches(int[] actual) {
            if (actual.length != shape.length) {
                return false;
            }
            for (int i = 0; i < shape.length; i++) {
                if (shape[i] != ANY && shape[i] != actual[i]) {
                    return false;
                }
            }
            return true;
        }

        String expected() {
            return Arrays.toString(shape).replace(String.valueOf(ANY), "any");
        }
    }

    /**
     * The tensors a model with this configuration has, in the file order docs/models.md lists (base tensors, then the variant's).
     * Variant tensors appear only for the variant that uses them.
     */
    static List<Spec> specs(AttentionConfig c) {
        int h = c.heads();
        int dm = c.dModel();
        int qk = h * c.dKey();
        int hv = h * c.dValue();
        List<Spec> s = new ArrayList<>();
        s.add(new Spec(QUERY_WEIGHT, new int[] {qk, dm}, true, null, dm, w -> w.queryWeight, (w, a) -> w.queryWeight = a));
        s.add(new Spec(QUERY_BIAS, new int[] {qk}, false, QUERY_WEIGHT, dm, w -> w.queryBias, (w, a) -> w.queryBias = a));
        s.add(new Spec(KEY_WEIGHT, new int[] {qk, dm}, true, null, dm, w -> w.keyWeight, (w, a) -> w.keyWeight = a));
        s.add(new Spec(KEY_BIAS, new int[] {qk}, false, KEY_WEIGHT, dm, w -> w.keyBias, (w, a) -> w.keyBias = a));
        s.add(new Spec(VALUE_WEIGHT, new int[] {hv, dm}, true, null, dm, w -> w.valueWeight, (w, a) -> w.valueWeight = a));
        s.add(new Spec(VALUE_BIAS, new int[] {hv}, false, VALUE_WEIGHT, dm, w -> w.valueBias, (w, a) -> w.valueBias = a));
        s.add(new Spec(OUT_WEIGHT, new int[] {c.dOut(), hv}, true, null, hv, w -> w.outWeight, (w, a) -> w.outWeight = a));
        s.add(new Spec(OUT_BIAS, new int[] {c.dOut()}, false, OUT_WEIGHT, hv, w -> w.outBias, (w, a) -> w.outBias = a));
        int vocabRows = c.vocab() == null ? ANY : c.vocab().length();
        s.add(new Spec(EMBEDDING, new int[] {vocabRows, dm}, c.vocab() != null, null, 0,
                w -> w.embedding, (w, a) -> w.embedding = a));
        if (c.variant() == Variant.GATED) {
            s.add(new Spec(GATE_WEIGHT, new int[] {qk, dm}, true, null, dm, w -> w.gateWeight, (w, a) -> w.gateWeight = a));
            s.add(new Spec(GATE_BIAS, new int[] {qk}, false, GATE_WEIGHT, dm, w -> w.gateBias, (w, a) -> w.gateBias = a));
        }
        if (c.variant() == Variant.DELTA) {
            s.add(new Spec(BETA_WEIGHT, new int[] {h, dm}, true, null, dm, w -> w.betaWeight, (w, a) -> w.betaWeight = a));
            s.add(new Spec(BETA_BIAS, new int[] {h}, false, BETA_WEIGHT, dm, w -> w.betaBias, (w, a) -> w.betaBias = a));
            s.add(new Spec(ALPHA_WEIGHT, new int[] {h, dm}, false, null, dm, w -> w.alphaWeight, (w, a) -> w.alphaWeight = a));
            s.add(new Spec(ALPHA_BIAS, new int[] {h}, false, ALPHA_WEIGHT, dm, w -> w.alphaBias, (w, a) -> w.alphaBias = a));
        }
        return s;
    }

    /**
     * Checks named tensors against the configuration and puts ours into a fresh {@link AttentionWeights}.
     * Tensors that are not ours, or belong to another variant, are not looked up.
     *
     * @param lookup returns the tensor of that name or null when absent (may throw ModelFileException itself)
     */
    static AttentionWeights toWeights(AttentionConfig c, Function<String, Tensor> lookup, String source) {
        return toWeights(c, lookup, source, "");
    }

    /**
     * {@link #toWeights(AttentionConfig, Function, String)} for tensors stored under a name prefix
     * (e.g. {@code layers.1.attention.} in an encoder stack): {@code lookup} gets, and messages
     * name, the prefixed names.
     */
    static AttentionWeights toWeights(AttentionConfig c, Function<String, Tensor> lookup, String source, String prefix) {
        AttentionWeights w = new AttentionWeights();
        Map<String, Boolean> present = new LinkedHashMap<>();
        for (Spec spec : specs(c)) {
            String what = "tensor " + prefix + spec.name;
            Tensor t = lookup.apply(prefix + spec.name);
            present.put(spec.name, t != null);
            if (t == null) {
                if (spec.required) {
                    throw new ModelFileException(source, what, "missing" + whyRequired(c, spec));
                }
                continue;
            }
            if (spec.weightOf != null && !present.getOrDefault(spec.weightOf, false)) {
                throw new ModelFileException(source, what, "present without " + prefix + spec.weightOf);
            }
            if (!spec.matches(t.shape())) {
                throw new ModelFileException(source, what, "expected shape " + spec.expected()
                        + ", got " + Arrays.toString(t.shape()) + shapeHint(c, spec));
            }
            checkFinite(t.data(), source, what);
            spec.set.accept(w, t.data());
        }
        return w;
    }

    /** The tensors of in-memory weights, checked like a file's (lengths instead of shapes). */
    static Map<String, Tensor> toTensors(AttentionConfig c, AttentionWeights w, String source) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Spec spec : specs(c)) {
            double[] a = spec.get.apply(w);
            if (a == null) {
                continue; // absence is judged by toWeights, with the same messages as for a file
            }
            int[] shape = spec.shape.clone();
            if (shape[0] == ANY) {
                if (a.length % shape[1] != 0) {
                    throw new ModelFileException(source, "tensor " + spec.name, a.length
                            + " values are not a whole number of rows of d_model=" + shape[1]);
                }
                shape[0] = a.length / shape[1];
            }
            long n = 1;
            for (int d : shape) {
                n *= d;
            }
            if (n != a.length) {
                throw new ModelFileException(source, "tensor " + spec.name, "expected shape "
                        + Arrays.toString(shape) + " = " + n + " values, got " + a.length);
            }
            out.put(spec.name, new Tensor(shape, a));
        }
        return out;
    }

    private static String whyRequired(AttentionConfig c, Spec spec) {
        switch (spec.name) {
            case EMBEDDING:
                return " (vocab '" + c.vocab() + "' needs an embedding row per symbol)";
            case GATE_WEIGHT:
            case BETA_WEIGHT:
                return " (variant " + c.variant().metadataName() + " needs it)";
            default:
                return "";
        }
    }

    private static String shapeHint(AttentionConfig c, Spec spec) {
        if (spec.name.equals(EMBEDDING) && c.vocab() != null) {
            return " (vocab '" + c.vocab() + "' has " + c.vocab().length() + " symbols, d_model="
                    + c.dModel() + ")";
        }
        return " (heads=" + c.heads() + ", d_model=" + c.dModel() + ", d_k=" + c.dKey() + ", d_v="
                + c.dValue() + ", d_out=" + c.dOut() + ")";
    }

    static void checkFinite(double[] a, String source, String what) {
        for (int i = 0; i < a.length; i++) {
            if (!Double.isFinite(a[i])) {
                throw new ModelFileException(source, what, "element " + i + " is " + a[i]
                        + " (weights must be finite)");
            }
        }
    }
}
