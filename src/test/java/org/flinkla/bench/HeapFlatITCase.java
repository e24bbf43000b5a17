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
package org.flinkla.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.flinkla.engine.AttentionConfig;
import org.junit.jupiter.api.Test;

/**
 * Memory: heap after a full GC stays flat while one key's sequence grows from 10⁴ to 10⁶
 * tokens through the engine (the curves command takes it to 10⁷). Measured in a child JVM
 * ({@link ScalingProbe}, serial GC, -Xmx32m) so nothing else of the test run is on its heap. A
 * control run with the KV-cache softmax must show the growth the probe is there to catch.
 */
class HeapFlatITCase {

    @Test
    void linearAttentionHeapAfterGcIsFlatFrom1e4To1e6Tokens() throws Exception {
        SequenceLengthCurves.Series s = new SequenceLengthCurves("32m", 1_000_000, 600).runOne("linear");
        assertThat(s.outcome()).as(s.describe()).isEqualTo("completed");
        assertThat(s.tokens()).isEqualTo(1_000_000);
        List<SequenceLengthCurves.Point> window = s.points().stream()
                .filter(p -> p.tokens() >= 10_000 && p.tokens() <= 1_000_000).toList();
        assertThat(window.get(0).tokens()).isEqualTo(10_000);
        assertThat(window.get(window.size() - 1).tokens()).isEqualTo(1_000_000);
        assertThat(window).hasSizeGreaterThanOrEqualTo(20);
        long base = window.get(0).heapBytes();
        long max = window.stream().mapToLong(SequenceLengthCurves.Point::heapBytes).max().orElseThrow();
        // < 5% growth over two decades of sequence length
        assertThat(max - base).as("heap growth from 10^4 to 10^6 tokens (base %d bytes)", base)
                .isLessThan(base / 20);
    }

    @Test
    void controlKvCacheHeapGrowsWithTheSequence() throws Exception {
        SequenceLengthCurves.Series s = new SequenceLengthCurves("32m", 3162, 600).runOne("kv");
        assertThat(s.outcome()).as(s.describe()).isEqualTo("completed");
        long at1000 = heapAt(s, 1000);
        long at3162 = heapAt(s, 3162);
        AttentionConfig c = OperatorThroughput.benchModel().config();
        // the cache holds H·(d_k + d_v) doubles per token seen
        long perToken = (long) c.heads() * (c.dKey() + c.dValue()) * 8;
        assertThat(at3162 - at1000).isGreaterThanOrEqualTo((3162 - 1000) * perToken);
    }

    private static long heapAt(SequenceLengthCurves.Series s, long n) {
        return s.points().stream().filter(p -> p.tokens() == n).findFirst()
                .orElseThrow(() -> new AssertionError("no point at " + n + " tokens: " + s.points()))
                .heapBytes();
    }
}
