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
package org.flinkla.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class TimelineTest {
    private static final long S = 1_000_000_000L;

    @Test
    void firstBatchArrivesAtItsOwnTimeNotInterpolatedFromZero() {
        Timeline t = new Timeline(0, 0);
        t.record(2 * S, 1_000);     // job start-up: nothing for 2 s, then a batch
        t.record(3 * S, 6_000);
        t.finish(4 * S, 11_000);
        assertThat(t.timeAt(1)).isEqualTo(2.0);
        assertThat(t.timeAt(1_000)).isEqualTo(2.0);
        assertThat(t.timeAt(3_500)).isCloseTo(2.5, within(1e-12));
        assertThat(t.timeAt(11_001)).isNaN();
    }

    @Test
    void steadyRateLeavesOutStartUpAndTheLastCommit() {
        Timeline t = new Timeline(0, 0);
        t.record(5 * S, 10);
        for (int i = 1; i <= 10; i++) {
            t.record(5 * S + i * S / 10, 10 + i * 1_000);   // 10,000 outputs/s once flowing
        }
        t.finish(8 * S, 10_010);                            // a slow final commit
        assertThat(t.rateBetween(0.1, 0.9)).isCloseTo(10_000, within(1e-6));
    }

    @Test
    void pointsCloserThanTheMinimumGapAreSkippedButTheLastIsKept() {
        Timeline t = new Timeline(0, S);
        t.record(S / 2, 5);
        t.record(S, 10);
        t.record(S + 1, 11);
        t.finish(S + 2, 12);
        assertThat(t.counts()).containsExactly(0, 10, 12);
    }
}
