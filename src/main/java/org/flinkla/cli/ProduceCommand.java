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

import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import org.flinkla.jobs.ClusterJob;
import org.flinkla.jobs.JobDefinition;
import org.flinkla.kafka.EmbeddedKafka;
import org.flinkla.kafka.FileDeadLetters;
import org.flinkla.kafka.KafkaClients;
import org.flinkla.kafka.KafkaSettings;
import org.flinkla.kafka.RecordFormat;
import org.flinkla.kafka.TokenProducer;
import org.flinkla.records.JsonLines;

/** {@code produce}: FASTA, plain text or JSON lines to a Kafka topic, key = sequence id (docs/records.md). */
public final class ProduceCommand {
    static final String USAGE = String.join("\n",
            "usage: java -jar target/flink-linear-attention.jar produce --input FILE (--topic T | --job JOB.yaml) [options]",
            "",
            "Writes token records to a Kafka topic, key = sequence id:",
            "  fasta  one sequence per '>name' header, its bases as {\"pos\":p,\"tokens\":\"ACGT...\"} chunks",
            "  text   the whole file as one sequence (--seq), one token per character (line breaks skipped)",
            "  jsonl  JSON lines as in docs/records.md with a \"seq\" field (the key); sent as they are. A line the",
            "         job's parser rejects, or longer than --max-record-bytes, is reported (file:line: reason)",
            "         and, with --job, written to the job's dead-letter topic instead",
            "",
            "options:",
            "  --input FILE             FILE, '-' for stdin, or classpath:NAME (e.g. classpath:data/humanchr1_frag.fa.gz);",
            "                           .gz is decompressed",
            "  --input-format F         fasta | text | jsonl (default: from the extension, .fa/.fasta/.fna = fasta,",
            "                           .jsonl/.json = jsonl, otherwise text)",
            "  --topic T                the topic (default: the --job file's source topic)",
            "  --job JOB.yaml           take topic and value format from a job definition (and its Kafka properties)",
            "  --format json|binary     value format (default: the job's source format, else json)",
            "  --chunk N                tokens per record (default 1024; 1 = one {\"token\":..} per record)",
            "  --seq ID                 sequence id for text input (default: the file name)",
            "  --max-tokens N           stop after N tokens (fasta, text)",
            "  --partitions N           create the topic with N partitions if it does not exist",
            "  --max-record-bytes N     longest JSON line sent (default: the job's source.max-record-bytes, else 1048576)",
            "  --timeout S              bound on each wait for Kafka (default 30)",
            "  --bootstrap-servers H:P  Kafka (default: $" + ClusterJob.BOOTSTRAP_ENV + ")",
            "  --help                   this text");

    private ProduceCommand() {}

