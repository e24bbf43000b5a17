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
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class RecallScoreTest {
    /** Values (1,0), (0,1), (−1,0) in R²; the keys do not matter for scoring. */
    private static RecallStream handMade() {
        double[][] keys = {{1, 0}, {0, 1}, {1, 1}};
        double[][] values = {{1, 0}, {0, 1}, {-1, 0}};
        return new RecallStream(keys, values);
    }

    @Test
    void accuracyAndErrorOnAHandMadeCase() {
        RecallStream s = handMade();
        double[][] y = {
            {0.9, 0.1},   // closest to v0 (cos 0.994 vs 0.110 and −0.994): hit
            {0.6, 0.5},   // asked for v1 but closer to v0 (cos 0.768 vs 0.640): miss
            {0.0, 0.0},   // zero output has no direction: miss
        };
        RecallScore score = new RecallScore();
        score.add(s, y);
        assertThat(score.queries()).isEqualTo(3);
        assertThat(score.accuracy()).isEqualTo(1.0 / 3.0);
        // older half: pair 0 (hit); newer half: pairs 1 and 2 (both misses)
        assertThat(score.olderHalfAccuracy()).isEqualTo(1.0);
        assertThat(score.newerHalfAccuracy()).isEqualTo(0.0);
        // ‖(−0.1, 0.1)‖ = √0.02, ‖(0.6, −0.5)‖ = √0.61, ‖(1, 0)‖ = 1, each over ‖v‖ = 1
        assertThat(score.meanError()).isCloseTo((Math.sqrt(0.02) + Math.sqrt(0.61) + 1.0) / 3.0, within(1e-15));
    }

    @Test
    void aTieIsAMissAndScaleDoesNotMatter() {
        RecallStream s = handMade();
        // equally close to v0 and v1 (cos 1/√2 each)
        assertThat(RecallScore.isHit(s, 0, new double[] {1, 1})).isFalse();
        assertThat(RecallScore.isHit(s, 1, new double[] {1, 1})).isFalse();
        // within the margin is a tie too (cosines differ by ~5e-11), just outside it is not
        assertThat(RecallScore.isHit(s, 0, new double[] {1 + 1e-10, 1})).isFalse();
        assertThat(RecallScore.isHit(s, 0, new double[] {1 + 1e-8, 1})).isTrue();
        // direction counts, not length: a tiny or long vector along v1 is a hit
        assertThat(RecallScore.isHit(s, 1, new double[] {1e-9, 3e-8})).isTrue();
        assertThat(RecallScore.isHit(s, 1, new double[] {0.1, 30})).isTrue();
        assertThat(RecallScore.isHit(s, 2, new double[] {Double.NaN, 0})).isFalse();
        assertThat(RecallScore.relativeError(new double[] {0, 2}, new double[] {0, 4})).isEqualTo(0.5);
    }

    @Test
    void anOverwrittenValueIsAWrongAnswer() {
        double[][] keys = {{1, 0}, {0, 1}};
        // key 0 gets (1,0) then (0,1); key 1 gets (−1,0)
        RecallStream s = new RecallStream(keys, new int[] {0, 1, 0}, new double[][] {{1, 0}, {-1, 0}, {0, 1}});
        assertThat(s.truth(0)).isEqualTo(2);
        assertThat(s.truth(1)).isEqualTo(1);
        assertThat(RecallScore.isHit(s, 0, new double[] {0.9, 0.1})).isFalse();
        assertThat(RecallScore.isHit(s, 0, new double[] {0.1, 0.9})).isTrue();
        assertThatThrownBy(() -> new RecallStream(keys, new int[] {0, 0}, new double[][] {{1, 0}, {0, 1}}))
                .hasMessageContaining("key 1 is never written");
    }
}
