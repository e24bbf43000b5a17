package org.flinkla.jobs;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.zip.GZIPInputStream;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.BlobServerOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.WebOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.flinkla.flink.LinearAttention;
import org.flinkla.kafka.EmbeddedKafka;
import org.flinkla.kafka.FileDeadLetters;
import org.flinkla.kafka.KafkaClients;
import org.flinkla.kafka.KafkaSettings;
import org.flinkla.kafka.RecordFormat;
import org.flinkla.kafka.TokenProducer;
import org.flinkla.kafka.TopicReader;
import org.flinkla.records.BinaryRecords;
import org.flinkla.records.JsonLines;
import org.flinkla.records.JsonRecords;
import org.flinkla.records.RejectReasons;

/**
 * Runs a job definition on a local Flink MiniCluster (the {@code run} command, DESIGN §5): against
 * the given Kafka, or — with no bootstrap servers — an in-process KRaft broker started for the run.
 * Creates the job's topics when missing, produces the input file, runs the job, and writes the
 * committed outputs.
 *
 * <p>With an input file the run is <b>finite</b>: the Kafka source is bounded at the input topic's
 * end offsets as of job start, so the job ends when it has consumed everything produced; its final
 * checkpoint commits the last transaction, and then the outputs (read {@code read_committed}, from
 * the output topic's end offsets before the run) are written to the output file. Without an input
 * file the job runs until {@code timeout} (then it is stopped with a savepoint, which commits its
 * last outputs) or until the process is stopped.
 *
 * <pre>{@code
 * JobRunner.Result r = JobRunner.run(JobDefinition.load(Path.of("flink-jobs/attention.yaml")),
 *     new JobRunner.Options().inputFile(Path.of("in.jsonl")).outputFile(Path.of("out.jsonl")));
 * }</pre>
 */
public final class JobRunner {
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();

    /** Restarts of a failing job before the run gives up. */
    static final int RESTARTS = 3;

    private JobRunner() {}

    /** What to run against and what to feed in / write out. */
    public static final class Options {
        String bootstrapServers;
        Path inputFile;
        Path outputFile;
        Duration timeout;
        boolean webUi;
        PrintStream log = System.err;

        /** Kafka to use; null starts the in-process broker. */
        public Options bootstrapServers(String s) { this.bootstrapServers = s; return this; }
        /** JSON lines (DESIGN §4 plus {@code "seq"}) produced to the input topic first; {@code .gz} is read compressed. */
        public Options inputFile(Path p) { this.inputFile = p; return this; }
        /** Where the committed outputs go, as JSON lines. */
        public Options outputFile(Path p) { this.outputFile = p; return this; }
        /** Upper bound on the job's run time; null = no bound. */
        public Options timeout(Duration d) { this.timeout = d; return this; }
        /** Serve the Flink web UI of the local cluster (port 8081). */
        public Options webUi(boolean b) { this.webUi = b; return this; }
        /** Progress messages. */
        public Options log(PrintStream p) { this.log = p; return this; }
    }

    /** Counts of one run. */
    public static final class Result {
        public final long inputRecords;
        public final long outputRecords;
        public final long outputTokens;
        public final long deadLetters;
        public final Map<String, Long> deadLetterReasons;
        public final double jobSeconds;

        Result(long inputRecords, long outputRecords, long outputTokens, long deadLetters,
                Map<String, Long> deadLetterReasons, double jobSeconds) {
            this.inputRecords = inputRecords;
            this.outputRecords = outputRecords;
            this.outputTokens = outputTokens;
            this.deadLetters = deadLetters;
            this.deadLetterReasons = deadLetterReasons;
            this.jobSeconds = jobSeconds;
        }

        @Override
        public String toString() {
            return String.format("%d input records -> %d output records (%d outputs), %d dead letters%s, job %.1f s",
                    inputRecords, outputRecords, outputTokens, deadLetters,
                    deadLetterReasons.isEmpty() ? "" : " " + deadLetterReasons, jobSeconds);
        }
    }

