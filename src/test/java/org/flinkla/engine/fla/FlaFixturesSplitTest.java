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
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.flinkla.engine.ModelState;
import org.flinkla.engine.ModelStepper;
import org.flinkla.engine.StatePrecision;
import org.flinkla.model.FlaFixtures;
import org.flinkla.model.ModelLoader;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every FLA fixture decoded many tokens per call ({@code stepTokens}, and {@code steps} on the
 * embedding vectors) against the logits of the independent float64 reference, for several ways of
 * cutting the sequence into calls (calls of 1 are the token form, as a baseline). The long fixtures (300 tokens) reach the chunk form: a call of
 * 300 is a block of 256 rows in four chunks of 64 and a block of 44; calls of 100 cut chunks at
 * call boundaries; calls of 70 end in a chunk of 6, shorter than {@link FlaStepper#CHUNK_MIN},
 * stepped token by token; 3 + 261 + rest starts and ends blocks with such short pieces.
 *
 * <p>Asserted per case and split: float64 state within 1e-9 relative of the reference (absolute
 * floor 1e-12), float32 state within 1e-4 (floor 1e-6), as {@link FlaFixturesTest} asserts for
 * one token per call; the state counts every token; and the final float64 state gives the logits
 * of one more token within 1e-12 relative (norm-wise: largest difference over the logits divided
 * by their largest magnitude) of the state reached by stepping token by token.
 */
class FlaFixturesSplitTest {
    static final double NEXT_TOL = 1e-12;

    /** One way to cut a sequence into calls. */
    record Split(String name, boolean vectors, int[] calls) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** Call lengths: {@code first} in order, then calls of {@code every} until n tokens. */
    static int[] calls(int n, int every, int... first) {
        List<Integer> out = new ArrayList<>();
        int done = 0;
        for (int f : first) {
            if (done < n) {
                out.add(Math.min(f, n - done));
                done += out.get(out.size() - 1);
            }
        }
        while (done < n) {
            out.add(Math.min(every, n - done));
            done += out.get(out.size() - 1);
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    static List<Split> splits(int n) {
        return List.of(
                new Split("calls of 1", false, calls(n, 1)),
                new Split("one call", false, calls(n, n)),
                new Split("calls of 64", false, calls(n, 64)),
                new Split("calls of 100", false, calls(n, 100)),
                new Split("1+255+rest", false, calls(n, n, 1, 255)),
                new Split("calls of 70", false, calls(n, 70)),
                new Split("3+261+rest", false, calls(n, n, 3, 261)),
                new Split("steps: one call", true, calls(n, n)),
                new Split("steps: calls of 100", true, calls(n, 100)));
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (FlaFixtures.Case c : FlaFixtures.all()) {
            for (Split s : splits(c.ids.length)) {
                out.add(Arguments.of(c, s));
            }
        }
        return out.stream();
    }

    /** Decodes the ids in the split's calls; returns the logits [token][vocab]. */
    static double[][] decode(FlaLanguageModel m, ModelState s, int[] ids, Split split) {
        ModelStepper st = m.newStepper();
        int w = m.outputWidth();
        int d = m.inputWidth();
        double[] ys = new double[ids.length * w];
        double[] xs = new double[ids.length * d];
        for (int t = 0; t < ids.length; t++) {
            m.embedding(ids[t], xs, t * d);
        }
        int start = 0;
        for (int n : split.calls) {
            if (split.vectors) {
                st.steps(s, xs, start * d, n, ys, start * w);
            } else {
                st.stepTokens(s, ids, start, n, ys, start * w);
            }
            start += n;
            assertThat(s.tokens()).as(split + ": tokens after a call").isEqualTo(start);
        }
        assertThat(start).isEqualTo(ids.length);
        double[][] out = new double[ids.length][];
        for (int t = 0; t < ids.length; t++) {
            out[t] = Arrays.copyOfRange(ys, t * w, (t + 1) * w);
        }
        return out;
    }

    static double worst(double[][] got, double[][] want, double rel, double abs) {
        double w = 0;
        for (int t = 0; t < want.length; t++) {
            w = Math.max(w, FlaFixtures.errorRatio(got[t], want[t], rel, abs));
        }
        return w;
    }

    static double maxRelative(double[][] got, double[][] want) {
        double w = 0;
        for (int t = 0; t < want.length; t++) {
            w = Math.max(w, FlaFixtures.maxRelative(got[t], want[t]));
        }
        return w;
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("cases")
    void manyTokensPerCallMatchTheReference(FlaFixtures.Case c, Split split) {
        FlaLanguageModel m64 = (FlaLanguageModel) ModelLoader.load(c.dir, Map.of("state_precision", "float64"));
        FlaLanguageModel m32 = (FlaLanguageModel) ModelLoader.load(c.dir);
        assertThat(m64.statePrecision()).isEqualTo(StatePrecision.FLOAT64);
        assertThat(m32.statePrecision()).isEqualTo(StatePrecision.FLOAT32);

        ModelState s64 = m64.newState();
        double[][] got64 = decode(m64, s64, c.ids, split);
        ModelState s32 = m32.newState();
        double[][] got32 = decode(m32, s32, c.ids, split);

        // the same model stepped one token per call, then one more token from both states
        ModelStepper loop = m64.newStepper();
        ModelState sLoop = m64.newState();
        double[] scratch = new double[m64.outputWidth()];
        for (int id : c.ids) {
            loop.stepToken(sLoop, id, scratch, 0);
        }
        int next = c.ids[0];
        double[] yLoop = new double[m64.outputWidth()];
        double[] ySplit = new double[m64.outputWidth()];
        loop.stepToken(sLoop, next, yLoop, 0);
        m64.newStepper().stepToken(s64, next, ySplit, 0);
        assertThat(s64.tokens()).isEqualTo(c.ids.length + 1L);
        double nextRel = FlaChunkFormTest.relative(ySplit, 0, yLoop, 0, yLoop.length);

        // reported: the largest relative error of a logit, and the error in units of the tolerance
        double q64 = worst(got64, c.logits, 1e-9, 1e-12);
        double q32 = worst(got32, c.logits, 1e-4, 1e-6);
        System.out.printf("FLA fixture %-32s %-20s float64 %.3e (%.4f of tol)  float32 %.3e (%.3f of tol)"
                + "  next token vs token stepping %.3e%n",
                c.name, split, maxRelative(got64, c.logits), q64, maxRelative(got32, c.logits), q32, nextRel);
        assertThat(q64).as(c.name + ", " + split + ", float64").isLessThanOrEqualTo(1.0);
        assertThat(q32).as(c.name + ", " + split + ", float32").isLessThanOrEqualTo(1.0);
        assertThat(nextRel).as(c.name + ", " + split + ", next token").isLessThanOrEqualTo(NEXT_TOL);
    }
}
