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
package org.flinkla.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** docs/variants.md: the sharper variants behave as their update rules say. */
class VariantTest {

    @Test
    void decayWithGammaOneEqualsLinear() {
        AttentionConfig linear = AttentionConfig.builder().dModel(8).heads(2).dKey(4).dValue(3).dOut(5).build();
        AttentionConfig decay = linear.toBuilder().variant(Variant.DECAY).decay(new double[] {1.0, 1.0}).build();
        AttentionWeights w = EngineTestSupport.randomWeights(linear, 51, true);
        double[][] xs = EngineTestSupport.inputs(52, 120, 8);
        double[][] yLinear = EngineTestSupport.runRecurrent(new RecurrentLinearAttention(linear, w), xs);
        double[][] yDecay = EngineTestSupport.runRecurrent(new RecurrentLinearAttention(decay, w), xs);
        assertThat(EngineTestSupport.maxRelErr(yDecay, yLinear)).isLessThanOrEqualTo(1e-12);
        // the reference form has no special case for γ = 1: it multiplies by γ^(t−s) = 1
        double[][] pLinear = new ParallelLinearAttention(linear, w).forward(xs);
        double[][] pDecay = new ParallelLinearAttention(decay, w).forward(xs);
        assertThat(EngineTestSupport.maxRelErr(pDecay, pLinear)).isLessThanOrEqualTo(1e-12);
        assertThat(EngineTestSupport.maxRelErr(yDecay, pLinear)).isLessThanOrEqualTo(1e-9);
    }

    @Test
    void decayWithSomeHeadsAtGammaOneMatchesReference() {
        // heads with γ = 1 are stored as running means, the others as true sums: both in one state
        AttentionConfig cfg = AttentionConfig.builder().dModel(8).heads(3).dKey(4).dValue(3).dOut(5)
                .variant(Variant.DECAY).decay(new double[] {1.0, 0.9, 1.0}).vocab("ACGT").build();
        AttentionWeights w = EngineTestSupport.randomWeights(cfg, 65, true);
        double[][] xs = EngineTestSupport.inputs(66, 150, 8);
        double[][] rec = EngineTestSupport.runRecurrent(new RecurrentLinearAttention(cfg, w), xs);
        double[][] par = new ParallelLinearAttention(cfg, w).forward(xs);
        assertThat(EngineTestSupport.maxRelErr(rec, par)).isLessThanOrEqualTo(1e-9);
        int[] ids = new Random(67).ints(150, 0, 4).toArray();
        RecurrentLinearAttention layer = new RecurrentLinearAttention(cfg, w);
        ModelState st = layer.newState();
        double[][] tok = new double[ids.length][5];
        for (int t = 0; t < ids.length; t++) {
            layer.stepToken(st, ids[t], tok[t], 0);
        }
        assertThat(EngineTestSupport.maxRelErr(tok, new ParallelLinearAttention(cfg, w).forwardTokens(ids)))
                .isLessThanOrEqualTo(1e-9);
    }

    @Test
    void decayForgetsOldTokens() {
        // a decayed head's output after a long run barely depends on the first token
        AttentionConfig cfg = AttentionConfig.builder().dModel(6).heads(1).dKey(3).dValue(3).dOut(3)
                .variant(Variant.DECAY).decay(new double[] {0.5}).build();
        AttentionWeights w = EngineTestSupport.randomWeights(cfg, 53, true);
        double[][] xs = EngineTestSupport.inputs(54, 80, 6);
        double[][] a = EngineTestSupport.runRecurrent(new RecurrentLinearAttention(cfg, w), xs);
        xs[0] = EngineTestSupport.inputs(55, 1, 6)[0];
        double[][] b = EngineTestSupport.runRecurrent(new RecurrentLinearAttention(cfg, w), xs);
        assertThat(EngineTestSupport.relErr(a[79], b[79])).isLessThanOrEqualTo(1e-15);
        assertThat(EngineTestSupport.relErr(a[0], b[0])).isGreaterThan(1e-3);
    }

    @ParameterizedTest
    @EnumSource(StatePrecision.class)
    void deltaWithBetaZeroLeavesStateUnchanged(StatePrecision p) {
        AttentionConfig cfg = AttentionConfig.builder().dModel(8).heads(2).dKey(4).dValue(3).dOut(5)
                .variant(Variant.DELTA).statePrecision(p).build();
        AttentionWeights w = EngineTestSupport.randomWeights(cfg, 57, true);
        w.alphaWeight = null;
        w.alphaBias = null;
        RecurrentLinearAttention writer = new RecurrentLinearAttention(cfg, w);
        ModelState st = writer.newState();
        double[] y = new double[5];
        for (double[] x : EngineTestSupport.inputs(58, 30, 8)) {
            writer.step(st, x, 0, y, 0);
        }
        ModelState before = st.copy();
        assertThat(before.doubles() != null ? anyNonZero(before.doubles()) : anyNonZero(before.floats())).isTrue();

        w.betaWeight = new double[w.betaWeight.length];
        w.betaBias = new double[] {-1000, -1000}; // β = sigmoid(−1000) = 0 exactly in float64
        RecurrentLinearAttention reader = new RecurrentLinearAttention(cfg, w);
        for (double[] x : EngineTestSupport.inputs(59, 30, 8)) {
            reader.step(st, x, 0, y, 0);
        }
        assertThat(st.doubles()).isEqualTo(before.doubles());
        assertThat(st.floats()).isEqualTo(before.floats());
    }

