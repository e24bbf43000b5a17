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
import org.flinkla.engine.ModelState;
import org.flinkla.engine.ModelStepper;
import org.flinkla.engine.SequenceModel;
import org.flinkla.engine.fla.FlaArchitecture;
import org.flinkla.engine.fla.FlaConfig;
import org.flinkla.model.Dtype;
import org.flinkla.model.FlaModelFiles;
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
    static final int CHUNK = 256;

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

    /** Runs everything; the model directory goes to {@code dir} (a temporary one when null). */
    public static ObjectNode run(double seconds, Path dir) throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode out = json.createObjectNode();
        out.set("machine", MachineInfo.capture().toJson());
        out.put("vector_api", org.flinkla.engine.VectorSupport.describe());
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
            SequenceModel m = ModelLoader.load(dir, Map.of("state_precision", precision));
            ObjectNode r = java.putObject(precision + "_state");
            r.put("state_bytes_per_key", m.stateBytes());
            System.err.println("fla bench: java " + precision + " state, single tokens ...");
            double[] single = single(m, ids, seconds);
            r.put("single_tokens_per_s", single[0]);
            r.put("single_tokens_per_cpu_s", single[1]);
            System.err.println("fla bench: java " + precision + " state, chunks of " + CHUNK + " ...");
            double[] chunks = chunks(m, ids, seconds);
            r.put("chunk" + CHUNK + "_tokens_per_s", chunks[0]);
            r.put("chunk" + CHUNK + "_tokens_per_cpu_s", chunks[1]);
            if (precision.equals("float32")) {
                javaLogits = firstLogits(m, ids, 8);
            }
        }
        ObjectNode torch = out.putObject("pytorch");
        if (!Files.isExecutable(Path.of(PYTHON)) || !Files.isRegularFile(Path.of(SCRIPT))) {
            torch.put("skipped", PYTHON + " or " + SCRIPT + " not found (run from the repository root)");
            return out;
        }
        List<String> cmd = new ArrayList<>(List.of(PYTHON, SCRIPT, dir.toString(), "--seconds", Double.toString(seconds),
                "--chunk", Integer.toString(CHUNK), "--ids"));
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
        for (String k : new String[] {"torch", "threads", "single_tokens_per_s", "single_tokens_per_cpu_s",
                "chunk" + CHUNK + "_tokens_per_s", "chunk" + CHUNK + "_tokens_per_cpu_s"}) {
            torch.set(k, r.get(k));
        }
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
        ObjectNode ratio = out.putObject("java_over_pytorch");
        for (String k : new String[] {"single_tokens_per_s", "single_tokens_per_cpu_s", "chunk" + CHUNK + "_tokens_per_s",
                "chunk" + CHUNK + "_tokens_per_cpu_s"}) {
            ratio.put(k, java.get("float32_state").get(k).asDouble() / torch.get(k).asDouble());
        }
        return out;
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

    /** One sequence, {@value #CHUNK} tokens per call; as {@link #single}. */
    static double[] chunks(SequenceModel m, int[] ids, double seconds) {
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