    public static int run(String[] args) throws Exception {
        String input = null;
        String inputFormat = null;
        String topic = null;
        String jobFile = null;
        String format = null;
        int chunk = 1024;
        String seq = null;
        long maxTokens = Long.MAX_VALUE;
        int partitions = 0;
        int maxRecordBytes = 0;
        int timeout = (int) KafkaClients.DEFAULT_TIMEOUT.toSeconds();
        String bootstrap = System.getenv(ClusterJob.BOOTSTRAP_ENV);
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--help":
                case "-h":
                    System.out.println(USAGE);
                    return 0;
                case "--input": input = Args.value(args, ++i); break;
                case "--input-format": inputFormat = Args.value(args, ++i).toLowerCase(Locale.ROOT); break;
                case "--topic": topic = Args.value(args, ++i); break;
                case "--job": jobFile = Args.value(args, ++i); break;
                case "--format": format = Args.value(args, ++i).toLowerCase(Locale.ROOT); break;
                case "--chunk": chunk = Args.positiveInt(args, ++i); break;
                case "--seq": seq = Args.value(args, ++i); break;
                case "--max-tokens": maxTokens = Args.positiveInt(args, ++i); break;
                case "--partitions": partitions = Args.positiveInt(args, ++i); break;
                case "--max-record-bytes": maxRecordBytes = Args.positiveInt(args, ++i); break;
                case "--timeout": timeout = Args.positiveInt(args, ++i); break;
                case "--bootstrap-servers": bootstrap = Args.value(args, ++i); break;
                default:
                    throw new UsageException("produce: unknown option '" + args[i] + "'\n" + USAGE);
            }
        }
        if (input == null) {
            throw new UsageException("produce: --input is required\n" + USAGE);
        }
        Properties client = new Properties();
        RecordFormat valueFormat = RecordFormat.JSON;
        JobDefinition job = null;
        if (jobFile != null) {
            job = JobDefinition.load(Path.of(jobFile));
            topic = topic != null ? topic : job.source().topic();
            maxRecordBytes = maxRecordBytes > 0 ? maxRecordBytes : job.source().maxRecordBytes();
            valueFormat = job.source().format();
            client = job.kafkaClientProperties();
        }
        if (format != null) {
            if (!format.equals("json") && !format.equals("binary")) {
                throw new UsageException("produce: --format must be json or binary, got '" + format + "'");
            }
            valueFormat = format.equals("json") ? RecordFormat.JSON : RecordFormat.BINARY;
        }
        if (topic == null) {
            throw new UsageException("produce: give --topic or --job\n" + USAGE);
        }
        if (bootstrap == null || bootstrap.isBlank()) {
            throw new UsageException("produce: no Kafka: give --bootstrap-servers or set " + ClusterJob.BOOTSTRAP_ENV);
        }
        if (inputFormat == null) {
            String n = CommandInputs.baseName(input).toLowerCase(Locale.ROOT);
            inputFormat = n.endsWith(".fa") || n.endsWith(".fasta") || n.endsWith(".fna") ? "fasta"
                    : n.endsWith(".jsonl") || n.endsWith(".json") ? "jsonl" : "text";
        }
        client = KafkaClients.bounded(client, Duration.ofSeconds(timeout));
        KafkaClients.probe(bootstrap, client, Duration.ofSeconds(timeout));
        if (partitions > 0) {
            EmbeddedKafka.createTopics(bootstrap, client, partitions, List.of(topic));
        }
        long t0 = System.nanoTime();
        long tokens;
        try (InputStream in = CommandInputs.open(input);
                TokenProducer p = TokenProducer.create(bootstrap, client, topic, valueFormat)) {
            InputStreamReader reader = new InputStreamReader(in, StandardCharsets.UTF_8);
            switch (inputFormat) {
                case "fasta":
                    tokens = p.fasta(reader, chunk, maxTokens);
                    break;
                case "text":
                    tokens = p.text(reader, seq != null ? seq : CommandInputs.baseName(input), chunk, maxTokens);
                    break;
                case "jsonl":
                    produceLines(p, in, input, topic, job, bootstrap, client,
                            maxRecordBytes > 0 ? maxRecordBytes : KafkaSettings.DEFAULT_MAX_RECORD_BYTES);
                    tokens = -1;
                    break;
                default:
                    throw new UsageException("produce: --input-format must be fasta, text or jsonl, got '" + inputFormat + "'");
            }
            p.flush();
            System.err.printf("Produced %d records%s to %s in %.1f s%n", p.records(),
                    tokens >= 0 ? " (" + tokens + " tokens)" : "", topic, (System.nanoTime() - t0) / 1e9);
        }
        return 0;
    }

    /** JSON lines: bad lines reported on stderr, and with a job also sent to its dead-letter topic. */
    private static void produceLines(TokenProducer p, InputStream in, String input, String topic, JobDefinition job,
            String bootstrap, Properties client, int maxRecordBytes) throws java.io.IOException {
        JsonLines lines = new JsonLines(in, maxRecordBytes);
        if (job == null) {
            p.jsonLines(lines, (l, reason) -> System.err.println(input + ":" + l.number() + ": " + reason + " (skipped)"));
            return;
        }
        String dlq = job.sink().deadLetterTopic();
        try (FileDeadLetters dead = new FileDeadLetters(bootstrap, client, dlq, topic, input)) {
            p.jsonLines(lines, (l, reason) -> {
                System.err.println(input + ":" + l.number() + ": " + reason + " (-> " + dlq + ")");
                dead.send(l, reason);
            });
        }
    }
}
