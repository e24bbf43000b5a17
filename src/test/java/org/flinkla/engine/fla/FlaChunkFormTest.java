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
package org.flinkla.engine.fla;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.flinkla.engine.ModelState;
import org.flinkla.engine.ModelStepper;
import org.flinkla.engine.StatePrecision;
import org.flinkla.engine.VectorSupport;
import org.flinkla.model.FlaFixtures;
import org.flinkla.model.FlaModelFiles;
import org.flinkla.model.ModelLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The chunk form of every mixer against token-by-token stepping of the same model, float64 state:
 * outputs and the state at every chunk end agree within 1e-12 relative (norm-wise: the largest
 * difference over a token's logits, or over a layer's state, divided by the largest magnitude
 * there). Every fixture (each architecture and option the loader supports: GVA, allow_neg_eigval,
 * use_beta, qk activations and norms, GLA clamp and kv heads, RetNet) and random-weight models of
 * other shapes (head sizes that fill the vector kernels and odd ones that leave tails).
 */
class FlaChunkFormTest {
    static final int N = 300; // a block of 256 rows (chunks of 64) and one of 44: every chunk in the chunk form
    static final double TOL = 1e-12;

    static Stream<Arguments> fixtures() {
        List<Arguments> out = new ArrayList<>();
        for (FlaFixtures.Case c : FlaFixtures.all()) {
            out.add(Arguments.of(c.name, ModelLoader.load(c.dir, Map.of("state_precision", "float64"))));
        }
        return out.stream();
    }

    static FlaLanguageModel random(FlaConfig cfg, long seed) {
        return new FlaLanguageModel(cfg, FlaModelFiles.random(cfg, seed), null, "random " + seed);
    }

    static Stream<Arguments> randomModels() {
        List<Arguments> out = new ArrayList<>();
        FlaConfig.Builder[] bs = {
            FlaConfig.builder(FlaArchitecture.GATED_DELTANET).hiddenSize(64).heads(2).headKDim(32).headVDim(64)
                    .shortConv(true, 4).outputGate(true),
            FlaConfig.builder(FlaArchitecture.GATED_DELTANET).hiddenSize(48).heads(2).valueHeads(4).headKDim(12)
                    .headVDim(20).shortConv(false, 4).outputGate(false).allowNegEigval(true),
            FlaConfig.builder(FlaArchitecture.DELTA_NET).hiddenSize(48).heads(3).headKDim(16).headVDim(24)
                    .shortConv(true, 3).allowNegEigval(true).qkActivation(Activation.RELU),
            FlaConfig.builder(FlaArchitecture.DELTA_NET).hiddenSize(40).heads(2).headKDim(10).headVDim(18)
                    .shortConv(false, 4).useBeta(false).qkL2Norm(false).qkActivation(Activation.ELU_P1),
            FlaConfig.builder(FlaArchitecture.GLA).hiddenSize(64).heads(4).kvHeads(2).headKDim(16).headVDim(32)
                    .shortConv(true, 4).clampMin(-0.5),
            FlaConfig.builder(FlaArchitecture.GLA).hiddenSize(36).heads(3).headKDim(12).headVDim(14)
                    .shortConv(false, 4).outputGate(false),
            FlaConfig.builder(FlaArchitecture.RETNET).hiddenSize(64).heads(4).kvHeads(2).headKDim(16).headVDim(32),
            FlaConfig.builder(FlaArchitecture.RETNET).hiddenSize(30).heads(3).headKDim(10).headVDim(22)
                    .outputGate(false),
        };
        long seed = 1;
        for (FlaConfig.Builder b : bs) {
            FlaConfig cfg = b.vocabSize(11).layers(2).intermediateSize(64).statePrecision(StatePrecision.FLOAT64).build();
            out.add(Arguments.of(cfg.toString(), random(cfg, seed++)));
        }
        return out.stream();
    }

    static double relative(double[] got, int gOff, double[] want, int wOff, int n) {
        double diff = 0;
        double mag = 0;
        for (int i = 0; i < n; i++) {
            diff = Math.max(diff, Math.abs(got[gOff + i] - want[wOff + i]));
            mag = Math.max(mag, Math.abs(want[wOff + i]));
        }
        return mag == 0 ? diff : diff / mag;
    }

