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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.flinkla.cli.RunCommand;
import org.flinkla.kafka.EmbeddedKafka;
import org.flinkla.kafka.testutils.PipelineTestSupport;
import org.flinkla.records.JsonRecords;
import org.flinkla.records.TokenRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code run} against a Kafka that outlives it keeps the job's state in its state directory: two
 * runs, each with its own input file, commit exactly the outputs of one undisturbed run over both
 * inputs; another model is refused, {@code --fresh} starts over, {@code committed} offsets without
 * state are refused.
 */
@Timeout(value = 400, unit = TimeUnit.SECONDS)
class RunRestartITCase {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static EmbeddedKafka kafka;

    @TempDir
    Path dir;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopKafka() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    /** A job file (model as PipelineTestSupport's: d_model 8, vocab ACGTN) on topics {@code prefix-*}. */
    private Path jobFile(String prefix, long seed, String extra) throws Exception {
        Path f = dir.resolve(prefix + "-" + seed + ".yaml");
        Files.writeString(f, String.join("\n",
                "name: " + prefix,
                "parallelism: 2",
                "source: {topic: " + prefix + "-in, partitions: 3}",
                "sink: {topic: " + prefix + "-out, dead-letter-topic: " + prefix + "-dlq}",
                "model:",
                "  seeded: {seed: " + seed + ", d-model: 8, heads: 2, d-key: 4, d-value: 4, d-out: 8, vocab: ACGTN}",
                "checkpoint-interval: 500ms",
                extra,
                ""));
        return f;
    }

    private Path lines(String name, List<TokenRecord> records) throws Exception {
        List<String> l = new ArrayList<>();
        records.forEach(r -> l.add(JsonRecords.toJson(r)));
        return Files.write(dir.resolve(name), l, StandardCharsets.UTF_8);
    }

    private static String[] args(Path job, String... more) {
        List<String> a = new ArrayList<>(List.of(job.toString(), "--bootstrap-servers", kafka.bootstrapServers(),
                "--timeout", "150"));
        a.addAll(List.of(more));
        return a.toArray(new String[0]);
    }

    /** Runs the command with stderr captured; returns what it printed. */
    private static String run(String... args) throws Exception {
        PrintStream err0 = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            assertThat(RunCommand.run(args)).isZero();
        } finally {
            System.setErr(err0);
        }
        return err.toString(StandardCharsets.UTF_8);
    }

    private static List<PipelineTestSupport.Output> outputs(Path file) throws Exception {
        List<PipelineTestSupport.Output> out = new ArrayList<>();
        List<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> recs = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            JsonNode n = JSON.readTree(line);
            recs.add(new org.apache.kafka.clients.consumer.ConsumerRecord<>("t", 0, 0,
                    n.get("seq").asText().getBytes(StandardCharsets.UTF_8), line.getBytes(StandardCharsets.UTF_8)));
        }
        out.addAll(PipelineTestSupport.outputs(recs));
        return out;
    }

    private static boolean hasSavepoint(Path stateDir) throws Exception {
        Path sp = stateDir.resolve("savepoints");
        if (!Files.isDirectory(sp)) {
            return false;
        }
        try (Stream<Path> s = Files.walk(sp)) {
            return s.anyMatch(p -> p.getFileName().toString().equals("_metadata"));
        }
    }

    @Test
    void twoRunsCommitTheOutputsOfOneUndisturbedRun() throws Exception {
        Path job = jobFile("restart", 11, "");
        List<TokenRecord> records = PipelineTestSupport.records(4, 90, 21);
        int half = records.size() / 2;
        Path state = dir.resolve("state");
        Path out1 = dir.resolve("out1.jsonl");
        Path out2 = dir.resolve("out2.jsonl");

        String err1 = run(args(job, "--input-file", lines("a.jsonl", records.subList(0, half)).toString(),
                "--output-file", out1.toString(), "--state-dir", state.toString()));
        assertThat(err1).contains("No saved state in " + state).contains("Stopped with a savepoint in " + state);
        assertThat(hasSavepoint(state)).isTrue();

        String err2 = run(args(job, "--input-file", lines("b.jsonl", records.subList(half, records.size())).toString(),
                "--output-file", out2.toString(), "--state-dir", state.toString()));
        assertThat(err2).contains("Resuming job restart from " + state);

        List<PipelineTestSupport.Output> both = new ArrayList<>(outputs(out1));
        int first = both.size();
        both.addAll(outputs(out2));
        assertThat(first).as("run 1 wrote the outputs of its input").isEqualTo(
                records.subList(0, half).stream().mapToInt(TokenRecord::count).sum());
        // every position once, each equal to the engine over all records in order: the state went on
        PipelineTestSupport.assertMatchesReference(both,
                PipelineTestSupport.reference(AttentionJob.loadModel(JobDefinition.load(job)), records));
    }

    @Test
    void anotherModelIsRefusedAndFreshStartsOver() throws Exception {
        List<TokenRecord> records = PipelineTestSupport.records(2, 20, 5);
        Path in = lines("in.jsonl", records);
        Path state = dir.resolve("state");
        run(args(jobFile("model-change", 1, ""), "--input-file", in.toString(), "--state-dir", state.toString()));
        Path other = jobFile("model-change", 2, "");
        assertThatThrownBy(() -> RunCommand.run(args(other, "--input-file", in.toString(), "--state-dir",
                state.toString())))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("the saved state in " + state + " was written by job 'model-change' with model"
                        + " seeded(1)")
                .hasMessageContaining("this run is job 'model-change' with model seeded(2)")
                .hasMessageContaining("--fresh");
        Path out = dir.resolve("fresh.jsonl");
        String err = run(args(other, "--input-file", in.toString(), "--state-dir", state.toString(), "--fresh",
                "--output-file", out.toString()));
        assertThat(err).contains("Starting fresh (--fresh): the saved state in " + state + " is discarded");
        // over again from the start of the topic (it holds the input twice now), on empty state, with model 2
        Map<String, Map<Long, double[]>> ref = PipelineTestSupport.reference(
                AttentionJob.loadModel(JobDefinition.load(other)), records);
        List<PipelineTestSupport.Output> got = outputs(out);
        assertThat(got).hasSize(records.stream().mapToInt(TokenRecord::count).sum());
        PipelineTestSupport.assertMatchesReference(got, ref);
    }

    @Test
    void committedOffsetsWithoutSavedStateAreRefused() throws Exception {
        Path job = jobFile("committed", 3, "");
        Files.writeString(job, Files.readString(job).replace("partitions: 3}", "partitions: 3, starting-offsets: committed}"));
        Path in = lines("c.jsonl", PipelineTestSupport.records(1, 5, 1));
        Path state = dir.resolve("state");
        assertThatThrownBy(() -> RunCommand.run(args(job, "--input-file", in.toString(), "--state-dir", state.toString())))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("source.starting-offsets: committed").hasMessageContaining("holds no saved state")
                .hasMessageContaining("--fresh");
        run(args(job, "--input-file", in.toString(), "--state-dir", state.toString(), "--fresh"));
        assertThat(hasSavepoint(state)).isTrue();
        // now there is state: the next run is accepted without --fresh
        run(args(job, "--input-file", in.toString(), "--state-dir", state.toString()));
    }
}
