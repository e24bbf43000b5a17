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
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.zip.GZIPInputStream;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.BlobServerOptions;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.WebOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.flinkla.flink.LinearAttention;
import org.flinkla.engine.SequenceModel;
import org.flinkla.kafka.EmbeddedKafka;
import org.flinkla.kafka.FileDeadLetters;
import org.flinkla.kafka.KafkaClients;
import org.flinkla.kafka.KafkaSettings;
import org.flinkla.kafka.RecordFormat;
import org.flinkla.kafka.SourceProgress;
import org.flinkla.kafka.TokenProducer;
import org.flinkla.kafka.TopicReader;
import org.flinkla.records.BinaryRecords;
import org.flinkla.records.JsonLines;
import org.flinkla.records.JsonRecords;
import org.flinkla.records.RejectReasons;

/**
 * Runs a job definition on a local Flink MiniCluster (the {@code run} command, docs/jobs.md): against
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
 * <p>Against an external Kafka the job's state outlives the run, in its {@link RunState} directory:
 * the run resumes from the newest savepoint or retained checkpoint there, and whenever it stops —
 * input consumed, timeout, Ctrl-C, SIGTERM — it stops the job with a savepoint there. A finite run
 * then does not bound its source (a finished job cannot take a savepoint): it watches the offsets the
 * job has read ({@link SourceProgress}) and stops the job once it has read the input's last record.
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
        Path stateDir;
        boolean fresh;
        PrintStream log = System.err;

        /** Kafka to use; null starts the in-process broker. */
        public Options bootstrapServers(String s) { this.bootstrapServers = s; return this; }
        /** JSON lines (docs/records.md plus {@code "seq"}) produced to the input topic first; {@code .gz} is read compressed. */
        public Options inputFile(Path p) { this.inputFile = p; return this; }
        /** Where the committed outputs go, as JSON lines. */
        public Options outputFile(Path p) { this.outputFile = p; return this; }
        /** Upper bound on the job's run time; null = no bound. */
        public Options timeout(Duration d) { this.timeout = d; return this; }
        /** Serve the Flink web UI of the local cluster (port 8081). */
        public Options webUi(boolean b) { this.webUi = b; return this; }
        /** Progress messages. */
        public Options log(PrintStream p) { this.log = p; return this; }
        /** The job's state directory (default {@code ./.flinkla-state/<job name>}); used with an external Kafka. */
        public Options stateDir(Path p) { this.stateDir = p; return this; }
        /** Discard the saved state and start over. */
        public Options fresh(boolean b) { this.fresh = b; return this; }
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

    /** Where {@code run} keeps the state of {@code job} unless told otherwise. */
    public static Path defaultStateDir(JobDefinition job) {
        return Path.of(".flinkla-state", job.name());
    }

    public static Result run(JobDefinition job, Options o) throws Exception {
        // a bad model fails now, before a broker is started or anything is produced
        SequenceModel model = AttentionJob.loadModel(job);
        LinearAttention attention = AttentionJob.attention(job); // by reference: the tasks load the file
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
        RunState state = null;
        try {
            String bootstrap = o.bootstrapServers;
            Duration setup = setupTimeout(o);
            if (bootstrap == null) {
                if (o.stateDir != null || o.fresh) {
                    o.log.println("The in-process broker does not outlive the run, so no state is kept"
                            + " (--state-dir and --fresh apply to an external Kafka)");
                }
                o.log.println("Starting the in-process Kafka broker (Kafka 4.2.0, KRaft) ...");
                embedded[0] = EmbeddedKafka.start(Files.createDirectory(runDir.resolve("kafka")), Map.of());
                bootstrap = embedded[0].bootstrapServers();
                o.log.println("Kafka at " + bootstrap);
            } else {
                // fail within the command's timeout, naming the address, when no broker is there
                KafkaClients.probe(bootstrap, job.kafkaClientProperties(), setup);
                // the broker outlives the run, and so must the sequences' state: resume where the last run stopped
                state = RunState.open(o.stateDir != null ? o.stateDir : defaultStateDir(job), job, model, o.fresh, o.log);
                if (job.source().startingOffsets() == JobDefinition.StartingOffsets.COMMITTED && !o.fresh
                        && state.latest().isEmpty()) {
                    throw new IllegalStateException("job " + job.name() + " reads from the committed offsets"
                            + " (source.starting-offsets: committed) but " + state.dir() + " holds no saved state:"
                            + " the input would resume mid-stream on empty sequence states. Give the --state-dir of"
                            + " the earlier runs, or --fresh to start on empty state anyway");
                }
            }
            return run(job, o, bootstrap, runDir, attention, state);
        } finally {
            if (state != null) {
                state.close();
            }
            cleanup.runNow();
        }
    }

    /** Bound of the run's own Kafka client calls: --timeout when shorter than the default 30 s. */
    private static Duration setupTimeout(Options o) {
        return o.timeout != null && o.timeout.compareTo(KafkaClients.DEFAULT_TIMEOUT) < 0 ? o.timeout
                : KafkaClients.DEFAULT_TIMEOUT;
    }

    private static Result run(JobDefinition job, Options o, String bootstrap, Path runDir, LinearAttention attention,
            RunState state) throws Exception {
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

        double seconds;
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
        Optional<Path> resume = state == null ? Optional.empty() : state.latest();
        if (state != null) {
            // checkpoints are kept in the state directory too: a run that is killed resumes from its last one
            conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, state.checkpoints().toUri().toString());
            conf.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                    ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
            if (resume.isPresent()) {
                conf.set(StateRecoveryOptions.SAVEPOINT_PATH, resume.get().toUri().toString());
                o.log.println("Resuming job " + job.name() + " from " + resume.get());
            } else {
                o.log.println("No saved state in " + state.dir() + ": job " + job.name() + " starts with empty state");
            }
        }
        StreamExecutionEnvironment env = o.webUi ? StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(conf)
                : StreamExecutionEnvironment.createLocalEnvironment(conf);
        boolean finite = o.inputFile != null;
        // a finite run that keeps state cannot use a bounded source: a finished job takes no savepoint.
        // It runs unbounded until it has read the input, then stops with a savepoint.
        boolean bounded = finite && state == null;
        Map<Integer, Long> targets = null;
        Map<Integer, Long> inputEnd = null;
        if (finite && state != null) {
            inputEnd = TopicReader.endOffsets(bootstrap, client, job.source().topic());
            Map<Integer, Long> begin = resume.isPresent()
                    ? KafkaClients.committedOffsets(bootstrap, client, job.source().groupId(), job.source().topic())
                    : startOffsets(job, bootstrap, client, inputEnd);
            targets = TopicReader.lastRecordOffsets(bootstrap, client, job.source().topic(), begin, inputEnd);
        }
        try (SourceProgress progress = SourceProgress.create()) {
            AttentionJob.builder(job, bootstrap, bounded, attention).trackProgress(progress).build().addTo(env);
            o.log.println("Running " + job + (finite ? " until the input is consumed" : ""));
            long t0 = System.nanoTime();
            // Ctrl-C / SIGTERM: stop the job, with a savepoint when there is a state directory (before the broker
            // and the files go, see run above). Registered before the job is submitted: a signal while the local
            // cluster starts waits for the job and stops it then.
            java.util.concurrent.CompletableFuture<JobClient> submitted = new java.util.concurrent.CompletableFuture<>();
            java.util.concurrent.atomic.AtomicBoolean saved = new java.util.concurrent.atomic.AtomicBoolean();
            ShutdownActions.Action onStop = ShutdownActions.add(() -> {
                JobClient c;
                try {
                    c = submitted.get(60, TimeUnit.SECONDS);
                } catch (Exception e) {
                    return; // never submitted
                }
                if (state != null) {
                    saved.set(saveAndStop(c, state, o.log, Duration.ofSeconds(60)));
                } else {
                    cancelAndWait(c);
                }
            });
            JobClient jc;
            try {
                jc = env.executeAsync(job.name());
            } catch (Exception e) {
                submitted.completeExceptionally(e);
                onStop.close();
                throw e;
            }
            submitted.complete(jc);
            try {
                if (bounded) {
                    JobExecutionResult r = o.timeout == null ? jc.getJobExecutionResult().get()
                            : jc.getJobExecutionResult().get(o.timeout.toMillis(), TimeUnit.MILLISECONDS);
                    o.log.println("Job finished in " + r.getNetRuntime(TimeUnit.MILLISECONDS) + " ms");
                } else if (finite) {
                    boolean done = awaitConsumed(jc, progress, targets, inputEnd, resume.isPresent(), job, bootstrap,
                            client, o.timeout);
                    if (!done) {
                        onStop.runNow();
                        throw new IllegalStateException("the job did not consume its input within --timeout "
                                + o.timeout.toSeconds() + " s (stopped with a savepoint: the next run goes on from"
                                + " there): give it more time, or check the job's progress with --web-ui");
                    }
                    o.log.println("The input is consumed");
                    onStop.runNow();
                    if (!saved.get()) {
                        if (jc.getJobExecutionResult().isCompletedExceptionally()) {
                            jc.getJobExecutionResult().get();
                        }
                        throw new IllegalStateException("the job consumed its input but could not be stopped with a"
                                + " savepoint in " + state.savepoints() + ": the next run resumes from its last"
                                + " checkpoint (see the log for why)");
                    }
                } else if (o.timeout != null) {
                    try {
                        jc.getJobExecutionResult().get(o.timeout.toMillis(), TimeUnit.MILLISECONDS);
                    } catch (TimeoutException e) {
                        o.log.println("Timeout reached");
                        if (state != null) {
                            onStop.runNow();
                        } else {
                            stop(jc, o.log, runDir);
                        }
                    }
                } else {
                    jc.getJobExecutionResult().get();
                }
                if (state != null && !saved.get() && jc.getJobExecutionResult().isDone()
                        && jc.getJobExecutionResult().isCompletedExceptionally()) {
                    jc.getJobExecutionResult().get(); // the failure that kept the savepoint from being taken
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
            seconds = (System.nanoTime() - t0) / 1e9;
        }

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

    /** Where the source starts without restored state, per partition (by {@code source.starting-offsets}). */
    private static Map<Integer, Long> startOffsets(JobDefinition job, String bootstrap, Properties client,
            Map<Integer, Long> end) {
        switch (job.source().startingOffsets()) {
            case LATEST:
                return end; // the input produced before the job starts is not read
            case COMMITTED: {
                Map<Integer, Long> begin = TopicReader.beginningOffsets(bootstrap, client, job.source().topic());
                begin.putAll(KafkaClients.committedOffsets(bootstrap, client, job.source().groupId(), job.source().topic()));
                return begin;
            }
            default:
                return TopicReader.beginningOffsets(bootstrap, client, job.source().topic());
        }
    }

    /**
     * Waits until the job has read the last record of every partition ({@code targets}), or, when it
     * resumed from saved state, its consumer group has committed the input's end offset (a partition
     * whose records the restored state had already consumed); false when {@code timeout} passes first.
     */
    private static boolean awaitConsumed(JobClient jc, SourceProgress progress, Map<Integer, Long> targets,
            Map<Integer, Long> end, boolean resumed, JobDefinition job, String bootstrap, Properties client,
            Duration timeout) throws Exception {
        long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
        long nextCommitCheck = 0;
        Map<Integer, Long> pending = new java.util.HashMap<>(targets);
        while (true) {
            pending.entrySet().removeIf(e -> progress.highest(e.getKey()) >= e.getValue());
            if (!pending.isEmpty() && resumed && System.nanoTime() > nextCommitCheck) {
                Map<Integer, Long> committed = KafkaClients.committedOffsets(bootstrap, client, job.source().groupId(),
                        job.source().topic());
                pending.keySet().removeIf(p -> committed.getOrDefault(p, -1L) >= end.getOrDefault(p, 0L));
                nextCommitCheck = System.nanoTime() + 1_000_000_000L;
            }
            if (pending.isEmpty()) {
                return true;
            }
            if (jc.getJobExecutionResult().isDone()) {
                jc.getJobExecutionResult().get(); // a failure surfaces here
                throw new IllegalStateException("the job ended before it consumed its input");
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(200);
        }
    }

    /**
     * Stops the job with a savepoint in the state directory (the sinks commit their last
     * transaction with it), so the next run resumes exactly there; falls back to cancelling (the
     * retained checkpoints then hold the state). Tasks that are still starting refuse a savepoint,
     * so it is retried for a while.
     */
    private static boolean saveAndStop(JobClient jc, RunState state, PrintStream log, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (jc.getJobExecutionResult().isDone()) {
                    return false;
                }
                String path = jc.stopWithSavepoint(false, state.savepoints().toUri().toString(),
                        SavepointFormatType.CANONICAL).get(Math.max(1, (deadline - System.nanoTime()) / 1_000_000),
                        TimeUnit.MILLISECONDS);
                Path savepoint = Path.of(java.net.URI.create(path.startsWith("file:") ? path : "file:" + path));
                state.keepOnly(savepoint);
                log.println("Stopped with a savepoint in " + savepoint + ": the next run of this job resumes from it"
                        + " (--fresh starts over)");
                return true;
            } catch (Exception e) {
                last = e;
                try {
                    Thread.sleep(500);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        log.println("Could not stop the job with a savepoint (" + (last == null ? "timed out" : rootMessage(last))
                + "): cancelling it; the next run resumes from its last checkpoint");
        cancelAndWait(jc);
        return false;
    }

    private static String rootMessage(Throwable t) {
        Throwable r = t;
        while (r.getCause() != null && r.getCause() != r) {
            r = r.getCause();
        }
        return r.getClass().getSimpleName() + ": " + r.getMessage();
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
