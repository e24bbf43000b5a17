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
import java.lang.management.MemoryMXBean;
import java.util.Locale;
import java.util.Random;
import org.flinkla.demo.HeapSampler;
import org.flinkla.engine.ModelState;
import org.flinkla.engine.RecurrentLinearAttention;
import org.flinkla.engine.SoftmaxAttention;
import org.flinkla.model.Model;

/**
 * Child JVM of {@link SequenceLengthCurves}: one attention method over one growing sequence of
 * random DNA tokens (the bench model, d_model 64, 4 heads, elu, float64), measured at log-spaced
 * lengths n (10 per decade from 100). Prints {@code method,n,ns_per_token,heap_bytes} per point and
 * a final {@code #end <completed|out_of_memory|time_budget> tokens=<n> seconds=<s> max_heap=<bytes>}.
 *
 * <ul>
 *   <li>{@code linear} (recurrent state) and {@code kv} (KV-cache softmax) stream token by token:
 *   ns_per_token is the mean time per token since the previous point; heap_bytes is the heap in
 *   use right after a full GC (run with {@code -XX:+UseSerialGC}, where System.gc() is a full
 *   compacting collection), i.e. what the method keeps alive at length n.
 *   <li>{@code naive} (N×N scores) is a whole-sequence computation: at each n one forward pass over
 *   the first n tokens; ns_per_token = pass time / n, heap_bytes = peak heap in use during the pass
 *   (polled every millisecond, after a full GC before it).
 * </ul>
 * Each method first runs a short throwaway sequence so the JIT has compiled it. An
 * OutOfMemoryError is caught after dropping the method's memory, so the end line still prints.
 *
 * <pre>{@code
 * java -Xmx32m -XX:+UseSerialGC -cp target/flink-linear-attention.jar org.flinkla.bench.ScalingProbe kv 10000000 120
 * }</pre>
 */
public final class ScalingProbe {
    static final String END = "#end";
    /** First measured length and points per decade. */
    static final long FIRST = 100;
    static final int PER_DECADE = 10;

    private ScalingProbe() {}

    /** Log-spaced lengths from {@link #FIRST}: round(100·10^(i/10)), strictly increasing, up to {@code max}. */
    static long[] lengths(long max) {
        java.util.List<Long> out = new java.util.ArrayList<>();
        for (int i = 0; ; i++) {
            long n = Math.round(FIRST * Math.pow(10, i / (double) PER_DECADE));
            if (n > max) {
                break;
            }
            if (out.isEmpty() || n > out.get(out.size() - 1)) {
                out.add(n);
            }
        }
        if (out.isEmpty() || out.get(out.size() - 1) != max) {
            out.add(max);
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    public static void main(String[] args) {
        if (args.length != 3) {
            System.err.println("usage: ScalingProbe <linear|kv|naive> <max-tokens> <budget-seconds>");
            System.exit(2);
        }
        String method = args[0];
        long max = Long.parseLong(args[1]);
        double budget = Double.parseDouble(args[2]);
        Model model = OperatorThroughput.benchModel();
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        long[] points = lengths(max);
        Random dna = new Random(7);

        String outcome = "completed";
        String detail = "";
        long done = 0;
        long start = System.nanoTime();
        try {
            long[] progress = new long[1];
            try {
                if (method.equals("naive")) {
                    naive(model, points, budget, mem, dna, start, progress);
                    outcome = progress[0] < max ? "time_budget" : "completed";
                } else {
                    outcome = stream(method, model, points, budget, mem, dna, start, progress);
                }
            } finally {
                done = progress[0];
            }
        } catch (OutOfMemoryError e) {
            outcome = "out_of_memory";
            detail = String.valueOf(e.getMessage());
        }
        System.out.println(String.format(Locale.ROOT, "%s %s tokens=%d seconds=%.3f max_heap=%d %s", END, outcome,
                done, (System.nanoTime() - start) / 1e9, mem.getHeapMemoryUsage().getMax(), detail));
        System.out.flush();
    }

    /** One token per call into a method's live state. */
    private interface Stepper {
        void step(int id, double[] y);
    }

    private static Stepper create(String method, Model model) {
        if (method.equals("linear")) {
            RecurrentLinearAttention layer = new RecurrentLinearAttention(model.config(), model.weights());
            ModelState state = layer.newState();
            return (id, y) -> layer.stepToken(state, id, y, 0);
        }
        if (method.equals("kv")) {
            SoftmaxAttention.KvCache cache = new SoftmaxAttention(model.config(), model.weights()).newCache();
            return (id, y) -> cache.stepToken(id, y, 0);
        }
        throw new IllegalArgumentException("unknown method '" + method + "' (linear, kv or naive)");
    }

    private static String stream(String method, Model model, long[] points, double budget, MemoryMXBean mem,
            Random dna, long start, long[] done) {
        double[] y = new double[model.config().dOut()];
        Stepper warm = create(method, model);
        for (int t = 0; t < (method.equals("kv") ? 3_000 : 30_000); t++) {
            warm.step(dna.nextInt(4), y);
        }
        warm = null;
        Stepper s = create(method, model);
        try {
            long n = 0;
            for (long p : points) {
                long t0 = System.nanoTime();
                for (; n < p; n++) {
                    s.step(dna.nextInt(4), y);
                }
                long ns = System.nanoTime() - t0;
                long prev = done[0];
                done[0] = n;
                System.gc();
                long heap = mem.getHeapMemoryUsage().getUsed();
                System.out.println(String.format(Locale.ROOT, "%s,%d,%.1f,%d", method, n, ns / (double) (n - prev), heap));
                if ((System.nanoTime() - start) / 1e9 > budget && n < points[points.length - 1]) {
                    return "time_budget";
                }
            }
            return "completed";
        } finally {
            s = null; // let an OutOfMemoryError handler have the heap back
        }
    }

    private static void naive(Model model, long[] points, double budget, MemoryMXBean mem, Random dna, long start,
            long[] done) {
        SoftmaxAttention softmax = new SoftmaxAttention(model.config(), model.weights());
        softmax.forwardNaiveTokens(ids(dna, 300)); // JIT warm-up
        for (long p : points) {
            int[] ids = ids(dna, (int) p);
            System.gc();
            long t0 = System.nanoTime();
            long peak;
            try (HeapSampler heap = HeapSampler.start(1)) {
                double[][] ys = softmax.forwardNaiveTokens(ids);
                peak = Math.max(heap.peakBytes(), mem.getHeapMemoryUsage().getUsed());
                if (ys.length != p) {
                    throw new IllegalStateException("naive softmax gave " + ys.length + " outputs for " + p + " tokens");
                }
            }
            long ns = System.nanoTime() - t0;
            done[0] = p;
            System.out.println(String.format(Locale.ROOT, "naive,%d,%.1f,%d", p, ns / (double) p, peak));
            if ((System.nanoTime() - start) / 1e9 > budget) {
                break;
            }
        }
    }

    private static int[] ids(Random dna, int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = dna.nextInt(4);
        }
        return a;
    }
}
