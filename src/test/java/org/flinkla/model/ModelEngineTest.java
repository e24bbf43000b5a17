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
import org.flinkla.engine.ModelState;
import org.flinkla.engine.FeatureMapKind;
import org.flinkla.engine.RecurrentLinearAttention;
import org.flinkla.engine.Variant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Loaded and seeded models drive the engine: the weights land in the layout it expects. */
class ModelEngineTest {
    @TempDir
    Path dir;

    private static double[] run(Model m, String tokens) {
        RecurrentLinearAttention layer = new RecurrentLinearAttention(m.config(), m.weights());
        ModelState s = layer.newState();
        int dOut = m.config().dOut();
        double[] ys = new double[tokens.length() * dOut];
        for (int t = 0; t < tokens.length(); t++) {
            layer.stepToken(s, layer.tokenId(tokens.charAt(t)), ys, t * dOut);
        }
        return ys;
    }

    @Test
    void savedAndReloadedModelsGiveBitIdenticalOutputsForEveryVariant() {
        AttentionConfig.Builder base = AttentionConfig.builder().dModel(8).heads(2).dKey(4).dValue(3).dOut(5)
                .vocab("ACGTN");
        List<AttentionConfig> configs = List.of(
                base.build(),
                base.featureMap(FeatureMapKind.FAVOR).favorFeatures(8).build(),
                base.featureMap(FeatureMapKind.TAYLOR).build(),
                base.featureMap(FeatureMapKind.RELU).variant(Variant.DECAY).build(),
                base.featureMap(FeatureMapKind.ELU).variant(Variant.GATED).build(),
                base.variant(Variant.DELTA).build());
        String tokens = "ACGTNNACGGTACCA";
        for (AttentionConfig c : configs) {
            Model m = ModelFiles.random(c, 17L, true);
            Path f = dir.resolve("m.safetensors");
            ModelFiles.save(m, f);
            double[] original = run(m, tokens);
            double[] reloaded = run(ModelFiles.load(f), tokens);
            assertThat(java.util.Arrays.stream(original).allMatch(Double::isFinite)).as(c.toString()).isTrue();
            assertThat(reloaded).as(c.toString()).containsExactly(original);
            // a different seed is a different model
            assertThat(run(ModelFiles.random(c, 18L, true), tokens)).as(c.toString()).isNotEqualTo(original);
        }
    }

    @Test
    void referenceFileDrivesTheEngineWithVectorInputs() throws Exception {
        Model m;
        try (InputStream in = getClass().getResourceAsStream("fast_transformers_f32.safetensors")) {
            m = ModelFiles.load(Safetensors.parse(in.readAllBytes(), "ft"), Map.of());
        }
        RecurrentLinearAttention layer = new RecurrentLinearAttention(m.config(), m.weights());
        ModelState s = layer.newState();
        double[] x = {0.5, -1, 0.25, 2, 0, -0.75};
        double[] y = new double[m.config().dOut()];
        layer.step(s, x, 0, y, 0);
        // One token attends only to itself: per head y_h = v_h · a_h / (a_h + eps) with
        // a_h = φ(q_h)·φ(k_h) and φ = elu + 1 (docs/models.md); then out = W_o y + b_o.
        double[] q = project(m.weights().queryWeight, m.weights().queryBias, 8, x);
        double[] k = project(m.weights().keyWeight, m.weights().keyBias, 8, x);
        double[] v = project(m.weights().valueWeight, m.weights().valueBias, 10, x);
        double eps = m.config().eps();
        for (int h = 0; h < 2; h++) {
            double a = 0;
            for (int i = 0; i < 4; i++) {
                a += elu1(q[h * 4 + i]) * elu1(k[h * 4 + i]);
            }
            for (int j = 0; j < 5; j++) {
                v[h * 5 + j] *= a / (a + eps);
            }
        }
        double[] expected = project(m.weights().outWeight, m.weights().outBias, 7, v);
        for (int o = 0; o < y.length; o++) {
            assertThat(y[o]).isCloseTo(expected[o], org.assertj.core.data.Offset.offset(1e-12 * (1 + Math.abs(expected[o]))));
        }
    }

    private static double elu1(double x) {
        return x >= 0 ? x + 1 : Math.exp(x);
    }

    /** y = W x + b for a row-major W [rows, x.length]. */
    private static double[] project(double[] w, double[] b, int rows, double[] x) {
        double[] y = new double[rows];
        for (int r = 0; r < rows; r++) {
            y[r] = b[r];
            for (int i = 0; i < x.length; i++) {
                y[r] += w[r * x.length + i] * x[i];
            }
        }
        return y;
    }
}
