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
package org.flinkla.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.flinkla.records.JsonLines;
import org.flinkla.records.ParseResult;
import org.flinkla.records.RecordValidator;
import org.flinkla.records.TokenRecord;
import org.junit.jupiter.api.Test;

/**
 * A line of an input file and the same bytes as a Kafka record value get the same verdict and the
 * same reason: {@link JsonLines} (run --input-file, produce, replay) against {@link RecordParser}
 * (the pipeline), the record sent with the line's "seq" as key as the producer does, or without key.
 */
class OneParserTest {
    private static final int LIMIT = 3000;

    private static List<byte[]> lines() {
        List<byte[]> l = new ArrayList<>();
        for (String s : List.of(
                "{\"seq\":\"a\",\"pos\":0,\"tokens\":\"ACGT\"}",
                "\uFEFF{\"seq\":\"a\",\"pos\":4,\"token\":\"A\"}",
                "{\"seq\":\"a\",\"pos\":5,\"x\":[NaN,1]}",
                "{\"seq\":\"a\",\"pos\":5,\"x\":[1e999,1]}",
                "{\"seq\":\"a\",\"pos\":5,\"tokens\":\"AC",
                "{\"seq\":\"a\",\"token\":\"A\",\"deep\":" + "[".repeat(1001) + "]".repeat(1001) + "}",
                "{\"seq\":\"a\",\"token\":\"A\"} {}",
                "{\"pos\":0,\"token\":\"A\"}",
                "not json",
                "[1,2]",
                "{\"seq\":\"a\",\"pos\":-1,\"token\":\"A\"}",
                "{\"seq\":\"a\",\"control\":\"explode\"}",
                "{\"seq\":\"a\",\"tokens\":\"" + "A".repeat(LIMIT) + "\"}")) {
            l.add(s.getBytes(StandardCharsets.UTF_8));
        }
        byte[] badUtf8 = "{\"seq\":\"a?\",\"token\":\"A\"}".getBytes(StandardCharsets.UTF_8);
        badUtf8[9] = (byte) 0xc3; // a lead byte followed by '"': malformed
        l.add(badUtf8);
        return l;
    }

    private static String pipelineVerdict(byte[] key, byte[] value) throws Exception {
        RecordParser parser = new RecordParser(RecordFormat.JSON, LIMIT,
                new RecordValidator(2, "ACGTN", 5, 1000));
        try (OneInputStreamOperatorTestHarness<RawKafkaRecord, TokenRecord> h =
                ProcessFunctionTestHarnesses.forProcessFunction(parser)) {
            h.processElement(new RawKafkaRecord(key, value, "in", 0, 7L), 0L);
            if (!h.extractOutputValues().isEmpty()) {
                return "ok";
            }
            StreamRecord<DeadLetter> d = h.getSideOutput(RecordParser.DEAD_LETTERS).poll();
            return d.getValue().reason();
        }
    }

    @Test
    void aLineAndTheSameBytesOnKafkaGetTheSameVerdict() throws Exception {
        List<byte[]> lines = lines();
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        for (byte[] l : lines) {
            file.write(l);
            file.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        List<String> codes = new ArrayList<>();
        try (JsonLines in = new JsonLines(new ByteArrayInputStream(file.toByteArray()), LIMIT)) {
            int i = 0;
            for (JsonLines.Line line = in.next(); line != null; line = in.next(), i++) {
                assertThat(line.number()).isEqualTo(i + 1);
                byte[] value = lines.get(i);
                ParseResult v = in.verdict(line);
                // the producer keys a usable line by its "seq"; a rejected one never reaches the topic, but
                // the same bytes without a key get the same reason from the pipeline
                String lineVerdict = v.isOk() ? "ok" : v.reason();
                byte[] key = v.isOk() ? v.record().seq().getBytes(StandardCharsets.UTF_8) : null;
                String onKafka = pipelineVerdict(key, value);
                if (v.isOk()) {
                    // the pipeline also runs the model checks, which a line gets there too
                    assertThat(onKafka).as("line %d", i + 1).isIn("ok", "not_finite: x[0] is NaN",
                            "not_finite: x[0] is Infinity");
                    assertThat(pipelineVerdict(null, value)).as("line %d without key", i + 1).isEqualTo(onKafka);
                } else {
                    assertThat(onKafka).as("line %d", i + 1).isEqualTo(lineVerdict);
                }
                codes.add(lineVerdict.equals("ok") ? onKafka.split(":")[0] : lineVerdict.split(":")[0]);
            }
            assertThat(i).isEqualTo(lines.size());
        }
        assertThat(codes).containsExactly("ok", "ok", "not_finite", "not_finite", "bad_json", "bad_json", "bad_json",
                "missing_seq", "bad_json", "bad_record", "bad_pos", "bad_control", "oversize", "bad_json");
    }

    @Test
    void anOversizeLineIsNotHeldAndTheNextLineIsRead() throws Exception {
        byte[] big = new byte[5_000_000];
        java.util.Arrays.fill(big, (byte) 'A');
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.write(big);
        file.write("\n{\"seq\":\"b\",\"token\":\"C\"}\n\n   \n".getBytes(StandardCharsets.UTF_8));
        try (JsonLines in = new JsonLines(new ByteArrayInputStream(file.toByteArray()), LIMIT)) {
            JsonLines.Line first = in.next();
            assertThat(first.isOversize()).isTrue();
            assertThat(first.length()).isEqualTo(big.length);
            assertThat(first.bytes()).hasSize(JsonLines.PREFIX_BYTES);
            assertThat(in.verdict(first).reason()).isEqualTo("oversize: 5000000 bytes, the limit is " + LIMIT);
            assertThat(in.verdict(in.next()).record().seq()).isEqualTo("b");
            assertThat(in.next().isBlank()).isTrue();
            JsonLines.Line spaces = in.next();
            assertThat(spaces.isBlank()).isTrue();
            assertThat(spaces.number()).isEqualTo(4);
            assertThat(in.next()).isNull();
        }
    }
}
