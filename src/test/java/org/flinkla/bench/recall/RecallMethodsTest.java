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
package org.flinkla.bench.recall;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Random;
import org.flinkla.engine.FeatureMapKind;
import org.flinkla.engine.Variant;
import org.junit.jupiter.api.Test;

/** Properties of the benchmark's methods on small, seeded streams (about a second in all). */
class RecallMethodsTest {
    private static final int DK = 16;

    private static RecallResult cell(List<RecallResult> rs, String method) {
        return rs.stream().filter(r -> r.method().equals(method)).findFirst().orElseThrow();
    }

    @Test
    void softmaxRecallsEveryKeyAtPEqualsDk() {
        List<RecallResult> rs = RecallBenchmark.run(RecallBenchmark.Task.RECALL, DK, DK, new int[] {DK}, 4, 11L, 64,
                List.of("softmax-sharp", "softmax"));
        assertThat(cell(rs, "softmax-sharp").queries()).isEqualTo(4L * DK);
        assertThat(cell(rs, "softmax-sharp").accuracy()).isGreaterThanOrEqualTo(0.99);
        assertThat(cell(rs, "softmax").accuracy()).isGreaterThanOrEqualTo(0.99);
        // β = 4√d_k = 16 on cosines: the match outweighs the others by e^16 against e^(16·cos) with cos ≲ 0.7
        assertThat(cell(rs, "softmax-sharp").meanError()).isLessThan(0.01);
    }

    @Test
    void vanillaLinearBlursAtFourDkPairsWhereSoftmaxDoesNot() {
        List<RecallResult> rs = RecallBenchmark.run(RecallBenchmark.Task.RECALL, DK, DK, new int[] {4 * DK}, 2, 12L, 64,
                List.of("softmax-sharp", "elu"));
        double soft = cell(rs, "softmax-sharp").accuracy();
        double elu = cell(rs, "elu").accuracy();
        assertThat(elu).isLessThan(soft);
        assertThat(elu).isLessThan(0.5);
    }

    /**
     * One-hot keys (distinct standard basis vectors, random order) stay orthonormal after relu and
     * L2 normalisation, so the delta rule with β = 1 stores each value exactly: S = Σ e_i v_iᵀ.
     */
    @Test
    void deltaRetrievesExactlyWithOrthonormalKeysUpToDk() {
        Random rnd = new Random(13);
        RecallMethod delta = RecallMethods.create("delta", DK, DK, 64);
        for (int p : new int[] {1, DK / 2, DK}) {
            RecallStream s = new RecallStream(oneHotKeys(p, DK, rnd), RecallStream.unitVectors(p, DK, rnd));
            double[][] y = delta.recall(s);
            RecallScore score = new RecallScore();
            score.add(s, y);
            assertThat(score.accuracy()).as("P = %d", p).isEqualTo(1.0);
            for (int i = 0; i < p; i++) {
                assertThat(RecallScore.relativeError(y[i], s.value(i))).as("P = %d, query %d", p, i)
                        .isLessThanOrEqualTo(1e-9);
            }
        }
    }

    /** Linear elu on the same one-hot keys blurs: every φ(k) shares the all-ones part of elu+1. */
    @Test
    void linearEluBlursEvenOnOrthonormalKeys() {
        Random rnd = new Random(14);
        RecallStream s = new RecallStream(oneHotKeys(DK, DK, rnd), RecallStream.unitVectors(DK, DK, rnd));
        RecallScore score = new RecallScore();
        score.add(s, RecallMethods.create("elu", DK, DK, 64).recall(s));
        assertThat(score.meanError()).isGreaterThan(0.5);
    }

    /**
     * With one pair the read-out of a linear method is v·D/(D + eps) (D = φ(q)·φ(k) ≈ 25 here), so it
     * is v to 1e-6 only if the query token adds nothing to z: this checks that it is hidden.
     */
    @Test
    void theQueryTokenIsInvisibleForFeatureMapsThatVanish() {
        Random rnd = new Random(15);
        for (String m : List.of("elu", "relu", "favor", "decay", "delta", "delta-elu")) {
            RecallStream s = RecallStream.random(DK, DK, 1, rnd);
            double[][] y = RecallMethods.create(m, DK, DK, 256).recall(s);
            assertThat(RecallScore.relativeError(y[0], s.value(0))).as(m).isLessThan(1e-6);
        }
    }

    /**
     * Overwrite task on one-hot keys: delta replaces the old value (S ← S + k̂(b − Sᵀk̂)ᵀ turns
     * Sᵀk̂ = a into b), while softmax, which cannot tell the two writes of a key apart, returns
     * their average (the other keys score 0 against e^16 for the match).
     */
    @Test
    void deltaOverwritesWhereSoftmaxAverages() {
        Random rnd = new Random(17);
        int p = DK;
        double[][] keys = oneHotKeys(p, DK, rnd);
        int[] order = new int[2 * p];
        for (int w = 0; w < order.length; w++) {
            order[w] = w % p;
        }
        RecallStream s = new RecallStream(keys, order, RecallStream.unitVectors(2 * p, DK, rnd));
        double[][] delta = RecallMethods.create("delta", DK, DK, 64).recall(s);
        double[][] soft = RecallMethods.create("softmax-sharp", DK, DK, 64).recall(s);
        for (int i = 0; i < p; i++) {
            assertThat(s.truth(i)).isEqualTo(p + i);
            assertThat(RecallScore.relativeError(delta[i], s.value(i))).isLessThanOrEqualTo(1e-9);
            double[] mean = new double[DK];
            for (int j = 0; j < DK; j++) {
                mean[j] = 0.5 * (s.writtenValue(i)[j] + s.writtenValue(p + i)[j]);
            }
            assertThat(RecallScore.relativeError(soft[i], mean)).isLessThan(1e-4);
        }
    }

    @Test
    void layersSelectBlocksAndGateDelta() {
        var c = RecallLayers.config(4, 3, FeatureMapKind.RELU, Variant.DELTA, 1, 0L);
        assertThat(c.dModel()).isEqualTo(2 * 4 + 3 + 1);
        var w = RecallLayers.weights(c, 2.0, 3.0, true);
        // q reads column i of the query block, k column 4 + i of the key block (and the flag)
        assertThat(w.queryWeight[1 * c.dModel() + 1]).isEqualTo(2.0);
        assertThat(w.keyWeight[2 * c.dModel() + 4 + 2]).isEqualTo(3.0);
        assertThat(w.keyWeight[2 * c.dModel() + c.dModel() - 1]).isEqualTo(RecallLayers.NULL_LOGIT);
        assertThat(w.keyBias).containsOnly(-RecallLayers.NULL_LOGIT);
        assertThat(w.valueWeight[0 * c.dModel() + 8]).isEqualTo(1.0);
        assertThat(w.betaBias).containsExactly(-RecallLayers.NULL_LOGIT);
    }

    static double[][] oneHotKeys(int p, int dk, Random rnd) {
        int[] perm = new int[dk];
        for (int i = 0; i < dk; i++) {
            perm[i] = i;
        }
        for (int i = dk - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        double[][] keys = new double[p][dk];
        for (int i = 0; i < p; i++) {
            keys[i][perm[i]] = 1.0;
        }
        return keys;
    }
}
