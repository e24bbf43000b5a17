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

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.flinkla.engine.AttentionConfig;
import org.flinkla.engine.AttentionWeights;
import org.flinkla.engine.FeatureMapKind;
import org.flinkla.engine.ModelState;
import org.flinkla.engine.ModelStepper;
import org.flinkla.engine.SequenceModel;
import org.flinkla.engine.StatePrecision;
import org.flinkla.engine.VectorSupport;
import org.flinkla.engine.stack.Activation;
import org.flinkla.engine.stack.EncoderLayerWeights;
import org.flinkla.engine.stack.EncoderStack;
import org.flinkla.engine.stack.EncoderWeights;
import org.flinkla.flink.LinearAttention;
import org.flinkla.model.Model;

/**
 * Tokens/s of a fast-transformers encoder stack (4 layers, d_model 128, 4 heads, d_k = d_v = 32,
 * d_ff 512, elu attention; relu and gelu feed-forward; embedding over ACGT and a final LayerNorm)
 * next to a single attention layer of the same width (d_model 128, 4 heads, elu), in one JVM:
 * through the engine (tokens per CPU second of the stepping thread: vectors one by one and in
 * chunks of 64, token ids one by one and in chunks of 64) and through the keyed operator (in-memory
 * DNA chunks → operator → discarding sink, heap state, parallelism 1, as {@link OperatorBenchmark}).
 *
 * <pre>{@code
 * mvn -o -q package -DskipTests
 * java --add-modules jdk.incubator.vector -cp target/flink-linear-attention.jar \
 *     org.flinkla.bench.StackBenchmark [--seconds 2] [--operator-tokens 200000] [--chunks 1,64] [--keys 16]
 * }</pre>
 *
 * <p>Weights are seeded Gaussians (1/√fan-in); speed does not depend on their values.
 */
public final class StackBenchmark {
    private static final int D_MODEL = 128;
    private static final int HEADS = 4;
    private static final int D_FF = 512;
    private static final int LAYERS = 4;
    private static final int CHUNK = 64;

    private StackBenchmark() {}

    /** The stack of the benchmark (seeded). */
    static EncoderStack stack(Activation activation, StatePrecision precision, long seed) {
        Random r = new Random(seed);
        AttentionConfig a = AttentionConfig.builder().dModel(D_MODEL).heads(HEADS).dKey(D_MODEL / HEADS)
                .dValue(D_MODEL / HEADS).dOut(D_MODEL).featureMap(FeatureMapKind.ELU).statePrecision(precision).build();
        List<EncoderLayerWeights> layers = new ArrayList<>();
        for (int i = 0; i < LAYERS; i++) {
            EncoderLayerWeights l = new EncoderLayerWeights();
            l.attention = a;
            l.attentionWeights = EngineBenchmark.randomWeights(a, r.nextLong());
            l.softmaxTemp = 1.0 / Math.sqrt(a.dKey());
            l.dFf = D_FF;
            l.activation = activation;
            l.linear1Weight = gaussian(r, D_FF * D_MODEL, 1 / Math.sqrt(D_MODEL));
            l.linear1Bias = gaussian(r, D_FF, 0.1);
            l.linear2Weight = gaussian(r, D_MODEL * D_FF, 1 / Math.sqrt(D_FF));
            l.linear2Bias = gaussian(r, D_MODEL, 0.1);
            l.norm1Weight = plusOne(gaussian(r, D_MODEL, 0.1));
            l.norm1Bias = gaussian(r, D_MODEL, 0.1);
            l.norm2Weight = plusOne(gaussian(r, D_MODEL, 0.1));
            l.norm2Bias = gaussian(r, D_MODEL, 0.1);
            layers.add(l);
        }
        EncoderWeights w = new EncoderWeights(layers, gaussian(r, 4 * D_MODEL, 1.0), "ACGT",
                plusOne(gaussian(r, D_MODEL, 0.1)), gaussian(r, D_MODEL, 0.1), null, null);
        return new EncoderStack(w, "benchmark stack (seed " + seed + ")");
    }

    /** The single layer of the same width (seeded), with the same embedding rows shape. */
    static Model singleLayer(StatePrecision precision, long seed) {
        AttentionConfig a = AttentionConfig.builder().dModel(D_MODEL).heads(HEADS).dKey(D_MODEL / HEADS)
                .dValue(D_MODEL / HEADS).dOut(D_MODEL).featureMap(FeatureMapKind.ELU).vocab("ACGT")
                .statePrecision(precision).build();
        AttentionWeights w = EngineBenchmark.randomWeights(a, seed);
        return new Model(a, w, "benchmark single layer (seed " + seed + ")");
    }

