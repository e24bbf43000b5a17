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
import org.flinkla.engine.FeatureMapKind;
import org.flinkla.engine.StatePrecision;
import org.flinkla.engine.Variant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelFilesTest {
    private static final String SRC = "layer.safetensors";

    @TempDir
    Path dir;

    /**
     * Builds a file in the layout of fast-transformers' RecurrentAttentionLayer state_dict saved with
     * safetensors (F32, its tensor names), by hand. Tensors are given as name → (shape, values);
     * every value is exactly representable in float32.
     */
    private static final class Layout {
        final Map<String, int[]> shapes = new LinkedHashMap<>();
        final Map<String, float[]> values = new LinkedHashMap<>();
        final Map<String, String> dtypes = new HashMap<>();
        final Map<String, String> metadata = new LinkedHashMap<>();

        /** d_model 6, 2 heads, d_k 4, d_v 5, d_out 7, with biases. */
        static Layout fastTransformers() {
            Layout l = new Layout();
            l.put("query_projection.weight", 8, 6);
            l.put("query_projection.bias", 8);
            l.put("key_projection.weight", 8, 6);
            l.put("key_projection.bias", 8);
            l.put("value_projection.weight", 10, 6);
            l.put("value_projection.bias", 10);
            l.put("out_projection.weight", 7, 10);
            l.put("out_projection.bias", 7);
            l.metadata.put("heads", "2");
            return l;
        }

        Layout put(String name, int... shape) {
            int n = 1;
            for (int d : shape) {
                n *= d;
            }
            shapes.put(name, shape);
            values.put(name, HandBuilt.ramp(n, shapes.size() - 4.0f));
            return this;
        }

        Layout remove(String name) {
            shapes.remove(name);
            values.remove(name);
            return this;
        }

        byte[] bytes() {
            StringBuilder h = new StringBuilder("{");
            if (!metadata.isEmpty()) {
                h.append("\"__metadata__\":{");
                List<String> kv = new ArrayList<>();
                metadata.forEach((k, v) -> kv.add("\"" + k + "\":\"" + v + "\""));
                h.append(String.join(",", kv)).append("},");
            }
            List<byte[]> data = new ArrayList<>();
            long off = 0;
            List<String> entries = new ArrayList<>();
            for (String name : shapes.keySet()) {
                String dtype = dtypes.getOrDefault(name, "F32");
                byte[] d = dtype.equals("F32") ? HandBuilt.f32(values.get(name)) : new byte[8 * values.get(name).length];
                StringBuilder shape = new StringBuilder();
                for (int s : shapes.get(name)) {
                    shape.append(shape.length() == 0 ? "" : ",").append(s);
                }
                entries.add("\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":[" + shape
                        + "],\"data_offsets\":[" + off + "," + (off + d.length) + "]}");
                off += d.length;
                data.add(d);
            }
            h.append(String.join(",", entries)).append("}");
            return HandBuilt.file(h.toString(), data.toArray(new byte[0][]));
        }

        Model load(Map<String, String> overrides) {
            return ModelFiles.load(Safetensors.parse(bytes(), SRC), overrides);
        }

        Model load() {
            return load(Map.of());
        }

        double[] expected(String name) {
            float[] f = values.get(name);
            double[] d = new double[f.length];
            for (int i = 0; i < f.length; i++) {
                d[i] = f[i];
            }
            return d;
        }
    }

    // ---------------------------------------------------------------- loading

    @Test
    void fastTransformersLayoutLoadsWithShapesFromTheTensors() {
        Layout l = Layout.fastTransformers();
        l.put("inner_attention.feature_map.omega", 6, 3); // a buffer of fast-transformers' FAVOR map: not ours
        Model m = l.load();

        AttentionConfig c = m.config();
        assertThat(c.dModel()).isEqualTo(6);
        assertThat(c.heads()).isEqualTo(2);
        assertThat(c.dKey()).isEqualTo(4);
        assertThat(c.dValue()).isEqualTo(5);
        assertThat(c.dOut()).isEqualTo(7);
        assertThat(c.featureMap()).isEqualTo(FeatureMapKind.ELU);
        assertThat(c.variant()).isEqualTo(Variant.LINEAR);
        assertThat(c.eps()).isEqualTo(AttentionConfig.DEFAULT_EPS);
        assertThat(c.vocab()).isNull();

        AttentionWeights w = m.weights();
        assertThat(w.queryWeight).containsExactly(l.expected("query_projection.weight"));
        assertThat(w.queryBias).containsExactly(l.expected("query_projection.bias"));
        assertThat(w.keyWeight).containsExactly(l.expected("key_projection.weight"));
        assertThat(w.keyBias).containsExactly(l.expected("key_projection.bias"));
        assertThat(w.valueWeight).containsExactly(l.expected("value_projection.weight"));
        assertThat(w.valueBias).containsExactly(l.expected("value_projection.bias"));
        assertThat(w.outWeight).containsExactly(l.expected("out_projection.weight"));
        assertThat(w.outBias).containsExactly(l.expected("out_projection.bias"));
        assertThat(w.embedding).isNull();
        assertThat(w.gateWeight).isNull();
        assertThat(w.betaWeight).isNull();
        assertThat(m.source()).isEqualTo(SRC);
    }

    @Test
    void biasesAreOptionalAndEmbeddingWithVocabLoads() {
        Layout l = Layout.fastTransformers()
                .remove("query_projection.bias").remove("key_projection.bias")
                .remove("value_projection.bias").remove("out_projection.bias")
                .put("embedding.weight", 4, 6);
        l.metadata.put("vocab", "ACGT");
        Model m = l.load();
        assertThat(m.weights().queryBias).isNull();
        assertThat(m.weights().outBias).isNull();
        assertThat(m.weights().embedding).containsExactly(l.expected("embedding.weight"));
        assertThat(m.config().vocab()).isEqualTo("ACGT");
    }

    @Test
    void loadFromPathNamesThePath() throws Exception {
        Layout l = Layout.fastTransformers();
        Path f = dir.resolve("ft.safetensors");
        Files.write(f, l.bytes());
        assertThat(ModelFiles.load(f).source()).isEqualTo(f.toString());

        l.metadata.clear();
        Files.write(f, l.bytes());
        assertThatThrownBy(() -> ModelFiles.load(f)).isInstanceOf(ModelFileException.class)
                .hasMessageStartingWith(f + ": metadata heads: missing");
    }

    @Test
    void missingHeadsSaysHowToFixIt() {
        Layout l = Layout.fastTransformers();
        l.metadata.clear();
        l.metadata.put("format", "pt");
        assertThatThrownBy(l::load).isInstanceOf(ModelFileException.class)
                .hasMessageStartingWith(SRC + ": metadata heads: missing")
                .hasMessageContainingAll("__metadata__", "\"heads\"", "override heads=");
        assertThat(l.load(Map.of("heads", "2")).config().heads()).isEqualTo(2);
    }

    @Test
    void overridesBeatMetadata() {
        Layout l = Layout.fastTransformers();
        l.metadata.put("feature_map", "elu");
        l.metadata.put("eps", "1e-6");
        l.metadata.put("variant", "linear");
        Model fromFile = l.load();
        assertThat(fromFile.config().heads()).isEqualTo(2);

        Map<String, String> o = new LinkedHashMap<>();
        o.put("heads", "1");
        o.put("eps", "0.001");
        o.put("feature-map", "relu");                // command-line spelling accepted
        o.put("STATE_PRECISION", "float32");
        o.put("variant", "decay");
        o.put("decay", "0.5");
        AttentionConfig c = l.load(o).config();
        assertThat(c.heads()).isEqualTo(1);
        assertThat(c.dKey()).isEqualTo(8);
        assertThat(c.dValue()).isEqualTo(10);
        assertThat(c.eps()).isEqualTo(0.001);
        assertThat(c.featureMap()).isEqualTo(FeatureMapKind.RELU);
        assertThat(c.statePrecision()).isEqualTo(StatePrecision.FLOAT32);
        assertThat(c.variant()).isEqualTo(Variant.DECAY);
        assertThat(c.decay()).containsExactly(0.5);
    }

    @Test
    void allMetadataKeysAreRead() {
        Layout l = Layout.fastTransformers().put("embedding.weight", 5, 6);
        l.metadata.put("feature_map", "favor");
        l.metadata.put("favor_features", "32");
        l.metadata.put("favor_seed", "-7");
        l.metadata.put("eps", "2.5e-4");
        l.metadata.put("vocab", "ACGTN");
        l.metadata.put("variant", "decay");
        l.metadata.put("decay", "0.9, 0.99");
        l.metadata.put("state_precision", "float32");
        AttentionConfig c = l.load().config();
        assertThat(c.featureMap()).isEqualTo(FeatureMapKind.FAVOR);
        assertThat(c.favorFeatures()).isEqualTo(32);
        assertThat(c.favorSeed()).isEqualTo(-7L);
        assertThat(c.eps()).isEqualTo(2.5e-4);
        assertThat(c.vocab()).isEqualTo("ACGTN");
        assertThat(c.variant()).isEqualTo(Variant.DECAY);
        assertThat(c.decay()).containsExactly(0.9, 0.99);
        assertThat(c.statePrecision()).isEqualTo(StatePrecision.FLOAT32);
    }

    @Test
    void variantTensorsLoadForTheirVariantOnly() {
        Layout l = Layout.fastTransformers()
                .put("gate_projection.weight", 8, 6).put("gate_projection.bias", 8)
                .put("beta_projection.weight", 2, 6).put("beta_projection.bias", 2)
                .put("alpha_projection.weight", 2, 6);
        l.metadata.put("variant", "gated");
        Model gated = l.load();
        assertThat(gated.weights().gateWeight).containsExactly(l.expected("gate_projection.weight"));
        assertThat(gated.weights().gateBias).containsExactly(l.expected("gate_projection.bias"));
        assertThat(gated.weights().betaWeight).isNull();

        Model delta = l.load(Map.of("variant", "delta"));
        assertThat(delta.weights().gateWeight).isNull();
        assertThat(delta.weights().betaWeight).containsExactly(l.expected("beta_projection.weight"));
        assertThat(delta.weights().alphaWeight).containsExactly(l.expected("alpha_projection.weight"));
        assertThat(delta.weights().alphaBias).isNull();
    }

    // ---------------------------------------------------------------- malformed models

    private static void assertBad(Layout l, Map<String, String> overrides, String subject, String... fragments) {
        assertThatThrownBy(() -> l.load(overrides))
                .isInstanceOf(ModelFileException.class)
                .hasMessageStartingWith(SRC + ": " + subject + ": ")
                .hasMessageContainingAll(fragments);
    }

    private static void assertBad(Layout l, String subject, String... fragments) {
        assertBad(l, Map.of(), subject, fragments);
    }

    @Test
    void missingTensor() {
        assertBad(Layout.fastTransformers().remove("key_projection.weight"), "tensor key_projection.weight", "missing");
        assertBad(Layout.fastTransformers().remove("query_projection.weight"), "tensor query_projection.weight", "missing");
        assertBad(Layout.fastTransformers().remove("out_projection.weight"), "tensor out_projection.weight", "missing");
    }

    @Test
    void wrongShapes() {
        assertBad(Layout.fastTransformers().put("key_projection.weight", 8, 5),
                "tensor key_projection.weight", "expected shape [8, 6], got [8, 5]");
        assertBad(Layout.fastTransformers().put("value_projection.bias", 9),
                "tensor value_projection.bias", "expected shape [10], got [9]");
        assertBad(Layout.fastTransformers().put("out_projection.weight", 7, 8),
                "tensor out_projection.weight", "expected shape [7, 10], got [7, 8]");
        assertBad(Layout.fastTransformers().put("query_projection.weight", 48),
                "tensor query_projection.weight", "expected a matrix", "[48]");
        assertBad(Layout.fastTransformers().put("key_projection.bias", 8, 1),
                "tensor key_projection.bias", "expected shape [8], got [8, 1]");
    }

    @Test
    void headsThatDoNotDivideTheRows() {
        assertBad(Layout.fastTransformers(), Map.of("heads", "3"), "tensor query_projection.weight",
                "8 rows do not split into 3 heads", "override heads");
        Layout l = Layout.fastTransformers();
        l.metadata.put("heads", "4");
        assertBad(l, "tensor value_projection.weight", "10 rows do not split into 4 heads", "metadata heads");
        l.metadata.put("heads", "0");
        assertBad(l, "metadata heads", "must be positive");
        l.metadata.put("heads", "two");
        assertBad(l, "metadata heads", "'two' is not a number");
    }

    @Test
    void vocabMustMatchTheEmbedding() {
        Layout l = Layout.fastTransformers().put("embedding.weight", 5, 6);
        l.metadata.put("vocab", "ACGT");
        assertBad(l, "tensor embedding.weight", "expected shape [4, 6], got [5, 6]", "vocab 'ACGT' has 4 symbols");
        assertBad(Layout.fastTransformers(), Map.of("vocab", "ACGT"), "tensor embedding.weight", "missing",
                "vocab 'ACGT'");
        l.metadata.put("vocab", "ACGTA");
        assertBad(l, "configuration", "vocab", "twice");
    }

    @Test
    void decayCountMustMatchHeads() {
        Layout l = Layout.fastTransformers();
        l.metadata.put("variant", "decay");
        l.metadata.put("decay", "0.9,0.95,0.99");
        assertBad(l, "metadata decay", "3 γ values for 2 heads");
        assertBad(l, Map.of("decay", "0.9"), "override decay", "1 γ value for 2 heads");
        assertBad(l, Map.of("decay", "0.9,x"), "override decay", "'0.9,x' is not a number");
        assertBad(l, Map.of("decay", "0.9,1.5"), "configuration", "decay", "(0, 1]");
    }

    @Test
    void variantTensorsMissingOrFeatureMapNotFitting() {
        Layout l = Layout.fastTransformers();
        l.metadata.put("variant", "gated");
        assertBad(l, "tensor gate_projection.weight", "missing", "variant gated");
        assertBad(l, Map.of("variant", "delta"), "tensor beta_projection.weight", "missing", "variant delta");
        l.put("gate_projection.weight", 8, 6);
        assertBad(l, Map.of("feature_map", "favor"), "configuration", "gated", "elu or relu");
        assertBad(l, Map.of("variant", "softmax"), "override variant", "unknown variant 'softmax'");
        assertBad(l, Map.of("feature_map", "cosh"), "override feature_map", "unknown feature_map 'cosh'");
        l.put("gate_projection.bias", 6);
        assertBad(l, "tensor gate_projection.bias", "expected shape [8], got [6]");

        Layout d = Layout.fastTransformers().put("beta_projection.weight", 2, 6).put("alpha_projection.bias", 2);
        d.metadata.put("variant", "delta");
        assertBad(d, "tensor alpha_projection.bias", "present without alpha_projection.weight");
    }

    @Test
    void oversizedFeatureMapsFailAtLoadNamingTheKey() {
        // 10^8 random features would allocate ω of 10^8 × d_k doubles: an OutOfMemoryError, not a message
        assertBad(Layout.fastTransformers(), Map.of("feature_map", "favor", "favor_features", "100000000"),
                "configuration", "favor_features must be between 1 and 65536, got 100000000");
        Layout l = Layout.fastTransformers();
        l.metadata.put("feature_map", "favor");
        l.metadata.put("favor_features", "100000000");
        assertBad(l, "configuration", "favor_features");
    }

    @Test
    void nonFiniteWeightsAreRejected() {
        Layout l = Layout.fastTransformers();
        l.values.get("value_projection.weight")[13] = Float.NaN;
        assertBad(l, "tensor value_projection.weight", "element 13 is NaN");
        Layout b = Layout.fastTransformers();
        b.values.get("out_projection.bias")[0] = Float.NEGATIVE_INFINITY;
        assertBad(b, "tensor out_projection.bias", "element 0 is -Infinity");
    }

    @Test
    void dtypeProblemsNameTheTensor() {
        Layout l = Layout.fastTransformers();
        l.dtypes.put("key_projection.weight", "I64");
        assertBad(l, "tensor key_projection.weight", "dtype I64 is not supported");
        // an I64 tensor that is not ours is fine
        Layout ok = Layout.fastTransformers().put("inner_attention.steps", 1);
        ok.dtypes.put("inner_attention.steps", "I64");
        assertThat(ok.load().config().dModel()).isEqualTo(6);
    }

    @Test
    void badMetadataAndOverrideValues() {
        Layout l = Layout.fastTransformers();
        l.metadata.put("eps", "tiny");
        assertBad(l, "metadata eps", "'tiny' is not a number");
        assertBad(l, Map.of("eps", "-1"), "configuration", "eps must be finite and >= 0");
        assertBad(Layout.fastTransformers(), Map.of("hedas", "2"), "override hedas", "unknown model option", "heads");
        assertBad(Layout.fastTransformers(), Map.of("state_precision", "float16"), "override state_precision",
                "float16");
    }

    @Test
    void malformedFileThroughTheLoaderNamesFileAndTensor() throws Exception {
        byte[] good = Layout.fastTransformers().bytes();
        Path f = dir.resolve("cut.safetensors");
        Files.write(f, java.util.Arrays.copyOf(good, good.length - 4));
        assertThatThrownBy(() -> ModelFiles.load(f)).isInstanceOf(ModelFileException.class)
                .hasMessageStartingWith(f + ": tensor out_projection.bias: ")
                .hasMessageContaining("beyond the data section");
    }

    // ---------------------------------------------------------------- seeded models

    private static AttentionConfig.Builder small() {
        return AttentionConfig.builder().dModel(12).heads(3).dKey(4).dValue(2).dOut(5);
    }

    @Test
    void sameSeedSameBytesDifferentSeedDifferentBytes() throws Exception {
        AttentionConfig c = small().vocab("ACGTN").build();
        Path a = dir.resolve("a.safetensors");
        Path b = dir.resolve("b.safetensors");
        ModelFiles.save(ModelFiles.random(c, 42L), a);
        ModelFiles.save(ModelFiles.random(c, 42L), b);
        assertThat(Files.readAllBytes(a)).isEqualTo(Files.readAllBytes(b));
        ModelFiles.save(ModelFiles.random(c, 43L), b);
        assertThat(Files.readAllBytes(a)).isNotEqualTo(Files.readAllBytes(b));
        for (Dtype dt : new Dtype[] {Dtype.F32, Dtype.F16, Dtype.BF16}) {
            assertThat(ModelFiles.encode(ModelFiles.random(c, 7L), dt)).isEqualTo(ModelFiles.encode(ModelFiles.random(c, 7L), dt));
        }
    }

    @Test
    void differentSeedsGiveDifferentWeightsInEveryTensor() {
        AttentionConfig c = small().vocab("AC").build();
        Map<String, Tensor> t1 = ModelFiles.random(c, 1L).tensors();
        Map<String, Tensor> t2 = ModelFiles.random(c, 2L).tensors();
        assertThat(t1.keySet()).containsExactlyInAnyOrderElementsOf(t2.keySet());
        t1.forEach((name, t) -> assertThat(t.data()).as(name).isNotEqualTo(t2.get(name).data()));
    }

    @Test
    void savedModelLoadsBackIdentically() throws Exception {
        List<AttentionConfig> configs = List.of(
                small().vocab("ACGTN").build(),
                small().featureMap(FeatureMapKind.FAVOR).favorFeatures(16).favorSeed(99L).eps(1e-4).build(),
                small().featureMap(FeatureMapKind.TAYLOR).statePrecision(StatePrecision.FLOAT32).build(),
                small().variant(Variant.DECAY).decay(new double[] {0.5, 0.75, 0.875}).build(),
                small().variant(Variant.DECAY).build(),
                small().variant(Variant.GATED).featureMap(FeatureMapKind.RELU).build(),
                small().variant(Variant.DELTA).build());
        for (AttentionConfig c : configs) {
            for (boolean alpha : new boolean[] {false, true}) {
                Model m = ModelFiles.random(c, 5L, alpha);
                Path f = dir.resolve("m.safetensors");
                ModelFiles.save(m, f);
                Model back = ModelFiles.load(f);
                assertThat(back.config()).as(c.toString()).isEqualTo(c);
                Map<String, Tensor> expected = m.tensors();
                Map<String, Tensor> got = back.tensors();
                assertThat(got.keySet()).as(c.toString()).containsExactlyElementsOf(expected.keySet());
                expected.forEach((name, t) -> {
                    assertThat(got.get(name).shape()).as(name).isEqualTo(t.shape());
                    assertThat(got.get(name).data()).as(name).containsExactly(t.data());
                });
                assertThat(back.weights().alphaWeight != null).isEqualTo(alpha && c.variant() == Variant.DELTA);
            }
        }
    }

    @Test
    void randomInitFollowsPytorchBoundsAndVariantNeeds() {
        AttentionConfig c = small().vocab("ACGT").variant(Variant.GATED).build();
        AttentionWeights w = ModelFiles.random(c, 3L).weights();
        assertThat(w.queryWeight).hasSize(12 * 12);
        assertThat(w.outWeight).hasSize(5 * 6);
        assertThat(w.gateWeight).hasSize(12 * 12);
        assertThat(w.gateBias).hasSize(12);
        assertThat(w.betaWeight).isNull();
        assertThat(w.embedding).hasSize(4 * 12);
        double inBound = 1 / Math.sqrt(12);
        for (double[] a : new double[][] {w.queryWeight, w.queryBias, w.keyWeight, w.valueBias, w.gateWeight}) {
            assertThat(maxAbs(a)).isLessThanOrEqualTo(inBound);
        }
        double outBound = 1 / Math.sqrt(6); // out_projection's fan-in is H·d_v
        assertThat(maxAbs(w.outWeight)).isLessThanOrEqualTo(outBound).isGreaterThan(inBound);
        // uniform(−b, b) should use its range: some value beyond b/2 in a 144-element tensor
        assertThat(maxAbs(w.queryWeight)).isGreaterThan(inBound / 2);
        // the embedding is N(0, 1), not bounded by 1/√in
        assertThat(maxAbs(w.embedding)).isGreaterThan(inBound);

        AttentionWeights d = ModelFiles.random(small().variant(Variant.DELTA).build(), 3L).weights();
        assertThat(d.betaWeight).hasSize(3 * 12);
        assertThat(d.betaBias).hasSize(3);
        assertThat(d.alphaWeight).isNull();
        assertThat(d.embedding).isNull();
        assertThat(ModelFiles.random(small().variant(Variant.DELTA).build(), 3L, true).weights().alphaBias).hasSize(3);
    }

    private static double maxAbs(double[] a) {
        double m = 0;
        for (double x : a) {
            m = Math.max(m, Math.abs(x));
        }
        return m;
    }

    @Test
    void savingAsF32RoundsEachWeightToFloat() throws Exception {
        Model m = ModelFiles.random(small().build(), 11L);
        Path f = dir.resolve("f32.safetensors");
        ModelFiles.save(m, f, Dtype.F32);
        assertThat(Safetensors.read(f).dtype("query_projection.weight")).isEqualTo(Dtype.F32);
        double[] got = ModelFiles.load(f).weights().queryWeight;
        double[] orig = m.weights().queryWeight;
        for (int i = 0; i < orig.length; i++) {
            assertThat(got[i]).isEqualTo((double) (float) orig[i]);
        }
    }

    // ---------------------------------------------------------------- in-memory models

    @Test
    void constructorChecksWeightsAgainstTheConfig() {
        AttentionConfig c = small().build();
        AttentionWeights w = ModelFiles.random(c, 1L).weights();
        AttentionWeights bad = new AttentionWeights();
        bad.queryWeight = w.queryWeight;
        bad.keyWeight = w.keyWeight;
        bad.valueWeight = new double[7];
        bad.outWeight = w.outWeight;
        assertThatThrownBy(() -> new Model(c, bad, "mine")).isInstanceOf(ModelFileException.class)
                .hasMessage("mine: tensor value_projection.weight: expected shape [6, 12] = 72 values, got 7");
        bad.valueWeight = w.valueWeight;
        bad.keyWeight = null;
        assertThatThrownBy(() -> new Model(c, bad, "mine")).isInstanceOf(ModelFileException.class)
                .hasMessage("mine: tensor key_projection.weight: missing");
        bad.keyWeight = w.keyWeight;
        bad.gateWeight = new double[3]; // not used by variant linear: dropped, not an error
        Model ok = new Model(c, bad, "mine");
        assertThat(ok.weights().gateWeight).isNull();
        assertThat(ok.weights().valueWeight).isSameAs(w.valueWeight);
    }

    @Test
    void modelIsJavaSerializable() throws Exception {
        Model m = ModelFiles.random(small().vocab("AB").build(), 9L);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(m);
        }
        Model back;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            back = (Model) in.readObject();
        }
        assertThat(back.config()).isEqualTo(m.config());
        assertThat(back.source()).isEqualTo(m.source());
        assertThat(ModelFiles.encode(back, Dtype.F64)).isEqualTo(ModelFiles.encode(m, Dtype.F64));
    }
}
