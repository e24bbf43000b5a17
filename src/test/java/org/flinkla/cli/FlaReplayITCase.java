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
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.flinkla.engine.SequenceModel;
import org.flinkla.model.FlaFixtures;
import org.flinkla.model.ModelLoader;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code replay --model <FLA directory>} for one fixture of each model_type: the logits written
 * for a sequence sent as mixed id chunks and symbols equal the reference's within 1e-9 (float64
 * state) or 1e-4 (FLA's float32 state).
 */
class FlaReplayITCase {
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "gated_deltanet_gva_negeig_tied, float64",
        "delta_net_default, float32",
        "gla_kv_conv_unfused_sharded, float64",
        "retnet_unfused_gate_sigmoid, float64",
    })
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void replayWritesTheReferenceLogits(String fixture, String precision) throws Exception {
        FlaFixtures.Case c = FlaFixtures.get(fixture);
        SequenceModel model = ModelLoader.load(c.dir);
        // the fixture's ids as records of 1, 5, 2, 9 ... tokens; where every id has a one-character
        // symbol in the model's vocab, as symbols; a second sequence "z" gets the first 7 ids again
        List<String> lines = new ArrayList<>();
        int[] sizes = {1, 5, 2, 9, 3};
        for (int p = 0, k = 0; p < c.ids.length; k++) {
            int n = Math.min(sizes[k % sizes.length], c.ids.length - p);
            lines.add(record("s", p, c.ids, n, model));
            if (k == 1) {
                lines.add(record("z", 0, c.ids, 7, model));
            }
            p += n;
        }
        Path in = dir.resolve("in.jsonl");
        Files.write(in, lines);
        Path out = dir.resolve("out.jsonl");
        PrintStream oldErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            assertThat(ReplayCommand.run(new String[] {"--model", c.dir.toString(), "--input", in.toString(),
                    "--output", out.toString(), "--state-precision", precision})).isZero();
        } finally {
            System.setErr(oldErr);
        }
        assertThat(err.toString(StandardCharsets.UTF_8)).doesNotContain(in + ":");

        List<double[]> s = new ArrayList<>();
        List<double[]> z = new ArrayList<>();
        for (String l : Files.readAllLines(out)) {
            JsonNode n = MAPPER.readTree(l);
            List<double[]> target = n.get("seq").asText().equals("s") ? s : z;
            assertThat(n.get("pos").asLong()).isEqualTo(target.size());
            if (n.has("y")) {
                target.add(MAPPER.convertValue(n.get("y"), double[].class));
            } else {
                for (JsonNode r : n.get("ys")) {
                    target.add(MAPPER.convertValue(r, double[].class));
                }
            }
        }
        assertThat(s).hasSize(c.ids.length);
        assertThat(z).hasSize(7);
        double rel = precision.equals("float64") ? 1e-9 : 1e-4;
        double abs = precision.equals("float64") ? 1e-12 : 1e-6;
        for (int t = 0; t < c.ids.length; t++) {
            assertThat(FlaFixtures.errorRatio(s.get(t), c.logits[t], rel, abs)).as("s token " + t).isLessThanOrEqualTo(1.0);
        }
        for (int t = 0; t < 7; t++) {
            assertThat(z.get(t)).as("z token " + t).isEqualTo(s.get(t));
        }
    }

    private static String record(String seq, int pos, int[] ids, int n, SequenceModel model) {
        StringBuilder symbols = new StringBuilder();
        StringBuilder idList = new StringBuilder();
        boolean allSymbols = model.vocab() != null;
        for (int i = pos; i < pos + n; i++) {
            idList.append(i > pos ? "," : "").append(ids[i]);
            String v = model.vocab();
            if (v == null || ids[i] >= v.length() || model.tokenId(v.charAt(ids[i])) != ids[i]) {
                allSymbols = false;
            } else {
                symbols.append(v.charAt(ids[i]));
            }
        }
        if (allSymbols && (pos / 3) % 2 == 0) {
            return n == 1
                    ? "{\"seq\":\"" + seq + "\",\"pos\":" + pos + ",\"token\":\"" + symbols + "\"}"
                    : "{\"seq\":\"" + seq + "\",\"pos\":" + pos + ",\"tokens\":\"" + symbols + "\"}";
        }
        return n == 1
                ? "{\"seq\":\"" + seq + "\",\"pos\":" + pos + ",\"id\":" + idList + "}"
                : "{\"seq\":\"" + seq + "\",\"pos\":" + pos + ",\"ids\":[" + idList + "]}";
    }
}
