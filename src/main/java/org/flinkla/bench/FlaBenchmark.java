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

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.flinkla.engine.AttentionConfig;
import org.flinkla.engine.FmaPeak;
import org.flinkla.engine.Gemm;
import org.flinkla.engine.WeightPrecision;
import org.flinkla.engine.ModelState;
import org.flinkla.engine.ModelStepper;
import org.flinkla.engine.SequenceModel;
import org.flinkla.engine.fla.FlaArchitecture;
import org.flinkla.engine.fla.FlaConfig;
import org.flinkla.engine.fla.FlaLanguageModel;
import org.flinkla.flink.LinearAttention;
import org.flinkla.flink.ModelReference;
import org.flinkla.model.Dtype;
import org.flinkla.model.FlaModelFiles;
import org.flinkla.model.Model;
import org.flinkla.model.ModelLoader;

/**
 * Tokens per second on one core of a Gated DeltaNet LM (hidden 256, 4 layers, 4 heads with
 * head_dim 64, FLA's other defaults: expand_v 2, output gate, short convolutions of 4, MLP 768;
 * vocab 16; seeded random weights written as an FLA model directory), decoded as single tokens and
 * as chunks of 64, 256 and 1024, float32 state (FLA's) and float64 state; single tokens of 64 keys
 * one per call and in bundles of 1, 16 and 64 keys; the keyed operator on records of 256 tokens
 * next to the bare engine; the dense products alone; today's single attention layer. When
 * /usr/bin/python3 with torch is there, the same directory goes to
 * {@code scripts/bench/gdn_step_bench.py} in a child process (a PyTorch CPU implementation of the
 * same model, one thread, token by token and in its parallel chunk form), once in float32
 * (PyTorch's usual precision) and once wholly in float64 (the engine's arithmetic), and its tokens/s
 * are reported next to ours, with the largest difference between its logits and ours. The document
 * ends with the performance targets: each with its measured value and whether it is met.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp target/flink-linear-attention.jar org.flinkla.bench.FlaBenchmark [--seconds S] [--dir DIR]
 * </pre>
 * Prints one JSON document on stdout (progress on stderr).
 */
public final class FlaBenchmark {
    static final String PYTHON = "/usr/bin/python3";
    static final String SCRIPT = "scripts/bench/gdn_step_bench.py";

    private FlaBenchmark() {}

    /** The benchmark's model configuration. */
    public static FlaConfig config() {
        return FlaConfig.builder(FlaArchitecture.GATED_DELTANET)
                .hiddenSize(256).layers(4).vocabSize(16)
                .heads(4).headKDim(64).headVDim(128)    // head_dim 64, expand_v 2 (FLA's default)
                .intermediateSize(768)                  // hidden_ratio 4: 256·ceil(int(256·4·2/3)/256)
                .shortConv(true, 4).outputGate(true).normEps(1e-6)
                .build();
    }

    public static void main(String[] args) throws Exception {
        BenchArgs a = BenchArgs.parse(args, "FlaBenchmark [--seconds S] [--dir DIR]", Set.of("--seconds", "--dir"),
                Set.of());
        double seconds = a.number("--seconds", 5);
        Path dir = a.has("--dir") ? Path.of(a.text("--dir", null)) : null;
        System.out.println(run(seconds, dir).toPrettyString());
    }

    /** Tokens per record of the operator measurement. */
    static final int OPERATOR_CHUNK = 256;
    /** Sequences the bundles' single tokens belong to. */
    static final int KEYS = 64;
    /** Sequences the operator's chunked records belong to (a few long streams). */
    static final int OPERATOR_KEYS = 4;

