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
import java.util.concurrent.TimeUnit;
import org.flinkla.engine.AttentionConfig;
import org.flinkla.engine.ModelState;
import org.flinkla.engine.RecurrentLinearAttention;
import org.flinkla.model.Model;
import org.flinkla.model.ModelFiles;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code replay} end to end on files the test writes, compared with the engine run directly. */
class ReplayCommandITCase {
    /** replay's getExecutionEnvironment() runs on this shared cluster: one Flink start for all runs. */
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(2)
                    .build());

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path dir;

    private Model model;
    private RecurrentLinearAttention engine;

    private Path writeModel() {
        AttentionConfig cfg = AttentionConfig.builder().dModel(8).heads(2).dKey(4).dValue(4).dOut(6)
                .vocab("ACGT").build();
        model = ModelFiles.random(cfg, 5L);
        Path file = dir.resolve("m.safetensors");
        ModelFiles.save(model, file);
        engine = new RecurrentLinearAttention(model.config(), model.weights());
        return file;
    }

    private static String vector(int n, double base) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            sb.append(i > 0 ? "," : "").append(base + i * 0.125);
        }
        return sb.append(']').toString();
    }

    /** Engine outputs of a token sequence: chars are symbols, or a vector when given separately. */
    private double[][] engineRun(String symbols) {
        ModelState s = engine.newState();
        double[][] ys = new double[symbols.length()][6];
        for (int i = 0; i < symbols.length(); i++) {
            engine.stepToken(s, engine.tokenId(symbols.charAt(i)), ys[i], 0);
        }
        return ys;
    }

    private String[] run(String... args) throws Exception {
        PrintStream oldErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            assertThat(ReplayCommand.run(args)).isZero();
        } finally {
            System.setErr(oldErr);
        }
        return err.toString(StandardCharsets.UTF_8).split("\n");
    }

    private static List<double[]> rows(JsonNode n) {
        List<double[]> out = new ArrayList<>();
        if (n.has("y")) {
            out.add(MAPPER.convertValue(n.get("y"), double[].class));
        } else {
            for (JsonNode r : n.get("ys")) {
                out.add(MAPPER.convertValue(r, double[].class));
            }
        }
        return out;
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void replaysAFileSkippingBadLinesAndMatchesTheEngine() throws Exception {
        Path modelFile = writeModel();
        Path in = dir.resolve("in.jsonl");
        Files.writeString(in, String.join("\n",
                "{\"seq\":\"s1\",\"pos\":0,\"tokens\":\"ACGTAC\"}",
                "{\"seq\":\"s2\",\"token\":\"G\"}",
                "this is not json",
                "{\"seq\":\"s1\",\"pos\":6,\"tokens\":\"GGXA\"}",
                "{\"seq\":\"s2\",\"tokens\":\"TTA\"}",
                "",
                "{\"seq\":\"s1\",\"pos\":6,\"ids\":[0,1,2]}",
                "{\"seq\":\"s3\",\"pos\":0,\"x\":" + vector(8, 0.5) + "}",
                "{\"seq\":\"s1\",\"pos\":3,\"tokens\":\"TACACGTT\"}",
                "{\"seq\":\"s3\",\"pos\":1,\"x\":" + vector(7, 0.5) + "}",
                "{\"pos\":1,\"token\":\"A\"}") + "\n");
        Path out = dir.resolve("out/out.jsonl");
        String[] err = run("--model", modelFile.toString(), "--input", in.toString(), "--output", out.toString());

        assertThat(err).anySatisfy(l -> assertThat(l).startsWith(in + ":3: bad_json: "));
        assertThat(err).anySatisfy(l -> assertThat(l).startsWith(in + ":4: unknown_symbol: 'X' at offset 2"));
        assertThat(err).anySatisfy(l -> assertThat(l).isEqualTo(in + ":10: wrong_dimension: expected 8 values, got 7"));
        assertThat(err).anySatisfy(l -> assertThat(l).startsWith(in + ":11: missing_seq: "));
        assertThat(err).anySatisfy(l -> assertThat(l).contains("4 skipped"));

        List<String> lines = Files.readAllLines(out);
        List<JsonNode> nodes = new ArrayList<>();
        for (String l : lines) {
            nodes.add(MAPPER.readTree(l));
        }
        // s1 (first seen on line 1), then s2, then s3; within a sequence by position
        assertThat(nodes).extracting(n -> n.get("seq").asText() + "@" + n.get("pos").asLong())
                .containsExactly("s1@0", "s1@6", "s1@9", "s2@0", "s2@1", "s3@0");

        // s1: ACGTAC, ids 0,1,2 = ACG, then the replayed chunk at 3 keeps only positions 9, 10 = "TT"
        double[][] s1 = engineRun("ACGTAC" + "ACG" + "TT");
        List<double[]> got1 = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            got1.addAll(rows(nodes.get(i)));
        }
        assertThat(got1).hasSize(s1.length);
        for (int i = 0; i < s1.length; i++) {
            assertThat(got1.get(i)).as("s1 token %d", i).isEqualTo(s1[i]);
        }
        double[][] s2 = engineRun("GTTA");
        assertThat(nodes.get(3).has("y")).isTrue();
        assertThat(rows(nodes.get(3)).get(0)).isEqualTo(s2[0]);
        assertThat(rows(nodes.get(4))).hasSize(3);
        for (int i = 0; i < 3; i++) {
            assertThat(rows(nodes.get(4)).get(i)).isEqualTo(s2[i + 1]);
        }
        double[] x = MAPPER.readValue(vector(8, 0.5), double[].class);
        double[] y = new double[6];
        engine.step(engine.newState(), x, 0, y, 0);
        assertThat(rows(nodes.get(5)).get(0)).isEqualTo(y);

        // same file, emit last, RocksDB, parallelism 2: the last row of each record, same values
        Path last = dir.resolve("last.jsonl");
        run("--model", modelFile.toString(), "--input", in.toString(), "--output", last.toString(),
                "--emit", "last", "--state-backend", "rocksdb", "--parallelism", "2");
        List<String> lastLines = Files.readAllLines(last);
        assertThat(lastLines).hasSize(6);
        for (int i = 0; i < 6; i++) {
            JsonNode full = nodes.get(i);
            JsonNode l = MAPPER.readTree(lastLines.get(i));
            List<double[]> r = rows(full);
            assertThat(l.get("seq").asText()).isEqualTo(full.get("seq").asText());
            assertThat(l.get("pos").asLong()).isEqualTo(full.get("pos").asLong() + r.size() - 1);
            assertThat(rows(l).get(0)).isEqualTo(r.get(r.size() - 1));
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void emitFieldsReachTheOutputFile() throws Exception {
        AttentionConfig cfg = AttentionConfig.builder().dModel(8).heads(2).dKey(4).dValue(4).dOut(4)
                .vocab("ACGT").build();
        Model lm = ModelFiles.random(cfg, 9L);
        Path modelFile = dir.resolve("lm.safetensors");
        ModelFiles.save(lm, modelFile);
        Path in = dir.resolve("lm.jsonl");
        Files.writeString(in, String.join("\n",
                "{\"seq\":\"s1\",\"pos\":0,\"tokens\":\"ACGTAC\"}",
                "{\"seq\":\"s1\",\"pos\":6,\"token\":\"G\"}",
                "{\"seq\":\"s1\",\"pos\":7,\"tokens\":\"GTA\"}") + "\n");
        Path out = dir.resolve("lm-out.jsonl");
        run("--model", modelFile.toString(), "--input", in.toString(), "--output", out.toString(),
                "--emit-fields", "probabilities,top-2,surprisal");
        List<String> lines = Files.readAllLines(out);
        assertThat(lines).hasSize(3);
        String tokens = "ACGTACGGTA";
        List<double[]> ps = new ArrayList<>();
        List<JsonNode> tops = new ArrayList<>();
        List<JsonNode> surprisals = new ArrayList<>();
        for (String l : lines) {
            JsonNode n = MAPPER.readTree(l);
            assertThat(n.has("logps")).isFalse();
            if (n.has("y")) {
                ps.add(MAPPER.convertValue(n.get("p"), double[].class));
                tops.add(n.get("top"));
                surprisals.add(n.get("surprisal"));
            } else {
                for (int i = 0; i < n.get("ys").size(); i++) {
                    ps.add(MAPPER.convertValue(n.get("ps").get(i), double[].class));
                    tops.add(n.get("tops").get(i));
                    surprisals.add(n.get("surprisals").get(i));
                }
            }
        }
        assertThat(ps).hasSize(10);
        assertThat(surprisals.get(0).isNull()).isTrue();
        for (int t = 0; t < 10; t++) {
            assertThat(tops.get(t)).hasSize(2);
            int id = "ACGT".indexOf(tops.get(t).get(0).get("token").asText());
            assertThat(tops.get(t).get(0).get("p").asDouble()).isEqualTo(ps.get(t)[id]);
            if (t > 0) {
                double p = ps.get(t - 1)["ACGT".indexOf(tokens.charAt(t))];
                assertThat(surprisals.get(t).asDouble()).as("surprisal at %d", t)
                        .isCloseTo(-Math.log(p) / Math.log(2), org.assertj.core.data.Offset.offset(1e-12));
            }
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aBadLineIsReportedWithItsNumberAndTheRestStillRuns() throws Exception {
        Path modelFile = writeModel();
        Path in = dir.resolve("bytes.jsonl");
        byte[] notUtf8 = "{\"seq\":\"s\u0001\",\"pos\":1,\"token\":\"A\"}".getBytes(StandardCharsets.ISO_8859_1);
        notUtf8[9] = (byte) 0xff;
        java.io.ByteArrayOutputStream file = new java.io.ByteArrayOutputStream();
        file.write("\uFEFF{\"seq\":\"s\",\"pos\":0,\"token\":\"A\"}\r\n".getBytes(StandardCharsets.UTF_8));
        file.write(notUtf8);
        file.write(("\n{\"seq\":\"s\",\"pos\":1,\"tokens\":\"" + "C".repeat(300) + "\"}\n").getBytes(StandardCharsets.UTF_8));
        file.write(("{\"seq\":\"s\",\"pos\":1,\"x\":[NaN,0,0,0,0,0,0,0]}\n").getBytes(StandardCharsets.UTF_8));
        file.write("{\"seq\":\"s\",\"pos\":1,\"tokens\":\"GT\"}\n".getBytes(StandardCharsets.UTF_8));
        Files.write(in, file.toByteArray());
        Path out = dir.resolve("bytes-out.jsonl");
        String[] err = run("--model", modelFile.toString(), "--input", in.toString(), "--output", out.toString(),
                "--max-record-bytes", "200");
        assertThat(err).anySatisfy(l -> assertThat(l).startsWith(in + ":2: bad_json: Invalid UTF-8"));
        assertThat(err).anySatisfy(l -> assertThat(l).startsWith(in + ":3: oversize: 331 bytes, the limit is 200"));
        assertThat(err).anySatisfy(l -> assertThat(l).startsWith(in + ":4: not_finite: "));
        assertThat(err).anySatisfy(l -> assertThat(l).contains("3 skipped"));
        List<String> lines = Files.readAllLines(out);
        assertThat(lines).hasSize(2);
        double[][] s = engineRun("AGT");
        assertThat(rows(MAPPER.readTree(lines.get(0))).get(0)).isEqualTo(s[0]);
        assertThat(rows(MAPPER.readTree(lines.get(1)))).containsExactly(s[1], s[2]);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void outputsThatOverflowAreReportedNotWrittenAsNulls() throws Exception {
        writeModel();
        // finite weights of 1e308: every value projection overflows to infinity
        double[] v = model.weights().valueWeight;
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.copySign(1e308, v[i]);
        }
        Path modelFile = dir.resolve("huge.safetensors");
        ModelFiles.save(model, modelFile);
        Path in = dir.resolve("huge.jsonl");
        Files.writeString(in, "{\"seq\":\"s\",\"pos\":0,\"tokens\":\"ACG\"}\n\n{\"seq\":\"s\",\"pos\":3,\"token\":\"T\"}\n");
        Path out = dir.resolve("huge-out.jsonl");
        String[] err = run("--model", modelFile.toString(), "--input", in.toString(), "--output", out.toString());
        assertThat(err).anySatisfy(l -> assertThat(l).startsWith(in + ":1: non_finite_output: "));
        assertThat(err).anySatisfy(l -> assertThat(l).startsWith(in + ":3: non_finite_output: "));
        assertThat(err).anySatisfy(l -> assertThat(l).contains("0 records used, 2 skipped"));
        assertThat(Files.readAllLines(out)).isEmpty();
    }

    @Test
    void badCommandLinesAreUsageErrors() throws Exception {
        Path modelFile = writeModel();
        Path in = dir.resolve("in.jsonl");
        Files.writeString(in, "{\"seq\":\"a\",\"token\":\"A\"}\n");
        String o = dir.resolve("o.jsonl").toString();
        assertThatThrownBy(() -> ReplayCommand.run(new String[] {"--input", in.toString(), "--output", o}))
                .isInstanceOf(UsageException.class).hasMessageContaining("Missing required option: '--model=PATH'");
        assertThatThrownBy(() -> ReplayCommand.run(new String[] {"--model", "nope.safetensors", "--input",
                in.toString(), "--output", o})).hasMessageContaining("nope.safetensors");
        assertThatThrownBy(() -> ReplayCommand.run(new String[] {"--model", modelFile.toString(), "--input",
                in.toString(), "--output", o, "--colour", "red"})).hasMessageContaining("Unknown option: '--colour'");
        assertThatThrownBy(() -> ReplayCommand.run(new String[] {"--model", modelFile.toString(), "--input",
                in.toString(), "--output", o, "--emit", "often"})).hasMessageContaining("emit mode");
        assertThatThrownBy(() -> ReplayCommand.run(new String[] {"--model", modelFile.toString(), "--input",
                in.toString(), "--output", o, "--feature-map", "cosine"})).hasMessageContaining("feature_map");
        assertThatThrownBy(() -> ReplayCommand.run(new String[] {"--model"}))
                .hasMessageContaining("Missing required parameter for option '--model'");
        assertThatThrownBy(() -> ReplayCommand.run(new String[] {"--model", modelFile.toString(), "--input",
                in.toString(), "--output", o, "--emit-fields", "p,entropy"}))
                .isInstanceOf(UsageException.class).hasMessageContaining("--emit-fields")
                .hasMessageContaining("unknown emit field 'entropy'");
        // this model's outputs (d_out 6) are not logits over its 4 symbols
        assertThatThrownBy(() -> ReplayCommand.run(new String[] {"--model", modelFile.toString(), "--input",
                in.toString(), "--output", o, "--emit-fields", "surprisal"}))
                .isInstanceOf(UsageException.class).hasMessageContaining("--emit-fields")
                .hasMessageContaining("logits").hasMessageContaining("output width 6");
        assertThat(ReplayCommand.usage()).contains("--emit-fields");
        assertThat(ReplayCommand.usage()).contains("--feature-map").contains("--state-precision").contains("--emit");
    }
}
