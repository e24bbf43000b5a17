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

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Vector API kernels give the same bits as the plain loops: for every variant, feature map and
 * precision, shapes whose widths are and are not whole vectors, the states and outputs of
 * {@code step} and {@code stepToken} agree exactly, token after token, and a state written by one
 * kernel continues identically under the other.
 *
 * <p>The build runs tests with {@code --add-modules jdk.incubator.vector} (surefire argLine), so
 * the first test insists the kernels are really on: otherwise this class would compare the plain
 * loops with themselves.
 */
class VectorKernelsTest {

    @Test
    void vectorKernelsAreEnabledInTheTestJvm() {
        assertThat(VectorSupport.enabled()).as(VectorSupport.describe()).isTrue();
        assertThat(VectorSupport.describe()).startsWith("Vector API, ");
        System.out.println(VectorSupport.describe());
    }

    /**
     * The build's second run of the kernel tests (surefire execution vector-avx2, -XX:UseAVX=2)
     * passes -Dflinkla.test.maxLanes=4: there the kernels must really run on AVX2's 4-lane
     * vectors, or that run would only repeat the first.
     */
    @Test
    void vectorWidthIsAsRestricted() {
        Integer max = Integer.getInteger("flinkla.test.maxLanes");
        if (max != null) {
            assertThat(VectorKernels.LANES).as(VectorSupport.describe()).isLessThanOrEqualTo(max);
        }
    }

    @Test
    void sameBitsAsThePlainLoops() {
        for (AttentionConfig cfg : configs()) {
            AttentionWeights w = EngineTestSupport.randomWeights(cfg, 11, true);
            RecurrentLinearAttention plain = new RecurrentLinearAttention(cfg, w, false);
            RecurrentLinearAttention vector = new RecurrentLinearAttention(cfg, w, true);
            ModelState sp = plain.newState();
            ModelState sv = vector.newState();
            double[][] xs = EngineTestSupport.inputs(5, 300, cfg.dModel());
            double[] yp = new double[cfg.dOut()];
            double[] yv = new double[cfg.dOut()];
            for (int t = 0; t < xs.length; t++) {
                if (t % 3 == 2) {
                    plain.stepToken(sp, t % cfg.vocab().length(), yp, 0);
                    vector.stepToken(sv, t % cfg.vocab().length(), yv, 0);
                } else {
                    plain.step(sp, xs[t], 0, yp, 0);
                    vector.step(sv, xs[t], 0, yv, 0);
                }
                assertThat(firstDifference(bits(yv), bits(yp))).as("%s: first differing output at token %d", cfg, t).isEqualTo(-1);
            }
            assertThat(sv.tokens()).isEqualTo(sp.tokens());
            assertThat(firstDifference(stateBits(sv), stateBits(sp))).as("%s: first differing state element", cfg).isEqualTo(-1);
            assertThat(stateBits(sp)).as("%s state moved", cfg).isNotEqualTo(stateBits(plain.newState()));
        }
    }

    @Test
    void chunksOfVectorsGiveTheBitsOfSingleSteps() {
        // steps() projects four tokens per pass with the vector kernels; chunk sizes around that
        for (AttentionConfig cfg : List.of(base(32, 2, 16).build(), base(13, 2, 8).dOut(11).build(),
                base(32, 2, 16).variant(Variant.DECAY).decay(new double[] {0.9, 0.99}).build())) {
            AttentionWeights w = EngineTestSupport.randomWeights(cfg, 4, true);
            RecurrentLinearAttention plain = new RecurrentLinearAttention(cfg, w, false);
            RecurrentLinearAttention vector = new RecurrentLinearAttention(cfg, w, true);
            int d = cfg.dModel();
            int total = 1 + 3 + 4 + 7 + 16 + 9;
            double[] xs = new double[total * d];
            double[][] rows = EngineTestSupport.inputs(8, total, d);
            for (int t = 0; t < total; t++) {
                System.arraycopy(rows[t], 0, xs, t * d, d);
            }
            ModelState sp = plain.newState();
            double[] yp = new double[total * cfg.dOut()];
            for (int t = 0; t < total; t++) {
                plain.step(sp, xs, t * d, yp, t * cfg.dOut());
            }
            ModelState sv = vector.newState();
            double[] yv = new double[total * cfg.dOut()];
            int at = 0;
            for (int n : new int[] {1, 3, 4, 7, 16, 9}) {
                vector.steps(sv, xs, at * d, n, yv, at * cfg.dOut());
                at += n;
            }
            assertThat(firstDifference(bits(yv), bits(yp))).as("%s: first differing output", cfg).isEqualTo(-1);
            assertThat(firstDifference(stateBits(sv), stateBits(sp))).as("%s: first differing state", cfg).isEqualTo(-1);
        }
    }

