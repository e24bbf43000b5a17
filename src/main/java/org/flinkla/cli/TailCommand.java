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
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.flinkla.jobs.ClusterJob;
import org.flinkla.jobs.JobDefinition;
import org.flinkla.kafka.KafkaClients;
import org.flinkla.kafka.TopicReader;
import org.flinkla.records.BinaryRecords;
import org.flinkla.records.JsonRecords;

/**
 * {@code tail}: prints or saves the committed records of a topic ({@code read_committed}), bounded by
 * a record count and a timeout. Binary output records are printed in their JSON form.
 */
public final class TailCommand {
    static final String USAGE = String.join("\n",
            "usage: java -jar target/flink-linear-attention.jar tail (--topic T | --job JOB.yaml) [options]",
            "",
            "Prints the committed records of a topic (isolation.level=read_committed) as JSON lines:",
            "what a downstream consumer of the exactly-once output sees. Binary outputs are decoded.",
            "",
            "options:",
            "  --topic T                the topic",
            "  --job JOB.yaml           the job's output topic (or --dead-letters for its dead-letter topic)",
            "  --dead-letters           with --job: the dead-letter topic; prints key, headers and value",
            "  --headers                print each record as {\"key\":..,\"headers\":{..},\"value\":..}",
            "  --from-end               only records committed after the start (default: from the beginning)",
            "  --max-records N          stop after N records",
            "  --timeout S              stop after S seconds (default 30)",
            "  --output FILE            write there instead of stdout",
            "  --bootstrap-servers H:P  Kafka (default: $" + ClusterJob.BOOTSTRAP_ENV + ")",
            "  --help                   this text");

    private TailCommand() {}

    public static int run(String[] args) throws Exception {
        String topic = null;
        String jobFile = null;
        boolean deadLetters = false;
        boolean headers = false;
        boolean fromEnd = false;
        long maxRecords = Long.MAX_VALUE;
        int timeout = 30;
        String output = null;
        String bootstrap = System.getenv(ClusterJob.BOOTSTRAP_ENV);
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--help":
                case "-h":
                    System.out.println(USAGE);
                    return 0;
                case "--topic": topic = Args.value(args, ++i); break;
                case "--job": jobFile = Args.value(args, ++i); break;
                case "--dead-letters": deadLetters = true; break;
                case "--headers": headers = true; break;
                case "--from-end": fromEnd = true; break;
                case "--max-records": maxRecords = Args.positiveInt(args, ++i); break;
                case "--timeout": timeout = Args.positiveInt(args, ++i); break;
                case "--output": output = Args.value(args, ++i); break;
                case "--bootstrap-servers": bootstrap = Args.value(args, ++i); break;
                default:
                    throw new UsageException("tail: unknown option '" + args[i] + "'\n" + USAGE);
            }
        }
        Properties client = new Properties();
        if (jobFile != null) {
            JobDefinition job = JobDefinition.load(Path.of(jobFile));
            if (topic == null) {
                topic = deadLetters ? job.sink().deadLetterTopic() : job.sink().topic();
            }
            client = job.kafkaClientProperties();
        }
        headers |= deadLetters;
        if (topic == null) {
            throw new UsageException("tail: give --topic or --job\n" + USAGE);
        }
        if (bootstrap == null || bootstrap.isBlank()) {
            throw new UsageException("tail: no Kafka: give --bootstrap-servers or set " + ClusterJob.BOOTSTRAP_ENV);
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
                    w.write(format(rec, headers));
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
