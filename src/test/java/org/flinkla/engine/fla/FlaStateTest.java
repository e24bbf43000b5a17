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

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.flinkla.engine.ModelState;
import org.flinkla.engine.ModelStepper;
import org.flinkla.engine.SequenceModel;
import org.flinkla.model.FlaFixtures;
import org.flinkla.testutils.Allocations;
import org.flinkla.model.ModelLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The flat state carries everything: a sequence cut into pieces, the state leaving through its
 * exported array between pieces (a fresh stepper and a re-wrapped state, as after a restore),
 * gives bit for bit the uninterrupted run; the chunk form of the recurrence matches single steps
 * (within 1e-12 relative in float64); the convolution
 * windows and RetNet's position are really read from the state.
 */
class FlaStateTest {
    static final int N = 150; // crosses the stepper's 64-token blocks

    /** Fixture models with short convolutions (K = 4, 2, 3) and RetNet, in both precisions. */
    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String c : new String[] {"gated_deltanet_default", "delta_net_elu_sum_nobeta", "gla_kv_conv_unfused",
                "retnet_kv_nogate"}) {
            for (String p : new String[] {"float64", "float32"}) {
                out.add(Arguments.of(c, p));
            }
        }
        return out.stream();
    }

    private static SequenceModel load(String name, String precision) {
        return ModelLoader.load(FlaFixtures.ROOT.resolve(name), Map.of("state_precision", precision));
    }

    private static int[] ids(SequenceModel m) {
        return new Random(9).ints(N, 0, m.vocabSize()).toArray();
    }

    /** One token at a time with stepToken; returns outputs and leaves the final state in {@code end}. */
    private static double[] singleSteps(SequenceModel m, int[] ids, ModelState end) {
        ModelStepper st = m.newStepper();
        ModelState s = m.newState();
        double[] ys = new double[ids.length * m.outputWidth()];
        for (int t = 0; t < ids.length; t++) {
            st.stepToken(s, ids[t], ys, t * m.outputWidth());
        }
        end.copyFrom(s);
        return ys;
    }

    /**
     * Pieces of {@code piece} tokens; odd pieces as embedding vectors through steps(), even ones as
     * ids through stepTokens(); with {@code export} the state goes to a plain array and is wrapped
     * again, with a fresh stepper, between pieces (as after a restore). {@code chunkMin} as
     * {@link FlaLanguageModel#newStepper(int)}.
     */
    private static double[] pieces(FlaLanguageModel m, int[] ids, int piece, ModelState end, boolean export,
                                   int chunkMin) {
        int w = m.outputWidth();
        int d = m.inputWidth();
        double[] ys = new double[ids.length * w];
        ModelState s = m.newState();
        ModelStepper st = m.newStepper(chunkMin);
        for (int start = 0, k = 0; start < ids.length; start += piece, k++) {
            int n = Math.min(piece, ids.length - start);
            if (export) {
                double[] doubles = s.doubles() == null ? null : s.doubles().clone();
                float[] floats = s.floats() == null ? null : s.floats().clone();
                s = ModelState.wrap(doubles, floats, s.tokens());
                st = m.newStepper(chunkMin);
            }
            if (k % 2 == 0) {
                st.stepTokens(s, ids, start, n, ys, start * w);
            } else {
                double[] xs = new double[n * d];
                for (int t = 0; t < n; t++) {
                    m.embedding(ids[start + t], xs, t * d);
                }
                st.steps(s, xs, 0, n, ys, start * w);
            }
        }
        end.copyFrom(s);
        return ys;
    }

    private static double relative(double[] got, double[] want, int off, int n) {
        double diff = 0;
        double mag = 0;
        for (int i = off; i < off + n; i++) {
            diff = Math.max(diff, Math.abs(got[i] - want[i]));
            mag = Math.max(mag, Math.abs(want[i]));
        }
        return diff / mag;
    }

    private static double[] values(ModelState s) {
        if (s.doubles() != null) {
            return s.doubles();
        }
        double[] v = new double[s.length()];
        for (int i = 0; i < v.length; i++) {
            v[i] = s.floats()[i];
        }
        return v;
    }

    /**
     * Calls of 1, 7, 64, 100 and 150 tokens: through the exported state (fresh stepper, re-wrapped
     * state) bit for bit the same calls without export (replays after a restore are exact); the
     * token loop (chunk form off) bit for bit single steps; the chunk form, used for blocks of
     * {@value FlaStepper#CHUNK_MIN} tokens or more, within 1e-12 relative of single steps with a
     * float64 state, and within 1e-4 with a float32 state (rounded once per chunk instead of
     * once per token).
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void piecesThroughTheExportedStateAreBitIdenticalAndChunksMatchSingleSteps(String name, String precision) {
        FlaLanguageModel m = (FlaLanguageModel) load(name, precision);
        int[] ids = ids(m);
        ModelState whole = m.newState();
        double[] expected = singleSteps(m, ids, whole);
        assertThat(whole.tokens()).isEqualTo(N);
        int w = m.outputWidth();
        double tol = precision.equals("float64") ? 1e-12 : 1e-4;
        for (int piece : new int[] {1, 7, 64, 100, N}) {
            ModelState end = m.newState();
            double[] got = pieces(m, ids, piece, end, true, FlaStepper.CHUNK_MIN);
            ModelState same = m.newState();
            assertThat(pieces(m, ids, piece, same, false, FlaStepper.CHUNK_MIN)).as("replay, pieces of " + piece)
                    .isEqualTo(got);
            assertThat(end).as("replayed state, pieces of " + piece).isEqualTo(same);

            ModelState loopEnd = m.newState();
            assertThat(pieces(m, ids, piece, loopEnd, true, Integer.MAX_VALUE)).as("token loop, pieces of " + piece)
                    .isEqualTo(expected);
            assertThat(loopEnd).as("token loop final state, pieces of " + piece).isEqualTo(whole);

            double worst = 0;
            for (int t = 0; t < N; t++) {
                worst = Math.max(worst, relative(got, expected, t * w, w));
            }
            double state = relative(values(end), values(whole), 0, m.stateLength());
            System.out.printf("%s %s pieces of %d: outputs %.2e, state %.2e vs single steps%n", name, precision, piece,
                    worst, state);
            assertThat(worst).as("outputs, pieces of " + piece).isLessThanOrEqualTo(tol);
            assertThat(state).as("final state, pieces of " + piece).isLessThanOrEqualTo(tol);
            assertThat(end.tokens()).isEqualTo(N);
            if (piece < FlaStepper.CHUNK_MIN) {
                assertThat(got).as("pieces of " + piece + " run the token loop").isEqualTo(expected);
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void theConvolutionWindowsAndTheRecurrentStateAreBothNeededToResume(String name, String precision) {
        SequenceModel m = load(name, precision);
        FlaConfig c = ((FlaLanguageModel) m).config();
        int[] ids = ids(m);
        int cut = 40;
        ModelState s = m.newState();
        ModelStepper st = m.newStepper();
        double[] head = new double[cut * m.outputWidth()];
        st.stepTokens(s, ids, 0, cut, head, 0);
        double[] rest = new double[(N - cut) * m.outputWidth()];
        ModelState resumed = s.copy();
        m.newStepper().stepTokens(resumed, ids, cut, N - cut, rest, 0);

        // clearing any one region of layer 0 changes what follows
        List<int[]> regions = new ArrayList<>();
        regions.add(new int[] {c.recurrentOffset(0), c.recurrentStateLength()});
        if (c.shortConv()) {
            int q = c.keyDim() * (c.convSize() - 1);
            int k = c.kProjRows() * (c.convSize() - 1);
            int v = c.vProjRows() * (c.convSize() - 1);
            if (c.convSize() > 1) {
                regions.add(new int[] {c.convOffset(0), q});
                regions.add(new int[] {c.convOffset(0) + q, k});
                regions.add(new int[] {c.convOffset(0) + q + k, v});
            }
            assertThat(c.convStateLength()).isEqualTo(q + k + v);
        }
        for (int[] r : regions) {
            ModelState broken = s.copy();
            if (broken.doubles() != null) {
                assertThat(Arrays.stream(broken.doubles(), r[0], r[0] + r[1]).anyMatch(x -> x != 0)).isTrue();
                Arrays.fill(broken.doubles(), r[0], r[0] + r[1], 0.0);
            } else {
                boolean any = false;
                for (int i = r[0]; i < r[0] + r[1]; i++) {
                    any |= broken.floats()[i] != 0;
                    broken.floats()[i] = 0f;
                }
                assertThat(any).isTrue();
            }
            double[] other = new double[rest.length];
            m.newStepper().stepTokens(broken, ids, cut, N - cut, other, 0);
            assertThat(other).as("region at " + r[0] + " cleared").isNotEqualTo(rest);
        }
    }

    @Test
    void retnetTakesItsRotaryPositionFromTheStatesTokenCount() {
        SequenceModel m = load("retnet_default", "float64");
        int[] ids = ids(m);
        ModelState s = m.newState();
        m.newStepper().stepTokens(s, ids, 0, 20, new double[20 * m.outputWidth()], 0);
        ModelState shifted = ModelState.wrap(s.doubles().clone(), null, s.tokens() + 1);
        double[] a = new double[m.outputWidth()];
        double[] b = new double[m.outputWidth()];
        m.newStepper().stepToken(s, ids[20], a, 0);
        m.newStepper().stepToken(shifted, ids[20], b, 0);
        assertThat(a).isNotEqualTo(b);
        assertThat(s.tokens()).isEqualTo(21);
    }

    /**
     * No allocation per token: after warm-up rounds (the JIT's escape analysis, and the Vector API
     * kernels, allocate until C2 has compiled them), a round of single steps, vector steps and
     * chunks allocates (almost) nothing.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void decodingAllocatesNothingPerToken(String name, String precision) {
        SequenceModel m = load(name, precision);
        ModelStepper st = m.newStepper();
        ModelState s = m.newState();
        int[] ids = ids(m);
        double[] x = new double[m.inputWidth() * 8];
        for (int t = 0; t < 8; t++) {
            ((FlaLanguageModel) m).embedding(ids[t], x, t * m.inputWidth());
        }
        double[] ys = new double[N * m.outputWidth()];
        long allocated = Allocations.afterWarmUp(40, 4096, () -> {
            for (int i = 0; i < 200; i++) {
                st.stepToken(s, ids[i % N], ys, 0);
                st.step(s, x, 0, ys, 0);
                st.steps(s, x, 0, 8, ys, 0);
                st.stepTokens(s, ids, 0, 70, ys, 0);
            }
        });
        assertThat(allocated).as("bytes allocated by 200 × 80 tokens").isLessThan(4096);
    }

    /**
     * The shipped DNA model (the demo's) in records of 60 symbols, as the demo's job steps it,
     * allocates nothing per token once compiled. (Whether C2 compiles a kernel into allocating
     * code can depend on the order in which it meets the kernels; this checks this test's order.)
     */
    @Test
    void theShippedDnaModelInRecordsOf60AllocatesNothingPerToken() {
        SequenceModel m = org.flinkla.model.ModelLoader.load(java.nio.file.Path.of("src/main/resources/models/dna/gdn"));
        ModelStepper st = m.newStepper();
        ModelState s = m.newState();
        int[] ids = new java.util.Random(6).ints(600, 0, 4).toArray();
        double[] ys = new double[60 * m.outputWidth()];
        long allocated = Allocations.afterWarmUp(60, 4096, () -> {
            for (int i = 0; i < 50; i++) {
                st.stepTokens(s, ids, (i % 10) * 60, 60, ys, 0);
            }
        });
        assertThat(allocated).as("bytes allocated by 50 records of 60 tokens").isLessThan(4096);
    }

    @Test
    void theStateLengthIsTheDocumentedLayout() {
        // gated_deltanet_default: hidden 32, 2 layers, 4 heads of d_k 8, d_v 16, conv 4
        FlaConfig c = ((FlaLanguageModel) load("gated_deltanet_default", "float32")).config();
        assertThat(c.recurrentStateLength()).isEqualTo(4 * 16 * 8);
        assertThat(c.convStateLength()).isEqualTo(3 * (32 + 32 + 64));
        assertThat(c.stateLength()).isEqualTo(2 * (512 + 384));
        assertThat(load("gated_deltanet_default", "float32").stateBytes()).isEqualTo(4L * 2 * (512 + 384));
        assertThat(load("gated_deltanet_default", "float64").stateBytes()).isEqualTo(8L * 2 * (512 + 384));
        // retnet_default: hidden 32, 4 heads, expand_k 1, expand_v 2 -> d_k 8, d_v 16, no conv, no position element
        FlaConfig r = ((FlaLanguageModel) load("retnet_default", "float32")).config();
        assertThat(r.stateLength()).isEqualTo(2 * 4 * 8 * 16);
    }

    @Test
    void float32AndFloat64WeightStorageGiveTheSameBits() {
        for (String name : new String[] {"gated_deltanet_gva_negeig_tied", "gla_kv_conv_unfused", "retnet_default"}) {
            FlaLanguageModel m = (FlaLanguageModel) load(name, "float64");
            assertThat(m.float32Weights()).as("F32 file").isTrue();
            java.util.Map<String, double[]> t = org.flinkla.model.FlaModelFilesAccess.tensors(FlaFixtures.ROOT.resolve(name), m.config());
            FlaLanguageModel d = new FlaLanguageModel(m.config(), t, m.vocab(), "float64 weights", false);
            assertThat(d.float32Weights()).isFalse();
            assertThat(d.weightBytes()).isEqualTo(2 * m.weightBytes());
            int[] ids = ids(m);
            assertThat(singleSteps(d, ids, d.newState())).as(name).isEqualTo(singleSteps(m, ids, m.newState()));
            ModelState a = m.newState();
            ModelState b = d.newState();
            double[] ya = new double[N * m.outputWidth()];
            double[] yb = new double[N * m.outputWidth()];
            m.newStepper().stepTokens(a, ids, 0, N, ya, 0);
            d.newStepper().stepTokens(b, ids, 0, N, yb, 0);
            assertThat(yb).isEqualTo(ya);
            assertThat(b).isEqualTo(a);
        }
    }

    @Test
    void aModelSurvivesJavaSerialization() throws Exception {
        SequenceModel m = load("gla_kv_conv_unfused", "float32");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(m);
        }
        SequenceModel back;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            back = (SequenceModel) in.readObject();
        }
        int[] ids = ids(m);
        assertThat(singleSteps(back, ids, back.newState())).isEqualTo(singleSteps(m, ids, m.newState()));
        assertThat(back.fingerprint()).isEqualTo(m.fingerprint());
    }
}
