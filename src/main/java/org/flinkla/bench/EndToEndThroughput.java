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

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.flinkla.jobs.AttentionJob;
import org.flinkla.jobs.JobDefinition;
import org.flinkla.kafka.EmbeddedKafka;
import org.flinkla.kafka.TokenProducer;
import org.flinkla.kafka.TopicReader;
import org.flinkla.records.BinaryRecords;
import org.flinkla.records.TokenRecord;

/**
 * Kafka → Flink → Kafka on the embedded default (in-process KRaft broker + local MiniCluster), as
 * {@code run} does it: a job definition ({@link #jobYaml}) through {@link AttentionJob}'s pipeline,
 * bounded at the input's end offsets. The input — {@code tokens} random DNA bases over
 * {@code keys} sequences in binary symbol chunks — is produced before the job starts; the committed
 * outputs are consumed {@code read_committed} while it runs.
 *
 * <p>Two rates: {@code job} = all tokens / (job submission → last output committed and read),
 * which includes starting the MiniCluster and the first checkpoint; {@code steady} = the tokens
 * committed after the first committed batch / the time from that batch to the last one. Under
 * exactly-once, outputs become visible only at checkpoints, so both are rates of committed output.
 *
 * <pre>{@code
 * EndToEndThroughput.Result r = EndToEndThroughput.run(new EndToEndThroughput.Options(), System.err::println);
 * }</pre>
 */
public final class EndToEndThroughput {
    private static final Duration STALL_TIMEOUT = Duration.ofSeconds(120);

    private EndToEndThroughput() {}

    /** What to run; the defaults are the bench command's full run. */
    public static final class Options {
        long tokens = 5_000_000;
        // 64: sequence ids seq-0..seq-63 split 31 / 33 over 2 subtasks (16 would split 13 / 3)
        int keys = 64;
        int chunk = 1024;
        int parallelism = 2;
        String guarantee = "exactly-once";
        String backend = "hashmap";
        String format = "binary";
        String checkpointInterval = "2s";

        public Options tokens(long n) { this.tokens = n; return this; }
        public Options keys(int n) { this.keys = n; return this; }
        public Options chunk(int n) { this.chunk = n; return this; }
        public Options parallelism(int n) { this.parallelism = n; return this; }
        /** {@code exactly-once} or {@code at-least-once}. */
        public Options guarantee(String g) { this.guarantee = g; return this; }
        /** {@code hashmap} or {@code rocksdb}. */
        public Options backend(String b) { this.backend = b; return this; }
        /** Input and output format: {@code binary} or {@code json}. */
        public Options format(String f) { this.format = f; return this; }
        public Options checkpointInterval(String d) { this.checkpointInterval = d; return this; }
    }

    /** One run's numbers. */
    public record Result(String jobYaml, long tokens, long inputRecords, long outputRecords, long outputTokens,
            double produceSeconds, double jobSeconds, double firstOutputSeconds, double steadySeconds,
            long steadyTokens) {
        public double jobTokensPerSecond() {
            return outputTokens / jobSeconds;
        }

        /** Committed tokens after the first committed batch over the time to the last one; NaN with one batch. */
        public double steadyTokensPerSecond() {
            return steadySeconds > 0 ? steadyTokens / steadySeconds : Double.NaN;
        }
    }

    /**
     * The job definition of the run: the bench model (d_model 64, 4 heads of 16, elu, float64 state,
     * vocabulary ACGT, seed 42), one output per token.
     */
    public static String jobYaml(Options o) {
        return String.join("\n",
                "name: bench-e2e",
                "parallelism: " + o.parallelism,
                "source:",
                "  topic: bench-in",
                "  format: " + o.format,
                "  group-id: flinkla-bench",
                "  starting-offsets: earliest",
                "  partitions: " + o.parallelism,
                "  max-record-bytes: 16777216",
                "sink:",
                "  topic: bench-out",
                "  format: " + o.format,
                "  dead-letter-topic: bench-dead-letters",
                "  transactional-id-prefix: flinkla-bench",
                "model:",
                "  seeded: {seed: 42, d-model: 64, heads: 4, d-key: 16, d-value: 16, d-out: 64, feature-map: elu,",
                "           variant: linear, vocab: ACGT}",
                "guarantee: " + o.guarantee,
                "state-backend: " + o.backend,
                "checkpoint-interval: " + o.checkpointInterval,
                "emit: all",
                "max-tokens-per-record: 16384",
                // a JSON chunk of 1024 outputs × 64 numbers is over the producer's default 1 MB
                o.format.equals("json") ? "kafka: {properties: {max.request.size: \"67108864\"}}" : "",
                "");
    }