    /**
     * Keys e_1..e_d (orthonormal after relu and normalisation) with β = 1: each write stores its
     * value exactly, a later write to the same key replaces it, and reading any key returns its
     * current value — no blur, unlike linear attention.
     */
    @ParameterizedTest
    @EnumSource(StatePrecision.class)
    void deltaWithOrthonormalKeysRetrievesEachValueExactly(StatePrecision p) {
        int d = 6;
        AttentionConfig cfg = AttentionConfig.builder().dModel(2 * d).heads(1).dKey(d).dValue(d).dOut(d)
                .featureMap(FeatureMapKind.RELU).variant(Variant.DELTA).statePrecision(p).build();
        AttentionWeights w = new AttentionWeights();
        w.queryWeight = new double[d * 2 * d];
        w.keyWeight = new double[d * 2 * d];
        w.valueWeight = new double[d * 2 * d];
        w.outWeight = new double[d * d];
        for (int i = 0; i < d; i++) {
            w.queryWeight[i * 2 * d + i] = 1;     // q = first half of x
            w.keyWeight[i * 2 * d + i] = 1;       // k = first half of x
            w.valueWeight[i * 2 * d + d + i] = 1; // v = second half of x
            w.outWeight[i * d + i] = 1;
        }
        w.betaWeight = new double[2 * d];
        w.betaBias = new double[] {1000};         // β = 1 exactly
        RecurrentLinearAttention writer = new RecurrentLinearAttention(cfg, w);
        AttentionWeights readOnly = copyWithBeta(w, -1000); // β = 0: a pure read
        RecurrentLinearAttention reader = new RecurrentLinearAttention(cfg, readOnly);

        Random r = new Random(61);
        double[][] values = new double[d][];
        ModelState st = writer.newState();
        double[] y = new double[d];
        for (int i = 0; i < d; i++) {
            values[i] = EngineTestSupport.gaussian(r, d, 1.0);
            if (p == StatePrecision.FLOAT32) {
                for (int j = 0; j < d; j++) {
                    values[i][j] = (float) values[i][j]; // representable: "exactly" holds in float32 too
                }
            }
            writer.step(st, keyValue(d, i, 2.5, values[i]), 0, y, 0);
            assertThat(y).as("output of write %d", i).isEqualTo(values[i]);
        }
        values[2] = EngineTestSupport.gaussian(r, d, 1.0);
        if (p == StatePrecision.FLOAT32) {
            for (int j = 0; j < d; j++) {
                values[2][j] = (float) values[2][j];
            }
        }
        writer.step(st, keyValue(d, 2, 0.7, values[2]), 0, y, 0); // overwrite key 2
        for (int i = 0; i < d; i++) {
            reader.step(st, keyValue(d, i, 1.3, new double[d]), 0, y, 0);
            for (int j = 0; j < d; j++) {
                assertThat(y[j]).as("key %d", i).isCloseTo(values[i][j], within(1e-12));
            }
        }
    }

    private static double[] keyValue(int d, int key, double scale, double[] value) {
        double[] x = new double[2 * d];
        x[key] = scale; // any positive scale: k̂ = e_key after normalisation
        System.arraycopy(value, 0, x, d, d);
        return x;
    }

    private static AttentionWeights copyWithBeta(AttentionWeights w, double betaBias) {
        AttentionWeights c = new AttentionWeights();
        c.queryWeight = w.queryWeight;
        c.keyWeight = w.keyWeight;
        c.valueWeight = w.valueWeight;
        c.outWeight = w.outWeight;
        c.betaWeight = w.betaWeight;
        c.betaBias = new double[] {betaBias};
        return c;
    }

    @Test
    void gatesStayInUnitIntervalAndGatedDiffersFromLinear() {
        AttentionConfig gated = AttentionConfig.builder().dModel(8).heads(2).dKey(4).dValue(3).dOut(5)
                .variant(Variant.GATED).build();
        AttentionWeights w = EngineTestSupport.randomWeights(gated, 63, true);
        double[][] xs = EngineTestSupport.inputs(64, 60, 8);
        double[][] yg = EngineTestSupport.runRecurrent(new RecurrentLinearAttention(gated, w), xs);
        // gates of exactly 1 (bias +1000) turn gated into un-normalised linear: same outputs
        AttentionWeights open = EngineTestSupport.randomWeights(gated, 63, true);
        open.gateWeight = new double[open.gateWeight.length];
        Arrays.fill(open.gateBias, 1000);
        double[][] yOpen = EngineTestSupport.runRecurrent(new RecurrentLinearAttention(gated, open), xs);
        AttentionConfig linear = gated.toBuilder().variant(Variant.LINEAR).build();
        AttentionWeights lw = EngineTestSupport.randomWeights(gated, 63, true);
        lw.gateWeight = null;
        lw.gateBias = null;
        double[][] yl = EngineTestSupport.runRecurrent(new RecurrentLinearAttention(linear, lw), xs);
        assertThat(EngineTestSupport.maxRelErr(yOpen, yl)).isLessThanOrEqualTo(1e-12);
        assertThat(EngineTestSupport.maxRelErr(yg, yl)).isGreaterThan(1e-3);
    }

    private static boolean anyNonZero(double[] a) {
        return Arrays.stream(a).anyMatch(v -> v != 0);
    }

    private static boolean anyNonZero(float[] a) {
        for (float v : a) {
            if (v != 0) {
                return true;
            }
        }
        return false;
    }
}
