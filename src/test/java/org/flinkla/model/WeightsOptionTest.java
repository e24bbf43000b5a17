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
import java.util.Map;
import org.flinkla.engine.ModelState;
import org.flinkla.engine.ModelStepper;
import org.flinkla.engine.SequenceModel;
import org.flinkla.engine.WeightPrecision;
import org.flinkla.engine.stack.EncoderStack;
import org.flinkla.engine.fla.FlaLanguageModel;
import org.junit.jupiter.api.Test;

/**
 * The {@code weights} model option: float64 keeps the outputs, float32 and bfloat16 round the
 * weights (outputs move by about their precision, and the architecture string, hence the state
 * fingerprint, says so), bad values and inapplicable formats are refused naming the option.
 */
class WeightsOptionTest {
    private static final Path ENCODER = Path.of("src/test/resources/fixtures/fast-transformers/lm_elu_2layer_gelu_norm_acgtn.safetensors");
    private static final Path FLA = Path.of("src/test/resources/fixtures/fla/gated_deltanet_default");

    private static double[] run(SequenceModel m, int tokens) {
        ModelStepper s = m.newStepper();
        ModelState st = m.newState();
        double[] y = new double[tokens * m.outputWidth()];
        int[] ids = new int[tokens];
        for (int t = 0; t < tokens; t++) {
            ids[t] = (t * 7 + 3) % m.vocabSize();
        }
        s.stepTokens(st, ids, 0, tokens, y, 0);
        return y;
    }

    private static double maxRel(double[] a, double[] b) {
        double num = 0, den = 0;
        for (int i = 0; i < a.length; i++) {
            num = Math.max(num, Math.abs(a[i] - b[i]));
            den = Math.max(den, Math.abs(b[i]));
        }
        return num / den;
    }

    @Test
    void encoderStackWeights() {
        SequenceModel base = ModelLoader.load(ENCODER, Map.of());
        SequenceModel f64 = ModelLoader.load(ENCODER, Map.of("weights", "float64"));
        SequenceModel f32 = ModelLoader.load(ENCODER, Map.of("weights", "float32"));
        SequenceModel bf16 = ModelLoader.load(ENCODER, Map.of("weights", "bf16"));
        assertThat(((EncoderStack) f32).weightPrecision()).isEqualTo(WeightPrecision.FLOAT32);
        assertThat(((EncoderStack) bf16).denseWeightBytes()).isLessThan(((EncoderStack) f32).denseWeightBytes());
        double[] want = run(base, 40);
        assertThat(run(f64, 40)).isEqualTo(want);
        assertThat(f64.fingerprint()).isEqualTo(base.fingerprint());
        double e32 = maxRel(run(f32, 40), want);
        double e16 = maxRel(run(bf16, 40), want);
        assertThat(e32).isGreaterThan(0).isLessThan(1e-5);
        assertThat(e16).isGreaterThan(e32).isLessThan(5e-2);
        assertThat(bf16.architecture()).endsWith("weights=bfloat16 (rounded))");
        assertThat(bf16.fingerprint()).isNotEqualTo(base.fingerprint());
    }

    @Test
    void float32CheckpointsAreHeldAsFloat32ByDefault() {
        // the encoder fixture with every weight rounded to float32 first: then float32 is lossless and the default
        SequenceModel f32 = ModelLoader.load(ENCODER, Map.of("weights", "float32"));
        assertThat(((EncoderStack) f32).weightPrecision()).isEqualTo(WeightPrecision.FLOAT32);
        EncoderStack base = (EncoderStack) ModelLoader.load(ENCODER, Map.of());
        assertThat(base.weightPrecision()).isEqualTo(WeightPrecision.FLOAT64); // the fixture's float64 values
        EncoderStack rounded = new EncoderStack(roundedToFloat32(base.weights()), "rounded");
        assertThat(rounded.weightPrecision()).isEqualTo(WeightPrecision.FLOAT32);
        assertThat(rounded.architecture()).doesNotContain("weights=");
        EncoderStack asDoubles = new EncoderStack(roundedToFloat32(base.weights()), "rounded", WeightPrecision.FLOAT64);
        assertThat(run(rounded, 33)).isEqualTo(run(asDoubles, 33));
    }

    private static org.flinkla.engine.stack.EncoderWeights roundedToFloat32(org.flinkla.engine.stack.EncoderWeights w) {
        java.util.List<org.flinkla.engine.stack.EncoderLayerWeights> layers = new java.util.ArrayList<>();
        for (int i = 0; i < w.layerCount(); i++) {
            org.flinkla.engine.stack.EncoderLayerWeights l = w.layer(i);
            org.flinkla.engine.stack.EncoderLayerWeights c = new org.flinkla.engine.stack.EncoderLayerWeights();
            c.attention = l.attention;
            c.attentionWeights = l.attentionWeights;
            c.omega = l.omega;
            c.softmaxTemp = l.softmaxTemp;
            c.dFf = l.dFf;
            c.activation = l.activation;
            c.layerNormEps = l.layerNormEps;
            c.linear1Weight = f32(l.linear1Weight);
            c.linear1Bias = l.linear1Bias;
            c.linear2Weight = f32(l.linear2Weight);
            c.linear2Bias = l.linear2Bias;
            c.norm1Weight = l.norm1Weight;
            c.norm1Bias = l.norm1Bias;
            c.norm2Weight = l.norm2Weight;
            c.norm2Bias = l.norm2Bias;
            layers.add(c);
        }
        // (without the final norm: it is not a dense product and not needed here)
        return new org.flinkla.engine.stack.EncoderWeights(layers, w.embedding(), w.vocab(), null, null,
                w.headWeight() == null ? null : f32(w.headWeight()), w.headBias());
    }

    private static double[] f32(double[] a) {
        double[] b = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            b[i] = (float) a[i];
        }
        return b;
    }

    @Test
    void flaWeights() {
        FlaLanguageModel base = (FlaLanguageModel) ModelLoader.load(FLA, Map.of("state_precision", "float64"));
        FlaLanguageModel bf16 = (FlaLanguageModel) ModelLoader.load(FLA,
                Map.of("state_precision", "float64", "weights", "bfloat16"));
        FlaLanguageModel f64 = (FlaLanguageModel) ModelLoader.load(FLA,
                Map.of("state_precision", "float64", "weights", "float64"));
        assertThat(bf16.weightPrecision()).isEqualTo(WeightPrecision.BFLOAT16);
        double[] want = run(base, 20);
        assertThat(run(f64, 20)).isEqualTo(want);
        double e = maxRel(run(bf16, 20), want);
        assertThat(e).isGreaterThan(0).isLessThan(0.1);
        assertThat(bf16.architecture()).contains("weights=bfloat16 (rounded)");
    }

    @Test
    void badValuesAndOtherFormatsAreRefused() {
        assertThatThrownBy(() -> ModelLoader.load(ENCODER, Map.of("weights", "int8")))
                .isInstanceOf(ModelFileException.class).hasMessageContaining("weights").hasMessageContaining("int8");
        assertThatThrownBy(() -> ModelLoader.load(FLA, Map.of("weights", "half")))
                .isInstanceOf(ModelFileException.class).hasMessageContaining("weights");
        Path single = Path.of("src/test/resources/org/flinkla/model/fast_transformers_f32.safetensors");
        assertThatThrownBy(() -> ModelLoader.load(single, Map.of("weights", "float32")))
                .isInstanceOf(ModelFileException.class).hasMessageContaining("weights");
        assertThat(ModelLoader.optionKeys()).contains("weights");
    }
}
