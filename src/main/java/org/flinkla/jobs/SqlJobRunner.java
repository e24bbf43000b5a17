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

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.flinkla.kafka.EmbeddedKafka;
import org.flinkla.kafka.KafkaSettings;
import org.flinkla.kafka.RecordFormat;
import org.flinkla.kafka.TokenProducer;
import org.flinkla.kafka.TopicReader;
import org.flinkla.records.AttentionOutput;
import org.flinkla.records.BinaryRecords;
import org.flinkla.records.JsonRecords;
import org.flinkla.records.RejectReasons;

/**
 * Runs a SQL job file on a local Flink MiniCluster (the {@code sql} command), the way
 * {@link JobRunner} runs a YAML job: against the given Kafka or an in-process broker, creating the
 * Kafka tables' topics when missing, producing the input file to the source table's topic, and
 * writing the committed outputs (read {@code read_committed}) as JSON lines in {@code run}'s form.
 *
 * <p>Placeholders: {@code ${bootstrap.servers}} is the Kafka of the run, {@code ${job.dir}} the
 * file's directory, others come from {@link Options#define} or the environment
 * ({@link SqlJobFile}). With an input file the run is finite: the Kafka source tables are bounded
 * at their end offsets as of job start ({@code 'scan.bounded.mode' = 'latest-offset'}), so the job
 * ends when it has consumed the input and its final checkpoint commits the last transaction.
 *
 * <pre>{@code
 * SqlJobRunner.Result r = SqlJobRunner.run(SqlJobFile.load(Path.of("flink-jobs/attention.sql")),
 *     new SqlJobRunner.Options().inputFile(Path.of("in.jsonl")).outputFile(Path.of("out.jsonl")));
 * }</pre>
 *
 * <p>Output form: a JSON sink's values are written as they are (with {@code "seq"} added from the
 * record key when the value has none); a raw sink's binary output records
 * ({@code LINEAR_ATTENTION_BYTES}) are decoded and written as {@code {"seq","pos","y"}}. Records
 * of error sinks (tables with an {@code error} column) are counted per reason code.
 */
public final class SqlJobRunner {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SqlJobRunner() {}

    /** What to run against, what to feed in and write out. */
    public static final class Options {
        String bootstrapServers;
        Path inputFile;
        Path outputFile;
        Duration timeout;
        boolean webUi;
        Integer parallelism;
        Integer partitions;
        String fromSavepoint;
        final Map<String, String> defines = new LinkedHashMap<>();
        PrintStream log = System.err;

        /** Kafka to use; null starts the in-process broker. */
        public Options bootstrapServers(String s) { this.bootstrapServers = s; return this; }
        /** JSON lines (with {@code "seq"}) produced to the source table's topic first; {@code .gz} allowed. */
        public Options inputFile(Path p) { this.inputFile = p; return this; }
        /** Where the committed outputs go, as JSON lines. */
        public Options outputFile(Path p) { this.outputFile = p; return this; }
        /** Upper bound on the run time; null = none. */
        public Options timeout(Duration d) { this.timeout = d; return this; }
        public Options webUi(boolean b) { this.webUi = b; return this; }
        /** Overrides {@code parallelism.default}. */
        public Options parallelism(Integer p) { this.parallelism = p; return this; }
        /** Partitions of topics this run creates (default: the job's parallelism). */
        public Options partitions(Integer p) { this.partitions = p; return this; }
        /** Resume from this savepoint or retained checkpoint. */
        public Options fromSavepoint(String path) { this.fromSavepoint = path; return this; }
        /** Value of placeholder {@code ${name}}. */
        public Options define(String name, String value) { this.defines.put(name, value); return this; }
        public Options log(PrintStream p) { this.log = p; return this; }
    }

    /** Counts of one run. */
    public static final class Result {
        public final long inputRecords;
        public final long outputRecords;
        public final long outputTokens;
        public final long errorRecords;
        public final Map<String, Long> errorReasons;
        public final double jobSeconds;
        /** Savepoint written when an open-ended run was stopped at its timeout, else null. */
        public final String savepoint;

        Result(long inputRecords, long outputRecords, long outputTokens, long errorRecords,
                Map<String, Long> errorReasons, double jobSeconds, String savepoint) {
            this.inputRecords = inputRecords;
            this.outputRecords = outputRecords;
            this.outputTokens = outputTokens;
            this.errorRecords = errorRecords;
            this.errorReasons = errorReasons;
            this.jobSeconds = jobSeconds;
            this.savepoint = savepoint;
        }