    public static Result run(Options o, Consumer<String> log) throws Exception {
        String yaml = jobYaml(o);
        JobDefinition job = JobDefinition.parse("bench-e2e (generated)", yaml, System::getenv);
        // large chunk outputs (1024 × 64 float32 = 256 KiB, more in JSON) must fit in one message
        Map<String, String> broker = Map.of("message.max.bytes", String.valueOf(64 << 20));
        try (EmbeddedKafka kafka = EmbeddedKafka.start(broker)) {
            String bootstrap = kafka.bootstrapServers();
            Properties client = job.kafkaClientProperties();
            EmbeddedKafka.createTopics(bootstrap, client, job.source().partitions(), job.topics());
            Map<Integer, Long> outStart = TopicReader.endOffsets(bootstrap, client, job.sink().topic());

            long t0 = System.nanoTime();
            long records = produce(bootstrap, client, job, o);
            double produceSeconds = (System.nanoTime() - t0) / 1e9;
            log.accept(String.format(Locale.ROOT, "  e2e: produced %,d tokens in %,d records in %.1f s", o.tokens,
                    records, produceSeconds));

            Configuration conf = AttentionJob.flinkConfiguration(job);
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none"); // a failure ends the benchmark
            StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(conf);
            AttentionJob.pipeline(job, bootstrap, true).addTo(env);
            try (TopicReader reader = TopicReader.open(bootstrap, client, job.sink().topic(), outStart)) {
                long submit = System.nanoTime();
                JobClient jc = env.executeAsync(job.name());
                CompletableFuture<JobExecutionResult> done = jc.getJobExecutionResult();
                Counter c = consume(reader, o.tokens, o.format.equals("binary"), done);
                awaitEnd(jc, done);
                double jobSeconds = (c.last - submit) / 1e9;
                return new Result(yaml, o.tokens, records, c.records, c.tokens, produceSeconds, jobSeconds,
                        (c.first - submit) / 1e9, (c.last - c.first) / 1e9, c.tokens - c.firstBatchTokens);
            }
        }
    }

    /** Random bases, round-robin over the keys, {@code chunk} per record with consecutive positions. */
    private static long produce(String bootstrap, Properties client, JobDefinition job, Options o) {
        Random r = new Random(1);
        char[] dna = new char[1 << 16];
        for (int i = 0; i < dna.length; i++) {
            dna[i] = "ACGT".charAt(r.nextInt(4));
        }
        String bases = new String(dna);
        try (TokenProducer p = TokenProducer.create(bootstrap, client, job.source().topic(), job.source().format())) {
            long[] pos = new long[o.keys];
            long sent = 0;
            for (long rec = 0; sent < o.tokens; rec++) {
                int k = (int) (rec % o.keys);
                int n = (int) Math.min(o.chunk, o.tokens - sent);
                int off = (int) ((rec * 7919) % (bases.length() - n));
                p.send(TokenRecord.symbols("seq-" + k, pos[k], bases.substring(off, off + n), true));
                pos[k] += n;
                sent += n;
            }
            p.flush();
            return p.records();
        }
    }

    private static final class Counter {
        long records;
        long tokens;
        long first;
        long last;
        long firstBatchTokens;
    }

    /** Counts committed outputs until all tokens have one, the job ends, or nothing arrives for a while. */
    private static Counter consume(TopicReader reader, long expected, boolean binary,
            CompletableFuture<JobExecutionResult> done) throws Exception {
        Counter c = new Counter();
        long lastProgress = System.nanoTime();
        while (c.tokens < expected) {
            List<ConsumerRecord<byte[], byte[]>> batch = reader.poll(Duration.ofMillis(50));
            long now = System.nanoTime();
            for (ConsumerRecord<byte[], byte[]> rec : batch) {
                c.records++;
                c.tokens += binary ? binaryCount(rec.value()) : jsonCount(rec.value());
            }
            if (!batch.isEmpty()) {
                if (c.first == 0) {
                    c.first = now;
                    c.firstBatchTokens = c.tokens;
                }
                c.last = now;
                lastProgress = now;
            } else if (done.isDone()) {
                failIfFailed(done);
                for (ConsumerRecord<byte[], byte[]> rec : reader.readToEnd(Duration.ofSeconds(30))) {
                    c.records++;
                    c.tokens += binary ? binaryCount(rec.value()) : jsonCount(rec.value());
                    c.last = System.nanoTime();
                }
                break;
            } else if (now - lastProgress > STALL_TIMEOUT.toNanos()) {
                throw new IllegalStateException("end-to-end benchmark: no committed output for "
                        + STALL_TIMEOUT.toSeconds() + " s (" + c.tokens + " of " + expected + " tokens)");
            }
        }
        if (c.tokens != expected) {
            throw new IllegalStateException("end-to-end benchmark: " + c.tokens + " committed outputs for " + expected
                    + " tokens");
        }
        return c;
    }

    /** Outputs in a binary output value: the count field of the 24-byte header (BinaryRecords). */
    static int binaryCount(byte[] v) {
        if (!BinaryRecords.isOutput(v)) {
            throw new IllegalStateException("not a binary output record (" + v.length + " bytes)");
        }
        return ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN).getInt(16);
    }

    /** Outputs in a JSON output value: rows of "ys", or 1 for "y" (counted without building a tree). */
    static int jsonCount(byte[] v) {
        String s = new String(v, java.nio.charset.StandardCharsets.UTF_8);
        int ys = s.indexOf("\"ys\"");
        if (ys < 0) {
            return 1;
        }
        int n = 0;
        for (int i = s.indexOf('[', ys) + 1; i < s.length(); i++) {
            if (s.charAt(i) == '[') {
                n++;
            }
        }
        return n;
    }

    private static void failIfFailed(CompletableFuture<JobExecutionResult> done) {
        try {
            done.get();
        } catch (ExecutionException e) {
            Throwable t = e.getCause();
            while (t.getCause() != null && t.getCause() != t) {
                t = t.getCause();
            }
            throw new IllegalStateException("the end-to-end benchmark job failed: " + t, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** The bounded job ends by itself after its final checkpoint; it must not outlive the benchmark. */
    private static void awaitEnd(JobClient jc, CompletableFuture<JobExecutionResult> done) throws Exception {
        try {
            done.get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            jc.cancel().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            failIfFailed(done);
        }
    }
}
