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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.flinkla.model.FtFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code replay} on fast-transformers fixture files: a vector stack and a language model (symbols
 * and ids) give PyTorch's outputs to 1e-9 through Flink; a softmax file is refused naming the key.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class FastTransformersReplayITCase {
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(2)
                    .build());

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path dir;

    private static String vector(double[] v) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) {
            sb.append(i > 0 ? "," : "").append(v[i]); // Double.toString: parses back to the same double
        }
        return sb.append(']').toString();
    }

    /** The output rows of {@code seq}, in position order (replay writes each sequence in order). */
    private static double[] rows(Path out, String seq, int width) throws Exception {
        List<Double> all = new ArrayList<>();
        long next = 0;
        for (String line : Files.readAllLines(out)) {
            JsonNode n = MAPPER.readTree(line);
            if (!n.get("seq").asText().equals(seq)) {
                continue;
            }
            assertThat(n.get("pos").asLong()).isEqualTo(next);
            JsonNode ys = n.has("y") ? MAPPER.createArrayNode().add(n.get("y")) : n.get("ys");
            for (JsonNode r : ys) {
                assertThat(r.size()).isEqualTo(width);
                r.forEach(v -> all.add(v.asDouble()));
                next++;
            }
        }
        return all.stream().mapToDouble(Double::doubleValue).toArray();
    }

    @Test
    void vectorStackAndLanguageModelReplayToTheFixtures() throws Exception {
        // vectors: favor, 2 layers; the first 5 tokens as one chunk, then single vectors
        FtFixtures.Case vec = FtFixtures.load("favor16_2layer_gelu_norm");
        List<String> lines = new ArrayList<>();
        StringBuilder chunk = new StringBuilder("{\"seq\":\"v\",\"pos\":0,\"xs\":[");
        for (int t = 0; t < 5; t++) {
            chunk.append(t > 0 ? "," : "").append(vector(vec.vectors[t]));
        }
        lines.add(chunk.append("]}").toString());
        for (int t = 5; t < vec.tokens(); t++) {
            lines.add("{\"seq\":\"v\",\"pos\":" + t + ",\"x\":" + vector(vec.vectors[t]) + "}");
        }
        Path vin = dir.resolve("vectors.jsonl");
        Files.write(vin, lines);
        Path vout = dir.resolve("vectors.out.jsonl");
        assertThat(ReplayCommand.run(new String[] {"--model", FtFixtures.file("favor16_2layer_gelu_norm").toString(),
                "--input", vin.toString(), "--output", vout.toString()})).isZero();
        FtFixtures.assertOutputs(vec, rows(vout, "v", 16), 16, "favor16 replay");

        // ids: a language model over ACGTN; symbols, then ids, then symbols without pos; RocksDB, parallelism 2
        FtFixtures.Case lm = FtFixtures.load("lm_relu_3layer_relu_eps_acgtn");
        StringBuilder sym = new StringBuilder();
        for (int id : lm.tokenIds) {
            sym.append("ACGTN".charAt(id));
        }
        String s = sym.toString();
        StringBuilder ids = new StringBuilder("[");
        for (int t = 10; t < 20; t++) {
            ids.append(t > 10 ? "," : "").append(lm.tokenIds[t]);
        }
        lines.clear();
        lines.add("{\"seq\":\"lm\",\"pos\":0,\"tokens\":\"" + s.substring(0, 10) + "\"}");
        lines.add("{\"seq\":\"lm\",\"pos\":10,\"ids\":" + ids + "]}");
        lines.add("{\"seq\":\"lm\",\"tokens\":\"" + s.substring(20) + "\"}");
        Path lin = dir.resolve("lm.jsonl");
        Files.write(lin, lines);
        Path lout = dir.resolve("lm.out.jsonl");
        assertThat(ReplayCommand.run(new String[] {"--model", FtFixtures.file("lm_relu_3layer_relu_eps_acgtn").toString(),
                "--input", lin.toString(), "--output", lout.toString(), "--state-backend", "rocksdb",
                "--parallelism", "2"})).isZero();
        FtFixtures.assertOutputs(lm, rows(lout, "lm", 3), 3, "lm_relu replay");
    }

    @Test
    void softmaxFilesAreRefusedNamingTheKey() throws Exception {
        Path in = dir.resolve("in.jsonl");
        Files.writeString(in, "{\"seq\":\"a\",\"x\":[1,2,3,4,5,6,7,8]}\n");
        Path f = FtFixtures.file("softmax_dk3_dv5_3layer_gelu");
        assertThatThrownBy(() -> ReplayCommand.run(new String[] {"--model", f.toString(), "--input", in.toString(),
                "--output", dir.resolve("o.jsonl").toString()}))
                .hasMessageContaining(f + ": metadata feature_map: softmax");
    }
}
