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
package org.flinkla.flink;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.flinkla.engine.AttentionConfig;
import org.flinkla.engine.RecurrentLinearAttention;
import org.flinkla.records.RejectReasons;
import org.junit.jupiter.api.Test;

/** The metric names of the README table are the ones registered. */
class LinearAttentionMetricsTest {

    /** Records every metric under its dotted path. */
    static final class RecordingGroup extends UnregisteredMetricsGroup {
        final String prefix;
        final Map<String, Metric> all;

        RecordingGroup(String prefix, Map<String, Metric> all) {
            this.prefix = prefix;
            this.all = all;
        }

        @Override
        public Counter counter(String name) {
            return counter(name, new SimpleCounter());
        }

        @Override
        public <C extends Counter> C counter(String name, C counter) {
            all.put(prefix + name, counter);
            return counter;
        }

        @Override
        public <T, G extends Gauge<T>> G gauge(String name, G gauge) {
            all.put(prefix + name, gauge);
            return gauge;
        }

        @Override
        public <H extends Histogram> H histogram(String name, H histogram) {
            all.put(prefix + name, histogram);
            return histogram;
        }

        @Override
        public MetricGroup addGroup(String name) {
            return new RecordingGroup(prefix + name + ".", all);
        }

        @Override
        public MetricGroup addGroup(String key, String value) {
            return new RecordingGroup(prefix + key + "." + value + ".", all);
        }
    }

    @Test
    void registersTheDocumentedMetrics() {
        AttentionConfig c = TestModels.config();
        LinearAttentionFunction fn = LinearAttention.builder(c, TestModels.weights(c, 1)).build().function();
        Map<String, Metric> all = new TreeMap<>();
        long bytes = SequenceStateSerializer.serializedBytes(c.statePrecision(),
                new RecurrentLinearAttention(c, TestModels.weights(c, 1)).stateLength());
        fn.registerMetrics(new RecordingGroup("", all), bytes);

        String g = LinearAttentionMetrics.GROUP + ".";
        assertThat(all).containsKeys(g + "recordsIn", g + "tokensIn", g + "outputsOut", g + "rejected",
                g + "replayedTokensDropped", g + "gaps", g + "gapTokens", g + "resets");
        for (String code : RejectReasons.ALL) {
            assertThat(all).containsKey(g + "reason." + code + ".rejected");
        }
        assertThat(all.get(g + "stateBytesPerKey")).isInstanceOf(Gauge.class);
        // 2 heads × (d_φ·d_v + d_φ) = 2 × (4·4 + 4) = 40 float64 values + the 35-byte header
        assertThat(((Gauge<?>) all.get(g + "stateBytesPerKey")).getValue()).isEqualTo(35L + 40 * 8);
        assertThat(all.get(g + "recordProcessingNanos")).isInstanceOf(Histogram.class);
    }
}
