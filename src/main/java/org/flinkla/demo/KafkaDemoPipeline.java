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

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.flinkla.flink.EmitFields;
import org.flinkla.flink.EmitMode;
import org.flinkla.jobs.AttentionJob;
import org.flinkla.jobs.JobDefinition;
import org.flinkla.kafka.EmbeddedKafka;
import org.flinkla.kafka.KafkaClients;
import org.flinkla.kafka.RecordFormat;
import org.flinkla.kafka.TokenProducer;
import org.flinkla.kafka.TopicReader;
import org.flinkla.records.AttentionOutput;
import org.flinkla.records.BinaryRecords;
import org.flinkla.records.TokenRecord;

/**
 * The demo on the embedded default: an in-process KRaft broker, the bases produced to the job's
 * input topic as FASTA-line chunks, the job definition ({@code flink-jobs/chr1-demo.yaml}) run on
 * a local Flink MiniCluster with the demo's model, and the committed outputs consumed
 * ({@code read_committed}) while the job runs.
 *
 * <p>{@link #prepare} starts the broker (with its topics) and the MiniCluster in parallel on two
 * threads, while the caller reads the data and loads the model. During the job a second consumer
 * reads the output topic {@code read_uncommitted}: it sees outputs as soon as the job writes them
 * inside its transaction, which moves the progress bar between commits and tells computing time
 * ({@link DemoRun#lastProcessedSeconds()}) from the wait for the last commit.
 *
 * <p>Timing: {@link DemoRun#startupSeconds()} runs from {@link #prepare} to the job's submission
 * (broker and cluster start-up overlap, then the input is produced); {@link DemoRun#jobSeconds()}
 * runs from the submission to the running cluster until the last output has been committed and
 * read.
 *
 * <pre>{@code
 * try (AttentionPipeline p = new KafkaDemoPipeline(JobDefinition.load(Path.of("flink-jobs/chr1-demo.yaml")))) {
 *     p.prepare();
 *     DemoRun run = p.run(bases, model, outputs, progressBar);
 * }
 * }</pre>
 */
public final class KafkaDemoPipeline implements AttentionPipeline {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How long the job may go without a new output before the demo gives up. */
    private static final Duration STALL_TIMEOUT = Duration.ofSeconds(120);

    private final JobDefinition job;
    private final long warmUpBases;
    private long prepareNanos;
    private CompletableFuture<Broker> broker;
    private CompletableFuture<Cluster> cluster;

    /** The started broker and when it was ready. */
    private record Broker(EmbeddedKafka kafka, Map<Integer, Long> outStart, long readyNanos) {}

    /** The started cluster and when it was ready. */
    private record Cluster(MiniCluster cluster, long readyNanos) {}

    public KafkaDemoPipeline(JobDefinition job) {
        this(job, ModelWarmUp.DEFAULT_MAX_BASES);
    }

    /**
     * With at most {@code warmUpBases} synthetic bases through the model while the broker and the
     * cluster start ({@link ModelWarmUp}; 0: none).
     */
    public KafkaDemoPipeline(JobDefinition job, long warmUpBases) {
        this.job = job;
        this.warmUpBases = warmUpBases;
    }

    @Override
    public String describe() {
        return "Kafka (in-process KRaft broker) → Flink MiniCluster (" + job.name() + ", "
                + job.guarantee().toString().toLowerCase(java.util.Locale.ROOT).replace('_', '-')
                + ", parallelism " + job.parallelism() + ") → Kafka";
    }

