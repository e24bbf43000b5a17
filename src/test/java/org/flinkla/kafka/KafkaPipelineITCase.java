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
package org.flinkla.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.flinkla.kafka.testutils.PipelineTestSupport.assertMatchesReference;
import static org.flinkla.kafka.testutils.PipelineTestSupport.outputs;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.flinkla.jobs.AttentionJob;
import org.flinkla.jobs.JobDefinition;
import org.flinkla.kafka.testutils.PipelineTestSupport;
import org.flinkla.engine.SequenceModel;
import org.flinkla.records.RecordTypes;
import org.flinkla.records.TokenRecord;
import org.flinkla.testutils.FailOnceAfterCheckpoint;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Kafka → Flink → Kafka on an in-process broker: exactly-once outputs equal the engine's, a
 * failure and restart changes nothing, replays are dropped by position, bad records become dead
 * letters while the job keeps running.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class KafkaPipelineITCase {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopKafka() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    private static String bootstrap() {
        return kafka.bootstrapServers();
    }

    private static void createTopics(JobDefinition job) throws Exception {
        kafka.createTopics(job.source().partitions(), job.topics().toArray(new String[0]));
    }

    /**
     * Produces the test's input. Under a loaded CI machine the in-process broker has twice left one
     * partition of a just-created topic unwritable to the first producer until its 120 s delivery
     * timeout; a fresh producer (new connections and metadata) then delivers at once. So a producer
     * that times out is replaced, up to three times, with a 30 s delivery timeout. Sending a record
     * again is harmless here: the pipeline drops a position it has already seen (tested above), and
     * the job starts only after this returns.
     */
    private static void produce(JobDefinition job, List<TokenRecord> records) {
        Properties props = new Properties();
        props.setProperty("delivery.timeout.ms", "30000");
        props.setProperty("request.timeout.ms", "10000");
        for (int attempt = 1; ; attempt++) {
            try (TokenProducer p = TokenProducer.create(bootstrap(), props, job.source().topic(),
                    job.source().format())) {
                records.forEach(p::send);
            } catch (IllegalStateException e) {
                if (attempt < 3 && e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
                    continue;
                }
                throw e;
            }
            return;
        }
    }

    private static JobClient start(JobDefinition job, int restarts) throws Exception {
        StreamExecutionEnvironment env = PipelineTestSupport.environment(job, restarts);
        AttentionJob.pipeline(job, bootstrap(), false).addTo(env);
        return env.executeAsync(job.name());
    }

    /** {@link PipelineTestSupport#readOutputs}: {@code n} outputs, then a little longer to catch extras. */
    private static List<ConsumerRecord<byte[], byte[]>> readOutputs(JobDefinition job, int n) {
        return PipelineTestSupport.readOutputs(bootstrap(), job, n);
    }

    private static void cancel(JobClient jc) throws Exception {
        jc.cancel().get(60, TimeUnit.SECONDS);
    }

    @Test
    void exactlyOnceOutputsEqualTheEngine() throws Exception {
        JobDefinition job = PipelineTestSupport.job("eo", "exactly-once", "");
        createTopics(job);
        List<TokenRecord> records = PipelineTestSupport.records(4, 150, 1);
        SequenceModel model = AttentionJob.loadModel(job);
        Map<String, Map<Long, double[]>> ref = PipelineTestSupport.reference(model, records);
        produce(job, records);
        JobClient jc = start(job, 0);
        try {
            List<ConsumerRecord<byte[], byte[]>> out = readOutputs(job, 600);
            assertMatchesReference(outputs(out), ref);
        } finally {
            cancel(jc);
        }
    }

    @Test
    void atLeastOnceSinksDeliverEveryOutput() throws Exception {
        JobDefinition job = PipelineTestSupport.job("alo", "at-least-once", "");
        createTopics(job);
        List<TokenRecord> records = PipelineTestSupport.records(3, 60, 4);
        Map<String, Map<Long, double[]>> ref = PipelineTestSupport.reference(AttentionJob.loadModel(job), records);
        produce(job, records);
        JobClient jc = start(job, 0);
        try {
            // no failure here, so at-least-once must not duplicate either
            assertMatchesReference(outputs(readOutputs(job, 180)), ref);
        } finally {
            cancel(jc);
        }
    }

    @Test
    void resentBatchOfAnAtLeastOnceProducerIsDroppedByPosition() throws Exception {
        JobDefinition job = PipelineTestSupport.job("dup", "exactly-once", "");
        createTopics(job);
        List<TokenRecord> records = PipelineTestSupport.records(3, 80, 2);
        SequenceModel model = AttentionJob.loadModel(job);
        Map<String, Map<Long, double[]>> ref = PipelineTestSupport.reference(model, records);
        List<TokenRecord> sent = new ArrayList<>(records.subList(0, records.size() / 2));
        // the producer did not see the acks of the last batch and sends it again ...
        sent.addAll(records.subList(records.size() / 4, records.size() / 2));
        // ... and then the rest, plus a chunk that overlaps what was already sent
        sent.addAll(records.subList(records.size() / 2, records.size()));
        TokenRecord last = records.get(records.size() - 1);
        sent.add(last);
        produce(job, sent);
        JobClient jc = start(job, 0);
        try {
            List<ConsumerRecord<byte[], byte[]>> out = readOutputs(job, 240);
            assertMatchesReference(outputs(out), ref);
        } finally {
            cancel(jc);
        }
    }

    @Test
    void failureAndRestartFromCheckpointLoseAndDuplicateNothing() throws Exception {
        failureAndRestart(PipelineTestSupport.job("fail", "exactly-once", ""));
    }

    /** The same with the operator bundling records across keys: a barrier flushes the bundle first. */
    @Test
    void failureAndRestartWithBundlingLoseAndDuplicateNothing() throws Exception {
        JobDefinition job = PipelineTestSupport.job("fail-bundle", "exactly-once", "bundle: {max-records: 16, max-delay: 20ms}");
        assertThat(AttentionJob.attention(job).bundleMaxRecords()).as("the bundling operator").isEqualTo(16);
        failureAndRestart(job);
    }

    private void failureAndRestart(JobDefinition job) throws Exception {
        FailOnceAfterCheckpoint<TokenRecord> failure = FailOnceAfterCheckpoint.create();
        createTopics(job);
        List<TokenRecord> records = PipelineTestSupport.records(4, 120, 3);
        SequenceModel model = AttentionJob.loadModel(job);
        Map<String, Map<Long, double[]>> ref = PipelineTestSupport.reference(model, records);
        int half = records.size() / 2;
        produce(job, records.subList(0, half));

        StreamExecutionEnvironment env = PipelineTestSupport.environment(job, 2);
        KafkaAttentionPipeline p = AttentionJob.pipeline(job, bootstrap(), false);
        SingleOutputStreamOperator<TokenRecord> parsed = p.parse(p.source(env));
        DataStream<TokenRecord> failing = parsed.map(failure, RecordTypes.TOKEN_RECORD)
                .uid("fail-once");
        p.sink(p.attend(failing), KafkaAttentionPipeline.deadLetters(parsed));
        JobClient jc = env.executeAsync(job.name());
        try {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!failure.checkpointed().get() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(failure.checkpointed()).as("a checkpoint completed").isTrue();
            // mid-stream: the rest arrives after the checkpoint, and its first record fails the job
            produce(job, records.subList(half, records.size()));
            List<ConsumerRecord<byte[], byte[]>> out = readOutputs(job, 480);
            assertThat(failure.failed()).as("the failure was injected").isTrue();
            assertMatchesReference(outputs(out), ref);
            assertThat(jc.getJobStatus().get(30, TimeUnit.SECONDS)).isEqualTo(JobStatus.RUNNING);
        } finally {
            cancel(jc);
        }
    }

    @Test
    void malformedRecordsGoToTheDeadLetterTopicAndTheJobKeepsRunning() throws Exception {
        JobDefinition job = PipelineTestSupport.job("bad", "exactly-once", "");
        createTopics(job);
        String zeros7 = "0,0,0,0,0,0,0";
        // key, value, expected reason code (null = valid)
        List<Object[]> cases = List.of(
                new Object[] {"good", "{\"pos\":0,\"token\":\"A\"}", null},
                new Object[] {"good", "{\"pos\":1,\"x\":[1,2", "bad_json"},
                new Object[] {"good", "{\"pos\":1,\"tokens\":\"CG\"}", null},
                new Object[] {"good", "{\"pos\":3,\"x\":\"abc\"}", "bad_record"},
                new Object[] {"good", "{\"pos\":3,\"x\":[" + zeros7 + "]}", "wrong_dimension"},
                new Object[] {"good", "{\"pos\":3,\"x\":[NaN," + zeros7 + "]}", "not_finite"},
                new Object[] {"good", "{\"pos\":3,\"x\":[1e999," + zeros7 + "]}", "not_finite"},
                new Object[] {"good", "{\"pos\":3,\"x\":[0.5," + zeros7 + "]}", null},
                new Object[] {"good", "{\"pos\":4,\"token\":\"Z\"}", "unknown_symbol"},
                new Object[] {"good", "{\"pos\":4,\"id\":99}", "bad_id"},
                new Object[] {"good", "{\"pos\":-4,\"token\":\"A\"}", "bad_pos"},
                new Object[] {"good", "{\"pos\":4,\"tokens\":\"" + "A".repeat(300) + "\"}", "oversize"},
                new Object[] {"good", "{\"pos\":4,\"tokens\":\"" + "A".repeat(5000) + "\"}", "oversize"},
                new Object[] {"good", "{\"control\":\"explode\"}", "bad_control"},
                new Object[] {"good", "", "bad_record"},
                new Object[] {"good", null, "bad_record"},
                new Object[] {null, "{\"pos\":4,\"token\":\"A\"}", "missing_seq"},
                new Object[] {"good", "{\"pos\":4,\"id\":2}", null},
                new Object[] {"other", "{\"pos\":0,\"tokens\":\"ACGTN\"}", null});
        Map<Integer, String> expectedByIndex = new LinkedHashMap<>();
        try (TokenProducer p = TokenProducer.create(bootstrap(), new Properties(), job.source().topic(), job.source().format())) {
            for (int i = 0; i < cases.size(); i++) {
                Object[] c = cases.get(i);
                String value = (String) c[1];
                // the valid records are interleaved with bad ones; a numbered header-free value is
                // matched back through its bytes
                p.send((String) c[0], value == null ? null : value.getBytes(StandardCharsets.UTF_8));
                if (c[2] != null) {
                    expectedByIndex.put(i, (String) c[2]);
                }
            }
        }
        JobClient jc = start(job, 0);
        try {
            // valid: good@0..4 (5 outputs) and other@0..4 (5 outputs)
            List<PipelineTestSupport.Output> outs = outputs(readOutputs(job, 10));
            assertThat(outs).hasSize(10);
            assertThat(outs.stream().filter(o -> o.seq.equals("good")).mapToLong(o -> o.pos).sorted().toArray())
                    .containsExactly(0, 1, 2, 3, 4);
            assertThat(outs.stream().filter(o -> o.seq.equals("other")).mapToLong(o -> o.pos).sorted().toArray())
                    .containsExactly(0, 1, 2, 3, 4);

            List<ConsumerRecord<byte[], byte[]>> dead;
            try (TopicReader r = TopicReader.open(bootstrap(), new Properties(), job.sink().deadLetterTopic(), null)) {
                dead = r.readUntil(l -> l.size() >= expectedByIndex.size(), WAIT);
                dead.addAll(r.readUntil(l -> false, Duration.ofMillis(1000)));
            }
            assertThat(dead).hasSize(expectedByIndex.size());
            List<String> expectedCodes = new ArrayList<>();
            List<String> gotCodes = new ArrayList<>();
            for (Map.Entry<Integer, String> e : expectedByIndex.entrySet()) {
                Object[] c = cases.get(e.getKey());
                byte[] value = c[1] == null ? null : ((String) c[1]).getBytes(StandardCharsets.UTF_8);
                ConsumerRecord<byte[], byte[]> d = dead.stream()
                        .filter(r -> java.util.Arrays.equals(r.value(), value)
                                && java.util.Objects.equals(c[0], r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8)))
                        .findFirst().orElseThrow(() -> new AssertionError("no dead letter for case " + e.getKey()
                                + ": " + java.util.Arrays.toString(c)));
                String reason = header(d, KafkaSettings.HEADER_REASON);
                expectedCodes.add(e.getKey() + ":" + e.getValue());
                gotCodes.add(e.getKey() + ":" + reason.substring(0, Math.max(0, reason.indexOf(':'))));
                assertThat(header(d, KafkaSettings.HEADER_SOURCE_TOPIC)).isEqualTo(job.source().topic());
                long offset = Long.parseLong(header(d, KafkaSettings.HEADER_SOURCE_OFFSET));
                int partition = Integer.parseInt(header(d, KafkaSettings.HEADER_SOURCE_PARTITION));
                assertThat(partition).isBetween(0, job.source().partitions() - 1);
                assertThat(offset).isGreaterThanOrEqualTo(0);
            }
            assertThat(gotCodes).isEqualTo(expectedCodes);
            assertThat(jc.getJobStatus().get(30, TimeUnit.SECONDS)).isEqualTo(JobStatus.RUNNING);
        } finally {
            cancel(jc);
        }
    }

    @Test
    void aWildPositionIsADeadLetterAndTheSequenceGoesOn() throws Exception {
        JobDefinition job = PipelineTestSupport.job("wild", "exactly-once", "max-position-gap: 1000");
        createTopics(job);
        long max = Long.MAX_VALUE;
        String bases = "ACGTN".repeat(23);   // 115 bases
        List<TokenRecord> valid = List.of(
                TokenRecord.symbols("w", 0, bases.substring(0, 100), true),
                TokenRecord.symbols("w", 100, bases.substring(100, 110), true),
                TokenRecord.symbols("w", 110, bases.substring(110, 115), true),
                TokenRecord.symbols("edge", max - 1, "A", false));
        String wild = "{\"pos\":1000000000,\"token\":\"A\"}";
        String wraps = "{\"token\":\"C\"}";   // after edge@max-1: position max, next would wrap
        try (TokenProducer p = TokenProducer.create(bootstrap(), new Properties(), job.source().topic(),
                job.source().format())) {
            p.send(valid.get(0));
            p.send("w", wild.getBytes(StandardCharsets.UTF_8));
            p.send(valid.get(1));
            p.send(valid.get(2));
            p.send(valid.get(3));
            p.send("edge", wraps.getBytes(StandardCharsets.UTF_8));
        }
        // where the two bad records were written, to compare with the dead letters' headers
        Map<String, ConsumerRecord<byte[], byte[]>> inputByValue = new java.util.HashMap<>();
        try (TopicReader r = TopicReader.open(bootstrap(), new Properties(), job.source().topic(), null)) {
            for (ConsumerRecord<byte[], byte[]> rec : r.readToEnd(WAIT)) {
                inputByValue.put(new String(rec.value(), StandardCharsets.UTF_8), rec);
            }
        }
        Map<String, Map<Long, double[]>> ref = PipelineTestSupport.reference(AttentionJob.loadModel(job), valid);
        JobClient jc = start(job, 0);
        try {
            // w: 115 outputs, none dropped as a replay after the wild record; edge: max - 1
            assertMatchesReference(outputs(readOutputs(job, 116)), ref);

            List<ConsumerRecord<byte[], byte[]>> dead;
            try (TopicReader r = TopicReader.open(bootstrap(), new Properties(), job.sink().deadLetterTopic(), null)) {
                dead = r.readUntil(l -> l.size() >= 2, WAIT);
                dead.addAll(r.readUntil(l -> false, Duration.ofMillis(1000)));
            }
            assertThat(dead).hasSize(2);
            for (ConsumerRecord<byte[], byte[]> d : dead) {
                String key = new String(d.key(), StandardCharsets.UTF_8);
                String reason = header(d, KafkaSettings.HEADER_REASON);
                assertThat(reason).startsWith("bad_pos: ");
                ConsumerRecord<byte[], byte[]> original = inputByValue.get(key.equals("w") ? wild : wraps);
                assertThat(header(d, KafkaSettings.HEADER_SOURCE_TOPIC)).isEqualTo(job.source().topic());
                assertThat(header(d, KafkaSettings.HEADER_SOURCE_PARTITION)).isEqualTo(String.valueOf(original.partition()));
                assertThat(header(d, KafkaSettings.HEADER_SOURCE_OFFSET)).isEqualTo(String.valueOf(original.offset()));
                // the value is the record's JSON form (the operator no longer has the original bytes)
                com.fasterxml.jackson.databind.JsonNode v = new com.fasterxml.jackson.databind.ObjectMapper().readTree(d.value());
                assertThat(v.get("seq").asText()).isEqualTo(key);
                if (key.equals("w")) {
                    assertThat(reason).contains("max-position-gap");
                    assertThat(v.get("pos").asLong()).isEqualTo(1_000_000_000L);
                } else {
                    assertThat(key).isEqualTo("edge");
                    assertThat(reason).contains("overflows");
                    assertThat(v.get("token").asText()).isEqualTo("C");
                }
            }
            assertThat(jc.getJobStatus().get(30, TimeUnit.SECONDS)).isEqualTo(JobStatus.RUNNING);
        } finally {
            cancel(jc);
        }
    }

    @Test
    void stopWithSavepointAndResumeAtAnotherParallelismChangesNothing(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        JobDefinition job = PipelineTestSupport.job("resume", "exactly-once", "");
        createTopics(job);
        List<TokenRecord> records = PipelineTestSupport.records(5, 60, 5);
        Map<String, Map<Long, double[]>> ref = PipelineTestSupport.reference(AttentionJob.loadModel(job), records);
        int half = records.size() / 2;
        int firstTokens = records.subList(0, half).stream().mapToInt(TokenRecord::count).sum();
        produce(job, records.subList(0, half));
        JobClient first = start(job, 0);
        String savepoint;
        try {
            readOutputs(job, firstTokens);
        } finally {
            savepoint = first.stopWithSavepoint(false, dir.toUri().toString(),
                    org.apache.flink.core.execution.SavepointFormatType.CANONICAL).get(120, TimeUnit.SECONDS);
        }
        produce(job, records.subList(half, records.size()));
        // the same job at parallelism 1, from the savepoint: source offsets, sequence states, sinks
        JobDefinition rescaled = job.withParallelism(1);
        StreamExecutionEnvironment env = PipelineTestSupport.environment(rescaled, 0);
        org.apache.flink.configuration.Configuration restore = new org.apache.flink.configuration.Configuration();
        restore.set(org.apache.flink.configuration.StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        env.configure(restore);
        AttentionJob.pipeline(rescaled, bootstrap(), false).addTo(env);
        JobClient second = env.executeAsync(rescaled.name());
        try {
            assertMatchesReference(outputs(readOutputs(job, 300)), ref);
        } finally {
            cancel(second);
        }
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        assertThat(h).as("header " + name).isNotNull();
        return new String(h.value(), StandardCharsets.UTF_8);
    }
}