    @Test
    void aStateCarriesOverBetweenKernels() {
        AttentionConfig cfg = base(32, 2, 16).build();
        AttentionWeights w = EngineTestSupport.randomWeights(cfg, 3, true);
        RecurrentLinearAttention plain = new RecurrentLinearAttention(cfg, w, false);
        RecurrentLinearAttention vector = new RecurrentLinearAttention(cfg, w, true);
        double[][] xs = EngineTestSupport.inputs(9, 200, cfg.dModel());
        double[] y = new double[cfg.dOut()];
        ModelState reference = plain.newState();
        for (double[] x : xs) {
            plain.step(reference, x, 0, y, 0);
        }
        // first half on one kernel, second half on the other (a restore on a JVM without the module)
        ModelState mixed = vector.newState();
        for (int t = 0; t < xs.length; t++) {
            (t < 100 ? vector : plain).step(mixed, xs[t], 0, y, 0);
        }
        assertThat(firstDifference(stateBits(mixed), stateBits(reference))).as("first differing state element").isEqualTo(-1);
    }

    @Test
    void theVectorPathAllocatesNothingOnceCompiled() {
        for (Variant v : Variant.values()) {
            for (StatePrecision p : StatePrecision.values()) {
                AttentionConfig cfg = base(64, 4, 16).variant(v).statePrecision(p)
                        .featureMap(v == Variant.GATED || v == Variant.DELTA ? FeatureMapKind.RELU : FeatureMapKind.ELU)
                        .decay(v == Variant.DECAY ? new double[] {0.9, 0.95, 0.99, 1.0} : null).build();
                RecurrentLinearAttention layer =
                        new RecurrentLinearAttention(cfg, EngineTestSupport.randomWeights(cfg, 1, true), true);
                ModelState st = layer.newState();
                double[] x = EngineTestSupport.inputs(1, 1, 64)[0];
                double[] y = new double[cfg.dOut()];
                long allocated = EngineTestSupport.allocatedPerRoundAfterWarmUp(layer, st, x, y);
                // 20,000 steps: anything per step would be ≥ 16 bytes each, i.e. ≥ 320 kB
                assertThat(allocated).as(v + " " + p).isLessThan(4096);
            }
        }
    }

    private static List<AttentionConfig> configs() {
        List<AttentionConfig> out = new ArrayList<>();
        for (FeatureMapKind fm : FeatureMapKind.values()) {
            for (StatePrecision p : StatePrecision.values()) {
                out.add(base(32, 2, 16).featureMap(fm).statePrecision(p).build());
            }
        }
        // widths that are not whole vectors: d_model 13 (rows left over after passes of 8 and 4),
        // pWidth 3·2·6 = 36, d_v 6 (plain recurrence), d_out 11 (scalar column tail)
        out.add(base(13, 2, 6).dOut(11).build());
        out.add(base(20, 1, 24).dOut(20).build()); // one head, d_v 24 = three vectors of 8
        for (Variant v : Variant.values()) {
            out.add(base(32, 2, 16).variant(v).decay(v == Variant.DECAY ? new double[] {0.9, 0.99} : null)
                    .featureMap(v == Variant.LINEAR || v == Variant.DECAY ? FeatureMapKind.ELU : FeatureMapKind.RELU)
                    .build());
        }
        // float32 state: the fused float kernel (stochastic rounding) for gated and decay too
        out.add(base(32, 2, 16).variant(Variant.GATED).featureMap(FeatureMapKind.ELU)
                .statePrecision(StatePrecision.FLOAT32).build());
        out.add(base(32, 2, 16).variant(Variant.DECAY).decay(new double[] {1.0, 0.9})
                .statePrecision(StatePrecision.FLOAT32).build());
        out.add(base(32, 2, 16).variant(Variant.DELTA).featureMap(FeatureMapKind.RELU)
                .statePrecision(StatePrecision.FLOAT32).build());
        out.add(base(32, 2, 16).variant(Variant.DECAY).decay(new double[] {1.0, 1.0}).build()); // running means
        out.add(base(32, 2, 16).variant(Variant.DECAY).decay(new double[] {1.0, 0.95}).build()); // mixed: plain path
        return out;
    }

    private static AttentionConfig.Builder base(int dModel, int heads, int dHead) {
        return AttentionConfig.builder().dModel(dModel).heads(heads).dKey(dHead).dValue(dHead).dOut(dModel)
                .vocab("ACGTN");
    }

    /** Index of the first element whose bits differ (or the shorter length), -1 when identical. */
    private static int firstDifference(long[] a, long[] b) {
        int m = Arrays.mismatch(a, b);
        return m;
    }

    private static long[] bits(double[] a) {
        return Arrays.stream(a).mapToLong(Double::doubleToRawLongBits).toArray();
    }

    private static long[] stateBits(ModelState s) {
        if (s.doubles() != null) {
            return bits(s.doubles());
        }
        float[] f = s.floats();
        long[] out = new long[f.length];
        for (int i = 0; i < f.length; i++) {
            out[i] = Float.floatToRawIntBits(f[i]);
        }
        return out;
    }
}
