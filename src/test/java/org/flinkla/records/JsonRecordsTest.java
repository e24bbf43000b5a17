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
package org.flinkla.records;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JsonRecordsTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static TokenRecord ok(String key, String json) {
        ParseResult r = JsonRecords.parse(key, json.getBytes(StandardCharsets.UTF_8));
        assertThat(r.isOk()).as("%s -> %s", json, r).isTrue();
        assertThat(r.reason()).isNull();
        return r.record();
    }

    @Test
    void parsesEverySingleTokenForm() {
        assertThat(ok("s", "{\"pos\": 17, \"token\": \"A\"}")).isEqualTo(TokenRecord.symbols("s", 17, "A", false));
        assertThat(ok("s", "{\"pos\": 17, \"id\": 3}")).isEqualTo(TokenRecord.ids("s", 17, new int[] {3}, false));
        assertThat(ok("s", "{\"pos\": 17, \"x\": [0.5, -1, 2e3]}"))
                .isEqualTo(TokenRecord.vectors("s", 17, new double[] {0.5, -1, 2000}, 3, false));
    }

    @Test
    void parsesEveryChunkForm() {
        assertThat(ok("s", "{\"pos\": 1000, \"tokens\": \"ACGT\"}"))
                .isEqualTo(TokenRecord.symbols("s", 1000, "ACGT", true));
        assertThat(ok("s", "{\"pos\": 1000, \"ids\": [3, 1, 0]}"))
                .isEqualTo(TokenRecord.ids("s", 1000, new int[] {3, 1, 0}, true));
        TokenRecord xs = ok("s", "{\"pos\": 1000, \"xs\": [[1, 2], [3, 4], [5, 6]]}");
        assertThat(xs).isEqualTo(TokenRecord.vectors("s", 1000, new double[] {1, 2, 3, 4, 5, 6}, 2, true));
        assertThat(xs.count()).isEqualTo(3);
    }

    @Test
    void posIsOptionalAndControlResetParses() {
        TokenRecord r = ok("s", "{\"tokens\": \"AC\"}");
        assertThat(r.hasPos()).isFalse();
        assertThat(ok("s", "{\"control\": \"reset\"}")).isEqualTo(TokenRecord.reset("s"));
    }

    @Test
    void keyWinsOverSeqFieldAndSeqFieldIsUsedWithoutKey() {
        assertThat(ok("key", "{\"seq\": \"field\", \"token\": \"A\"}").seq()).isEqualTo("key");
        assertThat(JsonRecords.parseLine("{\"seq\": \"field\", \"token\": \"A\"}").record().seq()).isEqualTo("field");
    }

    @Test
    void unknownFieldsAreIgnored() {
        assertThat(ok("s", "{\"meta\": {\"a\": [1, {\"b\": 2}]}, \"token\": \"A\", \"note\": \"x\"}"))
                .isEqualTo(TokenRecord.symbols("s", TokenRecord.NO_POS, "A", false));
    }

    @Test
    void nonFiniteNumbersParseSoTheValidatorCanNameThem() {
        TokenRecord r = ok("s", "{\"x\": [NaN, 1e999, -Infinity]}");
        assertThat(r.vectors()[0]).isNaN();
        assertThat(r.vectors()[1]).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(r.vectors()[2]).isEqualTo(Double.NEGATIVE_INFINITY);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"token\": \"A\"                                 | bad_json",
        "not json                                        | bad_json",
        "{\"token\": \"A\"} {\"token\": \"C\"}             | bad_json",
        "[1, 2]                                          | bad_record",
        "{\"pos\": 3}                                     | bad_record",
        "{\"token\": \"A\", \"id\": 1}                     | bad_record",
        "{\"token\": \"AC\"}                               | bad_record",
        "{\"tokens\": \"\"}                                | bad_record",
        "{\"ids\": []}                                    | bad_record",
        "{\"x\": [1, \"a\"]}                               | bad_record",
        "{\"xs\": [1, 2]}                                 | bad_record",
        "{\"xs\": [[1, 2], [3]]}                          | wrong_dimension",
        "{\"x\": []}                                      | wrong_dimension",
        "{\"ids\": [1, 2.5]}                              | bad_id",
        "{\"id\": 99999999999}                            | bad_id",
        "{\"control\": \"stop\"}                           | bad_control",
        "{\"control\": 1}                                 | bad_control",
        "{\"pos\": -1, \"token\": \"A\"}                   | bad_pos",
        "{\"pos\": 1.5, \"token\": \"A\"}                  | bad_pos",
        "{\"pos\": 99999999999999999999, \"token\": \"A\"} | bad_pos",
        "{\"pos\": 9223372036854775807, \"tokens\": \"AC\"} | bad_pos",
    })
    void rejectsWithStableCodes(String json, String code) {
        ParseResult r = JsonRecords.parse("s", json.trim());
        assertThat(r.isOk()).as(json).isFalse();
        assertThat(r.record()).isNull();
        assertThat(RejectReasons.codeOf(r.reason())).as(r.reason()).isEqualTo(code);
        assertThat(r.reason()).startsWith(code + ": ").hasSizeGreaterThan(code.length() + 3);
    }

    @Test
    void missingSeqAndEmptyValueAreRejected() {
        assertThat(JsonRecords.parseLine("{\"token\": \"A\"}").reason()).startsWith("missing_seq: ");
        assertThat(JsonRecords.parse("s", new byte[0]).reason()).startsWith("bad_json: ");
        assertThat(JsonRecords.parse("s", (byte[]) null).reason()).startsWith("bad_json: ");
        assertThat(JsonRecords.parse("s", "{\"x\": [1, 2}").reason()).contains("column");
    }

    @Test
    void outputsRoundTripExactlyThroughJson() throws Exception {
        Random rnd = new Random(7);
        double[] ys = new double[3 * 5];
        for (int i = 0; i < ys.length; i++) {
            ys[i] = rnd.nextGaussian() * Math.pow(10, rnd.nextInt(40) - 20);
        }
        ys[0] = -0.0;
        ys[1] = Double.MIN_VALUE;
        ys[2] = Double.MAX_VALUE;
        AttentionOutput chunk = new AttentionOutput("chr\"1\\ é", 1000, 5, ys, null, true);
        byte[] bytes = JsonRecords.toJsonBytes(chunk);
        JsonNode n = MAPPER.readTree(bytes);
        assertThat(n.get("seq").asText()).isEqualTo("chr\"1\\ é");
        assertThat(n.get("pos").asLong()).isEqualTo(1000);
        assertThat(n.has("y")).isFalse();
        assertThat(n.get("ys")).hasSize(3);
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 5; j++) {
                assertThat(n.get("ys").get(i).get(j).asDouble()).isEqualTo(ys[i * 5 + j]);
            }
        }
        assertThat(new String(bytes, StandardCharsets.UTF_8)).isEqualTo(JsonRecords.toJson(chunk));

        AttentionOutput single = new AttentionOutput("s", 17, 2, new double[] {1.5, -2.25e-300}, null, false);
        JsonNode s = MAPPER.readTree(JsonRecords.toJson(single));
        assertThat(s.get("y").get(0).asDouble()).isEqualTo(1.5);
        assertThat(s.get("y").get(1).asDouble()).isEqualTo(-2.25e-300);
        assertThat(s.has("ys")).isFalse();
        assertThat(s.size()).isEqualTo(3);
    }

    @Test
    void thinnedChunkOutputsListTheirPositions() throws Exception {
        AttentionOutput o = new AttentionOutput("s", 3, 1, new double[] {1, 2}, new long[] {3, 7}, true);
        JsonNode n = MAPPER.readTree(JsonRecords.toJson(o));
        assertThat(n.get("positions").get(0).asLong()).isEqualTo(3);
        assertThat(n.get("positions").get(1).asLong()).isEqualTo(7);
    }

    @Test
    void nonFiniteOutputValuesStayValidJson() throws Exception {
        AttentionOutput o = new AttentionOutput("s", 0, 2, new double[] {Double.NaN, 1}, null, false);
        JsonNode n = MAPPER.readTree(JsonRecords.toJson(o));
        assertThat(n.get("y").get(0).isNull()).isTrue();
    }

    @Test
    void recordsRenderBackToAnEqualRecord() {
        TokenRecord[] records = {
            TokenRecord.symbols("a", 5, "G", false),
            TokenRecord.symbols("a\n", TokenRecord.NO_POS, "ACGT", true),
            TokenRecord.ids("b", 0, new int[] {4}, false),
            TokenRecord.ids("b", 9, new int[] {4, 0, 2}, true),
            TokenRecord.vectors("c", 2, new double[] {0.1, 1e-310, -3}, 3, false),
            TokenRecord.vectors("c", 2, new double[] {0.1, 0.2, 0.3, 0.4}, 2, true),
            TokenRecord.reset("d"),
        };
        for (TokenRecord r : records) {
            assertThat(JsonRecords.parseLine(JsonRecords.toJson(r)).record()).as(r.toString()).isEqualTo(r);
        }
    }

    @Test
    void theWrittenFormIsCompactJsonWithJavasShortestDoubles() {
        AttentionOutput single = new AttentionOutput("s", 17, 3, new double[] {1.5, -2.25e-300, 0.1}, null, false);
        assertThat(JsonRecords.toJson(single)).isEqualTo("{\"seq\":\"s\",\"pos\":17,\"y\":[1.5,-2.25E-300,0.1]}");
        AttentionOutput thinned = new AttentionOutput("s", 3, 1, new double[] {1e21, Double.POSITIVE_INFINITY},
                new long[] {3, 7}, true);
        assertThat(JsonRecords.toJson(thinned))
                .isEqualTo("{\"seq\":\"s\",\"pos\":3,\"ys\":[[1.0E21],[null]],\"positions\":[3,7]}");
        assertThat(JsonRecords.toJson(TokenRecord.ids("b", 9, new int[] {4, 0}, true)))
                .isEqualTo("{\"seq\":\"b\",\"pos\":9,\"ids\":[4,0]}");
        assertThat(JsonRecords.toJson(TokenRecord.reset("d"))).isEqualTo("{\"seq\":\"d\",\"control\":\"reset\"}");
    }

    @Test
    void everySequenceIdParsesBackUnchanged() throws Exception {
        // quotes, backslash, every control character, DEL, line/paragraph separators, a pair and lone surrogates
        StringBuilder all = new StringBuilder("q\"b\\s/");
        for (char c = 0; c < 0x20; c++) {
            all.append(c);
        }
        all.append('\u007f').append('\u2028').append('\u2029').append("\ud83d\ude00").append('\ud800').append("x")
                .append('\udc00').append("é\ud83d");
        String seq = all.toString();
        AttentionOutput o = new AttentionOutput(seq, 0, 1, new double[] {1}, null, false);
        byte[] bytes = JsonRecords.toJsonBytes(o);
        assertThat(MAPPER.readTree(bytes).get("seq").asText()).isEqualTo(seq);
        assertThat(MAPPER.readTree(JsonRecords.toJson(o)).get("seq").asText()).isEqualTo(seq);
        assertThat(new String(bytes, StandardCharsets.UTF_8)).isEqualTo(JsonRecords.toJson(o));
        String text = new String(bytes, StandardCharsets.UTF_8);
        assertThat(text).as("surrogates are escaped, a pair as two escapes")
                .contains("\\uD83D\\uDE00\\uD800x\\uDC00é\\uD83D\"");
        for (int i = 0; i < bytes.length; i++) {
            assertThat(bytes[i] & 0xff).as("no raw control character at %d", i).isGreaterThanOrEqualTo(0x20);
        }
        TokenRecord r = TokenRecord.symbols(seq, 4, "AC", true);
        assertThat(JsonRecords.parseLine(JsonRecords.toJson(r)).record()).isEqualTo(r);
        assertThat(JsonRecords.parse(null, JsonRecords.toJsonBytes(r)).record()).isEqualTo(r);
    }

    @Test
    void aWriterIsReusedForManyRecordsOfAnySize() throws Exception {
        JsonWriter w = new JsonWriter();
        Random rnd = new Random(3);
        for (int n : new int[] {1, 5000, 2, 300_000, 1}) {
            double[] ys = new double[n];
            for (int i = 0; i < n; i++) {
                ys[i] = rnd.nextGaussian();
            }
            AttentionOutput o = new AttentionOutput("k" + n, n, 1, ys, null, n > 1);
            JsonNode node = MAPPER.readTree(w.toBytes(o));
            assertThat(node.get("seq").asText()).isEqualTo("k" + n);
            JsonNode values = n > 1 ? node.get("ys") : node.get("y");
            assertThat(values).hasSize(n);
            assertThat(n > 1 ? values.get(n - 1).get(0).asDouble() : values.get(0).asDouble()).isEqualTo(ys[n - 1]);
            java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
            w.writeLine(o, line);
            assertThat(line.toString(StandardCharsets.UTF_8)).isEqualTo(w.toString(o) + "\n");
        }
    }
}
