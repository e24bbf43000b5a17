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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.flinkla.engine.SequenceModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Malformed fast-transformers-encoder files fail at load with one {@link ModelFileException}
 * naming the file and the tensor or metadata key. Each case starts from a fixture file (real
 * fast-transformers tensors) and breaks one thing.
 */
class FastTransformersMalformedTest {
    @TempDir
    Path dir;

    /** A fixture's tensors and metadata, editable, written back as a new file. */
    private static final class Edit {
        final Map<String, Tensor> tensors = new LinkedHashMap<>();
        final Map<String, String> metadata = new LinkedHashMap<>();

        Edit(String fixture) {
            Safetensors st = Safetensors.read(FtFixtures.file(fixture));
            for (String n : st.names()) {
                tensors.put(n, st.tensor(n));
            }
            metadata.putAll(st.metadata());
        }

        Edit remove(String name) {
            assertThat(tensors.remove(name)).as(name).isNotNull();
            return this;
        }

        Edit put(String name, int... shape) {
            int n = 1;
            for (int d : shape) {
                n *= d;
            }
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                v[i] = 0.01 * (i % 7);
            }
            tensors.put(name, new Tensor(shape, v));
            return this;
        }

        /** Renames every tensor of layer {@code from} to layer {@code to}. */
        Edit renameLayer(int from, int to) {
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
                String n = e.getKey();
                String p = "layers." + from + ".";
                out.put(n.startsWith(p) ? "layers." + to + "." + n.substring(p.length()) : n, e.getValue());
            }
            tensors.clear();
            tensors.putAll(out);
            return this;
        }

        Edit meta(String key, String value) {
            if (value == null) {
                metadata.remove(key);
            } else {
                metadata.put(key, value);
            }
            return this;
        }

        Path write(Path dir) {
            Path f = dir.resolve("bad.safetensors");
            Safetensors.write(f, tensors, metadata, Dtype.F64);
            return f;
        }
    }

    private void assertBad(Edit e, Map<String, String> overrides, String subject, String... fragments) {
        Path f = e.write(dir);
        assertThatThrownBy(() -> ModelLoader.load(f, overrides))
                .isInstanceOf(ModelFileException.class)
                .satisfies(t -> {
                    ModelFileException m = (ModelFileException) t;
                    assertThat(m.file()).isEqualTo(f.toString());
                    assertThat(m.subject()).isEqualTo(subject);
                    for (String s : fragments) {
                        assertThat(m.getMessage()).contains(s);
                    }
                })
                .hasMessageStartingWith(f + ": " + subject + ": ");
    }

    private void assertBad(Edit e, String subject, String... fragments) {
        assertBad(e, Map.of(), subject, fragments);
    }

    @Test
    void theUneditedFileLoads() {
        SequenceModel m = ModelLoader.load(new Edit("elu_2layer_gelu_norm").write(dir));
        assertThat(m.architecture()).contains("layers=2");
    }

    @Test
    void missingLayerTensor() {
        assertBad(new Edit("elu_2layer_gelu_norm").remove("layers.1.linear2.bias"), "tensor layers.1.linear2.bias",
                "missing");
        assertBad(new Edit("elu_2layer_gelu_norm").remove("layers.1.norm1.weight"), "tensor layers.1.norm1.weight",
                "missing");
        assertBad(new Edit("elu_2layer_gelu_norm").remove("layers.0.attention.key_projection.bias"),
                "tensor layers.0.attention.key_projection.bias", "missing");
        assertBad(new Edit("elu_2layer_gelu_norm").remove("layers.1.attention.value_projection.weight"),
                "tensor layers.1.attention.value_projection.weight", "missing");
        assertBad(new Edit("elu_2layer_gelu_norm").remove("norm.bias"), "tensor norm.bias", "missing");
        assertBad(new Edit("lm_elu_2layer_gelu_norm_acgtn").remove("head.bias"), "tensor head.bias", "missing");
        assertBad(new Edit("lm_elu_2layer_gelu_norm_acgtn").remove("embedding.weight"), "tensor embedding.weight",
                "missing", "vocab 'ACGTN'");
    }

    @Test
    void inconsistentWidths() {
        // d_model 12, 3 heads, d_k 4, d_ff 24
        assertBad(new Edit("elu_2layer_gelu_norm").put("layers.1.attention.query_projection.weight", 9, 12),
                "tensor layers.1.attention.query_projection.weight", "expected shape [12, 12], got [9, 12]");
        assertBad(new Edit("elu_2layer_gelu_norm").put("layers.1.linear1.weight", 20, 12),
                "tensor layers.1.linear1.weight", "expected shape [24, 12], got [20, 12]", "d_ff=24");
        assertBad(new Edit("elu_2layer_gelu_norm").put("layers.0.linear2.weight", 12, 20),
                "tensor layers.0.linear2.weight", "expected shape [12, 24], got [12, 20]");
        assertBad(new Edit("elu_2layer_gelu_norm").put("layers.1.norm2.bias", 11), "tensor layers.1.norm2.bias",
                "expected shape [12], got [11]");
        assertBad(new Edit("elu_2layer_gelu_norm").put("norm.weight", 13), "tensor norm.weight",
                "expected shape [12], got [13]");
        assertBad(new Edit("lm_elu_2layer_gelu_norm_acgtn").put("embedding.weight", 4, 16), "tensor embedding.weight",
                "expected shape [5, 16], got [4, 16]", "vocab 'ACGTN' has 5 symbols");
        assertBad(new Edit("lm_elu_2layer_gelu_norm_acgtn").put("head.bias", 4), "tensor head.bias",
                "expected shape [5], got [4]");
        assertBad(new Edit("elu_2layer_gelu_norm").put("layers.0.attention.query_projection.weight", 10, 12),
                "tensor layers.0.attention.query_projection.weight", "10 rows do not split into 3 heads");
    }

    @Test
    void gapInLayerNumbering() {
        assertBad(new Edit("relu_3layer_relu_norm_lneps").renameLayer(1, 3), "tensor layers.1.*",
                "the file has layers [0, 2, 3] but no layer 1");
        assertBad(new Edit("elu_2layer_gelu_norm").renameLayer(0, 2), "tensor layers.0.*",
                "the file has layers [1, 2] but no layer 0");
    }

    @Test
    void unknownActivationAndFeatureMap() {
        assertBad(new Edit("elu_2layer_gelu_norm").meta("activation", "swish"), "metadata activation",
                "unknown activation 'swish' (expected relu or gelu)");
        assertBad(new Edit("elu_2layer_gelu_norm"), Map.of("activation", "tanh"), "override activation",
                "unknown activation 'tanh'");
        assertBad(new Edit("elu_2layer_gelu_norm").meta("feature_map", "taylor"), "metadata feature_map",
                "'taylor' is not a fast-transformers feature map");
        assertBad(new Edit("elu_2layer_gelu_norm").meta("feature_map", null), "metadata feature_map", "missing");
        assertBad(new Edit("elu_2layer_gelu_norm").meta("heads", null), "metadata heads", "missing");
        assertBad(new Edit("elu_2layer_gelu_norm").meta("layer_norm_eps", "small"), "metadata layer_norm_eps",
                "'small' is not a number");
    }

    @Test
    void badOmegaShape() {
        // favor16: d_k 4, m 16, omega [4, 8]
        assertBad(new Edit("favor16_2layer_gelu_norm").put("layers.1.attention.inner_attention.feature_map.omega", 4, 7),
                "tensor layers.1.attention.inner_attention.feature_map.omega", "expected shape [4, 8], got [4, 7]");
        assertBad(new Edit("favor16_2layer_gelu_norm").put("layers.0.attention.inner_attention.feature_map.omega", 3, 8),
                "tensor layers.0.attention.inner_attention.feature_map.omega", "expected shape [d_k=4, m/2], got [3, 8]");
        assertBad(new Edit("favor16_2layer_gelu_norm").remove("layers.1.attention.inner_attention.feature_map.omega"),
                "tensor layers.1.attention.inner_attention.feature_map.omega", "missing");
        assertBad(new Edit("favor16_2layer_gelu_norm").meta("favor_features", "32"),
                "tensor layers.0.attention.inner_attention.feature_map.omega", "gives m = 16 features",
                "metadata favor_features says 32");
        assertBad(new Edit("elu_2layer_gelu_norm").put("layers.0.attention.inner_attention.feature_map.omega", 4, 8),
                "tensor layers.0.attention.inner_attention.feature_map.omega", "present, but feature_map is elu");
    }

    @Test
    void foreignTensorsAndInapplicableOptions() {
        assertBad(new Edit("elu_2layer_gelu_norm").put("encoder.layers.0.norm1.weight", 12),
                "tensor encoder.layers.0.norm1.weight", "not part of a fast-transformers encoder file");
        assertBad(new Edit("elu_2layer_gelu_norm").put("layers.1.attention.gate_projection.weight", 12, 12),
                "tensor layers.1.attention.gate_projection.weight", "not part of a fast-transformers encoder layer",
                "variant linear");
        assertBad(new Edit("elu_2layer_gelu_norm"), Map.of("variant", "gated"),
                "tensor layers.0.attention.gate_projection.weight", "missing", "variant gated needs it");
        assertBad(new Edit("elu_2layer_gelu_norm"), Map.of("favor_seed", "3"), "override favor_seed",
                "does not apply to fast-transformers-encoder files");
        assertBad(new Edit("elu_2layer_gelu_norm"), Map.of("softmax_temp", "0.5"), "override softmax_temp",
                "applies to favor and softmax only");
        assertBad(new Edit("elu_2layer_gelu_norm"), Map.of("hedas", "3"), "override hedas", "unknown model option");
        assertBad(new Edit("favor16_2layer_gelu_norm"), Map.of("softmax_temp", "-1"), "override softmax_temp",
                "must be finite and > 0");
        assertBad(new Edit("elu_2layer_gelu_norm").meta("vocab", "ACGT"), "tensor embedding.weight", "missing",
                "metadata vocab 'ACGT'");
        Edit nan = new Edit("elu_2layer_gelu_norm");
        nan.tensors.get("layers.1.linear1.bias").data()[3] = Double.NaN;
        assertBad(nan, "tensor layers.1.linear1.bias", "element 3 is NaN");
    }

    @Test
    void singleLayerFilesRejectEncoderOptionsByName() {
        Path single = dir.resolve("single.safetensors");
        ModelFiles.save(ModelFiles.random(org.flinkla.engine.AttentionConfig.builder().dModel(8).heads(2).dKey(4)
                .dValue(4).dOut(8).build(), 1L), single);
        assertThat(ModelLoader.load(single).architecture()).startsWith("attention-layer");
        assertThatThrownBy(() -> ModelLoader.load(single, Map.of("activation", "gelu")))
                .isInstanceOf(ModelFileException.class)
                .hasMessageStartingWith(single + ": override activation: does not apply to single attention-layer files");
        assertThat(ModelLoader.optionKeys()).contains("activation", "layer_norm_eps", "softmax_temp", "favor_seed");
    }
}