    private static double[] gaussian(Random r, int n, double scale) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextGaussian() * scale;
        }
        return a;
    }

    private static double[] plusOne(double[] a) {
        for (int i = 0; i < a.length; i++) {
            a[i] += 1.0;
        }
        return a;
    }

    /** One way of stepping: how many tokens one call absorbs, and the call. */
    private interface Mode {
        int run(ModelStepper s, ModelState st);
    }

    /** Tokens per CPU second of this thread for {@code mode}: half the budget to warm up, then the budget. */
    private static double rate(ThreadMXBean mx, double seconds, SequenceModel m, Mode mode) {
        ModelStepper s = m.newStepper();
        ModelState st = m.newState();
        long budget = (long) (seconds * 1e9);
        for (int phase = 0; phase < 2; phase++) {
            st.reset();
            long start = mx.getCurrentThreadCpuTime();
            long n = 0;
            long elapsed;
            do {
                for (int i = 0; i < 16; i++) {
                    n += mode.run(s, st);
                }
                elapsed = mx.getCurrentThreadCpuTime() - start;
            } while (elapsed < budget / (phase == 0 ? 2 : 1));
            if (phase == 1) {
                return n * 1e9 / elapsed;
            }
        }
        throw new AssertionError();
    }

    public static void main(String[] args) throws Exception {
        double seconds = 2;
        long opTokens = 200_000;
        int[] chunks = {1, 64};
        int keys = 16;
        for (int i = 0; i < args.length; i += 2) {
            String v = i + 1 < args.length ? args[i + 1] : "";
            switch (args[i]) {
                case "--seconds": seconds = Double.parseDouble(v); break;
                case "--operator-tokens": opTokens = Long.parseLong(v); break;
                case "--chunks": chunks = java.util.Arrays.stream(v.split(",")).mapToInt(Integer::parseInt).toArray(); break;
                case "--keys": keys = Integer.parseInt(v); break;
                default:
                    System.err.println("usage: StackBenchmark [--seconds S] [--operator-tokens N] [--chunks 1,64] [--keys K]");
                    System.exit(2);
            }
        }
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Random r = new Random(3);
        double[] xs = new double[CHUNK * D_MODEL];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = r.nextGaussian();
        }
        int[] ids = new int[CHUNK];
        for (int i = 0; i < CHUNK; i++) {
            ids[i] = r.nextInt(4);
        }
        double[] ys = new double[CHUNK * D_MODEL];
        List<SequenceModel> models = List.of(singleLayer(StatePrecision.FLOAT64, 1),
                stack(Activation.RELU, StatePrecision.FLOAT64, 2), stack(Activation.GELU, StatePrecision.FLOAT64, 2),
                stack(Activation.RELU, StatePrecision.FLOAT32, 2));
        org.flinkla.engine.FmaPeak.Result peak = org.flinkla.engine.FmaPeak.measure(0.6);
        System.out.println("kernels: " + VectorSupport.describe() + "; " + Runtime.getRuntime().availableProcessors()
                + " cores; engine: tokens per CPU second of the stepping thread; load average "
                + ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        System.out.printf(Locale.ROOT, "FMA peak per core (calibration loop, %s): %.1f GFLOP/s float64, %.1f float32%n",
                peak.kind(), peak.doubleGflops(), peak.floatGflops());
        System.out.println("GFLOP/s: the dense products' FLOPs (2 per weight per token) per CPU second of steps (chunk 64)");
        System.out.println();
        System.out.println("| model | state bytes/key | step | steps (chunk 64) | stepToken | stepTokens (chunk 64) | GFLOP/s | % of peak |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
        for (SequenceModel m : models) {
            double step = rate(mx, seconds, m, (s, st) -> {
                s.step(st, xs, 0, ys, 0);
                return 1;
            });
            double steps = rate(mx, seconds, m, (s, st) -> {
                s.steps(st, xs, 0, CHUNK, ys, 0);
                return CHUNK;
            });
            double token = rate(mx, seconds, m, (s, st) -> {
                s.stepToken(st, ids[(int) (st.tokens() & 63)], ys, 0);
                return 1;
            });
            double tokens = rate(mx, seconds, m, (s, st) -> {
                s.stepTokens(st, ids, 0, CHUNK, ys, 0);
                return CHUNK;
            });
            double gflops = steps * denseFlopsPerToken(m) / 1e9;
            System.out.printf(Locale.ROOT, "| %s | %,d | %,.0f | %,.0f | %,.0f | %,.0f | %.1f | %.0f%% |%n", name(m),
                    m.stateBytes(), step, steps, token, tokens, gflops, 100 * gflops / peak.doubleGflops());
        }
        System.out.println();
        System.out.println("operator (heap state, parallelism 1, " + keys + " keys, DNA symbol records; tokens/s wall clock at the sink):");
        System.out.println();
        System.out.println("| model | tokens/record | operator tokens/s |");
        System.out.println("|---|---:|---:|");
        for (SequenceModel m : List.of(models.get(0), models.get(1))) {
            LinearAttention op = LinearAttention.builder(m).build();
            OperatorBenchmark.operatorTokensPerSecond(op, "hashmap", keys, 64, opTokens / 4); // warm-up
            for (int chunk : chunks) {
                long n = chunk == 1 ? opTokens / 4 : opTokens;
                double best = 0;
                for (int rep = 0; rep < 2; rep++) { // best of two: a shared machine only slows a run down
                    best = Math.max(best, OperatorBenchmark.operatorTokensPerSecond(op, "hashmap", keys, chunk, n));
                }
                System.out.printf(Locale.ROOT, "| %s | %d | %,.0f |%n", name(m), chunk, best);
            }
        }
    }

    /** 2 per weight of the attention projections (q, k, v, out) and, for the stack, the feed-forwards, per layer. */
    static long denseFlopsPerToken(SequenceModel m) {
        long attention = 2L * D_MODEL * (3L * D_MODEL) + 2L * D_MODEL * D_MODEL;
        if (m instanceof EncoderStack) {
            return LAYERS * (attention + 2L * 2 * D_MODEL * D_FF);
        }
        return attention;
    }

    private static String name(SequenceModel m) {
        if (m instanceof EncoderStack) {
            String a = m.architecture();
            return "stack 4×(d_model 128, 4 heads, d_ff 512), " + (a.contains("activation=gelu") ? "gelu" : "relu")
                    + ", " + m.statePrecision().name().toLowerCase(Locale.ROOT);
        }
        return "single layer (d_model 128, 4 heads), " + m.statePrecision().name().toLowerCase(Locale.ROOT);
    }
}
