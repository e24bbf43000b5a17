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

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.flinkla.cli.ProduceCommand;
import org.flinkla.cli.RunCommand;
import org.flinkla.cli.TailCommand;
import org.flinkla.kafka.EmbeddedKafka;
import org.flinkla.kafka.TopicReader;
import org.flinkla.kafka.testutils.PipelineTestSupport;
import org.flinkla.engine.SequenceModel;
import org.flinkla.records.JsonRecords;
import org.flinkla.records.TokenRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The commands as a user runs them: {@code run} on the embedded default, {@code produce} and {@code tail}. */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class CommandsITCase {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** JSON-lines input for attention.yaml (d_model 16, vocab ACGTN), in per-key order. */
    private static List<TokenRecord> input() {
        List<TokenRecord> in = new ArrayList<>();
        double[] x = new double[16];
        for (int i = 0; i < 16; i++) {
            x[i] = Math.sin(i + 1.0);
        }
        double[] xs = new double[3 * 16];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = Math.cos(0.3 * i);
        }
        in.add(TokenRecord.symbols("chrA", 0, "ACGTACGGT", true));
        in.add(TokenRecord.vectors("vecs", 0, x, 16, false));
        in.add(TokenRecord.symbols("chrA", 9, "N", false));
        in.add(TokenRecord.vectors("vecs", 1, xs, 16, true));
        in.add(TokenRecord.symbols("chrB", 0, "TTGA", true));
        in.add(TokenRecord.symbols("chrA", 10, "CC", true));
        return in;
    }

    private static Map<String, Map<Long, double[]>> readOutputs(Path file) throws IOException {
        Map<String, Map<Long, double[]>> out = new HashMap<>();
        for (String line : Files.readAllLines(file)) {
            JsonNode n = JSON.readTree(line);
            Map<Long, double[]> m = out.computeIfAbsent(n.get("seq").asText(), k -> new HashMap<>());
            long pos = n.get("pos").asLong();
            JsonNode rows = n.has("y") ? JSON.createArrayNode().add(n.get("y")) : n.get("ys");
            for (int i = 0; i < rows.size(); i++) {
                double[] v = new double[rows.get(i).size()];
                for (int j = 0; j < v.length; j++) {
                    v[j] = rows.get(i).get(j).asDouble();
                }
                assertThat(m.put(pos + i, v)).as("duplicate %s@%d", n.get("seq"), pos + i).isNull();
            }
        }
        return out;
    }

    private static void assertEqualsEngine(Map<String, Map<Long, double[]>> got, Map<String, Map<Long, double[]>> ref) {
        assertThat(got.keySet()).isEqualTo(ref.keySet());
        for (String seq : ref.keySet()) {
            assertThat(got.get(seq).keySet()).as(seq).isEqualTo(ref.get(seq).keySet());
            for (Map.Entry<Long, double[]> e : ref.get(seq).entrySet()) {
                double[] want = e.getValue();
                double[] have = got.get(seq).get(e.getKey());
                double scale = 0;
                for (double w : want) {
                    scale = Math.max(scale, Math.abs(w));
                }
                for (int i = 0; i < want.length; i++) {
                    assertThat(Math.abs(have[i] - want[i])).as("%s@%d[%d]", seq, e.getKey(), i)
                            .isLessThanOrEqualTo(1e-9 * scale);
                }
            }
        }
    }

    @Test
    void runOnTheEmbeddedDefaultWritesTheCommittedOutputs() throws Exception {
        Path in = dir.resolve("in.jsonl");
        Path out = dir.resolve("out.jsonl");
        List<String> lines = new ArrayList<>();
        for (TokenRecord r : input()) {
            lines.add(JsonRecords.toJson(r));
        }
        lines.add(2, "{\"seq\":\"chrA\",\"pos\":10,\"token\":\"Q\"}");   // unknown symbol: a dead letter
        lines.add("this is not JSON");
        Files.write(in, lines, StandardCharsets.UTF_8);

        int rc = RunCommand.run(new String[] {"flink-jobs/attention.yaml", "--input-file", in.toString(),
                "--output-file", out.toString(), "--parallelism", "2", "--timeout", "150"});
        assertThat(rc).isZero();

        SequenceModel model = AttentionJob.loadModel(JobDefinition.load(Path.of("flink-jobs/attention.yaml")));
        assertEqualsEngine(readOutputs(out), PipelineTestSupport.reference(model, input()));
    }

    /**
     * Every bad line of an input file reaches the dead-letter topic with the reason the pipeline's
     * parser gives the same bytes; the valid lines (the first with a byte order mark) all produce.
     */
    @Test
    void everyBadInputLineIsADeadLetterWithItsReason() throws Exception {
        String nan = "{\"seq\":\"vecs\",\"pos\":4,\"x\":[NaN" + ",0.5".repeat(15) + "]}";
        byte[] badUtf8 = "{\"seq\":\"chr\u0001\",\"pos\":0,\"token\":\"A\"}".getBytes(StandardCharsets.ISO_8859_1);
        badUtf8[11] = (byte) 0xff;
        // line text (null: the raw bytes above), expected reason code (null: valid)
        List<Object[]> cases = new ArrayList<>();
        List<TokenRecord> valid = input();
        cases.add(new Object[] {"\uFEFF" + JsonRecords.toJson(valid.get(0)), null});
        cases.add(new Object[] {"{\"seq\":\"chrA\",\"pos\":10,\"token\":\"Q\"}", "unknown_symbol"});
        cases.add(new Object[] {"this is not JSON", "bad_json"});
        for (int i = 1; i < valid.size(); i++) {
            cases.add(new Object[] {JsonRecords.toJson(valid.get(i)), null});
        }
        cases.add(new Object[] {"{\"seq\":\"chrA\",\"pos\":12,\"tokens\":\"AC", "bad_json"});      // truncated
        cases.add(new Object[] {nan, "not_finite"});
        cases.add(new Object[] {"{\"seq\":\"chrB\",\"pos\":4,\"token\":\"A\",\"extra\":" + "[".repeat(1500)
                + "]".repeat(1500) + "}", "bad_json"});                                               // nesting > 1000
        cases.add(new Object[] {null, "bad_json"});                                                   // not UTF-8
        cases.add(new Object[] {"{\"seq\":\"big\",\"pos\":0,\"tokens\":\"" + "A".repeat(1 << 20) + "\"}", "oversize"});
        cases.add(new Object[] {"{\"pos\":0,\"token\":\"A\"}", "missing_seq"});
        cases.add(new Object[] {"{\"seq\":\"chrB\",\"pos\":4,\"token\":\"A\"} trailing", "bad_json"});
        Path in = dir.resolve("in.jsonl");
        java.io.ByteArrayOutputStream file = new java.io.ByteArrayOutputStream();
        for (Object[] c : cases) {
            file.write(c[0] == null ? badUtf8 : ((String) c[0]).getBytes(StandardCharsets.UTF_8));
            file.write('\n');
        }
        Files.write(in, file.toByteArray());
        Path out = dir.resolve("out.jsonl");
        JobDefinition job = JobDefinition.load(Path.of("flink-jobs/attention.yaml"));
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            int rc = RunCommand.run(new String[] {"flink-jobs/attention.yaml", "--input-file", in.toString(),
                    "--output-file", out.toString(), "--bootstrap-servers", kafka.bootstrapServers(),
                    "--timeout", "150", "--state-dir", dir.resolve("state").toString()});
            assertThat(rc).isZero();
            assertEqualsEngine(readOutputs(out), PipelineTestSupport.reference(AttentionJob.loadModel(job), valid));

            List<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> dead;
            try (TopicReader r = TopicReader.open(kafka.bootstrapServers(), new java.util.Properties(),
                    job.sink().deadLetterTopic(), null)) {
                dead = r.readToEnd(java.time.Duration.ofSeconds(60));
            }
            List<String> expected = new ArrayList<>();
            List<String> got = new ArrayList<>();
            for (int i = 0; i < cases.size(); i++) {
                Object[] c = cases.get(i);
                if (c[1] == null) {
                    continue;
                }
                long lineNo = i + 1;
                byte[] bytes = c[0] == null ? badUtf8 : ((String) c[0]).getBytes(StandardCharsets.UTF_8);
                // dead-lettered by the run while reading the file (line header) or by the job (same bytes)
                List<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> match = dead.stream()
                        .filter(d -> String.valueOf(lineNo).equals(header(d, "source.line"))
                                || (header(d, "source.line") == null && java.util.Arrays.equals(d.value(), bytes)))
                        .collect(java.util.stream.Collectors.toList());
                assertThat(match).as("dead letters for line %d", lineNo).hasSize(1);
                org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]> d = match.get(0);
                expected.add(lineNo + ":" + c[1]);
                got.add(lineNo + ":" + org.flinkla.records.RejectReasons.codeOf(header(d, "reason")));
                assertThat(header(d, "source.topic")).isEqualTo(job.source().topic());
                if (header(d, "source.line") != null) {
                    assertThat(header(d, "source.file")).isEqualTo(in.toString());
                    if (c[1].equals("oversize")) {
                        assertThat(header(d, "source.bytes")).isEqualTo(String.valueOf(bytes.length));
                        assertThat(d.value()).hasSize(org.flinkla.records.JsonLines.PREFIX_BYTES);
                    } else {
                        assertThat(d.value()).isEqualTo(bytes);
                    }
                }
            }
            assertThat(got).isEqualTo(expected);
            assertThat(dead).hasSize(expected.size());
        }
    }

    private static String header(org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]> r, String name) {
        org.apache.kafka.common.header.Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Test
    void binaryRecordsInAndOut() throws Exception {
        Path jobFile = dir.resolve("binary.yaml");
        Files.writeString(jobFile, String.join("\n",
                "name: binary-test",
                "parallelism: 2",
                "source: {topic: bin-in, format: binary}",
                "sink: {topic: bin-out, format: binary-f64, dead-letter-topic: bin-dlq}",
                "model: {seeded: {seed: 3, d-model: 16, heads: 4, d-key: 4, d-value: 4, d-out: 12, vocab: ACGTN}}",
                "checkpoint-interval: 500ms",
                ""));
        JobDefinition job = JobDefinition.load(jobFile);
        List<TokenRecord> symbolsOnly = new ArrayList<>();
        for (TokenRecord r : input()) {
            if (r.kind() == TokenRecord.Kind.SYMBOLS) {
                symbolsOnly.add(r);
            }
        }
        Path in = dir.resolve("in.jsonl");
        Path out = dir.resolve("out.jsonl");
        List<String> lines = new ArrayList<>();
        symbolsOnly.forEach(r -> lines.add(JsonRecords.toJson(r)));
        Files.write(in, lines, StandardCharsets.UTF_8);
        JobRunner.Result result = JobRunner.run(job, new JobRunner.Options().inputFile(in).outputFile(out)
                .timeout(java.time.Duration.ofSeconds(150)));
        assertThat(result.deadLetters).isZero();
        assertThat(result.outputTokens).isEqualTo(16);
        assertEqualsEngine(readOutputs(out), PipelineTestSupport.reference(AttentionJob.loadModel(job), symbolsOnly));
    }

    @Test
    void produceFastaThenTailTheTopic() throws Exception {
        Path fasta = dir.resolve("two.fa");
        Files.writeString(fasta, ">first some description\nACGTA\nCG\n>second\nTTTTGGGGCC\n");
        Path tailed = dir.resolve("tail.jsonl");
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            String bs = kafka.bootstrapServers();
            assertThat(ProduceCommand.run(new String[] {"--input", fasta.toString(), "--topic", "bases",
                    "--chunk", "4", "--max-tokens", "15", "--partitions", "2", "--bootstrap-servers", bs})).isZero();
            assertThat(TailCommand.run(new String[] {"--topic", "bases", "--headers", "--max-records", "100",
                    "--timeout", "8", "--output", tailed.toString(), "--bootstrap-servers", bs})).isZero();
            // the chromosome shipped in the jar, as the docker-compose producer streams it
            assertThat(ProduceCommand.run(new String[] {"--input", "classpath:data/humanchr1_frag.fa.gz",
                    "--job", "flink-jobs/attention.yaml", "--chunk", "1024", "--max-tokens", "3000",
                    "--partitions", "1", "--bootstrap-servers", bs})).isZero();
            try (TopicReader r = TopicReader.open(bs, new java.util.Properties(), "attention-in", null)) {
                List<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> recs =
                        r.readUntil(l -> l.size() >= 3, java.time.Duration.ofSeconds(60));
                assertThat(recs).hasSize(3);   // 1024 + 1024 + 952 bases
                long bases = 0;
                for (org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]> rec : recs) {
                    assertThat(new String(rec.key(), StandardCharsets.UTF_8)).isEqualTo("humanchr1_frag");
                    String tokens = JSON.readTree(rec.value()).get("tokens").asText();
                    assertThat(tokens).matches("[ACGT]+");
                    bases += tokens.length();
                }
                assertThat(bases).isEqualTo(3000);
            }
        }
        Map<String, StringBuilder> bases = new HashMap<>();
        Map<String, Long> nextPos = new HashMap<>();
        List<String> lines = Files.readAllLines(tailed);
        assertThat(lines).hasSize(4);   // first: 4+3 bases, second: 4+4 (stopped at 15 tokens)
        for (String line : lines) {
            JsonNode rec = JSON.readTree(line);
            String key = rec.get("key").asText();
            JsonNode value = JSON.readTree(rec.get("value").asText());
            assertThat(value.get("pos").asLong()).isEqualTo(nextPos.getOrDefault(key, 0L));
            String tokens = value.get("tokens").asText();
            nextPos.merge(key, (long) tokens.length(), Long::sum);
            bases.computeIfAbsent(key, k -> new StringBuilder()).append(tokens);
        }
        assertThat(bases.get("first").toString()).isEqualTo("ACGTACG");
        assertThat(bases.get("second").toString()).isEqualTo("TTTTGGGG");
    }
}