    /**
     * Single-token steps of {@value #KEYS} keys, one per call and in bundles of 1, 16 and 64 keys
     * ({@link BundleBenchmark#engine}), best of two rounds each: tokens per CPU second and the
     * ratio of each bundle to one token per call.
     */
    static ObjectNode bundles(ObjectMapper json, SequenceModel m, double seconds) {
        int[] configs = {0, 1, 16, 64};
        double[] best = new double[configs.length];
        for (int round = 0; round < 2; round++) {
            for (int c = 0; c < configs.length; c++) {
                best[c] = Math.max(best[c], BundleBenchmark.engine(m, KEYS, configs[c], seconds / 2)[1]);
            }
        }
        ObjectNode r = json.createObjectNode();
        for (int c = 0; c < configs.length; c++) {
            String k = configs[c] == 0 ? "single_token_per_call" : "bundle_" + configs[c];
            r.put(k + "_tokens_per_cpu_s", best[c]);
            if (c > 0) {
                r.put(k + "_over_single_token", best[c] / best[0]);
            }
        }
        return r;
    }

    /**
     * The keyed operator (heap state, parallelism 1, in-memory source of {@value #OPERATOR_CHUNK}-token
     * records of {@value #OPERATOR_KEYS} sequences, discarding sink; rate from its first to its last output)
     * next to the bare engine stepping the same chunks round-robin on one thread, alternately, the
     * best of two each. The job runs about three seconds.
     */
    static ObjectNode operatorVsEngine(ObjectMapper json, Path dir, SequenceModel m, double seconds) throws Exception {
        int chunk = OPERATOR_CHUNK;
        double engine = OperatorBenchmark.engineTokensPerSecond(m, OPERATOR_KEYS, chunk, 8L * chunk); // warm-up
        long tokens = Math.max(40L * chunk, (long) (engine * 3));
        LinearAttention attention = LinearAttention.builder(
                ModelReference.uri(dir.toUri().toString(), Map.of("state_precision", "float32"))).build();
        OperatorBenchmark.operatorTokensPerSecond(attention, "hashmap",
                new OperatorBenchmark.IdChunks(OPERATOR_KEYS, chunk, m.vocabSize()), chunk, 8L * chunk,
                new org.apache.flink.configuration.Configuration()); // warm-up: class loading
        double op = 0;
        engine = 0;
        for (int round = 0; round < 2; round++) {
            op = Math.max(op, OperatorBenchmark.operatorTokensPerSecond(attention, "hashmap",
                    new OperatorBenchmark.IdChunks(OPERATOR_KEYS, chunk, m.vocabSize()), chunk, tokens,
                    new org.apache.flink.configuration.Configuration()));
            engine = Math.max(engine, OperatorBenchmark.engineTokensPerSecond(m, OPERATOR_KEYS, chunk, tokens));
        }
        ObjectNode r = json.createObjectNode();
        r.put("keys", OPERATOR_KEYS);
        r.put("tokens_per_job", tokens);
        r.put("operator_tokens_per_s", op);
        r.put("engine_tokens_per_s", engine);
        r.put("operator_over_engine", op / engine);
        return r;
    }

    /** Chunk sizes measured (tokens per call). */
    static final int[] CHUNKS = {64, 256, 1024};

    /**
     * Runs everything; the model directory goes to {@code dir} (a temporary one when null). The
     * document ends with the performance targets, each with the measured value and whether it is met.
     */
    public static ObjectNode run(double seconds, Path dir) throws Exception {
        ObjectNode out = measureAll(seconds, dir);
        com.fasterxml.jackson.databind.node.ArrayNode targets = out.putArray("targets");
        JsonNode ours = out.path("java").path("float32_state");
        target(targets, "chunks of 256, % of the measured float64 FMA peak per core", 40,
                ours.path("chunk256_percent_of_fma_peak").asDouble(Double.NaN));
        target(targets, "bundles of 64 single-token records over one record at a time (CPU)", 5,
                out.path("bundles").path("bundle_64_over_single_token").asDouble(Double.NaN));
        target(targets, "operator at chunks of 256 over the bare engine", 0.7,
                out.path("operator_chunk" + OPERATOR_CHUNK).path("operator_over_engine").asDouble(Double.NaN));
        target(targets, "every path over PyTorch on CPU (the slowest path)", 3,
                slowest(out.path("java_over_pytorch_per_cpu_s")));
        target(targets, "every path over PyTorch in float64 on CPU, our float64 state: the same arithmetic (the slowest path)",
                3, slowest(out.path("java_over_pytorch_float64_per_cpu_s")));
        return out;
    }