    public static Result run(JobDefinition job, Options o) throws Exception {
        // a bad model fails now, before a broker is started or anything is produced
        LinearAttention attention = AttentionJob.attention(job, AttentionJob.loadModel(job));
        // everything the run writes besides its outputs lives here, and is deleted however it ends
        // (normally, by an error, or stopped by Ctrl-C / SIGTERM through the shutdown actions)
        Path runDir = Files.createTempDirectory("flinkla-run-");
        EmbeddedKafka[] embedded = new EmbeddedKafka[1];
        ShutdownActions.Action cleanup = ShutdownActions.add(() -> {
            if (embedded[0] != null) {
                try {
                    embedded[0].close();
                } catch (Exception e) {
                    // the broker's files are deleted with the run directory below
                }
            }
            deleteRecursively(runDir);
        });
        try {
            String bootstrap = o.bootstrapServers;
            Duration setup = setupTimeout(o);
            if (bootstrap == null) {
                o.log.println("Starting the in-process Kafka broker (Kafka 4.2.0, KRaft) ...");
                embedded[0] = EmbeddedKafka.start(Files.createDirectory(runDir.resolve("kafka")), Map.of());
                bootstrap = embedded[0].bootstrapServers();
                o.log.println("Kafka at " + bootstrap);
            } else {
                // fail within the command's timeout, naming the address, when no broker is there
                KafkaClients.probe(bootstrap, job.kafkaClientProperties(), setup);
            }
            return run(job, o, bootstrap, runDir, attention);
        } finally {
            cleanup.runNow();
        }
    }

    /** Bound of the run's own Kafka client calls: --timeout when shorter than the default 30 s. */
    private static Duration setupTimeout(Options o) {
        return o.timeout != null && o.timeout.compareTo(KafkaClients.DEFAULT_TIMEOUT) < 0 ? o.timeout
                : KafkaClients.DEFAULT_TIMEOUT;
    }