    /** The Flink configuration of the job, with a bounded number of restarts. */
    private Configuration configuration() {
        Configuration conf = AttentionJob.flinkConfiguration(job);
        // a job that keeps failing must end the demo, not retry forever
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 2);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(1));
        // the in-process cluster's REST endpoint on any free port: 8081 may be taken (another
        // cluster, another demo), and nothing here talks to it
        conf.set(org.apache.flink.configuration.RestOptions.BIND_PORT, "0");
        return conf;
    }

    @Override
    public synchronized void prepare() {
        if (broker != null) {
            return;
        }
        prepareNanos = System.nanoTime();
        broker = CompletableFuture.supplyAsync(() -> {
            try {
                EmbeddedKafka kafka = EmbeddedKafka.start();
                try {
                    String bootstrap = kafka.bootstrapServers();
                    Properties client = job.kafkaClientProperties();
                    EmbeddedKafka.createTopics(bootstrap, client, job.source().partitions(), job.topics());
                    if (job.guarantee() == org.apache.flink.connector.base.DeliveryGuarantee.EXACTLY_ONCE) {
                        initTransactionLog(bootstrap, client);
                    }
                    initOffsetsTopic(bootstrap, client, job.source().topic());
                    Map<Integer, Long> outStart = TopicReader.endOffsets(bootstrap, client, job.sink().topic());
                    return new Broker(kafka, outStart, System.nanoTime());
                } catch (Exception e) {
                    kafka.close();
                    throw e;
                }
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, daemon("demo-broker-start"));
        cluster = CompletableFuture.supplyAsync(() -> {
            // The cluster is started before the job is submitted, so that job time is the job's
            // (what a job submitted to a running cluster takes), and cluster start-up is start-up.
            MiniClusterConfiguration mcc = new MiniClusterConfiguration.Builder()
                    .setConfiguration(configuration())
                    .setNumTaskManagers(1)
                    .setNumSlotsPerTaskManager(job.parallelism())
                    .build();
            MiniCluster mc = new MiniCluster(mcc);
            try {
                mc.start();
            } catch (Exception e) {
                closeQuietly(mc);
                throw new java.util.concurrent.CompletionException(e);
            }
            return new Cluster(mc, System.nanoTime());
        }, daemon("demo-cluster-start"));
    }

    /**
     * A fresh broker creates its transaction log ({@code __transaction_state}) when the first
     * transactional producer registers; a broker that has been running has it. One producer
     * registers here, during start-up, so that the job's exactly-once sink finds the log there as
     * it would on a running cluster, and its own first transaction does not wait for it.
     */
    private static void initTransactionLog(String bootstrap, Properties client) {
        Properties p = new Properties();
        p.putAll(client);
        p.put(org.apache.kafka.clients.producer.ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(org.apache.kafka.clients.producer.ProducerConfig.TRANSACTIONAL_ID_CONFIG, "flinkla-demo-start-up");
        try (org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]> producer =
                     new org.apache.kafka.clients.producer.KafkaProducer<>(p,
                             new org.apache.kafka.common.serialization.ByteArraySerializer(),
                             new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            producer.initTransactions();
        }
    }

    /**
     * A fresh broker creates its consumer-offsets topic ({@code __consumer_offsets}) when the first
     * consumer group commits; a broker that has been running has it. The job's source commits its
     * read offsets on every checkpoint; on a fresh broker they all failed with "coordinator not
     * available", and the source was still retrying them as it closed, while the final checkpoint
     * waited for it. One commit here, under a group of its own, creates the topic during start-up.
     */
    private static void initOffsetsTopic(String bootstrap, Properties client, String topic) {
        Properties p = new Properties();
        p.putAll(client);
        p.put(org.apache.kafka.clients.consumer.ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(org.apache.kafka.clients.consumer.ConsumerConfig.GROUP_ID_CONFIG, "flinkla-demo-start-up");
        p.put(org.apache.kafka.clients.consumer.ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]> consumer =
                     new org.apache.kafka.clients.consumer.KafkaConsumer<>(p,
                             new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                             new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            org.apache.kafka.common.TopicPartition tp = new org.apache.kafka.common.TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.commitSync(Map.of(tp, new org.apache.kafka.clients.consumer.OffsetAndMetadata(0)),
                    KafkaClients.apiTimeout(p));
        }
    }

    private static java.util.concurrent.Executor daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            t.start();
        };
    }

    @Override
    public DemoRun run(Chromosome.Slice bases, DemoModel model, OutputSummary outputs, ProgressBar progress)
            throws Exception {
        prepare();
        Map<String, Double> startup = new LinkedHashMap<>();
        // a model without an LM head has no probabilities: it runs without the job's emit fields
        JobDefinition j = model.isLanguageModel() ? job : job.withEmitFields(EmitFields.NONE);
        // the JIT compiles the model's kernels while the broker and the cluster start
        ModelWarmUp warm = ModelWarmUp.start(model.model(), EmitMode.parse(j.emit()), j.emitFields(),
                j.maxTokensPerRecord(), ModelWarmUp.DEFAULT_MIN_BASES, warmUpBases);
        try (HeapSampler heap = HeapSampler.start(20)) {
            progress.status("starting the Kafka broker and the Flink cluster");
            Broker b = await(broker, "the in-process Kafka broker");
            startup.put("broker", (b.readyNanos() - prepareNanos) / 1e9);
            String bootstrap = b.kafka().bootstrapServers();
            Properties client = job.kafkaClientProperties();
            progress.status("producing the bases");
            long t = System.nanoTime();
            long records = produce(bootstrap, client, bases);
            startup.put("produce", (System.nanoTime() - t) / 1e9);

            progress.status("starting the Flink cluster");
            Cluster c = await(cluster, "the Flink MiniCluster");
            startup.put("cluster", (c.readyNanos() - prepareNanos) / 1e9);
            StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(configuration());
            // bounded: the source stops at the input's end offsets, the final checkpoint commits the rest
            AttentionJob.pipeline(j, bootstrap, true, AttentionJob.attention(j, model.reference())).addTo(env);
            StreamGraph graph = env.getStreamGraph();
            graph.setJobName(job.name());
            if (!warm.isDone()) {
                progress.status("warming up the model");
            }
            ModelWarmUp.Result warmed = warm.finish();
            startup.put("warm_up", warmed.seconds());

            try (TopicReader reader = TopicReader.open(bootstrap, client, job.sink().topic(), b.outStart());
                 ProcessedCounter counter = new ProcessedCounter(
                         TopicReader.open(bootstrap, client, job.sink().topic(), b.outStart(), false),
                         job.sink().format() == RecordFormat.BINARY, progress)) {
                long submit = System.nanoTime();
                double startupSeconds = (submit - prepareNanos) / 1e9;
                Timeline timeline = new Timeline(submit, 20_000_000L);
                progress.restart();
                // everything written: checkpoint now rather than at the next interval, so the last
                // outputs are committed sooner (if this checkpoint fails, the next periodic one commits them)
                AtomicReference<JobID> jobId = new AtomicReference<>();
                counter.onAllWritten(bases.length(), () -> {
                    JobID jid = jobId.get();
                    if (jid != null) {
                        c.cluster().triggerCheckpoint(jid);
                    }
                });
                counter.start(submit);
                progress.status("submitting the job");
                JobID id = c.cluster().submitJob(graph).get(120, TimeUnit.SECONDS).getJobID();
                jobId.set(id);
                CompletableFuture<JobResult> result = c.cluster().requestJobResult(id);
                Thread phases = watchJobStart(c.cluster(), id, counter, result, progress);
                long lastOutput;
                try {
                    lastOutput = consume(reader, bases.length(), outputs, progress, timeline, result);
                } finally {
                    phases.interrupt();
                }
                timeline.finish(lastOutput, outputs.distinct());
                Timeline processed = counter.stop(outputs.distinct(), lastOutput);
                progress.finish();
                double jobSeconds = (lastOutput - submit) / 1e9;
                awaitEnd(c.cluster(), id, result);
                return new DemoRun(describe(), bases.length(), records, startup, startupSeconds, jobSeconds, timeline,
                        processed, counter.operatorCpuSeconds(), heap.peakBytes(),
                        model.stateBytesPerKey(j.emitFields().surprisal()));
            }
        }
    }

    /**
     * Until the job has written its first output, names on the progress bar what the job is doing:
     * the job manager setting it up, the tasks being scheduled and started (their Kafka clients,
     * the sink's transactions, the state backend, the model), then the first records.
     */
    private static Thread watchJobStart(MiniCluster cluster, JobID id, ProcessedCounter counter,
            CompletableFuture<JobResult> result, ProgressBar progress) {
        Thread t = new Thread(() -> {
            String last = "";
            while (counter.written() == 0 && !result.isDone()) {
                String phase;
                try {
                    phase = jobStartPhase(cluster.getExecutionGraph(id).get(5, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    phase = last; // not known yet (or the job just ended): keep what the bar says
                }
                if (!phase.equals(last) && counter.written() == 0) {
                    progress.status(phase);
                    last = phase;
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "demo-job-start");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static String jobStartPhase(org.apache.flink.runtime.executiongraph.AccessExecutionGraph g) {
        if (g.getState() != org.apache.flink.api.common.JobStatus.RUNNING) {
            return "job submitted: the job manager sets it up";
        }
        int tasks = 0;
        int scheduled = 0;
        int running = 0;
        for (org.apache.flink.runtime.executiongraph.AccessExecutionVertex v : g.getAllExecutionVertices()) {
            tasks++;
            switch (v.getExecutionState()) {
                case CREATED:
                case SCHEDULED:
                    scheduled++;
                    break;
                case RUNNING:
                case FINISHED:
                    running++;
                    break;
                default:
                    break; // deploying or initializing
            }
        }
        if (scheduled > 0) {
            return "scheduling the tasks";
        }
        if (running < tasks) {
            return "starting the tasks (" + running + " of " + tasks + " running)";
        }
        return "tasks running: the first records";
    }

    private static <T> T await(CompletableFuture<T> f, String what) throws Exception {
        try {
            return f.get(300, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof java.util.concurrent.CompletionException && c.getCause() != null) {
                c = c.getCause();
            }
            StringBuilder why = new StringBuilder(String.valueOf(c.getMessage()));
            for (Throwable t = c.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
                why.append(" <- ").append(t);
            }
            throw new IllegalStateException(what + " did not start: " + why, c);
        }
    }

    @Override
    public synchronized void close() throws Exception {
        // the cluster first (its job's Kafka clients), then the broker; each even if the other failed
        CompletableFuture<Cluster> c = cluster;
        CompletableFuture<Broker> b = broker;
        cluster = null;
        broker = null;
        try {
            if (c != null) {
                Cluster started = c.handle((v, e) -> v).get(300, TimeUnit.SECONDS);
                if (started != null) {
                    started.cluster().close();
                }
            }
        } finally {
            if (b != null) {
                Broker started = b.handle((v, e) -> v).get(300, TimeUnit.SECONDS);
                if (started != null) {
                    started.kafka().close();
                }
            }
        }
    }

    private static void closeQuietly(MiniCluster mc) {
        try {
            mc.close();
        } catch (Exception ignored) {
            // it did not start: nothing more to release
        }
    }

    /** The bases as {@code {"pos": p, "tokens": "..."}} records of one FASTA line each, key = sequence name. */
    private long produce(String bootstrap, Properties client, Chromosome.Slice bases) {
        String seq = bases.chromosome().name();
        try (TokenProducer p = TokenProducer.create(bootstrap, client, job.source().topic(), job.source().format())) {
            for (long pos = 0; pos < bases.length(); pos += FASTA_LINE) {
                int n = (int) Math.min(FASTA_LINE, bases.length() - pos);
                p.send(TokenRecord.symbols(seq, pos, bases.substring(pos, n), true));
            }
            p.flush();
            return p.records();
        }
    }

    /**
     * Reads the output topic {@code read_uncommitted} on its own thread and records how far the job
     * has written (the end position of the last output record: one sequence, in order), for the
     * progress bar and the processed timeline. Only record headers are looked at.
     */
    private static final class ProcessedCounter implements AutoCloseable {
        /** Flink names a task thread after its operator chain, which starts with the operator's name. */
        private static final String OPERATOR_THREAD = "Linear attention";
        private final TopicReader reader;
        private final boolean binary;
        private final ProgressBar progress;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private Thread thread;
        private Timeline timeline;
        private volatile long written;
        private volatile long lastChangeNanos;
        private long allWrittenAt = Long.MAX_VALUE;
        private Runnable onAllWritten;

        ProcessedCounter(TopicReader reader, boolean binary, ProgressBar progress) {
            this.reader = reader;
            this.binary = binary;
            this.progress = progress;
        }

        /**
         * Runs {@code action} once on this reader's thread when the job has written outputs up to
         * {@code end} (before they are committed).
         */
        void onAllWritten(long end, Runnable action) {
            this.allWrittenAt = end;
            this.onAllWritten = action;
        }

        void start(long submitNanos) {
            timeline = new Timeline(submitNanos, 20_000_000L);
            thread = new Thread(() -> {
                while (running.get()) {
                    List<ConsumerRecord<byte[], byte[]>> batch = reader.poll(Duration.ofMillis(50));
                    long now = System.nanoTime();
                    sampleOperatorCpu(now);
                    long end = written;
                    for (ConsumerRecord<byte[], byte[]> rec : batch) {
                        end = Math.max(end, endPosition(rec.value()));
                    }
                    if (end != written) {
                        written = end;
                        lastChangeNanos = now;
                        timeline.record(now, end);
                        progress.ahead(end);
                        if (end >= allWrittenAt && onAllWritten != null) {
                            Runnable r = onAllWritten;
                            onAllWritten = null;
                            r.run();
                        }
                    }
                }
            }, "demo-processed-counter");
            thread.setDaemon(true);
            thread.start();
        }

        /** Stops the thread; the timeline ends with every output written by the time the last was committed. */
        Timeline stop(long committed, long lastCommittedNanos) throws InterruptedException {
            running.set(false);
            thread.join(10_000);
            if (written >= committed) {
                // the last change may have come within the timeline's minimum gap: record it
                timeline.finish(lastChangeNanos, written);
            } else {
                // committed outputs were written before they were committed, even if this reader missed them
                timeline.finish(lastCommittedNanos, committed);
            }
            return timeline;
        }

        private final java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        private long operatorThread = -1;
        private long lastScan;
        private volatile long operatorCpuNanos = -1;

        /**
         * CPU time of the task thread that runs the model (the operator chain named "Linear
         * attention", with the sink writer chained to it): the MiniCluster runs in this JVM. Read
         * while the job runs, since the thread ends with the task.
         */
        private void sampleOperatorCpu(long now) {
            if (!threads.isThreadCpuTimeSupported()) {
                return;
            }
            if (operatorThread < 0 && now - lastScan > 200_000_000L) {
                lastScan = now;
                for (java.lang.management.ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
                    if (t != null && t.getThreadName().startsWith(OPERATOR_THREAD)) {
                        operatorThread = t.getThreadId();
                        break;
                    }
                }
            }
            if (operatorThread >= 0) {
                long cpu = threads.getThreadCpuTime(operatorThread);
                if (cpu >= 0) {
                    operatorCpuNanos = cpu;
                }
            }
        }

        /** End position of the furthest output written so far (0: none yet). */
        long written() {
            return written;
        }

        /** CPU seconds of the model's task thread up to the last sample, or NaN if it was not found. */
        double operatorCpuSeconds() {
            return operatorCpuNanos < 0 ? Double.NaN : operatorCpuNanos / 1e9;
        }

        private long endPosition(byte[] v) {
            try {
                if (binary) {
                    ByteBuffer b = ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN);
                    return b.getLong(8) + b.getInt(16);
                }
                JsonNode n = JSON.readTree(v);
                return n.path("pos").asLong() + (n.has("ys") ? n.get("ys").size() : 1);
            } catch (Exception e) {
                return 0; // a record this counter cannot read: the committed reader reports it
            }
        }

        @Override
        public void close() {
            running.set(false);
            if (thread != null) {
                try {
                    thread.join(10_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            reader.close();
        }
    }

    /**
     * Reads committed outputs until every position has arrived; returns the time the last one was
     * read. Fails with the job's own error if the job fails, or after {@link #STALL_TIMEOUT}
     * without progress.
     */
    private long consume(TopicReader reader, long expected, OutputSummary outputs, ProgressBar progress,
            Timeline timeline, CompletableFuture<JobResult> result) throws Exception {
        boolean binary = job.sink().format() == RecordFormat.BINARY;
        long lastProgress = System.nanoTime();
        long seen = 0;
        while (true) {
            List<ConsumerRecord<byte[], byte[]>> batch = reader.poll(Duration.ofMillis(50));
            long now = System.nanoTime();
            for (ConsumerRecord<byte[], byte[]> rec : batch) {
                accept(rec, binary, outputs);
            }
            if (outputs.outputs() != seen) {
                seen = outputs.outputs();
                lastProgress = now;
                timeline.record(now, outputs.distinct());
                progress.update(outputs.distinct());
            }
            if (outputs.distinct() >= expected) {
                return now;
            }
            if (result.isDone()) {
                // finished (or failed): everything it committed is readable now
                failIfFailed(result);
                List<ConsumerRecord<byte[], byte[]>> rest = reader.readToEnd(Duration.ofSeconds(30));
                if (rest.isEmpty()) {
                    return now;
                }
                for (ConsumerRecord<byte[], byte[]> rec : rest) {
                    accept(rec, binary, outputs);
                }
                long end = System.nanoTime();
                progress.update(outputs.distinct());
                return end;
            }
            if (now - lastProgress > STALL_TIMEOUT.toNanos()) {
                throw new IllegalStateException("no new output for " + STALL_TIMEOUT.toSeconds() + " s ("
                        + outputs.distinct() + " of " + expected + " received): giving up on job " + job.name());
            }
        }
    }

    private static void accept(ConsumerRecord<byte[], byte[]> rec, boolean binary, OutputSummary outputs)
            throws java.io.IOException {
        if (binary) {
            String seq = rec.key() == null ? "" : new String(rec.key(), StandardCharsets.UTF_8);
            AttentionOutput a = BinaryRecords.decodeOutput(seq, rec.value());
            double[] ps = a.ps();
            double[] s = a.surprisals();
            for (int i = 0; i < a.count(); i++) {
                if (outputs.isLanguageModel()) {
                    outputs.accept(a.positionOf(i), a.ys(), i * a.dim(), ps, i * a.dim(),
                            s == null ? Double.NaN : s[i]);
                } else {
                    outputs.accept(a.positionOf(i), a.ys(), i * a.dim());
                }
            }
        } else {
            acceptJson(rec.value(), outputs);
        }
    }

    /**
     * {@code {"seq": ..., "pos": p, "ys": [[...], ...], "ps": [[...], ...], "surprisals": [...]}} or
     * the single form ({@code "y"}, {@code "p"}, {@code "surprisal"}).
     */
    private static void acceptJson(byte[] value, OutputSummary outputs) throws java.io.IOException {
        JsonNode n = JSON.readTree(value);
        long pos = n.path("pos").asLong();
        boolean chunk = n.has("ys");
        JsonNode ys = chunk ? n.get("ys") : JSON.createArrayNode().add(n.get("y"));
        JsonNode ps = chunk ? n.get("ps") : n.has("p") ? JSON.createArrayNode().add(n.get("p")) : null;
        JsonNode ss = chunk ? n.get("surprisals") : n.has("surprisal") ? JSON.createArrayNode().add(n.get("surprisal"))
                : null;
        double[] y = new double[outputs.dim()];
        double[] p = new double[outputs.dim()];
        for (int i = 0; i < ys.size(); i++) {
            JsonNode row = ys.get(i);
            for (int j = 0; j < y.length && j < row.size(); j++) {
                y[j] = row.get(j).asDouble();
            }
            if (outputs.isLanguageModel()) {
                boolean hasP = ps != null && ps.get(i) != null;
                if (hasP) {
                    for (int j = 0; j < p.length && j < ps.get(i).size(); j++) {
                        p[j] = ps.get(i).get(j).asDouble();
                    }
                }
                JsonNode s = ss == null ? null : ss.get(i);
                outputs.accept(pos + i, y, 0, hasP ? p : null, 0, s == null || s.isNull() ? Double.NaN : s.asDouble());
            } else {
                outputs.accept(pos + i, y, 0);
            }
        }
    }

    /** Throws the job's failure, if it failed. */
    private static void failIfFailed(CompletableFuture<JobResult> result) throws Exception {
        JobResult r = result.get();
        if (!r.isSuccess()) {
            Throwable c = r.getSerializedThrowable()
                    .map(t -> t.deserializeError(KafkaDemoPipeline.class.getClassLoader()))
                    .orElse(new IllegalStateException("job ended as " + r.getApplicationStatus()));
            while (c.getCause() != null && c.getCause() != c) {
                c = c.getCause();
            }
            throw new IllegalStateException("the demo job failed: " + c, c);
        }
    }

    /** The bounded job ends by itself after its final checkpoint; it must not outlive the demo. */
    private static void awaitEnd(MiniCluster cluster, JobID id, CompletableFuture<JobResult> result) throws Exception {
        try {
            result.get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            cluster.cancelJob(id).get(30, TimeUnit.SECONDS);
            return;
        }
        failIfFailed(result);
    }
}
