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

import java.util.List;
import org.junit.jupiter.api.Test;

/** The protocol between the demo and its memory children (see {@link MemoryProbe}). */
class MemoryCurvesTest {
    private static final List<MemorySeries.Sample> SAMPLES =
            List.of(new MemorySeries.Sample(0, 1_000_000), new MemorySeries.Sample(100, 9_000_000));

    @Test
    void theFinalMarkerGivesOutcomeTokensSecondsAndHeapLimit() {
        MemorySeries s = MemoryCurves.parseEnd("naive", SAMPLES,
                "#end out_of_memory tokens=100 seconds=1.250 max_heap=24379392 Java heap space", 0, "");
        assertThat(s.outcome()).isEqualTo(MemorySeries.Outcome.OUT_OF_MEMORY);
        assertThat(s.tokens()).isEqualTo(100);
        assertThat(s.seconds()).isEqualTo(1.25);
        assertThat(s.heapLimitBytes()).isEqualTo(24_379_392L);
        assertThat(s.detail()).isEqualTo("Java heap space");
        assertThat(s.maxSampleBytes()).isEqualTo(9_000_000);
        assertThat(s.describe()).contains("OutOfMemoryError after 100 tokens");
    }

    @Test
    void aChildKilledByOutOfMemoryWithoutItsMarkerStillCountsAsOutOfMemory() {
        MemorySeries s = MemoryCurves.parseEnd("kv", SAMPLES, null, 1,
                "Exception in thread \"main\" java.lang.OutOfMemoryError: Java heap space\n\tat ...");
        assertThat(s.outcome()).isEqualTo(MemorySeries.Outcome.OUT_OF_MEMORY);
        assertThat(s.tokens()).isEqualTo(100);
    }

    @Test
    void anyOtherCrashIsAFailureWithTheFirstErrorLine() {
        MemorySeries s = MemoryCurves.parseEnd("linear", List.of(), null, 1,
                "\nError: Could not find or load main class org.flinkla.demo.MemoryProbe\nCaused by: ...");
        assertThat(s.outcome()).isEqualTo(MemorySeries.Outcome.FAILED);
        assertThat(s.detail()).contains("exited with code 1")
                .contains("Could not find or load main class").doesNotContain("Caused by");
        assertThat(s.describe()).startsWith("linear attention (recurrent): failed");
    }

    @Test
    void theNaiveFormIsSampledFinerThanTheStreamingForms() {
        MemoryCurves.Options o = new MemoryCurves.Options("24m", 100_000, 30, 200);
        assertThat(o.every("linear")).isEqualTo(500);
        assertThat(o.every("kv")).isEqualTo(500);
        assertThat(o.every("naive")).isEqualTo(100);
        assertThat(o.every("softmax")).isEqualTo(100);
    }
}