    /** The smallest of the ratios, NaN when there are none (PyTorch not measured). */
    private static double slowest(JsonNode ratios) {
        double worst = Double.NaN;
        for (java.util.Iterator<JsonNode> it = ratios.elements(); it.hasNext(); ) {
            double v = it.next().asDouble();
            worst = Double.isNaN(worst) ? v : Math.min(worst, v);
        }
        return worst;
    }

    private static void target(com.fasterxml.jackson.databind.node.ArrayNode targets, String what, double atLeast,
                               double value) {
        ObjectNode t = targets.addObject();
        t.put("target", what);
        t.put("at_least", atLeast);
        if (Double.isNaN(value)) {
            t.putNull("value");
            t.put("met", "not measured");
        } else {
            t.put("value", value);
            t.put("met", value >= atLeast);
        }
    }

    private static ObjectNode measureAll(double seconds, Path dir) throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode out = json.createObjectNode();
        out.set("machine", MachineInfo.capture().toJson());
        out.put("vector_api", org.flinkla.engine.VectorSupport.describe());
        out.put("load_average_before", loadAverage());
        System.err.println("fla bench: FMA peak calibration ...");
        FmaPeak.Result peak = FmaPeak.measure(0.6);
        ObjectNode cal = out.putObject("fma_peak_per_core");
        cal.put("double_gflops", peak.doubleGflops());
        cal.put("float_gflops", peak.floatGflops());
        cal.put("kind", peak.kind());
        FlaConfig cfg = config();
        if (dir == null) {
            dir = Files.createTempDirectory("fla-bench-");
        }
        FlaModelFiles.write(dir, cfg, FlaModelFiles.random(cfg, 2024), null, Dtype.F32, 1);
        out.put("model", cfg.toString());
        out.put("model_dir", dir.toString());
        int[] ids = new Random(1).ints(4096, 0, cfg.vocabSize()).toArray();

        ObjectNode java = out.putObject("java");
        double[] javaLogits = null;
        for (String precision : new String[] {"float32", "float64"}) {
            FlaLanguageModel m = (FlaLanguageModel) ModelLoader.load(dir, Map.of("state_precision", precision));
            ObjectNode r = java.putObject(precision + "_state");
            r.put("state_bytes_per_key", m.stateBytes());
            r.put("weights", m.weightPrecision().key());
            measure(r, "fla bench: java " + precision + " state", m, ids, seconds, m.denseFlopsPerToken(),
                    peak.doubleGflops());
            if (precision.equals("float32")) {
                javaLogits = firstLogits(m, ids, 8);
            }
        }
        FlaLanguageModel model32 = (FlaLanguageModel) ModelLoader.load(dir, Map.of("state_precision", "float32"));
        System.err.println("fla bench: bundles of single-token records of 1, 16, 64 keys ...");
        out.set("bundles", bundles(json, model32, seconds));
        System.err.println("fla bench: the keyed operator on records of " + OPERATOR_CHUNK + " tokens ...");
        out.set("operator_chunk" + OPERATOR_CHUNK, operatorVsEngine(json, dir, model32, seconds));
        System.err.println("fla bench: dense products alone ...");
        out.set("dense_products_alone", denseAlone(json, cfg, seconds, peak.doubleGflops()));
        // today's single attention layer: d_model 64, 4 heads of 16
        Model layer = OperatorThroughput.benchModel();
        ObjectNode lr = out.putObject("single_layer_64x4");
        AttentionConfig lc = layer.config();
        long layerFlops = 2L * lc.dModel() * lc.heads() * (2L * lc.dKey() + lc.dValue())
                + 2L * lc.heads() * lc.dValue() * lc.dOut();
        lr.put("model", layer.architecture());
        int[] dna = new Random(2).ints(4096, 0, layer.vocabSize()).toArray();
        measure(lr, "fla bench: single layer", layer, dna, seconds, layerFlops, peak.doubleGflops());

