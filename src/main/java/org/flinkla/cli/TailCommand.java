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
package org.flinkla.cli;

import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.flinkla.jobs.ClusterJob;
import org.flinkla.jobs.JobDefinition;
import org.flinkla.kafka.KafkaClients;
import org.flinkla.kafka.TopicReader;
import org.flinkla.records.BinaryRecords;
import org.flinkla.records.JsonRecords;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tail}: prints or saves the committed records of a topic ({@code read_committed}), bounded by
 * a record count and a timeout. Binary output records are printed in their JSON form.
 */
@Command(name = "tail", header = "Print or save the committed records of a Kafka topic.",
        synopsisHeading = "%nusage: ",
        customSynopsis = Cli.JAR + " tail (--topic T | --job JOB.yaml) [options]",
        descriptionHeading = "%n", parameterListHeading = "%narguments:%n", optionListHeading = "%noptions:%n",
        footerHeading = "%n", sortOptions = false,
        description = {
            "Prints the committed records of a topic (isolation.level=read_committed) as JSON lines: what"
                    + " a downstream consumer of the exactly-once output sees. Binary outputs are decoded."},
        footer = "More: docs/jobs.md (\"tail\")")
public final class TailCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--topic", paramLabel = "T", description = "the topic")
    String topic;

    @Option(names = "--job", paramLabel = "JOB.yaml",
            description = "the job's output topic (or --dead-letters for its dead-letter topic)")
    String jobFile;

    @Option(names = "--dead-letters", description = "with --job: the dead-letter topic; prints key,"
            + " headers and value")
    boolean deadLetters;

    @Option(names = "--headers", description = "print each record as"
            + " {\"key\":..,\"headers\":{..},\"value\":..}")
    boolean headers;

    @Option(names = "--from-end", description = "only records committed after the start (default: from"
            + " the beginning)")
    boolean fromEnd;

    @Option(names = "--max-records", paramLabel = "N", converter = Cli.PositiveLong.class,
            description = "stop after N records")
    long maxRecords = Long.MAX_VALUE;

    @Option(names = "--timeout", paramLabel = "S", converter = Cli.PositiveInt.class,
            description = "stop after S seconds (default ${DEFAULT-VALUE})")
    int timeout = 30;

    @Option(names = "--output", paramLabel = "FILE", description = "write there instead of stdout")
    String output;

    @Option(names = "--bootstrap-servers", paramLabel = "H:P",
            description = "Kafka (default: $" + ClusterJob.BOOTSTRAP_ENV + ")")
    String bootstrap = System.getenv(ClusterJob.BOOTSTRAP_ENV);

    @Mixin
    Cli.Common common;

    TailCommand() {}

    /** Parses {@code args} and runs the command: the exit code (0 ok); a bad command line throws {@link UsageException}. */
    public static int run(String[] args) throws Exception {
        return Cli.run(Cli.commandLine(new TailCommand()), args);
    }

    @Override
    public Integer call() throws Exception {
        Properties client = new Properties();
        if (jobFile != null) {
            JobDefinition job = JobDefinition.load(Path.of(jobFile));
            if (topic == null) {
                topic = deadLetters ? job.sink().deadLetterTopic() : job.sink().topic();
            }
            client = job.kafkaClientProperties();
        }
        boolean withHeaders = headers || deadLetters;
        if (topic == null) {
            throw Cli.usageError(spec.commandLine(), "give --topic or --job");
        }
        if (bootstrap == null || bootstrap.isBlank()) {
            throw Cli.usageError(spec.commandLine(), "no Kafka: give --bootstrap-servers or set " + ClusterJob.BOOTSTRAP_ENV);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(timeout).toNanos();
        // every client wait within --timeout; an unreachable broker is reported with its address
        client = KafkaClients.bounded(client, Duration.ofSeconds(timeout));
        KafkaClients.probe(bootstrap, client, Duration.ofSeconds(timeout));
        Map<Integer, Long> from = fromEnd ? TopicReader.endOffsets(bootstrap, client, topic) : null;
        long n = 0;
        // stdout is flushed, never closed (the command may run inside another program)
        Writer w = output == null ? new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8))
                : Files.newBufferedWriter(Path.of(output), StandardCharsets.UTF_8);
        try (TopicReader r = TopicReader.open(bootstrap, client, topic, from)) {
            while (n < maxRecords && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> rec : r.poll(Duration.ofMillis(200))) {
                    if (n >= maxRecords) {
                        break;
                    }
                    w.write(format(rec, withHeaders));
                    w.write('\n');
                    n++;
                }
                w.flush();
            }
        } finally {
            if (output != null) {
                w.close();
            } else {
                w.flush();
            }
        }
        System.err.println("tail: " + n + " records from " + topic);
        return 0;
    }

    /** One record as a JSON line: the value (binary outputs decoded), or key + headers + value. */
    static String format(ConsumerRecord<byte[], byte[]> rec, boolean withHeaders) {
        String key = rec.key() == null ? null : new String(rec.key(), StandardCharsets.UTF_8);
        String value;
        if (BinaryRecords.isOutput(rec.value())) {
            value = JsonRecords.toJson(BinaryRecords.decodeOutput(key, rec.value()));
        } else {
            value = rec.value() == null ? null : new String(rec.value(), StandardCharsets.UTF_8);
        }
        if (!withHeaders) {
            return value == null ? "null" : value;
        }
        StringBuilder sb = new StringBuilder("{\"key\":").append(quote(key)).append(",\"headers\":{");
        boolean first = true;
        for (Header h : rec.headers()) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            sb.append(quote(h.key())).append(':').append(quote(new String(h.value(), StandardCharsets.UTF_8)));
        }
        return sb.append("},\"value\":").append(quote(value)).append('}').toString();
    }

    private static String quote(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}
