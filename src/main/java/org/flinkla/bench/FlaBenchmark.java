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
import org.flinkla.model.Dtype;
import org.flinkla.model.FlaModelFiles;
import org.flinkla.model.Model;
import org.flinkla.model.ModelLoader;

/**
 * Tokens per second on one core of a Gated DeltaNet LM (hidden 256, 4 layers, 4 heads with
 * head_dim 64, FLA's other defaults: expand_v 2, output gate, short convolutions of 4, MLP 768;
 * vocab 16; seeded random weights written as an FLA model directory), decoded as single tokens and
 * as chunks of 256, float32 state (FLA's) and float64 state. When /usr/bin/python3 with torch is
 * there, the same directory goes to {@code scripts/bench/gdn_step_bench.py} in a child process
 * (a PyTorch CPU implementation of the same recurrent step, one thread) and its tokens/s are
 * reported next to ours, with the largest difference between its logits and ours.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp target/classes:$(cat cp.txt) org.flinkla.bench.FlaBenchmark [--seconds S] [--dir DIR]
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
        double seconds = 5;
        Path dir = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds":
                    seconds = Double.parseDouble(args[++i]);
                    break;
                case "--dir":
                    dir = Path.of(args[++i]);
                    break;
                default:
                    throw new IllegalArgumentException("unknown argument " + args[i]
                            + " (usage: FlaBenchmark [--seconds S] [--dir DIR])");
            }
        }
        System.out.println(run(seconds, dir).toPrettyString());
    }

    /** Chunk sizes measured (tokens per call). */
    static final int[] CHUNKS = {64, 256, 1024};

    /** Runs everything; the model directory goes to {@code dir} (a temporary one when null). */
    public static ObjectNode run(double seconds, Path dir) throws Exception {
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
        ObjectNode torch = out.putObject("pytorch");
        if (!Files.isExecutable(Path.of(PYTHON)) || !Files.isRegularFile(Path.of(SCRIPT))) {
            torch.put("skipped", PYTHON + " or " + SCRIPT + " not found (run from the repository root)");
            return out;
        }
        List<String> cmd = new ArrayList<>(List.of(PYTHON, SCRIPT, dir.toString(), "--seconds", Double.toString(seconds),
                "--chunks"));
        for (int c : CHUNKS) {
            cmd.add(Integer.toString(c));
        }
        cmd.add("--ids");
        for (int i = 0; i < 8; i++) {
            cmd.add(Integer.toString(ids[i]));
        }
        torch.put("command", String.join(" ", cmd));
        System.err.println("fla bench: " + String.join(" ", cmd));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String stdout;
        try (InputStream in = p.getInputStream()) {
            stdout = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
            torch.put("skipped", "the script failed (exit " + (p.isAlive() ? "timeout" : p.exitValue()) + ")"
                    + (stdout.contains("No module named 'torch'") ? ": no torch" : ""));
            p.destroy();
            return out;
        }
        String[] lines = stdout.trim().split("\n");
        JsonNode r = json.readTree(lines[lines.length - 1]);
        r.fields().forEachRemaining(e -> {
            if (!e.getKey().equals("logits") && !e.getKey().equals("ids")) {
                torch.set(e.getKey(), e.getValue());
            }
        });
        // the same model? largest relative difference of the torch float32 logits from ours (float32 state)
        double worst = 0;
        JsonNode rows = r.get("logits");
        for (int t = 0; t < rows.size(); t++) {
            for (int v = 0; v < rows.get(t).size(); v++) {
                double want = javaLogits[t * cfg.vocabSize() + v];
                worst = Math.max(worst, Math.abs(rows.get(t).get(v).asDouble() - want) / Math.max(Math.abs(want), 1e-3));
            }
        }
        torch.put("max_relative_logit_difference_vs_java", worst);
        // per path: our float32-state rate over the faster of PyTorch's forms (per CPU second of the thread)
        ObjectNode ratio = out.putObject("java_over_pytorch_per_cpu_s");
        JsonNode ours = java.get("float32_state");
        ratio.put("single", ours.get("single_tokens_per_cpu_s").asDouble() / torch.get("single_tokens_per_cpu_s").asDouble());
        for (int c : CHUNKS) {
            String k = "chunk" + c;
            double best = Math.max(torch.path(k + "_tokens_per_cpu_s").asDouble(0),
                    torch.path(k + "_parallel_tokens_per_cpu_s").asDouble(0));
            ratio.put(k, ours.get(k + "_tokens_per_cpu_s").asDouble() / best);
        }
        return out;
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
