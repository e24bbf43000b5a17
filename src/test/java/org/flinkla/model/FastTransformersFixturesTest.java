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

import java.io.IOException;
import java.util.Map;
import org.flinkla.engine.ModelState;
import org.flinkla.engine.ModelStepper;
import org.flinkla.engine.SequenceModel;
import org.flinkla.engine.StatePrecision;
import org.flinkla.engine.stack.EncoderStack;
import org.flinkla.engine.stack.SoftmaxEncoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every fast-transformers fixture reproduced through the engine: the files load through
 * {@link ModelLoader} (linear attention) or {@link FastTransformersLoader#loadSoftmax} (softmax),
 * and stepping them gives the outputs of the real PyTorch modules to 1e-9 relative (1e-12
 * absolute floor), token by token and in chunks (bit-identical to each other), in float32 state to
 * ~1e-4, and in pieces through exported states bit-identically.
 */
class FastTransformersFixturesTest {
    static java.util.List<String> linear() {
        return FtFixtures.LINEAR;
    }

    static java.util.List<String> softmax() {
        return FtFixtures.SOFTMAX;
    }

    /** Token by token through a fresh stepper; outputs row-major. */
    static double[] stepByStep(SequenceModel m, FtFixtures.Case c, ModelState s) {
        ModelStepper st = m.newStepper();
        int w = m.outputWidth();
        double[] ys = new double[c.tokens() * w];
        for (int t = 0; t < c.tokens(); t++) {
            if (c.ids) {
                st.stepToken(s, c.tokenIds[t], ys, t * w);
            } else {
                st.step(s, c.vectors[t], 0, ys, t * w);
            }
        }
        return ys;
    }

    @ParameterizedTest
    @MethodSource("linear")
    void linearStacksReproduceFastTransformers(String name) throws IOException {
        FtFixtures.Case c = FtFixtures.load(name);
        SequenceModel m = ModelLoader.load(FtFixtures.file(name));
        assertThat(m).isInstanceOf(EncoderStack.class);
        assertThat(m.statePrecision()).isEqualTo(StatePrecision.FLOAT64);
        ModelState s = m.newState();
        double[] ys = stepByStep(m, c, s);
        assertThat(s.tokens()).isEqualTo(c.tokens());
        FtFixtures.assertOutputs(c, ys, m.outputWidth(), name);
        double worst = 0;
        for (int t = 0; t < c.tokens(); t++) {
            worst = Math.max(worst, FtFixtures.relative(ys, t * m.outputWidth(), c.outputs[t]));
        }
        System.out.printf("%s: %d tokens, largest relative difference %.2e (%s)%n", name, c.tokens(), worst,
                m.architecture());

        // the whole sequence as one chunk, and in uneven chunks: the same bits as token by token
        for (int[] pieces : new int[][] {{c.tokens()}, {1, 5, 7, c.tokens() - 13}}) {
            ModelState s2 = m.newState();
            ModelStepper st = m.newStepper();
            double[] y2 = new double[ys.length];
            int done = 0;
            for (int n : pieces) {
                if (c.ids) {
                    st.stepTokens(s2, c.tokenIds, done, n, y2, done * m.outputWidth());
                } else {
                    st.steps(s2, c.flatVectors(), done * m.inputWidth(), n, y2, done * m.outputWidth());
                }
                done += n;
            }
            assertThat(y2).as("chunks %s", java.util.Arrays.toString(pieces)).isEqualTo(ys);
            assertThat(s2).isEqualTo(s);
        }
    }

    @ParameterizedTest
    @MethodSource("linear")
    void splitAndResumeThroughAnExportedStateIsBitIdentical(String name) throws IOException {
        FtFixtures.Case c = FtFixtures.load(name);
        SequenceModel m = ModelLoader.load(FtFixtures.file(name));
        int w = m.outputWidth();
        double[] whole = stepByStep(m, c, m.newState());
        for (int split : new int[] {1, c.tokens() / 2, c.tokens() - 1}) {
            ModelState first = m.newState();
            ModelStepper a = m.newStepper();
            double[] ys = new double[whole.length];
            for (int t = 0; t < split; t++) {
                step(a, first, c, t, ys, t * w);
            }
            // export: the flat array and the token count, as the Flink serializer writes them
            ModelState resumed = ModelState.wrap(first.doubles().clone(), null, first.tokens());
            ModelStepper b = ModelLoader.load(FtFixtures.file(name)).newStepper(); // another model instance too
            for (int t = split; t < c.tokens(); t++) {
                step(b, resumed, c, t, ys, t * w);
            }
            assertThat(ys).as("split at %d", split).isEqualTo(whole);
        }
    }

    private static void step(ModelStepper st, ModelState s, FtFixtures.Case c, int t, double[] ys, int off) {
        if (c.ids) {
            st.stepToken(s, c.tokenIds[t], ys, off);
        } else {
            st.step(s, c.vectors[t], 0, ys, off);
        }
    }

    @ParameterizedTest
    @MethodSource("linear")
    void float32StateAgreesToAboutOneInTenThousand(String name) throws IOException {
        FtFixtures.Case c = FtFixtures.load(name);
        SequenceModel m = ModelLoader.load(FtFixtures.file(name), Map.of("state_precision", "float32"));
        assertThat(m.statePrecision()).isEqualTo(StatePrecision.FLOAT32);
        double[] ys = stepByStep(m, c, m.newState());
        double worst = 0;
        int w = m.outputWidth();
        for (int t = 0; t < c.tokens(); t++) {
            double scale = 0;
            for (double v : c.outputs[t]) {
                scale = Math.max(scale, Math.abs(v));
            }
            for (int i = 0; i < w; i++) {
                worst = Math.max(worst, Math.abs(ys[t * w + i] - c.outputs[t][i]) / scale);
            }
        }
        System.out.printf("%s float32 state: largest difference %.2e of the row's largest component%n", name, worst);
        assertThat(worst).isLessThanOrEqualTo(1e-4);
        assertThat(m.stateBytes()).isEqualTo(4L * m.stateLength());
    }

    @ParameterizedTest
    @MethodSource("softmax")
    void softmaxStacksReproduceFastTransformersOnTheKvCacheRunner(String name) throws IOException {
        FtFixtures.Case c = FtFixtures.load(name);
        SoftmaxEncoder enc = FastTransformersLoader.loadSoftmax(FtFixtures.file(name), Map.of());
        SoftmaxEncoder.Session s = enc.newSession();
        int w = enc.outputWidth();
        double[] ys = new double[c.tokens() * w];
        long before = s.bytes();
        for (int t = 0; t < c.tokens(); t++) {
            s.step(c.vectors[t], 0, ys, t * w);
        }
        assertThat(s.tokens()).isEqualTo(c.tokens());
        assertThat(s.bytes()).isGreaterThan(before); // the caches grew
        FtFixtures.assertOutputs(c, ys, w, name);
        double worst = 0;
        for (int t = 0; t < c.tokens(); t++) {
            worst = Math.max(worst, FtFixtures.relative(ys, t * w, c.outputs[t]));
        }
        System.out.printf("%s: %d tokens, largest relative difference %.2e (%s)%n", name, c.tokens(), worst,
                enc.architecture());
        // a reset session starts over
        s.reset();
        double[] y0 = new double[w];
        s.step(c.vectors[0], 0, y0, 0);
        assertThat(y0).isEqualTo(java.util.Arrays.copyOf(ys, w));
    }

    @ParameterizedTest
    @MethodSource("softmax")
    void softmaxIsRefusedForTheOperatorNamingTheKey(String name) {
        assertThatThrownBy(() -> ModelLoader.load(FtFixtures.file(name)))
                .isInstanceOf(ModelFileException.class)
                .hasMessageContaining(name + ".safetensors: metadata feature_map: softmax")
                .hasMessageContaining("fixed-size")
                .hasMessageContaining("loadSoftmax");
    }

    @Test
    void linearFilesAreNotSoftmaxEncoders() {
        assertThatThrownBy(() -> FastTransformersLoader.loadSoftmax(FtFixtures.file("elu_1layer_relu"), Map.of()))
                .isInstanceOf(ModelFileException.class).hasMessageContaining("metadata feature_map: is elu");
    }

    @Test
    void stateLayoutIsOneLinearAttentionSlicePerLayer() throws IOException {
        // favor16: 2 layers × 4 heads × (m·d_v + m) = 2 × 4 × (16·4 + 16)
        EncoderStack favor = (EncoderStack) ModelLoader.load(FtFixtures.file("favor16_2layer_gelu_norm"));
        assertThat(favor.layerStateLength()).isEqualTo(4 * (16 * 4 + 16));
        assertThat(favor.stateLength()).isEqualTo(2 * 320);
        assertThat(favor.layerStateOffset(1)).isEqualTo(320);
        assertThat(favor.stateBytes()).isEqualTo(8L * 640);
        // d_k 6, d_v 5, elu: 2 × 2 × (6·5 + 6)
        SequenceModel dk6 = ModelLoader.load(FtFixtures.file("elu_dk6_dv5_2layer_gelu_norm"));
        assertThat(dk6.stateLength()).isEqualTo(2 * 2 * 36);
        SequenceModel lm = ModelLoader.load(FtFixtures.file("lm_elu_2layer_gelu_norm_acgtn"));
        assertThat(lm.vocab()).isEqualTo("ACGTN");
        assertThat(lm.vocabSize()).isEqualTo(5);
        assertThat(lm.outputWidth()).isEqualTo(5);
        assertThat(lm.outputsLogits()).isTrue();
        assertThat(lm.architecture()).startsWith("fast-transformers-encoder(layers=2, d_model=16, heads=4")
                .contains("activation=gelu").contains("vocab=ACGTN").contains("head=5");
        assertThat(lm.fingerprint()).isNotEqualTo(
                ModelLoader.load(FtFixtures.file("lm_elu_2layer_gelu_norm_acgtn"), Map.of("state_precision", "float32"))
                        .fingerprint());
    }

    @Test
    void layerZeroStateIsTheSingleLayerStateOfTheSameAttention() throws IOException {
        // the slice of layer 0 evolves exactly as a single RecurrentLinearAttention on the same inputs:
        // its S/z follow only the layer's own projections of the stack's input
        EncoderStack m = (EncoderStack) ModelLoader.load(FtFixtures.file("elu_2layer_gelu_norm"));
        FtFixtures.Case c = FtFixtures.load("elu_2layer_gelu_norm");
        ModelState s = m.newState();
        stepByStep(m, c, s);
        org.flinkla.engine.stack.EncoderLayerWeights l0 = m.weights().layer(0);
        org.flinkla.engine.RecurrentLinearAttention single =
                new org.flinkla.engine.RecurrentLinearAttention(l0.attention, l0.attentionWeights);
        ModelState one = single.newState();
        double[] y = new double[l0.attention.dOut()];
        for (double[] x : c.vectors) {
            single.step(one, x, 0, y, 0);
        }
        assertThat(java.util.Arrays.copyOfRange(s.doubles(), 0, m.layerStateLength())).isEqualTo(one.doubles());
    }
}
