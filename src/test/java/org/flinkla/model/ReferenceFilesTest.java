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
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Files written by the reference safetensors implementation (Python package {@code safetensors},
 * see {@code src/test/resources/org/flinkla/model/make_fixtures.py}), in the tensor layout of a
 * fast-transformers {@code RecurrentAttentionLayer} state_dict: the reader is checked against
 * bytes it did not write.
 */
class ReferenceFilesTest {
    /** The fixture script's tensor order; element i of tensor j is ((7i + 3j) mod 23 − 11) / 8. */
    private static final List<String> NAMES = List.of(
            "query_projection.weight", "query_projection.bias", "key_projection.weight", "key_projection.bias",
            "value_projection.weight", "value_projection.bias", "out_projection.weight", "out_projection.bias",
            "embedding.weight", "inner_attention.feature_map.omega");

    private static double[] expected(String name, int n) {
        int j = NAMES.indexOf(name);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = ((7 * i + 3 * j) % 23 - 11) / 8.0;
        }
        return v;
    }

    private static Safetensors fixture(String file) throws IOException {
        try (InputStream in = ReferenceFilesTest.class.getResourceAsStream(file)) {
            assertThat(in).as(file).isNotNull();
            return Safetensors.parse(in.readAllBytes(), file);
        }
    }

    @Test
    void fastTransformersStateDictInF32Loads() throws IOException {
        Safetensors st = fixture("fast_transformers_f32.safetensors");
        assertThat(st.metadata()).isEqualTo(Map.of("format", "pt", "heads", "2"));
        assertThat(st.dtype("inner_attention.step")).isEqualTo(Dtype.I64);
        assertThat(st.tensor("inner_attention.feature_map.omega").data())
                .containsExactly(expected("inner_attention.feature_map.omega", 18));

        Model m = ModelFiles.load(st, Map.of());
        AttentionConfig c = m.config();
        assertThat(new int[] {c.dModel(), c.heads(), c.dKey(), c.dValue(), c.dOut()}).containsExactly(6, 2, 4, 5, 7);
        assertThat(c.featureMap()).isEqualTo(FeatureMapKind.ELU);
        assertThat(m.weights().queryWeight).containsExactly(expected("query_projection.weight", 48));
        assertThat(m.weights().keyBias).containsExactly(expected("key_projection.bias", 8));
        assertThat(m.weights().valueWeight).containsExactly(expected("value_projection.weight", 60));
        assertThat(m.weights().outWeight).containsExactly(expected("out_projection.weight", 70));
        assertThat(m.weights().outBias).containsExactly(expected("out_projection.bias", 7));
        assertThat(m.weights().embedding).isNull();
    }

    @Test
    void halfPrecisionAndDoubleTensorsWithVocabLoad() throws IOException {
        Safetensors st = fixture("mixed_f16_f64.safetensors");
        assertThat(st.dtype("query_projection.weight")).isEqualTo(Dtype.F16);
        assertThat(st.dtype("embedding.weight")).isEqualTo(Dtype.F64);

        Model m = ModelFiles.load(st, Map.of());
        AttentionConfig c = m.config();
        assertThat(new int[] {c.dModel(), c.heads(), c.dKey(), c.dValue(), c.dOut()}).containsExactly(6, 1, 8, 10, 7);
        assertThat(c.featureMap()).isEqualTo(FeatureMapKind.RELU);
        assertThat(c.eps()).isEqualTo(0.001);
        assertThat(c.vocab()).isEqualTo("ACGT");
        assertThat(m.weights().queryWeight).containsExactly(expected("query_projection.weight", 48));
        assertThat(m.weights().valueBias).containsExactly(expected("value_projection.bias", 10));
        assertThat(m.weights().outWeight).containsExactly(expected("out_projection.weight", 70));
        assertThat(m.weights().embedding).containsExactly(expected("embedding.weight", 24));
    }

    @Test
    void reencodingTheReferenceF16TensorsKeepsValuesShapesAndMetadata() throws IOException {
        Safetensors ref = fixture("mixed_f16_f64.safetensors");
        Map<String, Tensor> ours = new java.util.TreeMap<>();
        for (String name : ref.names()) {
            if (ref.dtype(name) == Dtype.F16) {
                ours.put(name, ref.tensor(name));
            }
        }
        Safetensors back = Safetensors.parse(Safetensors.encode(ours, ref.metadata(), Dtype.F16), "ours");
        for (String name : ours.keySet()) {
            assertThat(back.tensor(name).data()).as(name).containsExactly(ref.tensor(name).data());
            assertThat(back.shape(name)).as(name).containsExactly(ref.shape(name));
        }
        assertThat(back.metadata()).isEqualTo(ref.metadata());
    }
}