    private static Result run(JobDefinition job, Options o, String bootstrap, Path runDir, LinearAttention attention)
            throws Exception {
        Properties client = KafkaClients.bounded(job.kafkaClientProperties(), setupTimeout(o));
        EmbeddedKafka.createTopics(bootstrap, client, job.source().partitions(), job.topics());
        Map<Integer, Long> outStart = TopicReader.endOffsets(bootstrap, client, job.sink().topic());
        Map<Integer, Long> dlqStart = TopicReader.endOffsets(bootstrap, client, job.sink().deadLetterTopic());

        long produced = 0;
        if (o.inputFile != null) {
            // every line is judged by the pipeline's own parser and size limit: a line that cannot become
            // a record goes straight to the dead-letter topic with the reason the job would give it
            long rejected;
            try (JsonLines lines = new JsonLines(open(o.inputFile), job.source().maxRecordBytes());
                    TokenProducer p = TokenProducer.create(bootstrap, client, job.source().topic(), job.source().format());
                    FileDeadLetters dead = new FileDeadLetters(bootstrap, client, job.sink().deadLetterTopic(),
                            job.source().topic(), o.inputFile.toString())) {
                produced = p.jsonLines(lines, dead::send);
                rejected = dead.count();
            }
            o.log.println("Produced " + produced + " records from " + o.inputFile + " to " + job.source().topic()
                    + (rejected > 0 ? "; " + rejected + " lines that are no records went to " + job.sink().deadLetterTopic()
                    : ""));
        }

        Configuration conf = AttentionJob.flinkConfiguration(job);
        // a job that keeps failing (e.g. Kafka gone) must end the run, not retry forever
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, RESTARTS);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(1));
        // the local cluster's scratch files (blobs, RocksDB working copies, web UI) in the run directory
        String tmp = Files.createDirectories(runDir.resolve("flink")).toString();
        conf.set(CoreOptions.TMP_DIRS, tmp);
        conf.set(BlobServerOptions.STORAGE_DIRECTORY, tmp);
        conf.set(WebOptions.TMP_DIR, tmp);
        StreamExecutionEnvironment env = o.webUi ? StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(conf)
                : StreamExecutionEnvironment.createLocalEnvironment(conf);
        boolean bounded = o.inputFile != null;
        AttentionJob.pipeline(job, bootstrap, bounded, attention).addTo(env);
        o.log.println("Running " + job + (bounded ? " until the input is consumed" : ""));
        long t0 = System.nanoTime();
        JobClient jc = env.executeAsync(job.name());
        // Ctrl-C / SIGTERM: stop the job (before the broker and the files go, see run above)
        ShutdownActions.Action onStop = ShutdownActions.add(() -> cancelAndWait(jc));
        try {
            if (bounded) {
                JobExecutionResult r = o.timeout == null ? jc.getJobExecutionResult().get()
                        : jc.getJobExecutionResult().get(o.timeout.toMillis(), TimeUnit.MILLISECONDS);
                o.log.println("Job finished in " + r.getNetRuntime(TimeUnit.MILLISECONDS) + " ms");
            } else if (o.timeout != null) {
                try {
                    jc.getJobExecutionResult().get(o.timeout.toMillis(), TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    stop(jc, o.log, runDir);
                }
            } else {
                jc.getJobExecutionResult().get();
            }
        } catch (TimeoutException e) {
            cancelAndWait(jc);
            throw new IllegalStateException("the job did not finish within --timeout " + o.timeout.toSeconds()
                    + " s: give it more time, or check the job's progress with --web-ui");
        } catch (ExecutionException e) {
            throw new JobFailedException("job " + job.name() + " failed (restarted " + RESTARTS + " times)",
                    e.getCause());
        } finally {
            onStop.close();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;

        long outRecords = 0;
        long outTokens = 0;
        boolean binary = job.sink().format() == RecordFormat.BINARY;
        try (TopicReader r = TopicReader.open(bootstrap, client, job.sink().topic(), outStart)) {
            List<ConsumerRecord<byte[], byte[]>> outs = r.readToEnd(Duration.ofSeconds(120));
            BufferedWriter w = o.outputFile == null ? null : Files.newBufferedWriter(o.outputFile, StandardCharsets.UTF_8);
            try {
                for (ConsumerRecord<byte[], byte[]> rec : outs) {
                    outRecords++;
                    String seq = rec.key() == null ? null : new String(rec.key(), StandardCharsets.UTF_8);
                    String line;
                    if (binary) {
                        org.flinkla.records.AttentionOutput a = BinaryRecords.decodeOutput(seq, rec.value());
                        outTokens += a.count();
                        line = w == null ? null : JsonRecords.toJson(a);
                    } else {
                        line = new String(rec.value(), StandardCharsets.UTF_8);
                        outTokens += countOutputs(line);
                    }
                    if (w != null) {
                        w.write(line);
                        w.newLine();
                    }
                }
            } finally {
                if (w != null) {
                    w.close();
                }
            }
        }
        Map<String, Long> reasons = new TreeMap<>();
        long dead = 0;
        try (TopicReader r = TopicReader.open(bootstrap, client, job.sink().deadLetterTopic(), dlqStart)) {
            for (ConsumerRecord<byte[], byte[]> rec : r.readToEnd(Duration.ofSeconds(120))) {
                dead++;
                Header h = rec.headers().lastHeader(KafkaSettings.HEADER_REASON);
                String code = h == null ? "?" : RejectReasons.codeOf(new String(h.value(), StandardCharsets.UTF_8));
                reasons.merge(code, 1L, Long::sum);
            }
        }
        Result result = new Result(produced, outRecords, outTokens, dead, reasons, seconds);
        o.log.println(result + (o.outputFile != null ? ", outputs written to " + o.outputFile : ""));
        return result;
    }

    /**
     * Ends an open-ended run with stop-with-savepoint: the sinks commit their last transaction, so
     * every output of the consumed input is visible (a plain cancel would leave an open transaction
     * that read_committed readers wait on). Falls back to cancel if the savepoint fails.
     *
     * @return the savepoint's path, or null when it failed and the job was cancelled
     */
    static String stop(JobClient jc, PrintStream log, Path runDir) throws Exception {
        Path dir = Files.createDirectories(runDir.resolve("savepoint"));
        log.println("Timeout reached: stopping the job with a savepoint");
        try {
            String savepoint = jc.stopWithSavepoint(false, dir.toUri().toString(), SavepointFormatType.CANONICAL)
                    .get(120, TimeUnit.SECONDS);
            log.println("Stopped; savepoint " + savepoint);
            return savepoint;
        } catch (Exception e) {
            log.println("Stop with savepoint failed (" + e.getMessage() + "): cancelling the job; outputs after the "
                    + "last checkpoint are not committed");
            cancelAndWait(jc);
            return null;
        }
    }

    /** Cancels the job and waits (bounded) until it is gone, so that its files can be deleted. */
    private static void cancelAndWait(JobClient jc) {
        try {
            jc.cancel().get(30, TimeUnit.SECONDS);
            jc.getJobExecutionResult().handle((r, e) -> null).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            // already finished, or the local cluster is gone
        }
    }

    /** Deletes {@code dir} and everything in it; what cannot be deleted is left. */
    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (java.util.stream.Stream<Path> all = Files.walk(dir)) {
            all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // left behind
                }
            });
        } catch (IOException | java.io.UncheckedIOException e) {
            // left behind
        }
    }

    /** Outputs in one JSON output value: 1 for {@code "y"}, the row count for {@code "ys"}. */
    static long countOutputs(String json) throws IOException {
        com.fasterxml.jackson.databind.JsonNode ys = JSON.readTree(json).get("ys");
        return ys == null ? 1 : ys.size();
    }

    static InputStream open(Path p) throws IOException {
        if (!Files.isRegularFile(p)) {
            throw new IllegalArgumentException("input file " + p + " does not exist");
        }
        InputStream in = Files.newInputStream(p);
        return p.toString().endsWith(".gz") ? new GZIPInputStream(in, 1 << 16) : in;
    }
}
