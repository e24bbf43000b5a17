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
package org.flinkla.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

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
import org.flinkla.flink.SequenceStateSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reduced chromosome demo end to end: 3,000 bases through the chr1 demo job with the shipped
 * Gated DeltaNet on the embedded default (in-process Kafka broker, Flink MiniCluster,
 * exactly-once), the comparisons, the memory children under a 24 MiB heap, and the report folder
 * checked for consistency and against the float64 fixtures of the shipped models.
 *
 * <p>The job runs the model with a float64 state ({@code --state-precision float64}) and writes
 * float64 outputs (sink {@code binary-f64}), so its surprisals can be held to the fixture's
 * 1e-9 relative; with the defaults the float32 state moves the mean by 2.3e-10 relative
 * ({@link DemoModel#FLOAT32_BITS_TOLERANCE}, checked in {@link LanguageModelBitsTest}) and the
 * float32 outputs round each surprisal by up to 2⁻²⁴ ≈ 6e-8 relative.
 */
class DemoITCase {
    static final long BASES = 3_000;
    /** The fixtures cover the first 2,000 bases. */
    static final int FIXTURE_BASES = 2_000;
    /**
     * The model's heap after GC may wander by at most this much over the whole run (measured for
     * the single layer: about +240 KiB of one-off warm-up on the first tokens, then steps of
     * ~130 KiB of GC noise).
     */
    static final long LINEAR_FLAT_TOLERANCE = 512 * 1024;
    /** The seeded layer's KV cache holds H·(d_k+d_v) float64 per token: 4·32·8 = 1 KiB, so 3,000 tokens add ≥ 2 MiB. */
    static final long KV_MIN_GROWTH = 2 * 1024 * 1024;
    /**
     * The Gated DeltaNet's state in float64 (2 layers × 2 heads × 32 × 64 recurrent, plus 2 × 3 × 256
     * convolution tails = 9,728 values), as the operator stores it: its serializer's header and the
     * previous prediction over the 5 symbols (for the surprisal).
     */
    static final long STATE_BYTES = SequenceStateSerializer.serializedBytes(StatePrecision.FLOAT64, 9_728, 5);

    @TempDir
    Path dir;

    /** flink-jobs/chr1-demo.yaml with float64 outputs. */
    private Path float64Job() throws IOException {
        String yaml = Files.readString(Path.of("flink-jobs", "chr1-demo.yaml"));
        assertThat(yaml).contains("format: binary ");
        Path job = dir.resolve("chr1-demo-f64.yaml");
        Files.writeString(job, yaml.replace("format: binary ", "format: binary-f64 "));
        return job;
    }

    @Test
    @Timeout(300)
    void reducedDemoWithTheShippedModelGivesTheFixturesBitsPerBase() throws Exception {
        Path report = dir.resolve("report");
        ChromosomeDemo.Options opt = ChromosomeDemo.Options.defaults()
                .withBases(BASES)
                .withReport(report)
                .withJob(float64Job())
                .withStatePrecision("float64")
                .withMemory(true, new MemoryCurves.Options("24m", BASES, 60, 30));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ChromosomeDemo.Result result = new ChromosomeDemo(opt, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run();
        String log = err.toString(StandardCharsets.UTF_8);

        // the one summary line on stdout
        String stdout = out.toString(StandardCharsets.UTF_8).strip();
        assertThat(stdout.lines()).hasSize(1);
        assertThat(stdout).startsWith("3,000 tokens in ").contains("tokens/s").contains("peak heap")
                .contains(String.format(java.util.Locale.ROOT, "%,d bytes per key", STATE_BYTES))
                .contains("bits/base: model (gdn) ");
        assertThat(result.complete()).isTrue();
        assertThat(log).contains("report:").contains("demo:").contains("s in the demo");

        // the model's bits per base, from the surprisals the job emitted, equal the float64 fixture
        // on the bases it covers (the training script's token-by-token recurrence)
        BitsPerBase bits = result.bits();
        double gdn = LanguageModelBitsTest.fixture("gdn").get("bits_per_base_first_2000").asDouble();
        assertThat(BitsPerBase.mean(bits.model(), FIXTURE_BASES)).isCloseTo(gdn, within(1e-9 * gdn));
        // and linear-elu's, run in this JVM, equal its fixture (fast-transformers' recurrent modules)
        double linear = LanguageModelBitsTest.fixture("linear-elu").get("bits_per_base_first_2000").asDouble();
        assertThat(BitsPerBase.mean(bits.linear(), FIXTURE_BASES)).isCloseTo(linear, within(1e-9 * linear));
        // the Markov baseline as the model cards give it (4 digits, from the training script)
        assertThat(BitsPerBase.mean(bits.markov(), FIXTURE_BASES)).isCloseTo(2.1123, within(5e-5));

        // the outputs: probabilities that sum to 1, and a surprisal at every base but the first that is
        // -log2 of the probability the output one position earlier gave to that base
        OutputSummary o = result.outputs();
        assertThat(o.isLanguageModel()).isTrue();
        assertThat(o.withoutProbabilities()).isZero();
        assertThat(o.probabilitySumError()).isLessThanOrEqualTo(1e-12);
        assertThat(o.firstHasSurprisal()).isFalse();
        assertThat(o.surprisalCount()).isEqualTo(BASES - 1);
        assertThat(o.surprisalsChecked()).isEqualTo(BASES - 1);
        assertThat(o.surprisalConsistencyError()).isLessThanOrEqualTo(1e-12);

        // the same bases and model straight through the engine give the same surprisals
        OutputSummary direct = OutputSummary.forLanguageModel(BASES, 5, opt.columns(), ids(result.model(), BASES), 0, 0);
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        new EnginePipeline().run(Chromosome.shipped().slice(BASES), result.model(), direct,
                new ProgressBar(quiet, "tokens", BASES, false));
        for (int t = 1; t < BASES; t++) {
            assertThat(o.surprisals()[t]).as("surprisal of base %d", t + 1)
                    .isCloseTo(direct.surprisals()[t], within(1e-12 * direct.surprisals()[t]));
        }

        // summary.json: tokens in = outputs out, the bits per base of every predictor, numbers consistent
        JsonNode s = new ObjectMapper().readTree(report.resolve(DemoReport.SUMMARY).toFile());
        assertThat(s.get("tokens").asLong()).isEqualTo(BASES);
        assertThat(s.get("outputs").asLong()).isEqualTo(BASES);
        assertThat(s.get("model_path").asText()).isEqualTo(DemoModel.DEFAULT_URI);
        assertThat(s.at("/bits_per_base/model").asDouble()).isEqualTo(bits.modelMean());
        assertThat(s.at("/bits_per_base/model").asDouble()).isEqualTo(o.meanSurprisal());
        assertThat(s.at("/bits_per_base/linear").asDouble()).isEqualTo(bits.linearMean());
        assertThat(s.at("/bits_per_base/markov").asDouble()).isEqualTo(bits.markovMean());
        assertThat(s.at("/bits_per_base").has("softmax")).isTrue();
        assertThat(s.has("softmax_bases")).isTrue();
        if (MemoryCurves.softmaxAvailable()) {
            assertSoftmaxBitsMatchItsFixture(bits, s);
        } else {
            assertThat(s.at("/bits_per_base/softmax").isNull()).isTrue();
            assertThat(s.get("softmax_bases").asLong()).isZero();
            assertThat(s.get("softmax_reason").asText()).contains("no trained softmax model");
        }
        assertThat(s.at("/outputs_check/distinct_positions").asLong()).isEqualTo(BASES);
        assertThat(s.at("/outputs_check/duplicates").asLong()).isZero();
        assertThat(s.at("/outputs_check/missing").asLong()).isZero();
        assertThat(s.at("/outputs_check/non_finite_values").asLong()).isZero();
        assertThat(s.at("/outputs_check/surprisals").asLong()).isEqualTo(BASES - 1);
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
        // broker and cluster start in parallel: start-up is less than the sum of its parts
        double parts = s.at("/startup/broker_seconds").asDouble() + s.at("/startup/cluster_seconds").asDouble()
                + s.at("/startup/produce_seconds").asDouble();
        assertThat(s.get("startup_seconds").asDouble()).isLessThan(parts);
        assertThat(s.get("first_output_seconds").asDouble()).isPositive().isLessThanOrEqualTo(jobSeconds);
        assertThat(s.get("last_processed_seconds").asDouble()).isPositive().isLessThanOrEqualTo(jobSeconds);
        assertThat(s.get("pipeline").asText()).contains("Kafka").contains("Flink MiniCluster");
        assertThat(s.at("/model/architecture").asText()).startsWith("fla-gated_deltanet(");
        assertThat(s.at("/model/state_precision").asText()).isEqualTo("float64");
        assertThat(s.at("/model/vocab").asText()).isEqualTo("ACGTN");
        assertThat(s.at("/data/sha256").asText()).isEqualTo(Chromosome.SHIPPED_SHA256);
        assertThat(s.at("/data/repeated").asBoolean()).isFalse();

        // bits.csv: one row per base, the model's column is the emitted surprisal
        List<String> rows = Files.readAllLines(report.resolve(DemoReport.BITS));
        assertThat(rows.get(0)).isEqualTo("position,base,model,linear,markov,softmax");
        assertThat(rows).hasSize((int) BASES + 1);
        assertThat(rows.get(1)).startsWith("1,C,,,");
        assertThat(Double.parseDouble(rows.get(2).split(",")[2])).isEqualTo(o.surprisals()[1]);

        // memory.csv: the model flat, the seeded layer's KV cache growing, its naive form out of memory
        Map<String, List<long[]>> curves = readCsv(report.resolve(DemoReport.MEMORY));
        assertThat(curves.keySet()).startsWith("linear", "kv", "naive");
        List<long[]> model = curves.get("linear");
        assertThat(model.get(model.size() - 1)[0]).isEqualTo(BASES);
        long linMin = model.stream().mapToLong(r -> r[1]).min().getAsLong();
        long linMax = model.stream().mapToLong(r -> r[1]).max().getAsLong();
        assertThat(linMax - linMin).isLessThanOrEqualTo(LINEAR_FLAT_TOLERANCE);

        List<long[]> kv = curves.get("kv");
        assertThat(kv.get(kv.size() - 1)[0]).isEqualTo(BASES);
        assertThat(kv.get(kv.size() - 1)[1] - kv.get(0)[1]).isGreaterThanOrEqualTo(KV_MIN_GROWTH);
        // and keeps growing: the second half adds at least another 1 MiB (1,500 tokens × 1 KiB, less
        // one capacity step of slack)
        assertThat(kv.get(kv.size() - 1)[1] - valueAt(kv, BASES / 2)).isGreaterThanOrEqualTo(1024 * 1024);

        JsonNode methods = s.at("/memory/methods");
        assertThat(methods.get(0).get("outcome").asText()).isEqualTo("completed");
        assertThat(methods.get(0).get("name").asText()).contains("gdn").contains("Gated DeltaNet");
        assertThat(methods.get(1).get("outcome").asText()).isEqualTo("completed");
        JsonNode naive = methods.get(2);
        assertThat(naive.get("method").asText()).isEqualTo("naive");
        assertThat(naive.get("outcome").asText()).isEqualTo("out_of_memory");
        assertThat(naive.get("tokens").asLong()).isPositive().isLessThan(BASES);
        List<long[]> naiveRows = curves.get("naive");
        assertThat(naiveRows.get(naiveRows.size() - 1)[0]).isEqualTo(naive.get("tokens").asLong());
        // the naive form's memory rises faster than the cache's over the same tokens
        assertThat(naiveRows.get(naiveRows.size() - 1)[1]).isGreaterThan(valueAt(kv, naive.get("tokens").asLong()));

        // report.html: self-contained, with the pictures (bits along the sequence, the probabilities
        // of a stretch, memory and its zoom, throughput)
        String html = Files.readString(report.resolve(DemoReport.HTML));
        assertThat(html).contains("<svg").contains("OutOfMemoryError").doesNotContain("<script")
                .doesNotContain("http://cdn").doesNotContain("https://")
                .contains("Bits per base along the sequence").contains("Predicted next-base probabilities");
        assertThat(html.split("<svg", -1).length - 1).isGreaterThanOrEqualTo(4);
    }

    /**
     * The softmax child's bits per base, base by base as far as it got, against −log2 of the
     * softmax of its fixture's float64 logits (when the trained softmax model and its fixture are
     * in this build).
     */
    private static void assertSoftmaxBitsMatchItsFixture(BitsPerBase bits, JsonNode s) throws Exception {
        assertThat(bits.softmaxBases()).isPositive();
        assertThat(s.get("softmax_bases").asLong()).isEqualTo(bits.softmaxBases());
        if (LanguageModelBitsTest.class.getResource("/fixtures/dna/softmax.expected.json") == null) {
            return;
        }
        JsonNode fx = LanguageModelBitsTest.fixture("softmax");
        JsonNode logits = fx.get("logits");
        int n = (int) Math.min(Math.min(bits.softmaxBases(), logits.size()), BASES);
        double[] logp = new double[5];
        int[] ids = ids(DemoModel.load(DemoModel.DEFAULT_URI, Map.of()), BASES);
        for (int t = 1; t < n; t++) {
            JsonNode row = logits.get(t - 1);
            double[] y = new double[row.size()];
            for (int i = 0; i < y.length; i++) {
                y[i] = row.get(i).asDouble();
            }
            LanguageModelBits.logSoftmax(y, 0, y.length, logp);
            double expected = -logp[ids[t]] / Math.log(2.0);
            assertThat(bits.softmax()[t]).as("softmax bits of base %d", t + 1).isCloseTo(expected, within(1e-9 * expected));
        }
    }

    @Test
    @Timeout(120)
    void aSeededSingleLayerStillRunsWithoutBitsOfItsOwn() throws Exception {
        Path report = dir.resolve("seeded");
        ChromosomeDemo.Options opt = ChromosomeDemo.Options.defaults().withBases(600).withReport(report)
                .withSeed(42L).withPipeline("engine").withCompare(false)
                .withMemory(false, MemoryCurves.Options.defaults(600));
        PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        ChromosomeDemo.Result r = new ChromosomeDemo(opt, sink, sink).run();
        assertThat(r.complete()).isTrue();
        assertThat(r.model().singleLayer()).isNotNull();
        JsonNode s = new ObjectMapper().readTree(report.resolve(DemoReport.SUMMARY).toFile());
        assertThat(s.at("/bits_per_base/model").isNull()).isTrue();
        assertThat(s.get("model_reason").asText()).contains("not a language model");
        assertThat(s.at("/model/d_model").asInt()).isEqualTo(64);
        assertThat(s.at("/model/seed").asLong()).isEqualTo(42);
        assertThat(s.get("state_bytes_per_key").asLong())
                .isEqualTo(SequenceStateSerializer.serializedBytes(StatePrecision.FLOAT64, 4 * (16 * 16 + 16)));
        assertThat(report.resolve(ChromosomeDemo.MODEL_FILE)).isRegularFile();
        assertThat(Files.readString(report.resolve(DemoReport.HTML))).contains("Outputs along the sequence");
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
                .withPipeline("engine");
        PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertThatThrownBy(() -> new ChromosomeDemo(opt, sink, sink).run())
                .isInstanceOf(IOException.class)
                .hasMessageContaining(bad.toString());
        assertThat(dir.resolve("r").resolve(DemoReport.SUMMARY)).doesNotExist();
    }

    private static int[] ids(DemoModel model, long n) throws IOException {
        Chromosome.Slice bases = Chromosome.shipped().slice(n);
        int[] ids = new int[(int) n];
        for (int t = 0; t < n; t++) {
            ids[t] = model.model().tokenId(bases.baseAt(t));
        }
        return ids;
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
