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
package org.flinkla.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.flinkla.jobs.JobDefinition;
import org.flinkla.records.AttentionOutput;
import org.flinkla.records.BinaryRecords;
import org.flinkla.records.JsonRecords;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The benchmark's bookkeeping: sampling grid, output counting, generated job, CSV and SVG files. */
class BenchPiecesTest {

    @Test
    void lengthsAreLogSpacedFrom100WithEveryDecadeAndTheMaximum() {
        long[] n = ScalingProbe.lengths(10_000_000);
        assertThat(n[0]).isEqualTo(100);
        assertThat(n[n.length - 1]).isEqualTo(10_000_000);
        assertThat(n).hasSize(51).contains(1_000, 10_000, 100_000, 1_000_000, 3162);
        for (int i = 1; i < n.length; i++) {
            assertThat(n[i]).isGreaterThan(n[i - 1]);
            assertThat((double) n[i] / n[i - 1]).isBetween(1.2, 1.3); // 10^(1/10) = 1.259
        }
        assertThat(ScalingProbe.lengths(5_000)).endsWith(3981, 5000);
    }

    @Test
    void countsOutputsInBinaryAndJsonValues() {
        double[] ys = new double[3 * 4];
        AttentionOutput chunk = new AttentionOutput("s", 10, 4, ys, null, true);
        AttentionOutput single = new AttentionOutput("s", 10, 4, new double[4], null, false);
        assertThat(EndToEndThroughput.binaryCount(BinaryRecords.encodeOutput(chunk, false))).isEqualTo(3);
        assertThat(EndToEndThroughput.binaryCount(BinaryRecords.encodeOutput(single, true))).isEqualTo(1);
        assertThat(EndToEndThroughput.jsonCount(JsonRecords.toJson(chunk).getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(3);
        assertThat(EndToEndThroughput.jsonCount(JsonRecords.toJson(single).getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(1);
    }

    @Test
    void generatedJobIsAValidJobDefinitionWithTheRequestedSettings() {
        EndToEndThroughput.Options o = new EndToEndThroughput.Options().parallelism(1).guarantee("at-least-once")
                .backend("rocksdb").format("json");
        JobDefinition job = JobDefinition.parse("bench", EndToEndThroughput.jobYaml(o), k -> null);
        assertThat(job.parallelism()).isEqualTo(1);
        assertThat(job.stateBackend()).isEqualTo("rocksdb");
        assertThat(job.guarantee()).isEqualTo(org.apache.flink.connector.base.DeliveryGuarantee.AT_LEAST_ONCE);
        assertThat(job.model().seededConfig().dModel()).isEqualTo(64);
        assertThat(job.model().seededConfig().heads()).isEqualTo(4);
        assertThat(job.kafkaProperties()).containsEntry("max.request.size", "67108864");
        JobDefinition binary = JobDefinition.parse("bench", EndToEndThroughput.jobYaml(new EndToEndThroughput.Options()),
                k -> null);
        assertThat(binary.guarantee()).isEqualTo(org.apache.flink.connector.base.DeliveryGuarantee.EXACTLY_ONCE);
        assertThat(binary.source().format().toString()).isEqualTo("BINARY");
        assertThat(binary.sink().format().toString()).isEqualTo("BINARY");
    }

    @Test
    void writesCsvAndSvgWithOneCurvePerMethodAndWhereEachStopped(@TempDir Path dir) throws Exception {
        List<SequenceLengthCurves.Series> seq = List.of(
                new SequenceLengthCurves.Series("linear", List.of(new SequenceLengthCurves.Point(100, 2000.0, 1_500_000),
                        new SequenceLengthCurves.Point(1000, 1900.0, 1_500_100)), "completed", 1000, 0.1, 33_554_432, ""),
                new SequenceLengthCurves.Series("kv", List.of(new SequenceLengthCurves.Point(100, 3000.0, 1_600_000),
                        new SequenceLengthCurves.Point(1000, 9000.0, 2_600_000)), "out_of_memory", 1000, 3, 33_554_432,
                        "Java heap space"),
                new SequenceLengthCurves.Series("naive", List.of(new SequenceLengthCurves.Point(100, 50_000.0, 2_000_000)),
                        "time_budget", 100, 20, 33_554_432, ""));
        ScalingCurves.writeSequenceLength(dir, seq);
        assertThat(Files.readAllLines(dir.resolve("seq-length.csv"))).containsExactly(
                "method,tokens,ns_per_token,heap_bytes", "linear,100,2000.0,1500000", "linear,1000,1900.0,1500100",
                "kv,100,3000.0,1600000", "kv,1000,9000.0,2600000", "naive,100,50000.0,2000000");
        String mem = Files.readString(dir.resolve("seq-memory.svg"));
        assertThat(mem).startsWith("<svg").endsWith("</svg>\n");
        assertThat(count(mem, "<polyline")).isEqualTo(3);
        assertThat(mem).contains("OutOfMemoryError after 1k", "completed 1k tokens", "time budget (20 s) at 100",
                "heap limit (-Xmx) 32 MiB");
        String time = Files.readString(dir.resolve("seq-time.svg"));
        assertThat(count(time, "<circle")).isEqualTo(5 + 3); // points + one ring per end note

        ScalingCurves.writeKeys(dir, List.of(new KeyScaling.Point("hashmap", 1, 10, 160, 1e6),
                new KeyScaling.Point("hashmap", 1000, 2000, 32000, 9e5), new KeyScaling.Point("rocksdb", 1, 10, 160, 5e5)),
                java.util.Map.of("hashmap", new int[] {1, 1000}, "rocksdb", new int[] {1, 1000}), 600);
        assertThat(Files.readAllLines(dir.resolve("keys.csv"))).containsExactly(
                "backend,keys,records,tokens,tokens_per_second", "hashmap,1,10,160,1000000", "hashmap,1000,2000,32000,900000",
                "rocksdb,1,10,160,500000");
        String keys = Files.readString(dir.resolve("keys-throughput.svg"));
        assertThat(count(keys, "<polyline")).isEqualTo(2);
        assertThat(keys).contains("RocksDB (Flink", "heap (hashmap)", ">1k<", "1k keys not done within 600 s");
        assertThat(keys).doesNotContain("hashmap keys not done");
    }

    private static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }
}
