package org.flinkla.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.flinkla.engine.StatePrecision;
import org.flinkla.engine.Variant;
import org.flinkla.flink.SequenceStateSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reduced chromosome demo end to end: 3,000 bases through the chr1 demo job on the embedded
 * default (in-process Kafka broker, Flink MiniCluster, exactly-once), the three memory children
 * under a 24 MiB heap, and the report folder checked for consistency.
 */
class DemoITCase {
    static final long BASES = 3_000;
    /**
     * Linear attention's heap after GC may wander by at most this much over the whole run (measured:
     * about +240 KiB of one-off warm-up on the first tokens, then steps of ~130 KiB of GC noise).
     */
    static final long LINEAR_FLAT_TOLERANCE = 512 * 1024;
    /** The KV cache holds H·(d_k+d_v) float64 per token: 4·32·8 = 1 KiB, so 3,000 tokens add ≥ 2 MiB. */
    static final long KV_MIN_GROWTH = 2 * 1024 * 1024;
    /**
     * DESIGN §3.2: per head S (d_φ × d_v) and z (d_φ) in float64, d_φ = d_k = 16 for elu, 4 heads;
     * as the operator stores it (its serializer's header included).
     */
    static final long STATE_BYTES = SequenceStateSerializer.serializedBytes(StatePrecision.FLOAT64, 4 * (16 * 16 + 16));

    @TempDir
    Path dir;

