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

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.flinkla.records.AttentionOutput;
import org.flinkla.records.RecordTypes;
import org.flinkla.records.RejectedRecord;
import org.flinkla.records.TokenRecord;
import org.flinkla.testutils.CollectingSink;
import org.flinkla.testutils.FailOnceAfterCheckpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Bundling in a real (mini) cluster at parallelism 2 with an FLA model, on the random stream of
 * {@link BundledAttentionOperatorTest#stream} (many keys, single tokens, chunks, replays, gaps,
 * resets, bad records): per key the same outputs and dead letters as without bundling; and a
 * failure after a checkpoint restores to exactly the state of that checkpoint — the records that
 * were in a bundle at the barrier were absorbed before it, none twice, none lost.
 */
class BundledAttentionITCase {
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(2)
                    .build());

    static final int RECORDS = 1200;
    static final long SEED = 4242;

    /** Record i of the random stream; slowed down so that checkpoints fall mid-stream. */
    static final class ToRecord extends RichMapFunction<Long, TokenRecord> {
        private static final long serialVersionUID = 1L;
        private final ModelReference model;
        private final long sleepMicros;
        private transient List<TokenRecord> records;

        ToRecord(ModelReference model, long sleepMicros) {
            this.model = model;
            this.sleepMicros = sleepMicros;
        }

        @Override
        public void open(OpenContext ctx) {
            records = BundledAttentionOperatorTest.stream(model.resolve(), SEED, RECORDS);
        }

        @Override
        public TokenRecord map(Long i) throws Exception {
            if (sleepMicros > 0) {
                TimeUnit.MICROSECONDS.sleep(sleepMicros);
            }
            return records.get((int) (long) i);
        }
    }

    private static StreamExecutionEnvironment env(boolean restarts) {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(StateBackendOptions.STATE_BACKEND, "hashmap");
        if (restarts) {
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 2);
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
        } else {
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        env.setMaxParallelism(128);
        return env;
    }

    /**
     * Runs the stream through the operator (bundled when {@code bundle} > 1), with checkpoints and
     * restarts and through {@code failure} when that is not null; outputs and dead letters per key.
     */
    private static Map<String, List<Object>>[] run(int bundle, FailOnceAfterCheckpoint<TokenRecord> failure,
            long sleepMicros, String tag) throws Exception {
        boolean fail = failure != null;
        ModelReference model = BundledAttentionOperatorTest.model("float64");
        StreamExecutionEnvironment env = env(fail);
        if (fail) {
            env.enableCheckpointing(100);
        }
        DataStream<TokenRecord> records = env.fromSequence(0, RECORDS - 1).setParallelism(1)
                .map(new ToRecord(model, sleepMicros), RecordTypes.TOKEN_RECORD).setParallelism(1);
        if (fail) {
            records = records.map(failure, RecordTypes.TOKEN_RECORD).setParallelism(1);
        }
        LinearAttention op = LinearAttention.builder(model).emitFields(EmitFields.parse("top-2, surprisal"))
                .maxPositionGap(100).bundle(bundle, Duration.ofMillis(5)).build();
        LinearAttention.Result result = op.apply(records);
        CollectingSink<AttentionOutput> outputs = CollectingSink.create(tag + "-out");
        CollectingSink<RejectedRecord> deadLetters = CollectingSink.create(tag + "-dlq");
        result.outputs().sinkTo(outputs);
        result.rejected().sinkTo(deadLetters);
        env.execute(tag);
        @SuppressWarnings("unchecked")
        Map<String, List<Object>>[] out = new Map[] {
            byKey(outputs.collected(), AttentionOutput::seq),
            byKey(deadLetters.collected(), RejectedRecord::seq)};
        return out;
    }

    private static <T> Map<String, List<Object>> byKey(List<T> collected, Function<T, String> key) {
        Map<String, List<Object>> m = new LinkedHashMap<>();
        for (T o : collected) {
            m.computeIfAbsent(key.apply(o), k -> new ArrayList<>()).add(o);
        }
        return m;
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void bundledEqualsUnbundledPerKey() throws Exception {
        Map<String, List<Object>>[] plain = run(1, null, 0, "plain");
        Map<String, List<Object>>[] bundled = run(64, null, 0, "bundled");
        assertThat(plain[0]).hasSizeGreaterThan(20);
        assertThat(plain[1]).isNotEmpty();
        assertThat(bundled[0]).isEqualTo(plain[0]);
        assertThat(bundled[1]).isEqualTo(plain[1]);
    }

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void aFailureAfterACheckpointRestoresTheBundledStateExactly() throws Exception {
        Map<String, List<Object>>[] plain = run(1, null, 0, "reference");
        FailOnceAfterCheckpoint<TokenRecord> failure = FailOnceAfterCheckpoint.create();
        Map<String, List<Object>>[] got = run(64, failure, 2000, "failing");
        assertThat(failure.failed()).as("the failure was injected").isTrue();
        // the sink is at-least-once: after the restart, each key's outputs since the checkpoint come
        // again. So per key: want[0, a) then want[b, end) with b <= a, i.e. the restored state is
        // exactly the one at the checkpoint (a token absorbed twice or lost would change the values)
        for (int kind = 0; kind < 2; kind++) {
            assertThat(got[kind].keySet()).isEqualTo(plain[kind].keySet());
            for (String key : plain[kind].keySet()) {
                assertThat(replayedSuffix(got[kind].get(key), plain[kind].get(key)))
                        .as("%s of %s", kind == 0 ? "outputs" : "dead letters", key).isTrue();
            }
        }
    }

    /** True when {@code got} = want[0, a) + want[b, n) for some b <= a. */
    static boolean replayedSuffix(List<Object> got, List<Object> want) {
        int n = want.size();
        for (int a = 0; a <= n; a++) {
            int b = n - (got.size() - a);
            if (b < 0 || b > a || a > got.size()) {
                continue;
            }
            if (got.subList(0, a).equals(want.subList(0, a)) && got.subList(a, got.size()).equals(want.subList(b, n))) {
                return true;
            }
        }
        return false;
    }
}
