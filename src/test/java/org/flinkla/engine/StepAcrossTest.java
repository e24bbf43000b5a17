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
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.flinkla.model.FlaFixtures;
import org.flinkla.model.FtFixtures;
import org.flinkla.model.Model;
import org.flinkla.model.ModelLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link ModelStepper#stepAcross}: one token for each of many sequences at once gives bit for bit
 * the outputs and states of stepping each sequence alone, for every architecture (FLA mixers,
 * fast-transformers stacks, the single layer's variants) in both state precisions, with the
 * sequences at different positions and bundles larger than the steppers' blocks.
 */
class StepAcrossTest {
    /** Sequences per bundle: crosses the FLA stepper's 64-row blocks and the stack's 16-row blocks. */
    static final int KEYS = 70;
    static final int ROUNDS = 3;

    static Stream<Arguments> models() throws Exception {
        List<Arguments> out = new ArrayList<>();
        for (String p : new String[] {"float64", "float32"}) {
            try (Stream<Path> dirs = Files.list(FlaFixtures.ROOT)) {
                for (Path d : (Iterable<Path>) dirs.sorted()::iterator) {
                    if (!d.getFileName().toString().endsWith("_sharded")) {
                        out.add(Arguments.of("fla " + d.getFileName() + " " + p,
                                ModelLoader.load(d, Map.of("state_precision", p))));
                    }
                }
            }
            for (String name : FtFixtures.LINEAR) {
                out.add(Arguments.of("ft " + name + " " + p,
                        ModelLoader.load(FtFixtures.file(name), Map.of("state_precision", p))));
            }
            StatePrecision sp = p.equals("float64") ? StatePrecision.FLOAT64 : StatePrecision.FLOAT32;
            AttentionConfig base = AttentionConfig.builder().dModel(8).heads(3).dKey(4).dValue(3).dOut(5)
                    .vocab("ACGT").statePrecision(sp).build();
            List<AttentionConfig> layers = List.of(base,
                    base.toBuilder().variant(Variant.DECAY).decay(new double[] {1.0, 0.9, 0.5}).build(),
                    base.toBuilder().variant(Variant.GATED).build(),
                    base.toBuilder().variant(Variant.DELTA).build());
            long seed = 11;
            for (AttentionConfig c : layers) {
                out.add(Arguments.of("layer " + c.variant() + " " + p,
                        new Model(c, EngineTestSupport.randomWeights(c, seed++, true), "test")));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void bundlesEqualEachSequenceAloneBitForBit(String name, SequenceModel m) {
        Random r = new Random(name.hashCode());
        int w = m.outputWidth();
        int dIn = m.inputWidth();
        boolean ids = m.vocabSize() > 0;
        ModelStepper alone = m.newStepper();
        ModelStepper across = m.newStepper();
        ModelState[] a = new ModelState[KEYS];
        ModelState[] b = new ModelState[KEYS];
        for (int k = 0; k < KEYS; k++) {
            a[k] = m.newState();
            // different positions per sequence (RetNet's rotary phase, running means)
            int prefix = k % 7;
            double[] y = new double[w];
            for (int t = 0; t < prefix; t++) {
                if (ids) {
                    alone.stepToken(a[k], r.nextInt(m.vocabSize()), y, 0);
                } else {
                    alone.step(a[k], gaussian(r, dIn), 0, y, 0);
                }
            }
            b[k] = a[k].copy();
        }
        int yStride = w + 3; // a stride wider than the output: rows land where asked
        for (int round = 0; round < 2 * ROUNDS; round++) {
            boolean vectors = !ids || (dIn > 0 && round % 2 == 1);
            int n = round == 0 ? 1 : KEYS - round; // a bundle of one, then large ones
            int[] order = permutation(r, KEYS);
            ModelState[] bundle = new ModelState[n];
            int[] tok = new int[n];
            double[] xs = vectors ? new double[n * (dIn + 1)] : null;
            double[] expected = new double[n * w];
            double[] got = new double[5 + n * yStride];
            for (int i = 0; i < n; i++) {
                int k = order[i];
                bundle[i] = b[k];
                if (vectors) {
                    double[] x = gaussian(r, dIn);
                    System.arraycopy(x, 0, xs, i * (dIn + 1), dIn);
                    alone.step(a[k], x, 0, expected, i * w);
                } else {
                    tok[i] = r.nextInt(m.vocabSize());
                    alone.stepToken(a[k], tok[i], expected, i * w);
                }
            }
            if (vectors) {
                across.stepAcross(bundle, xs, dIn + 1, n, got, 5, yStride);
            } else {
                across.stepAcross(bundle, tok, n, got, 5, yStride);
            }
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < w; j++) {
                    assertThat(Double.doubleToRawLongBits(got[5 + i * yStride + j]))
                            .as("round %d row %d output %d", round, i, j)
                            .isEqualTo(Double.doubleToRawLongBits(expected[i * w + j]));
                }
            }
            for (int k = 0; k < KEYS; k++) {
                assertThat(b[k]).as("state of sequence %d after round %d", k, round).isEqualTo(a[k]);
            }
        }
    }

    @Test
    void aBadIdChangesNoStateOfTheFlaBundle() {
        SequenceModel m = ModelLoader.load(FlaFixtures.ROOT.resolve("gated_deltanet_default"), Map.of());
        ModelState[] s = {m.newState(), m.newState()};
        ModelState[] before = {s[0].copy(), s[1].copy()};
        assertThatThrownBy(() -> m.newStepper().stepAcross(s, new int[] {1, m.vocabSize()}, 2,
                new double[2 * m.outputWidth()], 0, m.outputWidth()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("token id");
        assertThat(s).containsExactly(before);
    }

    private static int[] permutation(Random r, int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    private static double[] gaussian(Random r, int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = r.nextGaussian();
        }
        return x;
    }
}