    @Test
    @Timeout(180)
    void reducedDemoWritesAConsistentReport() throws Exception {
        Path report = dir.resolve("report");
        ChromosomeDemo.Options opt = ChromosomeDemo.Options.defaults()
                .withBases(BASES)
                .withReport(report)
                .withMemory(true, new MemoryCurves.Options("24m", BASES, 60, 30));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ChromosomeDemo.Result result = new ChromosomeDemo(opt, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run();

        // the one summary line on stdout
        String stdout = out.toString(StandardCharsets.UTF_8).strip();
        assertThat(stdout.lines()).hasSize(1);
        assertThat(stdout).startsWith("3,000 tokens in ").contains("tokens/s").contains("peak heap")
                .contains(String.format(java.util.Locale.ROOT, "%,d bytes per key", STATE_BYTES));
        assertThat(result.complete()).isTrue();

        // summary.json: tokens in = outputs out, every position once, numbers consistent
        JsonNode s = new ObjectMapper().readTree(report.resolve(DemoReport.SUMMARY).toFile());
        assertThat(s.get("tokens").asLong()).isEqualTo(BASES);
        assertThat(s.get("outputs").asLong()).isEqualTo(BASES);
        assertThat(s.at("/outputs_check/distinct_positions").asLong()).isEqualTo(BASES);
        assertThat(s.at("/outputs_check/duplicates").asLong()).isZero();
        assertThat(s.at("/outputs_check/missing").asLong()).isZero();
        assertThat(s.at("/outputs_check/non_finite_values").asLong()).isZero();
        assertThat(s.get("records").asLong()).isEqualTo((BASES + 59) / 60);
        double jobSeconds = s.get("job_seconds").asDouble();
        assertThat(jobSeconds).isPositive();
        // tokens_per_second is tokens / job_seconds (job_seconds is rounded to 1e-4 s)
        double rate = s.get("tokens_per_second").asDouble();
        assertThat(rate * jobSeconds).isCloseTo(BASES, org.assertj.core.data.Percentage.withPercentage(1));
        assertThat(s.get("steady_tokens_per_second").asDouble()).isPositive();
        assertThat(s.get("peak_heap_bytes").asLong()).isPositive();
        assertThat(s.get("state_bytes_per_key").asLong()).isEqualTo(STATE_BYTES);
        assertThat(s.get("startup_seconds").asDouble()).isPositive();
        assertThat(s.get("first_output_seconds").asDouble()).isPositive().isLessThanOrEqualTo(jobSeconds);
        assertThat(s.get("pipeline").asText()).contains("Kafka").contains("Flink MiniCluster");
        assertThat(s.at("/model/d_model").asInt()).isEqualTo(64);
        assertThat(s.at("/model/heads").asInt()).isEqualTo(4);
        assertThat(s.at("/model/vocab").asText()).isEqualTo("ACGT");
        assertThat(s.at("/data/sha256").asText()).isEqualTo(Chromosome.SHIPPED_SHA256);
        assertThat(s.at("/data/repeated").asBoolean()).isFalse();
        assertThat(report.resolve(ChromosomeDemo.MODEL_FILE)).isRegularFile();

        // the outputs that came back through Kafka and Flink are the engine's, to float32 precision
        // (the job's sink writes binary float32): same model file, same bases, straight through the engine
        DemoModel saved = DemoModel.load(report.resolve(ChromosomeDemo.MODEL_FILE));
        OutputSummary direct = new OutputSummary(BASES, 64, opt.columns());
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        new EnginePipeline().run(Chromosome.shipped().slice(BASES), saved, direct,
                new ProgressBar(quiet, "tokens", BASES, false));
        assertCloseToFloat32(result.outputs().firstOutputs(), direct.firstOutputs());
        assertCloseToFloat32(result.outputs().binMeans(), direct.binMeans());

        // memory.csv: the three methods; linear flat, KV growing, naive out of memory
        Map<String, List<long[]>> curves = readCsv(report.resolve(DemoReport.MEMORY));
        assertThat(curves.keySet()).containsExactly("linear", "kv", "naive");
        List<long[]> linear = curves.get("linear");
        assertThat(linear.get(linear.size() - 1)[0]).isEqualTo(BASES);
        long linMin = linear.stream().mapToLong(r -> r[1]).min().getAsLong();
        long linMax = linear.stream().mapToLong(r -> r[1]).max().getAsLong();
        assertThat(linMax - linMin).isLessThanOrEqualTo(LINEAR_FLAT_TOLERANCE);

        List<long[]> kv = curves.get("kv");
        assertThat(kv.get(kv.size() - 1)[0]).isEqualTo(BASES);
        assertThat(kv.get(kv.size() - 1)[1] - kv.get(0)[1]).isGreaterThanOrEqualTo(KV_MIN_GROWTH);
        // and keeps growing: the second half adds at least another 1 MiB (1,500 tokens × 1 KiB, less
        // one capacity step of slack)
        assertThat(kv.get(kv.size() - 1)[1] - valueAt(kv, BASES / 2)).isGreaterThanOrEqualTo(1024 * 1024);

        JsonNode methods = s.at("/memory/methods");
        assertThat(methods.get(0).get("outcome").asText()).isEqualTo("completed");
        assertThat(methods.get(1).get("outcome").asText()).isEqualTo("completed");
        JsonNode naive = methods.get(2);
        assertThat(naive.get("method").asText()).isEqualTo("naive");
        assertThat(naive.get("outcome").asText()).isEqualTo("out_of_memory");
        assertThat(naive.get("tokens").asLong()).isPositive().isLessThan(BASES);
        List<long[]> naiveRows = curves.get("naive");
        assertThat(naiveRows.get(naiveRows.size() - 1)[0]).isEqualTo(naive.get("tokens").asLong());
        // the naive form's memory rises faster than the cache's over the same tokens
        assertThat(naiveRows.get(naiveRows.size() - 1)[1]).isGreaterThan(valueAt(kv, naive.get("tokens").asLong()));

        // report.html: self-contained, with the pictures
        String html = Files.readString(report.resolve(DemoReport.HTML));
        assertThat(html).contains("<svg").contains("OutOfMemoryError").doesNotContain("<script")
                .doesNotContain("http://cdn").doesNotContain("https://");
        assertThat(html.split("<svg", -1).length - 1).isGreaterThanOrEqualTo(5);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("report:");
    }

    @Test
    void aCorruptedDataFileStopsTheDemoWithAClearMessage() throws IOException {
        Path bad = dir.resolve("humanchr1_frag.fa.gz");
        try (InputStream in = Chromosome.class.getResourceAsStream(Chromosome.SHIPPED_RESOURCE)) {
            byte[] gz = in.readAllBytes();
            gz[gz.length / 2] ^= 0x01;
            Files.write(bad, gz);
        }
        ChromosomeDemo.Options opt = ChromosomeDemo.Options.defaults().withBases(100).withReport(dir.resolve("r"))
                .withFasta(bad, Chromosome.SHIPPED_SHA256).withMemory(false, MemoryCurves.Options.defaults(100))
                .withVariant(Variant.LINEAR);
        PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertThatThrownBy(() -> new ChromosomeDemo(opt, sink, sink).run())
                .isInstanceOf(IOException.class)
                .hasMessageContaining(bad.toString());
        assertThat(dir.resolve("r").resolve(DemoReport.SUMMARY)).doesNotExist();
    }

    /** |a − b| ≤ 2⁻²² · max(1, |b|) elementwise: float32 rounding of the job's output, with headroom. */
    private static void assertCloseToFloat32(double[][] a, double[][] b) {
        assertThat(a.length).isEqualTo(b.length);
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < b[i].length; j++) {
                double tol = Math.scalb(1.0, -22) * Math.max(1, Math.abs(b[i][j]));
                assertThat(a[i][j]).as("output %d, component %d", i, j).isCloseTo(b[i][j],
                        org.assertj.core.data.Offset.offset(tol));
            }
        }
    }

    private static long valueAt(List<long[]> rows, long tokens) {
        long v = rows.get(0)[1];
        for (long[] r : rows) {
            if (r[0] <= tokens) {
                v = r[1];
            }
        }
        return v;
    }

    private static Map<String, List<long[]>> readCsv(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        assertThat(lines.get(0)).isEqualTo("method,tokens,heap_used_bytes");
        Map<String, List<long[]>> m = new LinkedHashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            assertThat(f).hasSize(3);
            m.computeIfAbsent(f[0], k -> new ArrayList<>()).add(new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
        }
        return m;
    }
}
