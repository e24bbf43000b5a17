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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.flinkla.cli.RunCommand;
import org.flinkla.model.FtFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code run} of a flink-jobs style YAML whose model is a fast-transformers language-model fixture:
 * Kafka (embedded) → Flink → Kafka, exactly-once; the committed outputs are PyTorch's to 1e-9, for
 * two keys fed the same tokens in different chunkings, interleaved.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class FastTransformersRunITCase {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LM = "lm_elu_2layer_gelu_norm_acgtn";

    @TempDir
    Path dir;

    @Test
    void runOnKafkaGivesTheFixtureOutputs() throws Exception {
        FtFixtures.Case c = FtFixtures.load(LM);
        Path job = dir.resolve("ft-lm.yaml");
        Files.writeString(job, String.join("\n",
                "name: ft-lm",
                "parallelism: 2",
                "source: {topic: ft-in, partitions: 2}",
                "sink: {topic: ft-out, dead-letter-topic: ft-dlq}",
                "model:",
                "  file: " + FtFixtures.file(LM).toAbsolutePath(),
                "  overrides: {state_precision: float64}",
                "checkpoint-interval: 500ms",
                ""));
        StringBuilder sym = new StringBuilder();
        for (int id : c.tokenIds) {
            sym.append("ACGTN".charAt(id));
        }
        String s = sym.toString();
        List<String> a = new ArrayList<>();
        List<String> b = new ArrayList<>();
        for (int t = 0; t < s.length(); t += 8) {
            a.add("{\"seq\":\"a\",\"pos\":" + t + ",\"tokens\":\"" + s.substring(t, Math.min(s.length(), t + 8)) + "\"}");
        }
        for (int t = 0; t < s.length(); t++) {
            b.add("{\"seq\":\"b\",\"pos\":" + t + ",\"token\":\"" + s.charAt(t) + "\"}");
        }
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
            if (i < a.size()) {
                lines.add(a.get(i));
            }
            if (i < b.size()) {
                lines.add(b.get(i));
            }
        }
        Path in = dir.resolve("in.jsonl");
        Path out = dir.resolve("out.jsonl");
        Files.write(in, lines);
        int rc = RunCommand.run(new String[] {job.toString(), "--input-file", in.toString(),
                "--output-file", out.toString(), "--parallelism", "2", "--timeout", "150"});
        assertThat(rc).isZero();

        Map<String, TreeMap<Long, double[]>> got = new HashMap<>();
        for (String line : Files.readAllLines(out)) {
            JsonNode n = JSON.readTree(line);
            TreeMap<Long, double[]> m = got.computeIfAbsent(n.get("seq").asText(), k -> new TreeMap<>());
            JsonNode rows = n.has("y") ? JSON.createArrayNode().add(n.get("y")) : n.get("ys");
            for (int i = 0; i < rows.size(); i++) {
                assertThat(m.put(n.get("pos").asLong() + i, JSON.convertValue(rows.get(i), double[].class))).isNull();
            }
        }
        assertThat(got.keySet()).containsExactlyInAnyOrder("a", "b");
        for (String seq : List.of("a", "b")) {
            TreeMap<Long, double[]> m = got.get(seq);
            assertThat(m.keySet()).hasSize(c.tokens());
            double[] flat = new double[c.tokens() * 5];
            int t = 0;
            for (double[] y : m.values()) {
                System.arraycopy(y, 0, flat, 5 * t++, 5);
            }
            FtFixtures.assertOutputs(c, flat, 5, "run, key " + seq);
        }
    }
}
