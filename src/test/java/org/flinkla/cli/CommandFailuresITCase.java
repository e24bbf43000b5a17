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

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.flinkla.kafka.EmbeddedKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command ends a failure with one stderr line naming the root cause and what to do, within
 * its timeout, with the full trace in a log file: unreachable broker, bad job file, bad model file,
 * failing job.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class CommandFailuresITCase {
    private static final Pattern TRACE_FILE = Pattern.compile("\\(full trace: (\\S+\\.log)");

    @TempDir
    Path dir;

    /** One command's exit code, stderr and run time. */
    private record Outcome(int code, String err, double seconds) {
        String last() {
            List<String> lines = err.lines().filter(l -> !l.isBlank()).toList();
            return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
        }

        /** The log file the last line names; it holds the whole trace. */
        String trace() throws Exception {
            Matcher m = TRACE_FILE.matcher(last());
            assertThat(m.find()).as("the last line names the log file: %s", last()).isTrue();
            Path log = Path.of(m.group(1));
            assertThat(log).exists();
            return Files.readString(log);
        }
    }

    private static Outcome main(String... args) {
        PrintStream err0 = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        long t0 = System.nanoTime();
        int code;
        try {
            code = Main.execute(args);
        } finally {
            System.setErr(err0);
        }
        return new Outcome(code, err.toString(StandardCharsets.UTF_8), (System.nanoTime() - t0) / 1e9);
    }

    private Path file(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    private Path input() throws Exception {
        return file("in.jsonl", "{\"seq\":\"a\",\"pos\":0,\"tokens\":\"ACGT\"}\n");
    }

    @Test
    void anUnreachableBrokerIsNamedWithinTheTimeout() throws Exception {
        String in = input().toString();
        for (String[] args : new String[][] {
                {"run", "flink-jobs/attention.yaml", "--bootstrap-servers", "localhost:1", "--timeout", "5",
                        "--input-file", in},
                {"produce", "--job", "flink-jobs/attention.yaml", "--input", in, "--bootstrap-servers", "localhost:1",
                        "--timeout", "5"},
                {"tail", "--job", "flink-jobs/attention.yaml", "--bootstrap-servers", "localhost:1", "--timeout", "5"}}) {
            Outcome o = main(args);
            assertThat(o.code()).as(o.err()).isEqualTo(1);
            assertThat(o.last()).as(args[0]).startsWith("error: cannot reach Kafka at localhost:1: no broker answered"
                    + " within 5 s. Check --bootstrap-servers");
            assertThat(o.seconds()).as("%s took %.1f s", args[0], o.seconds()).isLessThan(20);
            assertThat(o.err()).as("no trace on the console").doesNotContain("\tat ");
            assertThat(o.trace()).contains("KafkaUnreachableException").contains("\tat ");
        }
        Outcome dns = main("tail", "--topic", "t", "--bootstrap-servers", "no-such-host.invalid:9092", "--timeout", "5");
        assertThat(dns.last()).startsWith("error: cannot reach Kafka at no-such-host.invalid:9092: does not resolve");
    }

    @Test
    void aBadJobFileIsNamedWithItsKey() throws Exception {
        Path job = file("bad.yaml", String.join("\n",
                "name: bad",
                "parallelism: two",
                "source: {topic: in}",
                "sink: {topic: out, dead-letter-topic: dlq}",
                "model: {seeded: {d-model: 8}}",
                ""));
        String in = input().toString();
        for (String[] args : new String[][] {
                {"run", job.toString(), "--bootstrap-servers", "localhost:1", "--input-file", in},
                {"produce", "--job", job.toString(), "--input", in, "--bootstrap-servers", "localhost:1"},
                {"tail", "--job", job.toString(), "--bootstrap-servers", "localhost:1"},
                {"demo", "--job", job.toString(), "--no-memory"}}) {
            Outcome o = main(args);
            assertThat(o.code()).as(o.err()).isEqualTo(1);
            assertThat(o.last()).as(args[0]).startsWith("error: " + job + ": 'parallelism' must be an integer, got"
                    + " 'two'. Fix the job file");
        }
    }

    @Test
    void aBadModelFileIsNamedWithItsPart() throws Exception {
        Path model = dir.resolve("broken.safetensors");
        Files.write(model, new byte[] {8, 0, 0, 0, 0, 0, 0, 0, '{', '"', 'x', '"', ':', '1', '}', ' '});
        Path job = file("model.yaml", String.join("\n",
                "name: model-job",
                "source: {topic: m-in}",
                "sink: {topic: m-out, dead-letter-topic: m-dlq}",
                "model: {file: " + model + "}",
                ""));
        String in = input().toString();
        Outcome run = main("run", job.toString(), "--input-file", in, "--timeout", "60");
        Outcome replay = main("replay", "--model", model.toString(), "--input", in, "--output",
                dir.resolve("o.jsonl").toString());
        for (Outcome o : new Outcome[] {run, replay}) {
            assertThat(o.code()).as(o.err()).isEqualTo(1);
            assertThat(o.last()).startsWith("error: " + model + ": ").contains("Fix or replace the model file");
        }
    }

    @Test
    void aFailingJobEndsWithItsRootCauseInOneLine() throws Exception {
        // a sink transaction timeout above the broker's ceiling: every attempt of the job fails
        Path job = file("failing.yaml", String.join("\n",
                "name: failing",
                "source: {topic: f-in}",
                "sink: {topic: f-out, dead-letter-topic: f-dlq}",
                "model: {seeded: {d-model: 16, vocab: ACGTN}}",
                "checkpoint-interval: 500ms",
                "kafka: {properties: {transaction.timeout.ms: '1000000'}}",
                ""));
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            Outcome o = main("run", job.toString(), "--bootstrap-servers", kafka.bootstrapServers(),
                    "--input-file", input().toString(), "--timeout", "120", "--state-dir", dir.resolve("state").toString());
            assertThat(o.code()).as(o.err()).isEqualTo(1);
            assertThat(o.last()).startsWith("error: job failing failed (restarted 3 times): ")
                    .contains("transaction").contains("transaction.max.timeout.ms: lower one or raise the other");
            assertThat(o.err()).as("no trace on the console").doesNotContain("\tat ")
                    .doesNotContain("Job execution failed");
            assertThat(o.err().lines().count()).as(o.err()).isLessThan(10);
            assertThat(o.trace()).contains("The transaction timeout is larger than the maximum value allowed by the broker");
        }
    }

    @Test
    void aWrongCommandLineEndsWithTheError() {
        Outcome o = main("run", "--bogus");
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.err()).contains("usage: ");
        assertThat(o.last()).isEqualTo("error: run: Unknown option: '--bogus'");
    }

    @Test
    void tailHonoursItsTimeout() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopics(1, "quiet");
            Outcome o = main("tail", "--topic", "quiet", "--timeout", "3", "--bootstrap-servers", kafka.bootstrapServers());
            assertThat(o.code()).as(o.err()).isZero();
            assertThat(o.last()).isEqualTo("tail: 0 records from quiet");
            assertThat(o.seconds()).isBetween(2.5, 10.0);
        }
    }
}
