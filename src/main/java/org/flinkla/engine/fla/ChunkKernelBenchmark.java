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
package org.flinkla.engine.fla;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;
import java.util.Random;
import org.flinkla.engine.FmaPeak;
import org.flinkla.engine.VectorSupport;

/**
 * The chunk form of one head alone ({@link ChunkRecurrence}): CPU µs per chunk and GFLOP/s of its
 * useful work next to the FMA peak measured in the same JVM, for the four mixers at the shapes of
 * the benchmark model (chunk 64, d_k 64, d_v 128) and of the demo model (chunk 60, d_k 32, d_v 64).
 * Random float64 inputs and state; the best of several timed passes.
 *
 * <p>Useful work, counting each multiply-add as 2 FLOP and the causal products by their lower
 * triangle: delta rules 2(3·n·d_k·d_v + n²·d_k + n²·d_v) (S₀q, S₀k, the state update; q·k and k·k;
 * the substitution and the intra-chunk outputs), GLA and retention 2(2·n·d_k·d_v + n²(d_k + d_v)/2).
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp target/flink-linear-attention.jar \
 *     org.flinkla.engine.fla.ChunkKernelBenchmark [--seconds 0.3]
 * </pre>
 */
public final class ChunkKernelBenchmark {
    private ChunkKernelBenchmark() {}

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) {
        double seconds = 0.3;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--seconds")) {
                seconds = Double.parseDouble(args[++i]);
            } else {
                throw new IllegalArgumentException("usage: ChunkKernelBenchmark [--seconds S]");
            }
        }
        System.out.println("# " + VectorSupport.describe());
        FmaPeak.Result peak = FmaPeak.measure(0.6);
        System.out.printf(Locale.ROOT, "# FMA peak %.1f GFLOP/s float64 per core%n", peak.doubleGflops());
        for (int[] shape : new int[][] {{64, 64, 128}, {60, 32, 64}}) {
            for (String kind : new String[] {"gated_deltanet", "delta_net", "gla", "retnet"}) {
                double us = run(kind, shape[0], shape[1], shape[2], seconds);
                int n = shape[0];
                int dk = shape[1];
                int dv = shape[2];
                double flop = kind.endsWith("deltanet") || kind.equals("delta_net")
                        ? 2.0 * (3.0 * n * dk * dv + (double) n * n * dk + (double) n * n * dv)
                        : 2.0 * (2.0 * n * dk * dv + n * n * (dk + dv) / 2.0);
                double gflops = flop / (us * 1e3);
                System.out.printf(Locale.ROOT, "%-14s chunk %d, d_k %d, d_v %d: %7.1f µs per head and chunk, %5.1f GFLOP/s, %3.0f %% of peak%n",
                        kind, n, dk, dv, us, gflops, 100 * gflops / peak.doubleGflops());
            }
        }
    }

    /** CPU µs per call of one chunk of one head, best of five passes. */
    static double run(String kind, int n, int dk, int dv, double seconds) {
        Random r = new Random(1);
        int ps = 2 * dk + dv + 3;
        double[] p = new double[n * ps];
        for (int i = 0; i < p.length; i++) {
            p[i] = 0.3 * r.nextGaussian();
        }
        double[] beta = new double[n];
        double[] gate = new double[n];
        for (int t = 0; t < n; t++) {
            beta[t] = r.nextDouble();
            gate[t] = -0.1 * r.nextDouble();
        }
        double[] logA = new double[n * dk];
        for (int i = 0; i < logA.length; i++) {
            logA[i] = -0.2 * r.nextDouble();
        }
        double[] pow = new double[n + 1];
        for (int i = 0; i <= n; i++) {
            pow[i] = Math.pow(0.97, i);
        }
        double[] s0 = new double[dv * dk];
        for (int i = 0; i < s0.length; i++) {
            s0[i] = r.nextGaussian();
        }
        double[] s = s0.clone();
        double[] o = new double[n * dv];
        ChunkRecurrence cr = new ChunkRecurrence(n, dk, dv);
        Runnable call;
        switch (kind) {
            case "gated_deltanet":
                call = () -> cr.delta(s, null, 0, n, p, ps, 0, dk, 2 * dk, beta, 0, 1, gate, 0, 1, o, 0, dv);
                break;
            case "delta_net":
                call = () -> cr.delta(s, null, 0, n, p, ps, 0, dk, 2 * dk, beta, 0, 1, null, 0, 0, o, 0, dv);
                break;
            case "gla":
                call = () -> cr.gla(s, null, 0, n, p, ps, 0, dk, 2 * dk, logA, 0, dk, o, 0, dv);
                break;
            default:
                call = () -> cr.retention(s, null, 0, n, p, ps, 0, dk, 2 * dk, pow, 0, o, 0, dv);
        }
        double best = Double.MAX_VALUE;
        for (int pass = 0; pass < 6; pass++) {
            long c0 = THREADS.getCurrentThreadCpuTime();
            long calls = 0;
            while (THREADS.getCurrentThreadCpuTime() - c0 < seconds * 1e9) {
                for (int i = 0; i < 20; i++) {
                    // the same state every call: the decays would otherwise drive it to 0
                    System.arraycopy(s0, 0, s, 0, s0.length);
                    call.run();
                }
                calls += 20;
            }
            double us = (THREADS.getCurrentThreadCpuTime() - c0) / 1e3 / calls;
            if (pass > 0) {
                best = Math.min(best, us);
            }
        }
        return best;
    }
}