        out.put("load_average_after_java", loadAverage());
        pytorch(json, out, dir, ids, seconds, javaLogits);
        return out;
    }

    /**
     * The PyTorch child process twice on the same model directory and --seconds: in float32
     * ({@code pytorch}, PyTorch's usual CPU precision) and wholly in float64
     * ({@code pytorch_float64}, the engine's arithmetic). Each gets its rates, the largest
     * relative difference of its first logits from ours (float32 torch against our float32 state,
     * float64 torch against our float64 state, where both compute the same numbers) and the
     * per-path ratios of our rates to the faster of its two forms: {@code java_over_pytorch_per_cpu_s}
     * (our float32 state over torch float32) and {@code java_over_pytorch_float64_per_cpu_s}
     * (our float64 state over torch float64).
     */
    private static void pytorch(ObjectMapper json, ObjectNode out, Path dir, int[] ids, double seconds,
                                double[] javaLogits) throws Exception {
        ObjectNode torch = out.putObject("pytorch");
        if (!Files.isExecutable(Path.of(PYTHON)) || !Files.isRegularFile(Path.of(SCRIPT))) {
            torch.put("skipped", PYTHON + " or " + SCRIPT + " not found (run from the repository root)");
            out.putObject("pytorch_float64").put("skipped", torch.get("skipped").asText());
            return;
        }
        JsonNode java = out.get("java");
        JsonNode logits32 = runScript(json, torch, "float32", dir, ids, seconds);
        if (logits32 == null) {
            return;
        }
        // the same model? largest relative difference of the torch float32 logits from ours (float32 state)
        torch.put("max_relative_logit_difference_vs_java", maxRelativeDifference(logits32, javaLogits));
        ratios(out.putObject("java_over_pytorch_per_cpu_s"), java.get("float32_state"), torch);

        ObjectNode torch64 = out.putObject("pytorch_float64");
        JsonNode logits64 = runScript(json, torch64, "float64", dir, ids, seconds);
        if (logits64 == null) {
            return;
        }
        // the same arithmetic: float64 torch against our float64 state should agree to rounding (~1e-13)
        double[] java64 = firstLogits(ModelLoader.load(dir, Map.of("state_precision", "float64")), ids, 8);
        torch64.put("max_relative_logit_difference_vs_java", maxRelativeDifference(logits64, java64));
        torch64.put("max_relative_logit_difference_vs_java_float32_state", maxRelativeDifference(logits64, javaLogits));
        double[] t32 = new double[javaLogits.length];
        for (int t = 0; t < logits32.size(); t++) {
            for (int v = 0; v < logits32.get(t).size(); v++) {
                t32[t * logits32.get(t).size() + v] = logits32.get(t).get(v).asDouble();
            }
        }
        torch64.put("max_relative_logit_difference_vs_pytorch_float32", maxRelativeDifference(logits64, t32));
        ratios(out.putObject("java_over_pytorch_float64_per_cpu_s"), java.get("float64_state"), torch64);
    }

    /**
     * Runs the script with {@code --dtype dtype}, copies its rates into {@code into} and returns its
     * logits of the first 8 ids, [token][vocab]; null (and a "skipped" reason in {@code into}) when it
     * fails.
     */
    private static JsonNode runScript(ObjectMapper json, ObjectNode into, String dtype, Path dir, int[] ids,
                                      double seconds) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(PYTHON, SCRIPT, dir.toString(), "--seconds", Double.toString(seconds),
                "--dtype", dtype, "--chunks"));
        for (int c : CHUNKS) {
            cmd.add(Integer.toString(c));
        }
        cmd.add("--ids");
        for (int i = 0; i < 8; i++) {
            cmd.add(Integer.toString(ids[i]));
        }
        into.put("command", String.join(" ", cmd));
        System.err.println("fla bench: " + String.join(" ", cmd));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String stdout;
        try (InputStream in = p.getInputStream()) {
            stdout = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
            into.put("skipped", "the script failed (exit " + (p.isAlive() ? "timeout" : p.exitValue()) + ")"
                    + (stdout.contains("No module named 'torch'") ? ": no torch" : ""));
            p.destroy();
            return null;
        }
        String[] lines = stdout.trim().split("\n");
        JsonNode r = json.readTree(lines[lines.length - 1]);
        r.fields().forEachRemaining(e -> {
            if (!e.getKey().equals("logits") && !e.getKey().equals("ids")) {
                into.set(e.getKey(), e.getValue());
            }
        });
        return r.get("logits");
    }

    /** max over tokens t and vocabulary entries v of |rows[t][v] − want| / max(|want|, 1e-3), want = ours[t·V + v]. */
    private static double maxRelativeDifference(JsonNode rows, double[] ours) {
        double worst = 0;
        for (int t = 0; t < rows.size(); t++) {
            int width = rows.get(t).size();
            for (int v = 0; v < width; v++) {
                double want = ours[t * width + v];
                worst = Math.max(worst, Math.abs(rows.get(t).get(v).asDouble() - want) / Math.max(Math.abs(want), 1e-3));
            }
        }
        return worst;
    }

    /** Per path: our rate over the faster of PyTorch's forms (per CPU second of the thread). */
    private static void ratios(ObjectNode ratio, JsonNode ours, JsonNode torch) {
        ratio.put("single", ours.get("single_tokens_per_cpu_s").asDouble() / torch.get("single_tokens_per_cpu_s").asDouble());
        for (int c : CHUNKS) {
            String k = "chunk" + c;
            double best = Math.max(torch.path(k + "_tokens_per_cpu_s").asDouble(0),
                    torch.path(k + "_parallel_tokens_per_cpu_s").asDouble(0));
            ratio.put(k, ours.get(k + "_tokens_per_cpu_s").asDouble() / best);
        }
    }

    /**
     * Single tokens and every chunk size of {@link #CHUNKS} into r: tokens per wall-clock and per
     * CPU second, the dense GFLOP/s (counted FLOPs of the matrix products per CPU second) and that
     * as a percentage of the measured float64 FMA peak.
     */
    private static void measure(ObjectNode r, String what, SequenceModel m, int[] ids, double seconds,
                                long flopsPerToken, double peak) {
        r.put("dense_flops_per_token", flopsPerToken);
        System.err.println(what + ", single tokens ...");
        double[] single = single(m, ids, seconds);
        put(r, "single", single, flopsPerToken, peak);
        for (int c : CHUNKS) {
            System.err.println(what + ", chunks of " + c + " ...");
            put(r, "chunk" + c, chunks(m, ids, c, seconds), flopsPerToken, peak);
        }
    }

    /**
     * The model's dense products alone (engine.Gemm on the shapes of one layer and the head, seeded
     * weights, float32 and float64 storage): GFLOP/s per CPU second for n = 1, 64, 256 tokens per
     * call, and the percentage of the measured float64 FMA peak. The model's rates above include
     * the recurrence, norms and activations as well.
     */
    static ObjectNode denseAlone(ObjectMapper json, FlaConfig c, double seconds, double peak) {
        ObjectNode r = json.createObjectNode();
        Random rnd = new Random(3);
        for (WeightPrecision wp : new WeightPrecision[] {WeightPrecision.FLOAT32, WeightPrecision.FLOAT64}) {
            // the matrices of the first layer and the head, as the model holds them (seeded values)
            FlaLanguageModel model = new FlaLanguageModel(c, FlaModelFiles.random(c, 7), null, "dense", wp);
            List<Gemm> products = model.denseProducts(0);
            Gemm[] g = products.toArray(new Gemm[0]);
            for (int n : new int[] {1, 64, 256}) {
                double[] x = new double[n * 2048];
                double[] y = new double[n * 2048];
                for (int k = 0; k < x.length; k++) {
                    x[k] = rnd.nextGaussian();
                }
                long flops = 0;
                for (Gemm m : g) {
                    flops += m.flops(n);
                }
                double best = 0;
                long end = System.nanoTime() + (long) (seconds * 1e9 / 2);
                do { // the best of short runs: the box is shared
                    long c0 = THREADS.getCurrentThreadCpuTime();
                    long reps = 0;
                    long t0 = System.nanoTime();
                    while (System.nanoTime() - t0 < 50_000_000L) {
                        for (Gemm m : g) {
                            m.apply(x, 0, m.inputWidth(), n, y, 0, m.outputWidth());
                        }
                        reps++;
                    }
                    best = Math.max(best, reps * flops / (double) (THREADS.getCurrentThreadCpuTime() - c0));
                } while (System.nanoTime() < end);
                String k = wp.key() + "_weights_n" + n;
                r.put(k + "_gflops", best);
                r.put(k + "_percent_of_fma_peak", 100 * best / peak);
            }
        }
        return r;
    }

    /** The 1-minute load average (the box is shared: figures are only comparable within a run). */
    static double loadAverage() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private static void put(ObjectNode r, String key, double[] rate, long flopsPerToken, double peak) {
        r.put(key + "_tokens_per_s", rate[0]);
        r.put(key + "_tokens_per_cpu_s", rate[1]);
        double gflops = rate[1] * flopsPerToken / 1e9;
        r.put(key + "_dense_gflops", gflops);
        r.put(key + "_percent_of_fma_peak", 100 * gflops / peak);
    }

    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    /**
     * One sequence, one token per call, for about {@code seconds} after a warm-up of the same
     * length: {tokens per wall-clock second, tokens per CPU second of this thread}. The second is
     * the per-core rate on a shared machine, where the thread does not always have its core.
     */
    static double[] single(SequenceModel m, int[] ids, double seconds) {
        ModelStepper st = m.newStepper();
        ModelState s = m.newState();
        double[] y = new double[m.outputWidth()];
        long budget = (long) (seconds * 1e9);
        for (int pass = 0; pass < 2; pass++) {
            long t0 = System.nanoTime();
            long c0 = THREADS.getCurrentThreadCpuTime();
            long n = 0;
            while (System.nanoTime() - t0 < budget) {
                for (int i = 0; i < 64; i++) {
                    st.stepToken(s, ids[(int) (n++ % ids.length)], y, 0);
                }
            }
            if (pass == 1) {
                return new double[] {n / ((System.nanoTime() - t0) / 1e9), n / ((THREADS.getCurrentThreadCpuTime() - c0) / 1e9)};
            }
        }
        throw new AssertionError();
    }

    /** One sequence, {@code chunk} tokens per call; as {@link #single}. */
    static double[] chunks(SequenceModel m, int[] ids, int chunk, double seconds) {
        final int CHUNK = chunk;
        ModelStepper st = m.newStepper();
        ModelState s = m.newState();
        double[] ys = new double[CHUNK * m.outputWidth()];
        long budget = (long) (seconds * 1e9);
        for (int pass = 0; pass < 2; pass++) {
            long t0 = System.nanoTime();
            long c0 = THREADS.getCurrentThreadCpuTime();
            long n = 0;
            while (System.nanoTime() - t0 < budget) {
                int off = (int) (n % (ids.length - CHUNK));
                st.stepTokens(s, ids, off, CHUNK, ys, 0);
                n += CHUNK;
            }
            if (pass == 1) {
                return new double[] {n / ((System.nanoTime() - t0) / 1e9), n / ((THREADS.getCurrentThreadCpuTime() - c0) / 1e9)};
            }
        }
        throw new AssertionError();
    }

    static double[] firstLogits(SequenceModel m, int[] ids, int n) {
        ModelStepper st = m.newStepper();
        ModelState s = m.newState();
        double[] ys = new double[n * m.outputWidth()];
        for (int t = 0; t < n; t++) {
            st.stepToken(s, ids[t], ys, t * m.outputWidth());
        }
        return ys;
    }
}
