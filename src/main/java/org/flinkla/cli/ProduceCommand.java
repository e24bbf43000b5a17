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
import java.util.concurrent.Callable;
import org.flinkla.jobs.ClusterJob;
import org.flinkla.jobs.JobDefinition;
import org.flinkla.kafka.EmbeddedKafka;
import org.flinkla.kafka.FileDeadLetters;
import org.flinkla.kafka.KafkaClients;
import org.flinkla.kafka.KafkaSettings;
import org.flinkla.kafka.RecordFormat;
import org.flinkla.kafka.TokenProducer;
import org.flinkla.records.JsonLines;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code produce}: FASTA, plain text or JSON lines to a Kafka topic, key = sequence id (docs/records.md). */
@Command(name = "produce", header = "Write FASTA, text or JSON lines to a Kafka topic.",
        synopsisHeading = "%nusage: ",
        customSynopsis = {Cli.JAR + " produce --input FILE", "        (--topic T | --job JOB.yaml) [options]"},
        descriptionHeading = "%n", parameterListHeading = "%narguments:%n", optionListHeading = "%noptions:%n",
        footerHeading = "%n", sortOptions = false,
        description = {
            "Writes token records to a Kafka topic, key = sequence id:",
            "  fasta  one sequence per '>name' header, its bases as {\"pos\":p,\"tokens\":\"ACGT...\"}"
                    + " chunks",
            "  text   the whole file as one sequence (--seq), one token per character (line breaks skipped)",
            "  jsonl  JSON lines as in docs/records.md with a \"seq\" field (the key); sent as they are."
                    + " A line the",
            "         job's parser rejects, or longer than --max-record-bytes, is reported (file:line:"
                    + " reason)",
            "         and, with --job, written to the job's dead-letter topic instead"},
        footer = "More: docs/jobs.md (\"produce\"), docs/records.md (the record formats)")
public final class ProduceCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--input", required = true, paramLabel = "FILE", description = {
        "FILE, '-' for stdin, or classpath:NAME, a file shipped in the jar such as the demo's"
                + " classpath:data/humanchr1_frag.fa.gz; .gz is decompressed"})
    String input;

    @Option(names = "--input-format", paramLabel = "F", converter = Cli.Lower.class, description = {
        "fasta | text | jsonl (default: from the extension, .fa/.fasta/.fna = fasta, .jsonl/.json ="
                + " jsonl, otherwise text)"})
    String inputFormat;

    @Option(names = "--topic", paramLabel = "T", description = "the topic (default: the --job file's"
            + " source topic)")
    String topic;

    @Option(names = "--job", paramLabel = "JOB.yaml",
            description = "take topic and value format from a job definition (and its Kafka properties)")
    String jobFile;

    @Option(names = "--format", paramLabel = "json|binary", converter = Cli.Lower.class,
            description = "value format (default: the job's source format, else json)")
    String format;

    @Option(names = "--chunk", paramLabel = "N", converter = Cli.PositiveInt.class,
            description = "tokens per record (default ${DEFAULT-VALUE}; 1 = one {\"token\":..} per record)")
    int chunk = 1024;

    @Option(names = "--seq", paramLabel = "ID", description = "sequence id for text input (default: the"
            + " file name)")
    String seq;

    @Option(names = "--max-tokens", paramLabel = "N", converter = Cli.PositiveLong.class,
            description = "stop after N tokens (fasta, text)")
    long maxTokens = Long.MAX_VALUE;

    @Option(names = "--partitions", paramLabel = "N", converter = Cli.PositiveInt.class,
            description = "create the topic with N partitions if it does not exist")
    int partitions;

    @Option(names = "--max-record-bytes", paramLabel = "N", converter = Cli.PositiveInt.class, description =
            "longest JSON line sent (default: the job's source.max-record-bytes, else "
                    + KafkaSettings.DEFAULT_MAX_RECORD_BYTES + ")")
    int maxRecordBytes;

    @Option(names = "--timeout", paramLabel = "S", converter = Cli.PositiveInt.class,
            description = "bound on each wait for Kafka (default ${DEFAULT-VALUE})")
    int timeout = (int) KafkaClients.DEFAULT_TIMEOUT.toSeconds();

    @Option(names = "--bootstrap-servers", paramLabel = "H:P",
            description = "Kafka (default: $" + ClusterJob.BOOTSTRAP_ENV + ")")
    String bootstrap = System.getenv(ClusterJob.BOOTSTRAP_ENV);

    @Mixin
    Cli.Common common;

    ProduceCommand() {}

    /** Parses {@code args} and runs the command: the exit code (0 ok); a bad command line throws {@link UsageException}. */
    public static int run(String[] args) throws Exception {
        return Cli.run(Cli.commandLine(new ProduceCommand()), args);
    }

    @Override
    public Integer call() throws Exception {
        if (inputFormat != null) {
            Cli.choice(spec, "--input-format", inputFormat, "fasta", "text", "jsonl");
        }
        if (format != null) {
            Cli.choice(spec, "--format", format, "json", "binary");
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
            valueFormat = format.equals("json") ? RecordFormat.JSON : RecordFormat.BINARY;
        }
        if (topic == null) {
            throw Cli.usageError(spec.commandLine(), "give --topic or --job");
        }
        if (bootstrap == null || bootstrap.isBlank()) {
            throw Cli.usageError(spec.commandLine(), "no Kafka: give --bootstrap-servers or set " + ClusterJob.BOOTSTRAP_ENV);
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
                default: // jsonl
                    produceLines(p, in, input, topic, job, bootstrap, client,
                            maxRecordBytes > 0 ? maxRecordBytes : KafkaSettings.DEFAULT_MAX_RECORD_BYTES);
                    tokens = -1;
                    break;
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