        @Override
        public String toString() {
            return String.format("%d input records -> %d output records (%d outputs), %d error rows%s, job %.1f s",
                    inputRecords, outputRecords, outputTokens, errorRecords,
                    errorReasons.isEmpty() ? "" : " " + errorReasons, jobSeconds);
        }
    }

    public static Result run(SqlJobFile file, Options o) throws Exception {
        EmbeddedKafka embedded = null;
        try {
            String bootstrap = o.bootstrapServers;
            if (bootstrap == null) {
                o.log.println("Starting the in-process Kafka broker (Kafka 4.2.0, KRaft) ...");
                embedded = EmbeddedKafka.start();
                bootstrap = embedded.bootstrapServers();
                o.log.println("Kafka at " + bootstrap);
            }
            return run(file, o, bootstrap);
        } finally {
            if (embedded != null) {
                embedded.close();
            }
        }
    }

    /** The file's statements with placeholders resolved for a run against {@code bootstrap}. */
    public static List<SqlJobFile.Statement> resolve(SqlJobFile file, Map<String, String> defines, String bootstrap) {
        Map<String, String> values = new LinkedHashMap<>(defines);
        values.putIfAbsent("bootstrap.servers", bootstrap);
        return file.resolve(values, System::getenv);
    }

    /** The local job's configuration: the file's SETs, the run's overrides, restarts that end a failing run. */
    static Configuration configuration(List<SqlJobFile.Statement> statements, Options o) {
        Configuration conf = SqlPipeline.configuration(statements);
        if (!conf.contains(RestartStrategyOptions.RESTART_STRATEGY)) {
            // a job that keeps failing (e.g. Kafka gone) must end the run, not retry forever
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(1));
        }
        if (o.parallelism != null) {
            conf.set(CoreOptions.DEFAULT_PARALLELISM, o.parallelism);
        }
        if (o.fromSavepoint != null) {
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, o.fromSavepoint);
        }
        return conf;
    }

    /** A local environment for the job, a table environment on it, and the planned pipeline. */
    public static SqlPipeline plan(List<SqlJobFile.Statement> statements, Options o, boolean bounded) {
        Configuration conf = configuration(statements, o);
        StreamExecutionEnvironment env = o.webUi ? StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(conf)
                : StreamExecutionEnvironment.createLocalEnvironment(conf);
        return SqlPipeline.plan(StreamTableEnvironment.create(env), statements, bounded);
    }

    private static Result run(SqlJobFile file, Options o, String bootstrap) throws Exception {
        List<SqlJobFile.Statement> statements = resolve(file, o.defines, bootstrap);
        Configuration conf = configuration(statements, o);
        if (!conf.contains(CheckpointingOptions.CHECKPOINTING_INTERVAL)) {
            o.log.println("Warning: " + file.file() + " sets no 'execution.checkpointing.interval': an exactly-once "
                    + "Kafka sink commits only on checkpoints");
        }
        boolean bounded = o.inputFile != null;
        SqlPipeline pipeline = plan(statements, o, bounded);
        Properties client = pipeline.sinks().isEmpty() ? new Properties() : pipeline.sinks().get(0).clientProperties();
        int partitions = o.partitions != null ? o.partitions : conf.get(CoreOptions.DEFAULT_PARALLELISM);
        EmbeddedKafka.createTopics(bootstrap, client, partitions, pipeline.topics());
        Map<String, Map<Integer, Long>> starts = new HashMap<>();
        for (SqlPipeline.KafkaTable t : pipeline.sinks()) {
            starts.put(t.topic(), TopicReader.endOffsets(bootstrap, t.clientProperties(), t.topic()));
        }

        long produced = 0;
        if (o.inputFile != null) {
            SqlPipeline.KafkaTable source = pipeline.source();
            // lines judged by the same parser and size limit as every other path; a line that cannot
            // become a record is reported with its number (the SQL job has no dead-letter topic of its own)
            try (org.flinkla.records.JsonLines lines = new org.flinkla.records.JsonLines(JobRunner.open(o.inputFile),
                    org.flinkla.kafka.KafkaSettings.DEFAULT_MAX_RECORD_BYTES);
                    TokenProducer p = TokenProducer.create(bootstrap, source.clientProperties(), source.topic(),
                            RecordFormat.JSON)) {
                produced = p.jsonLines(lines, (line, reason) ->
                        o.log.println(o.inputFile + ":" + line.number() + ": " + reason));
            }
            o.log.println("Produced " + produced + " records from " + o.inputFile + " to " + source.topic());
        }

        o.log.println("Running " + file.file() + ": " + pipeline + (bounded ? " until the input is consumed" : ""));
        long t0 = System.nanoTime();
        TableResult submitted = pipeline.execute();
        JobClient jc = submitted.getJobClient().orElseThrow();
        Thread hook = new Thread(() -> jc.cancel());
        Runtime.getRuntime().addShutdownHook(hook);
        String savepoint = null;
        try {
            if (bounded) {
                if (o.timeout == null) {
                    jc.getJobExecutionResult().get();
                } else {
                    jc.getJobExecutionResult().get(o.timeout.toMillis(), TimeUnit.MILLISECONDS);
                }
                o.log.println("Job finished");
            } else if (o.timeout != null) {
                try {
                    jc.getJobExecutionResult().get(o.timeout.toMillis(), TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    savepoint = JobRunner.stop(jc, o.log, java.nio.file.Files.createTempDirectory("flinkla-sql-"));
                }
            } else {
                jc.getJobExecutionResult().get();
            }
        } catch (TimeoutException e) {
            jc.cancel().get(60, TimeUnit.SECONDS);
            throw new IllegalStateException("the job did not finish within --timeout " + o.timeout.toSeconds() + " s");
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running already
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;

        long outRecords = 0;
        long outTokens = 0;
        long errors = 0;
        Map<String, Long> reasons = new TreeMap<>();
        BufferedWriter w = o.outputFile == null ? null : Files.newBufferedWriter(o.outputFile, StandardCharsets.UTF_8);
        try {
            for (SqlPipeline.KafkaTable t : pipeline.sinks()) {
                try (TopicReader r = TopicReader.open(bootstrap, t.clientProperties(), t.topic(), starts.get(t.topic()))) {
                    for (ConsumerRecord<byte[], byte[]> rec : r.readToEnd(Duration.ofSeconds(120))) {
                        if (t.isErrorSink()) {
                            errors++;
                            reasons.merge(reasonCode(rec), 1L, Long::sum);
                            continue;
                        }
                        outRecords++;
                        String seq = rec.key() == null ? null : new String(rec.key(), StandardCharsets.UTF_8);
                        String line;
                        if (BinaryRecords.isOutput(rec.value())) {
                            AttentionOutput a = BinaryRecords.decodeOutput(seq, rec.value());
                            outTokens += a.count();
                            line = JsonRecords.toJson(a);
                        } else {
                            line = jsonLine(seq, rec.value());
                            outTokens += JobRunner.countOutputs(line);
                        }
                        if (w != null) {
                            w.write(line);
                            w.newLine();
                        }
                    }
                }
            }
        } finally {
            if (w != null) {
                w.close();
            }
        }
        Result result = new Result(produced, outRecords, outTokens, errors, reasons, seconds, savepoint);
        o.log.println(result + (o.outputFile != null ? ", outputs written to " + o.outputFile : ""));
        return result;
    }

    /**
     * A JSON value as one line in {@code run}'s form: {@code "seq"} first when only the key had it,
     * and the entries of {@code "top"} as {@code run} writes them ({@code {"token","p"}} when the
     * entry has a symbol, else {@code {"id","p"}}; the SQL function's rows carry both).
     */
    static String jsonLine(String key, byte[] value) throws IOException {
        JsonNode n = JSON.readTree(value);
        if (n instanceof ObjectNode && !n.has("seq") && key != null) {
            ObjectNode withSeq = JSON.createObjectNode();
            withSeq.put("seq", key);
            withSeq.setAll((ObjectNode) n);
            n = withSeq;
        }
        JsonNode top = n.get("top");
        if (top != null && top.isArray()) {
            for (JsonNode e : top) {
                if (e instanceof ObjectNode && e.hasNonNull("token")) {
                    ((ObjectNode) e).remove("id");
                }
            }
        }
        return JSON.writeValueAsString(n);
    }

    /** The reason code of an error record: its {@code reason} header, else its JSON {@code error} field. */
    static String reasonCode(ConsumerRecord<byte[], byte[]> rec) {
        Header h = rec.headers().lastHeader(KafkaSettings.HEADER_REASON);
        if (h != null) {
            return RejectReasons.codeOf(new String(h.value(), StandardCharsets.UTF_8));
        }
        try {
            JsonNode e = JSON.readTree(rec.value()).get("error");
            return e == null || e.isNull() ? "?" : RejectReasons.codeOf(e.asText());
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }
}
