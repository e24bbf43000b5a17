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
import static org.flinkla.engine.EngineTestSupport.inputs;
import static org.flinkla.engine.EngineTestSupport.maxRelErr;
import static org.flinkla.engine.EngineTestSupport.randomWeights;
import static org.flinkla.engine.EngineTestSupport.runRecurrent;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The recurrence (O(d²) per token) equals the quadratic reference form, for every map, variant and shape. */
class RecurrentVsParallelTest {

    static Stream<Arguments> cases() {
        int[][] shapes = { // d_model, heads, d_k, d_v, d_out
            {8, 1, 4, 4, 8}, {12, 3, 4, 5, 7}, {16, 2, 8, 3, 16}, {5, 4, 2, 6, 3}};
        List<Arguments> out = new ArrayList<>();
        for (Variant variant : Variant.values()) {
            for (FeatureMapKind fm : FeatureMapKind.values()) {
                boolean narrow = fm == FeatureMapKind.ELU || fm == FeatureMapKind.RELU;
                if (!narrow && (variant == Variant.GATED || variant == Variant.DELTA)) {
                    continue;
                }
                for (int[] s : shapes) {
                    out.add(Arguments.of(variant, fm, s[0], s[1], s[2], s[3], s[4]));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1} d_model={2} H={3} d_k={4} d_v={5} d_out={6}")
    @MethodSource("cases")
    void recurrentEqualsParallel(Variant variant, FeatureMapKind fm, int dModel, int heads, int dk, int dv, int dOut) {
        AttentionConfig cfg = AttentionConfig.builder().dModel(dModel).heads(heads).dKey(dk).dValue(dv).dOut(dOut)
                .featureMap(fm).favorFeatures(24).variant(variant)
                // slow decays so that early tokens still matter after 60 steps
                .decay(variant == Variant.DECAY ? decays(heads) : null)
                .build();
        for (boolean biases : new boolean[] {true, false}) {
            AttentionWeights w = randomWeights(cfg, 11 + dModel * 31L + heads, biases);
            double[][] xs = inputs(5 + dk, 60, dModel);
            double[][] rec = runRecurrent(new RecurrentLinearAttention(cfg, w), xs);
            double[][] par = new ParallelLinearAttention(cfg, w).forward(xs);
            assertThat(maxRelErr(rec, par)).as("biases=" + biases).isLessThanOrEqualTo(1e-9);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("tokenCases")
    void tokenPathEqualsParallel(Variant variant, FeatureMapKind fm) {
        AttentionConfig cfg = AttentionConfig.builder().dModel(10).heads(2).dKey(4).dValue(3).dOut(6)
                .featureMap(fm).favorFeatures(16).variant(variant).vocab("ACGTN").build();
        AttentionWeights w = randomWeights(cfg, 99, true);
        int[] ids = new int[80];
        java.util.Random r = new java.util.Random(3);
        for (int i = 0; i < ids.length; i++) {
            ids[i] = r.nextInt(5);
        }
        RecurrentLinearAttention layer = new RecurrentLinearAttention(cfg, w);
        ModelState st = layer.newState();
        double[][] rec = new double[ids.length][cfg.dOut()];
        for (int t = 0; t < ids.length; t++) {
            layer.stepToken(st, ids[t], rec[t], 0);
        }
        double[][] par = new ParallelLinearAttention(cfg, w).forwardTokens(ids);
        assertThat(maxRelErr(rec, par)).isLessThanOrEqualTo(1e-9);
    }

    static Stream<Arguments> tokenCases() {
        return cases().map(a -> Arguments.of(a.get()[0], a.get()[1])).distinct();
    }

    private static double[] decays(int heads) {
        double[] g = new double[heads];
        for (int h = 0; h < heads; h++) {
            g[h] = 0.97 - 0.05 * h;
        }
        return g;
    }
}
