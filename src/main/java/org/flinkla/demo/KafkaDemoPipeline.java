package org.flinkla.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.flinkla.flink.SequenceStateSerializer;
import org.flinkla.jobs.AttentionJob;
import org.flinkla.jobs.JobDefinition;
import org.flinkla.kafka.EmbeddedKafka;
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
 * ({@code read_committed}) while the job runs, which drives the progress bar.
 *
 * <p>Timing: {@link DemoRun#startup()} has the broker's start-up (with topic creation), producing
 * the input, and the MiniCluster's start-up; {@link DemoRun#jobSeconds()} runs from job submission
 * to the running cluster until the last output has been committed and read.
 *
 * <pre>{@code
 * AttentionPipeline p = new KafkaDemoPipeline(JobDefinition.load(Path.of("flink-jobs/chr1-demo.yaml")));
 * DemoRun run = p.run(bases, model, outputs, progressBar);
 * }</pre>
 */
public final class KafkaDemoPipeline implements AttentionPipeline {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How long the job may go without a new output before the demo gives up. */
    private static final Duration STALL_TIMEOUT = Duration.ofSeconds(120);

    private final JobDefinition job;

    public KafkaDemoPipeline(JobDefinition job) {
        this.job = job;
    }

    @Override
    public String describe() {
        return "Kafka (in-process KRaft broker) → Flink MiniCluster (" + job.name() + ", "
                + job.guarantee().toString().toLowerCase(java.util.Locale.ROOT).replace('_', '-')
                + ", parallelism " + job.parallelism() + ") → Kafka";
    }

    @Override
    public DemoRun run(Chromosome.Slice bases, DemoModel model, OutputSummary outputs, ProgressBar progress)
            throws Exception {
        Map<String, Double> startup = new LinkedHashMap<>();
        try (HeapSampler heap = HeapSampler.start(20)) {
            long t = System.nanoTime();
            try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
                String bootstrap = kafka.bootstrapServers();
                Properties client = job.kafkaClientProperties();
                EmbeddedKafka.createTopics(bootstrap, client, job.source().partitions(), job.topics());
                Map<Integer, Long> outStart = TopicReader.endOffsets(bootstrap, client, job.sink().topic());
                t = lap(startup, "broker", t);
                long records = produce(bootstrap, client, bases);
                t = lap(startup, "produce", t);

                Configuration conf = AttentionJob.flinkConfiguration(job);
                // a job that keeps failing must end the demo, not retry forever
                conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
                conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 2);
                conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(1));
                // The cluster is started before the job is submitted, so that job time is the job's
                // (what a job submitted to a running cluster takes), and cluster start-up is start-up.
                MiniClusterConfiguration mcc = new MiniClusterConfiguration.Builder()
                        .setConfiguration(conf)
                        .setNumTaskManagers(1)
                        .setNumSlotsPerTaskManager(job.parallelism())
                        .build();
                try (MiniCluster cluster = new MiniCluster(mcc)) {
                    cluster.start();
                    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(conf);
                    // bounded: the source stops at the input's end offsets, the final checkpoint commits the rest
                    AttentionJob.pipeline(job, bootstrap, true, AttentionJob.attention(job, model.model())).addTo(env);
                    StreamGraph graph = env.getStreamGraph();
                    graph.setJobName(job.name());
                    t = lap(startup, "cluster", t);

                    try (TopicReader reader = TopicReader.open(bootstrap, client, job.sink().topic(), outStart)) {
                        long submit = System.nanoTime();
                        Timeline timeline = new Timeline(submit, 20_000_000L);
                        progress.restart();
                        JobID id = cluster.submitJob(graph).get(120, TimeUnit.SECONDS).getJobID();
                        CompletableFuture<JobResult> result = cluster.requestJobResult(id);
                        long lastOutput = consume(reader, bases.length(), outputs, progress, timeline, result);
                        timeline.finish(lastOutput, outputs.distinct());
                        progress.finish();
                        double jobSeconds = (lastOutput - submit) / 1e9;
                        awaitEnd(cluster, id, result);
                        long stateBytes = SequenceStateSerializer.serializedBytes(model.config().statePrecision(),
                                model.newLayer().stateLength());
                        return new DemoRun(describe(), bases.length(), records, startup, jobSeconds, timeline,
                                heap.peakBytes(), stateBytes);
                    }
                }
            }
        }
    }

    private static long lap(Map<String, Double> startup, String part, long since) {
        long now = System.nanoTime();
        startup.put(part, (now - since) / 1e9);
        return now;
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
            for (int i = 0; i < a.count(); i++) {
                outputs.accept(a.positionOf(i), a.ys(), i * a.dim());
            }
        } else {
            acceptJson(rec.value(), outputs);
        }
    }

    /** {@code {"seq": ..., "pos": p, "ys": [[...], ...]}} or the single {@code "y"} form. */
    private static void acceptJson(byte[] value, OutputSummary outputs) throws java.io.IOException {
        JsonNode n = JSON.readTree(value);
        long pos = n.path("pos").asLong();
        JsonNode ys = n.has("ys") ? n.get("ys") : JSON.createArrayNode().add(n.get("y"));
        double[] y = new double[outputs.dim()];
        for (int i = 0; i < ys.size(); i++) {
            JsonNode row = ys.get(i);
            for (int j = 0; j < y.length && j < row.size(); j++) {
                y[j] = row.get(j).asDouble();
            }
            outputs.accept(pos + i, y, 0);
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
