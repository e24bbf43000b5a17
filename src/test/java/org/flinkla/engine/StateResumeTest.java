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
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Split and resume through the exported flat state is bit-identical to an uninterrupted run, for
 * every variant, both precisions and both input paths; cutting the sequence into pieces of 1, 7 or
 * 64 tokens (a fresh layer and a re-wrapped state per piece, as after a checkpoint restore) changes
 * nothing.
 */
class StateResumeTest {
    static final int N = 300;

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (Variant v : Variant.values()) {
            for (StatePrecision p : StatePrecision.values()) {
                out.add(Arguments.of(v, FeatureMapKind.ELU, p));
            }
        }
        out.add(Arguments.of(Variant.LINEAR, FeatureMapKind.FAVOR, StatePrecision.FLOAT64));
        out.add(Arguments.of(Variant.LINEAR, FeatureMapKind.TAYLOR, StatePrecision.FLOAT32));
        out.add(Arguments.of(Variant.DECAY, FeatureMapKind.RELU, StatePrecision.FLOAT64));
        return out.stream();
    }

    private static AttentionConfig config(Variant v, FeatureMapKind fm, StatePrecision p) {
        return AttentionConfig.builder().dModel(12).heads(3).dKey(4).dValue(5).dOut(7)
                .featureMap(fm).favorFeatures(16).variant(v).statePrecision(p).vocab("ACGTN").build();
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("cases")
    void piecesThroughExportedStateAreBitIdentical(Variant v, FeatureMapKind fm, StatePrecision p) {
        AttentionConfig cfg = config(v, fm, p);
        AttentionWeights w = EngineTestSupport.randomWeights(cfg, 17, true);
        double[][] xs = EngineTestSupport.inputs(8, N, cfg.dModel());
        int[] ids = new Random(4).ints(N, 0, 5).toArray();

        double[][] whole = run(cfg, w, xs, ids, N);
        for (int piece : new int[] {1, 7, 64}) {
            assertThat(run(cfg, w, xs, ids, piece)).as("pieces of " + piece).isDeepEqualTo(whole);
        }
    }

    /** Alternates vector and token inputs; between pieces the state leaves through its flat array. */
    private static double[][] run(AttentionConfig cfg, AttentionWeights w, double[][] xs, int[] ids, int piece) {
        double[][] ys = new double[N][cfg.dOut()];
        double[] doubles = null;
        float[] floats = null;
        long tokens = 0;
        for (int start = 0; start < N; start += piece) {
            RecurrentLinearAttention layer = new RecurrentLinearAttention(cfg, w);
            ModelState st = start == 0 ? layer.newState() : ModelState.wrap(doubles, floats, tokens);
            for (int t = start; t < Math.min(N, start + piece); t++) {
                if (t % 3 == 0) {
                    layer.stepToken(st, ids[t], ys[t], 0);
                } else {
                    layer.step(st, xs[t], 0, ys[t], 0);
                }
            }
            ModelState exported = st.copy();
            doubles = exported.doubles() == null ? null : exported.doubles().clone();
            floats = exported.floats() == null ? null : exported.floats().clone();
            tokens = exported.tokens();
        }
        return ys;
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("cases")
    void tokenPathEqualsVectorPathBitForBit(Variant v, FeatureMapKind fm, StatePrecision p) {
        AttentionConfig cfg = config(v, fm, p);
        AttentionWeights w = EngineTestSupport.randomWeights(cfg, 23, false);
        RecurrentLinearAttention layer = new RecurrentLinearAttention(cfg, w);
        ModelState a = layer.newState();
        ModelState b = layer.newState();
        double[] ya = new double[cfg.dOut()];
        double[] yb = new double[cfg.dOut()];
        Random r = new Random(6);
        for (int t = 0; t < 200; t++) {
            int id = r.nextInt(5);
            layer.stepToken(a, id, ya, 0);
            layer.step(b, w.embedding, id * cfg.dModel(), yb, 0);
            assertThat(ya).isEqualTo(yb);
        }
        assertThat(a).isEqualTo(b);
    }
}