    /**
     * Feeds the ids in calls of {@code piece} tokens to a chunk-form stepper and a token-loop stepper;
     * returns the worst relative difference of the outputs and of every layer's state after every call.
     */
    static double[] compare(FlaLanguageModel m, int[] ids, int piece) {
        ModelStepper chunked = m.newStepper();
        ModelStepper loop = m.newStepper(Integer.MAX_VALUE);
        ModelState a = m.newState();
        ModelState b = m.newState();
        int w = m.outputWidth();
        double[] ya = new double[ids.length * w];
        double[] yb = new double[ids.length * w];
        FlaConfig c = m.config();
        double worstOut = 0;
        double worstState = 0;
        for (int start = 0; start < ids.length; start += piece) {
            int n = Math.min(piece, ids.length - start);
            chunked.stepTokens(a, ids, start, n, ya, start * w);
            loop.stepTokens(b, ids, start, n, yb, start * w);
            for (int l = 0; l < c.layers(); l++) {
                worstState = Math.max(worstState, relative(a.doubles(), c.recurrentOffset(l), b.doubles(),
                        c.recurrentOffset(l), c.recurrentStateLength()));
                if (c.shortConv()) {
                    // the convolution windows are the same inputs either way
                    worstState = Math.max(worstState, relative(a.doubles(), c.convOffset(l), b.doubles(),
                            c.convOffset(l), c.convStateLength()));
                }
            }
            assertThat(a.tokens()).isEqualTo(b.tokens());
        }
        for (int t = 0; t < ids.length; t++) {
            worstOut = Math.max(worstOut, relative(ya, t * w, yb, t * w, w));
        }
        return new double[] {worstOut, worstState};
    }

