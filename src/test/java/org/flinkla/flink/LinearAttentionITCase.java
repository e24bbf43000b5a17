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
import static org.flinkla.flink.TestModels.dna;
import static org.flinkla.flink.TestModels.engineOutputs;
import static org.flinkla.flink.TestModels.flatten;
import static org.flinkla.flink.TestModels.range;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.flinkla.engine.AttentionConfig;
import org.flinkla.engine.AttentionWeights;
import org.flinkla.engine.RecurrentLinearAttention;
import org.flinkla.records.AttentionOutput;
import org.flinkla.records.RecordTypes;
import org.flinkla.records.TokenRecord;
import org.flinkla.testutils.CollectingSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The operator in a real (mini) Flink cluster: parallel keys, savepoint and rescale. */
class LinearAttentionITCase {
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(4)
                    .build());

    private static final AttentionConfig CONFIG = TestModels.config();
    private static final AttentionWeights WEIGHTS = TestModels.weights(CONFIG, 21);
    private static final int KEYS = 5;
    private static final int CHUNK = 4;

    private static StreamExecutionEnvironment env(String backend, String savepoint) {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false); // proves no Kryo anywhere
        conf.set(StateBackendOptions.STATE_BACKEND, backend);
        if (savepoint != null) {
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setMaxParallelism(128);
        return env;
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void interleavedKeysAtParallelismTwoEqualTheEnginePerKey() throws Exception {
        StreamExecutionEnvironment env = env("hashmap", null);
        env.setParallelism(2);
        List<String> keys = List.of("chr1", "chr2", "chrX", "session-7", "sensor/3", "é");
        List<String> seqs = new ArrayList<>();
        List<TokenRecord> in = new ArrayList<>();
        for (int k = 0; k < keys.size(); k++) {
            seqs.add(dna(300 + k, 97 + 13 * k));
        }
        int[] sizes = {1, 5, 16, 3};
        int[] offset = new int[keys.size()];
        for (int round = 0; ; round++) {
            boolean any = false;
            for (int k = 0; k < keys.size(); k++) {
                String s = seqs.get(k);
                if (offset[k] < s.length()) {
                    int n = Math.min(sizes[(round + k) % sizes.length], s.length() - offset[k]);
                    in.add(TokenRecord.symbols(keys.get(k), offset[k], s.substring(offset[k], offset[k] + n), n > 1));
                    offset[k] += n;
                    any = true;
                }
            }
            if (!any) {
                break;
            }
        }
        DataStream<TokenRecord> records = env.fromData(RecordTypes.TOKEN_RECORD, in.toArray(new TokenRecord[0]));
        LinearAttention.Result result = LinearAttention.builder(CONFIG, WEIGHTS).build().apply(records);
        List<AttentionOutput> out = new ArrayList<>();
        try (CloseableIterator<AttentionOutput> it = result.outputs().executeAndCollect("interleaved")) {
            it.forEachRemaining(out::add);
        }
        RecurrentLinearAttention engine = new RecurrentLinearAttention(CONFIG, WEIGHTS);
        assertThat(out).hasSize(in.size());
        for (int k = 0; k < keys.size(); k++) {
            TestModels.Flat f = flatten(out, keys.get(k));
            assertThat(f.positions).isEqualTo(range(0, seqs.get(k).length()));
            assertThat(f.ys).as(keys.get(k)).isEqualTo(engineOutputs(engine, seqs.get(k)));
        }
    }

    // ---- stop with savepoint, resume at another parallelism ------------------------------------

    /** Record i of the stream: key i % KEYS, its (i / KEYS)-th chunk of CHUNK symbols; slowed down. */
    static final class ToRecord extends RichMapFunction<Long, TokenRecord> {
        private static final long serialVersionUID = 1L;
        private final int chunksPerKey;
        private final long sleepMillis;
        private transient String[] seqs;

        ToRecord(int chunksPerKey, long sleepMillis) {
            this.chunksPerKey = chunksPerKey;
            this.sleepMillis = sleepMillis;
        }

        @Override
        public void open(OpenContext ctx) {
            seqs = new String[KEYS];
            for (int k = 0; k < KEYS; k++) {
                seqs[k] = dna(500 + k, chunksPerKey * CHUNK);
            }
        }

        @Override
        public TokenRecord map(Long i) throws Exception {
            Thread.sleep(sleepMillis); // long enough to stop the job half-way
            int k = (int) (i % KEYS);
            int c = (int) (i / KEYS);
            return TokenRecord.symbols("key-" + k, (long) c * CHUNK, seqs[k].substring(c * CHUNK, (c + 1) * CHUNK), true);
        }
    }

    private static JobClient startPipeline(StreamExecutionEnvironment env, CollectingSink<AttentionOutput> sink,
            int chunksPerKey, long sleepMillis) throws Exception {
        DataStream<TokenRecord> records = env.fromSequence(0, (long) KEYS * chunksPerKey - 1)
                .uid("sequence-source").setParallelism(1)
                .map(new ToRecord(chunksPerKey, sleepMillis), RecordTypes.TOKEN_RECORD)
                .uid("to-record").setParallelism(1);
        LinearAttention.builder(CONFIG, WEIGHTS).build().apply(records).outputs()
                .sinkTo(sink).uid("queue-sink");
        return env.executeAsync("savepoint-rescale");
    }

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void stopWithSavepointAndResumeAtParallelismThreeEqualsAnUndisturbedRun(@TempDir Path dir) throws Exception {
        CollectingSink<AttentionOutput> sink = CollectingSink.create("savepoint-rescale");
        int chunksPerKey = 200; // 1000 records × 4 ms: seconds of runway for the stop
        StreamExecutionEnvironment first = env("rocksdb", null);
        first.setParallelism(2);
        JobClient job = startPipeline(first, sink, chunksPerKey, 4);
        assertThat(sink.awaitSize(60, Duration.ofSeconds(60))).as("outputs before the savepoint")
                .isGreaterThanOrEqualTo(60);
        String savepoint = job.stopWithSavepoint(false, dir.toUri().toString(), SavepointFormatType.CANONICAL)
                .get(60, TimeUnit.SECONDS);
        job.getJobExecutionResult().get(60, TimeUnit.SECONDS);
        int beforeStop = sink.size();
        assertThat(beforeStop).as("stopped half-way").isLessThan(KEYS * chunksPerKey);

        StreamExecutionEnvironment second = env("rocksdb", savepoint);
        second.setParallelism(3);
        startPipeline(second, sink, chunksPerKey, 0).getJobExecutionResult().get(90, TimeUnit.SECONDS);

        List<AttentionOutput> all = sink.collected();
        assertThat(all).as("each output exactly once").hasSize(KEYS * chunksPerKey);
        RecurrentLinearAttention engine = new RecurrentLinearAttention(CONFIG, WEIGHTS);
        for (int k = 0; k < KEYS; k++) {
            List<AttentionOutput> mine = new ArrayList<>();
            for (AttentionOutput o : all) {
                if (o.seq().equals("key-" + k)) {
                    mine.add(o);
                }
            }
            // per key the outputs arrive in order within each run; runs are sequential
            TestModels.Flat f = flatten(mine, "key-" + k);
            assertThat(f.positions).isEqualTo(range(0, (long) chunksPerKey * CHUNK));
            assertThat(f.ys).as("key-%d", k).isEqualTo(engineOutputs(engine, dna(500 + k, chunksPerKey * CHUNK)));
        }
    }
}
