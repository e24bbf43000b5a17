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

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.flinkla.engine.ModelState;
import org.flinkla.engine.ModelStepper;
import org.flinkla.engine.SequenceModel;
import org.flinkla.engine.StatePrecision;
import org.flinkla.engine.fla.Activation;
import org.flinkla.engine.fla.FlaArchitecture;
import org.flinkla.engine.fla.FlaConfig;
import org.flinkla.engine.fla.FlaLanguageModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Loading FLA model directories: config.json keys honoured or refused by name, tensor problems
 * named, sharded indexes, overrides, and the Java writer.
 */
class FlaModelFilesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** A copy of a fixture directory to break. */
    private int copies;

    private Path copy(String fixture) throws IOException {
        Path dst = tmp.resolve(fixture + "-" + copies++);
        Files.createDirectories(dst);
        try (Stream<Path> s = Files.list(FlaFixtures.ROOT.resolve(fixture))) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Files.copy(p, dst.resolve(p.getFileName()));
            }
        }
        return dst;
    }

    private Path withConfig(String fixture, Consumer<ObjectNode> edit) throws IOException {
        Path dir = copy(fixture);
        ObjectNode cfg = (ObjectNode) JSON.readTree(dir.resolve("config.json").toFile());
        edit.accept(cfg);
        Files.write(dir.resolve("config.json"), JSON.writeValueAsBytes(cfg));
        return dir;
    }

    private Path withTensors(String fixture, Consumer<Map<String, Tensor>> edit) throws IOException {
        Path dir = copy(fixture);
        Safetensors st = Safetensors.read(dir.resolve("model.safetensors"));
        Map<String, Tensor> t = new LinkedHashMap<>();
        for (String n : st.names()) {
            t.put(n, st.tensor(n));
        }
        edit.accept(t);
        Safetensors.write(dir.resolve("model.safetensors"), t, Map.of("format", "pt"), Dtype.F32);
        return dir;
    }

    static Stream<Arguments> badConfigs() {
        return Stream.of(
                Arguments.of("gla_default", (Consumer<ObjectNode>) c -> c.remove("model_type"), "model_type"),
                Arguments.of("gla_default", (Consumer<ObjectNode>) c -> c.put("model_type", "mamba2"), "model_type"),
                Arguments.of("gla_default", (Consumer<ObjectNode>) c -> c.putArray("architectures").add("GLAModel"), "architectures"),
                Arguments.of("gated_deltanet_default", (Consumer<ObjectNode>) c -> c.putObject("attn").putArray("layers").add(1), "attn"),
                Arguments.of("gated_deltanet_default", (Consumer<ObjectNode>) c -> c.put("attnres_block_size", 2), "attnres_block_size"),
                Arguments.of("delta_net_default", (Consumer<ObjectNode>) c -> c.put("hidden_act", "powlu"), "hidden_act"),
                Arguments.of("retnet_default", (Consumer<ObjectNode>) c -> c.put("hidden_act", "gelu"), "hidden_act"),
                Arguments.of("delta_net_default", (Consumer<ObjectNode>) c -> c.put("attn_mode", "fused_chunk"), "attn_mode"),
                Arguments.of("gated_deltanet_default", (Consumer<ObjectNode>) c -> c.put("conv_bias", true), "conv_bias"),
                Arguments.of("delta_net_default", (Consumer<ObjectNode>) c -> c.put("use_output_norm", false), "use_output_norm"),
                Arguments.of("gla_default", (Consumer<ObjectNode>) c -> c.put("gate_logit_normalizer", 8), "gate_logit_normalizer"),
                Arguments.of("gla_default", (Consumer<ObjectNode>) c -> c.put("gate_low_rank_dim", 32), "gate_low_rank_dim"),
                Arguments.of("gla_default", (Consumer<ObjectNode>) c -> c.put("use_gv", true), "use_gv"),
                Arguments.of("retnet_default", (Consumer<ObjectNode>) c -> c.put("use_short_conv", true), "use_short_conv"),
                Arguments.of("gated_deltanet_gva_negeig_tied", (Consumer<ObjectNode>) c -> c.put("num_v_heads", 3), "num_v_heads"),
                Arguments.of("gated_deltanet_default", (Consumer<ObjectNode>) c -> c.put("num_v_heads", 2), "num_v_heads"),
                Arguments.of("gated_deltanet_default", (Consumer<ObjectNode>) c -> c.put("expand_v", 1.3), "expand_v"),
                Arguments.of("gla_default", (Consumer<ObjectNode>) c -> c.put("num_kv_heads", 3), "num_kv_heads"),
                Arguments.of("delta_net_default", (Consumer<ObjectNode>) c -> c.put("expand_k", 0.3), "expand_k"),
                Arguments.of("delta_net_default", (Consumer<ObjectNode>) c -> c.put("qk_activation", "tanh"), "qk_activation"),
                Arguments.of("delta_net_default", (Consumer<ObjectNode>) c -> c.put("qk_norm", "none"), "qk_norm"),
                Arguments.of("gla_default", (Consumer<ObjectNode>) c -> c.put("feature_map", "hedgehog"), "feature_map"),
                Arguments.of("retnet_default", (Consumer<ObjectNode>) c -> c.put("feature_map", "gelu"), "feature_map"),
                Arguments.of("retnet_default", (Consumer<ObjectNode>) c -> c.put("expand_k", 0.375), "expand_k"),
                Arguments.of("gla_default", (Consumer<ObjectNode>) c -> c.put("hidden_size", "32"), "hidden_size"),
                Arguments.of("gla_default", (Consumer<ObjectNode>) c -> c.put("use_output_gate", 1), "use_output_gate"),
                Arguments.of("gla_default", (Consumer<ObjectNode>) c -> c.put("norm_eps", -1), "norm_eps"),
                Arguments.of("gla_default", (Consumer<ObjectNode>) c -> c.put("elementwise_affine", "yes"), "elementwise_affine"),
                Arguments.of("gla_default", (Consumer<ObjectNode>) c -> c.put("vocab", "ACGTACGT"), "vocab"),
                Arguments.of("gla_default", (Consumer<ObjectNode>) c -> c.put("vocab", "ACGTNacgtnXYZWVUQ"), "vocab"),
                Arguments.of("gla_default", (Consumer<ObjectNode>) c -> c.put("num_heads", 0), "num_heads"));
    }

    @ParameterizedTest(name = "{2}")
    @MethodSource("badConfigs")
    void badConfigKeysAreRefusedNamingConfigJsonAndTheKey(String fixture, Consumer<ObjectNode> edit, String key)
            throws IOException {
        Path dir = withConfig(fixture, edit);
        assertThatThrownBy(() -> ModelLoader.load(dir))
                .isInstanceOf(ModelFileException.class)
                .hasMessageContaining("config.json")
                .hasMessageContaining("key " + key);
    }

    @Test
    void keysThatDoNotChangeTheMathAreIgnored() throws IOException {
        FlaFixtures.Case c = FlaFixtures.get("gated_deltanet_default");
        Path dir = withConfig("gated_deltanet_default", n -> {
            n.put("fuse_cross_entropy", false);
            n.put("fuse_linear_cross_entropy", true);
            n.put("fuse_swiglu", false);
            n.put("fuse_norm", false);
            n.put("use_cache", false);
            n.put("torch_dtype", "bfloat16");
            n.put("initializer_range", 0.5);
            n.put("max_position_embeddings", 7);
            n.put("attn_mode", "fused_recurrent");
            n.put("some_future_key", "whatever");
        });
        assertThat(decode(ModelLoader.load(dir), c.ids)).isEqualTo(decode(ModelLoader.load(c.dir), c.ids));
    }

    @Test
    void missingTensorIsNamed() throws IOException {
        Path dir = withTensors("delta_net_default", t -> t.remove("model.layers.1.attn.b_proj.weight"));
        assertThatThrownBy(() -> ModelLoader.load(dir)).isInstanceOf(ModelFileException.class)
                .hasMessageContaining("model.safetensors")
                .hasMessageContaining("tensor model.layers.1.attn.b_proj.weight: missing");
    }

    @Test
    void wrongShapeIsNamed() throws IOException {
        Path dir = withTensors("gla_default", t -> t.put("model.layers.0.attn.gk_proj.0.weight",
                new Tensor(new int[] {8, 32}, new double[256])));
        assertThatThrownBy(() -> ModelLoader.load(dir)).isInstanceOf(ModelFileException.class)
                .hasMessageContaining("tensor model.layers.0.attn.gk_proj.0.weight")
                .hasMessageContaining("[8, 32]").hasMessageContaining("[16, 32]");
    }

    @Test
    void unexpectedTensorIsNamed() throws IOException {
        Path dir = withTensors("gated_deltanet_default", t -> t.put("model.layers.0.attn.q_conv1d.bias",
                new Tensor(new int[] {32}, new double[32])));
        assertThatThrownBy(() -> ModelLoader.load(dir)).isInstanceOf(ModelFileException.class)
                .hasMessageContaining("tensor model.layers.0.attn.q_conv1d.bias: unexpected");
        // an lm_head next to tie_word_embeddings: true is one too
        Path tied = withTensors("delta_net_identity_tied", t -> t.put("lm_head.weight",
                new Tensor(new int[] {8, 32}, new double[256])));
        assertThatThrownBy(() -> ModelLoader.load(tied)).isInstanceOf(ModelFileException.class)
                .hasMessageContaining("tensor lm_head.weight: unexpected");
    }

    @Test
    void retnetRotaryBuffersOfOlderCheckpointsAreIgnored() throws IOException {
        FlaFixtures.Case c = FlaFixtures.get("retnet_default");
        Path dir = withTensors("retnet_default", t -> t.put("model.layers.0.attn.rotary.inv_freq",
                new Tensor(new int[] {4}, new double[] {1, 0.1, 0.01, 0.001})));
        assertThat(decode(ModelLoader.load(dir), c.ids)).isEqualTo(decode(ModelLoader.load(c.dir), c.ids));
    }

    @Test
    void nonFiniteValueIsNamed() throws IOException {
        Path dir = withTensors("retnet_default", t -> t.get("model.layers.1.mlp.up_proj.weight").data()[5] = Double.NaN);
        assertThatThrownBy(() -> ModelLoader.load(dir)).isInstanceOf(ModelFileException.class)
                .hasMessageContaining("tensor model.layers.1.mlp.up_proj.weight: element 5 is NaN");
    }

    @Test
    void integerTensorIsNamed() throws IOException {
        Path dir = copy("gla_default");
        Safetensors st = Safetensors.read(dir.resolve("model.safetensors"));
        // rewrite with model.norm.weight as I64 (same byte count as F64)
        Map<String, Tensor> t = new LinkedHashMap<>();
        for (String n : st.names()) {
            t.put(n, st.tensor(n));
        }
        byte[] f64 = Safetensors.encode(t, Map.of(), Dtype.F64);
        long n = ByteBuffer.wrap(f64).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        String header = new String(f64, 8, (int) n, StandardCharsets.UTF_8);
        int at = header.indexOf("\"model.norm.weight\":{\"dtype\":\"F64\"");
        assertThat(at).isPositive();
        header = header.substring(0, at) + "\"model.norm.weight\":{\"dtype\":\"I64\"" + header.substring(at + 34);
        byte[] patched = f64.clone();
        System.arraycopy(header.getBytes(StandardCharsets.UTF_8), 0, patched, 8, (int) n);
        Files.write(dir.resolve("model.safetensors"), patched);
        assertThatThrownBy(() -> ModelLoader.load(dir)).isInstanceOf(ModelFileException.class)
                .hasMessageContaining("tensor model.norm.weight: dtype I64 is not supported");
    }

    @Test
    void noWeightsFileIsNamed() throws IOException {
        Path dir = copy("gla_default");
        Files.delete(dir.resolve("model.safetensors"));
        assertThatThrownBy(() -> ModelLoader.load(dir)).isInstanceOf(ModelFileException.class)
                .hasMessageContaining("model.safetensors.index.json");
    }

    @Test
    void shardedIndexLoadsTheSameModel() {
        for (String name : new String[] {"gated_deltanet_gva_negeig_tied", "delta_net_elu_sum_nobeta",
                "gla_kv_conv_unfused", "retnet_kv_nogate"}) {
            FlaFixtures.Case c = FlaFixtures.get(name);
            assertThat(Files.exists(c.dir.resolve("model.safetensors.index.json"))).isFalse();
            Path sharded = FlaFixtures.ROOT.resolve(name + "_sharded");
            assertThat(Files.exists(sharded.resolve("model.safetensors.index.json"))).isTrue();
            SequenceModel a = ModelLoader.load(c.dir);
            SequenceModel b = ModelLoader.load(sharded);
            assertThat(b.architecture()).isEqualTo(a.architecture());
            assertThat(decode(b, c.ids)).as(name).isEqualTo(decode(a, c.ids));
        }
    }

    private Path editIndex(Consumer<ObjectNode> edit) throws IOException {
        Path dir = copy("retnet_kv_nogate_sharded");
        ObjectNode idx = (ObjectNode) JSON.readTree(dir.resolve("model.safetensors.index.json").toFile());
        edit.accept((ObjectNode) idx.get("weight_map"));
        Files.write(dir.resolve("model.safetensors.index.json"), JSON.writeValueAsBytes(idx));
        return dir;
    }

    @Test
    void indexProblemsAreNamed() throws IOException {
        Path missingShard = editIndex(m -> m.put("model.norm.weight", "model-00003-of-00002.safetensors"));
        assertThatThrownBy(() -> ModelLoader.load(missingShard)).isInstanceOf(ModelFileException.class)
                .hasMessageContaining("model.safetensors.index.json")
                .hasMessageContaining("tensor model.norm.weight: shard model-00003-of-00002.safetensors does not exist");
        Path unmapped = editIndex(m -> m.remove("model.layers.1.attn.o_proj.weight"));
        assertThatThrownBy(() -> ModelLoader.load(unmapped)).isInstanceOf(ModelFileException.class)
                .hasMessageContaining("tensor model.layers.1.attn.o_proj.weight: is not mapped to this shard");
        Path wrongShard = editIndex(m -> {
            String file = m.get("lm_head.weight").asText();
            String other = file.startsWith("model-00001") ? "model-00002-of-00002.safetensors" : "model-00001-of-00002.safetensors";
            m.put("lm_head.weight", other);
        });
        assertThatThrownBy(() -> ModelLoader.load(wrongShard)).isInstanceOf(ModelFileException.class)
                .hasMessageContaining("tensor lm_head.weight: missing");
        Path escape = editIndex(m -> m.put("model.norm.weight", "../elsewhere.safetensors"));
        assertThatThrownBy(() -> ModelLoader.load(escape)).isInstanceOf(ModelFileException.class)
                .hasMessageContaining("must be a file name in the model directory");
    }

    @Test
    void overrides() throws IOException {
        Path dir = FlaFixtures.ROOT.resolve("gla_default");
        assertThatThrownBy(() -> ModelLoader.load(dir, Map.of("heads", "4"))).isInstanceOf(ModelFileException.class)
                .hasMessageContaining("override heads").hasMessageContaining("state_precision, vocab");
        assertThatThrownBy(() -> ModelLoader.load(dir, Map.of("state_precision", "float16")))
                .isInstanceOf(ModelFileException.class).hasMessageContaining("override state_precision");
        assertThatThrownBy(() -> ModelLoader.load(dir, Map.of("vocab", "ABCDEFGHIJKLMNOPQ")))
                .isInstanceOf(ModelFileException.class).hasMessageContaining("override vocab");
        assertThat(ModelLoader.load(dir).statePrecision()).isEqualTo(StatePrecision.FLOAT32);
        assertThat(ModelLoader.load(dir, Map.of("state-precision", "f64")).statePrecision()).isEqualTo(StatePrecision.FLOAT64);
        SequenceModel m = ModelLoader.load(dir, Map.of("vocab", "ACGTN"));
        assertThat(m.vocab()).isEqualTo("ACGTN");
        assertThat(m.tokenId('G')).isEqualTo(2);
        assertThat(ModelLoader.optionKeys()).contains("state_precision", "vocab");
    }

    @Test
    void vocabFromConfigJsonAsAListWithSpecialTokens() {
        SequenceModel m = ModelLoader.load(FlaFixtures.ROOT.resolve("gated_deltanet_gva_negeig_tied"));
        // ["<pad>", "<s>", "</s>", "A", "C", "G", "T", "N", "a", ...]
        assertThat(m.vocab()).hasSize(16);
        assertThat(m.vocab().charAt(0)).isEqualTo(FlaModelFiles.NO_SYMBOL);
        assertThat(m.tokenId('A')).isEqualTo(3);
        assertThat(m.tokenId('?')).isEqualTo(15);
        assertThat(m.tokenId('<')).isEqualTo(-1);
        assertThat(ModelLoader.load(FlaFixtures.ROOT.resolve("gla_default")).vocab()).isNull();
    }

    @Test
    void javaWrittenDirectoriesLoadBackWithTheSameModel() {
        FlaConfig cfg = FlaConfig.builder(FlaArchitecture.GLA).hiddenSize(24).vocabSize(10).layers(2)
                .intermediateSize(40).heads(4).kvHeads(2).headKDim(6).headVDim(12).shortConv(true, 3)
                .outputGate(true).featureMap(Activation.SQRELU).clampMin(-0.1).fusedGateNorm(false).build();
        Map<String, double[]> w = FlaModelFiles.random(cfg, 3);
        FlaLanguageModel direct = new FlaLanguageModel(cfg, w, "0123456789", "in memory");
        int[] ids = {1, 2, 3, 9, 0, 4, 4, 8};
        for (int shards : new int[] {1, 3}) {
            Path dir = tmp.resolve("gla" + shards);
            FlaModelFiles.write(dir, cfg, w, "0123456789", Dtype.F64, shards);
            assertThat(Files.exists(dir.resolve("model.safetensors.index.json"))).isEqualTo(shards > 1);
            SequenceModel back = ModelLoader.load(dir);
            assertThat(back.architecture()).isEqualTo(direct.architecture());
            assertThat(back.vocab()).isEqualTo("0123456789");
            assertThat(decode(back, ids)).isEqualTo(decode(direct, ids));
        }
    }

    private static double[] decode(SequenceModel m, int[] ids) {
        ModelStepper st = m.newStepper();
        ModelState s = m.newState();
        double[] ys = new double[ids.length * m.outputWidth()];
        for (int t = 0; t < ids.length; t++) {
            st.stepToken(s, ids[t], ys, t * m.outputWidth());
        }
        return ys;
    }
}