    private static void check(String name, FlaLanguageModel m) {
        int[] ids = new Random(5).ints(N, 0, m.vocabSize()).toArray();
        for (int piece : new int[] {N, 64, 40, 17}) {
            double[] e = compare(m, ids, piece);
            System.out.printf("chunk form %-60s pieces of %3d: outputs %.2e, state %.2e%n",
                    name.length() > 60 ? name.substring(0, 60) : name, piece, e[0], e[1]);
            assertThat(e[0]).as(name + " outputs, pieces of " + piece).isLessThanOrEqualTo(TOL);
            assertThat(e[1]).as(name + " state at chunk ends, pieces of " + piece).isLessThanOrEqualTo(TOL);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void everyFixtureMatchesTokenSteppingWithin1e12(String name, FlaLanguageModel m) {
        check(name, m);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("randomModels")
    void randomModelsMatchTokenSteppingWithin1e12(String name, FlaLanguageModel m) {
        check(name, m);
    }

    static List<FlaFixtures.Case> fixtureCases() {
        return FlaFixtures.all();
    }

    /**
     * Each fixture sequence (16 to 300 tokens) as one call against the logits of the independent
     * reference: float64 state within 1e-9 relative, float32 state within 1e-4, as token-by-token
     * decoding must ({@link FlaFixturesSplitTest} cuts the sequences into calls in more ways).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtureCases")
    void aWholeFixtureAsOneChunkMatchesTheReference(FlaFixtures.Case c) {
        assertThat(c.ids.length).isGreaterThanOrEqualTo(FlaStepper.CHUNK_MIN);
        for (String precision : new String[] {"float64", "float32"}) {
            FlaLanguageModel m = (FlaLanguageModel) ModelLoader.load(c.dir, Map.of("state_precision", precision));
            ModelState s = m.newState();
            double[] ys = new double[c.ids.length * m.outputWidth()];
            m.newStepper().stepTokens(s, c.ids, 0, c.ids.length, ys, 0);
            double rel = precision.equals("float64") ? 1e-9 : 1e-4;
            double abs = precision.equals("float64") ? 1e-12 : 1e-6;
            double worst = 0;
            for (int t = 0; t < c.ids.length; t++) {
                double[] row = java.util.Arrays.copyOfRange(ys, t * m.outputWidth(), (t + 1) * m.outputWidth());
                worst = Math.max(worst, FlaFixtures.errorRatio(row, c.logits[t], rel, abs));
            }
            assertThat(worst).as(c.name + " " + precision).isLessThanOrEqualTo(1.0);
        }
    }

    /** Strong decays: GLA's pieces split where e^{−B} would pass e^50, the gates of Gated DeltaNet underflow. */
    @Test
    void extremeDecaysStayWithinTolerance() {
        Random r = new Random(3);
        int n = 64;
        int dk = 8;
        int dv = 12;
        int ps = 3 * 16 + dk;
        double[] p = new double[n * ps];
        for (int i = 0; i < p.length; i++) {
            p[i] = r.nextGaussian();
        }
        ChunkRecurrence cr = new ChunkRecurrence(n, dk, dv);
        // GLA: log decays down to −20 per token and channel
        double[] logA = new double[n * dk];
        for (int i = 0; i < logA.length; i++) {
            logA[i] = -20 * r.nextDouble() * r.nextDouble() * r.nextDouble();
        }
        double[] s0 = new double[dv * dk];
        for (int i = 0; i < s0.length; i++) {
            s0[i] = r.nextGaussian();
        }
        double[] sChunk = s0.clone();
        double[] oChunk = new double[n * dv];
        cr.gla(sChunk, null, 0, n, p, ps, 0, 16, 32, logA, 0, dk, oChunk, 0, dv);
        double[] sLoop = s0.clone();
        double[] oLoop = new double[n * dv];
        for (int t = 0; t < n; t++) {
            for (int i = 0; i < dv; i++) {
                double o = 0;
                for (int c = 0; c < dk; c++) {
                    double v = sLoop[i * dk + c] * Math.exp(logA[t * dk + c]) + p[t * ps + 32 + i] * p[t * ps + 16 + c];
                    sLoop[i * dk + c] = v;
                    o += v * p[t * ps + c];
                }
                oLoop[t * dv + i] = o;
            }
        }
        for (int t = 0; t < n; t++) {
            assertThat(relative(oChunk, t * dv, oLoop, t * dv, dv)).as("GLA token " + t).isLessThanOrEqualTo(TOL);
        }
        assertThat(relative(sChunk, 0, sLoop, 0, s0.length)).as("GLA state").isLessThanOrEqualTo(TOL);

        // gated delta rule with log gates down to −30 and β up to 2
        double[] beta = new double[n];
        double[] gate = new double[n];
        for (int t = 0; t < n; t++) {
            beta[t] = 2 * r.nextDouble();
            gate[t] = -30 * Math.pow(r.nextDouble(), 4);
            norm(p, t * ps, dk);
            norm(p, t * ps + 16, dk);
        }
        sChunk = s0.clone();
        cr.delta(sChunk, null, 0, n, p, ps, 0, 16, 32, beta, 0, 1, gate, 0, 1, oChunk, 0, dv);
        sLoop = s0.clone();
        double[] row = new double[dk];
        for (int t = 0; t < n; t++) {
            FlaStepper.deltaHeadScalar(sLoop, null, 0, dv, dk, Math.exp(gate[t]), beta[t], p, t * ps, t * ps + 16,
                    t * ps + 32, oLoop, t * dv, row);
        }
        for (int t = 0; t < n; t++) {
            assertThat(relative(oChunk, t * dv, oLoop, t * dv, dv)).as("delta token " + t).isLessThanOrEqualTo(TOL);
        }
        assertThat(relative(sChunk, 0, sLoop, 0, s0.length)).as("delta state").isLessThanOrEqualTo(TOL);
    }

    private static void norm(double[] x, int off, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += x[off + i] * x[off + i];
        }
        for (int i = 0; i < n; i++) {
            x[off + i] /= Math.sqrt(s);
        }
    }

    @Test
    void theVectorProductKernelHasThePlainBits() {
        if (!VectorSupport.enabled()) {
            return;
        }
        Random r = new Random(11);
        for (int[] shape : new int[][] {{1, 1, 1}, {3, 5, 7}, {4, 64, 16}, {9, 33, 40}, {128, 64, 128}, {6, 17, 8}, {16, 5, 37}, {8, 3, 24}, {13, 2, 9}}) {
            int rows = shape[0];
            int inner = shape[1];
            int cols = shape[2];
            double[] a = new double[rows * inner * 2 + 3];
            double[] b = new double[inner * (cols + 5) + 2];
            for (int i = 0; i < a.length; i++) {
                a[i] = r.nextGaussian();
            }
            for (int i = 0; i < b.length; i++) {
                b[i] = r.nextGaussian();
            }
            for (boolean acc : new boolean[] {false, true}) {
                for (boolean transposed : new boolean[] {false, true}) {
                    int aRow = transposed ? 1 : inner;
                    int aCol = transposed ? rows : 1;
                    double[] c1 = new double[rows * (cols + 3) + 1];
                    for (int i = 0; i < c1.length; i++) {
                        c1[i] = r.nextGaussian();
                    }
                    double[] c2 = c1.clone();
                    ChunkRecurrence.mmScalar(a, 3, aRow, aCol, b, 2, cols + 5, c1, 1, cols + 3, rows, inner, cols, acc);
                    ChunkVectorKernels.mm(a, 3, aRow, aCol, b, 2, cols + 5, c2, 1, cols + 3, rows, inner, cols, acc);
                    assertThat(c2).as(java.util.Arrays.toString(shape) + " acc " + acc + " transposed " + transposed)
                            .isEqualTo(c1);
                }
            }
        }
    }
}
