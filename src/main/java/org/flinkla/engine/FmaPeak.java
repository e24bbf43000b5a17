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
package org.flinkla.engine;

/**
 * The floating-point peak of one core as this JVM reaches it, to put the engine's GFLOP/s next
 * to: twelve independent chains of fused multiply-adds a = a·m + c in a hot loop (enough chains
 * to cover the latency of the FMA units), timed after a warm-up. With the Vector API
 * ({@link VectorSupport}) the chains are full vectors of doubles or floats, which is the peak
 * the engine's kernels can approach; without it they are scalar {@link Math#fma}, the peak of the
 * plain-Java loops. A measured figure, not a datasheet one: it includes whatever turbo clock and
 * sharing of the core the machine has at the time.
 */
public final class FmaPeak {
    /** GFLOP/s (2 per lane per FMA) of float64 and float32 chains, and how they were run. */
    public record Result(double doubleGflops, double floatGflops, String kind) {}

    private FmaPeak() {}

    /** Measures for about {@code seconds} in total (a fraction of a second is enough). */
    public static Result measure(double seconds) {
        double[] sink = new double[1];
        boolean vector = VectorSupport.enabled();
        for (int i = 0; i < 300; i++) { // C2 compiles the loops before the timed runs
            run(vector, true, 20_000, sink);
            run(vector, false, 20_000, sink);
        }
        double dbl = time(vector, true, seconds / 2, sink);
        double flt = time(vector, false, seconds / 2, sink);
        if (sink[0] == 42.4242) { // never: keeps the chains live
            System.out.print("");
        }
        String kind = vector ? "Vector API FMA, " + VectorKernels.LANES + " doubles per vector"
                : "scalar Math.fma (no Vector API)";
        return new Result(dbl, flt, kind);
    }

    /**
     * The best of many short timed runs (about a millisecond each) within the budget: GFLOP/s. Short
     * runs, so that one that had the core to itself, with the compiled loop, is among them.
     */
    private static double time(boolean vector, boolean dbl, double seconds, double[] sink) {
        long rounds = 100_000;
        double best = 0;
        long end = System.nanoTime() + (long) (seconds * 1e9);
        do {
            long t0 = System.nanoTime();
            long flops = run(vector, dbl, rounds, sink);
            long dt = System.nanoTime() - t0;
            best = Math.max(best, flops / (double) dt);
        } while (System.nanoTime() < end);
        return best;
    }

    private static long run(boolean vector, boolean dbl, long rounds, double[] sink) {
        if (vector) {
            return dbl ? GemmVector.fmaPeakDouble(rounds, sink) : GemmVector.fmaPeakFloat(rounds, sink);
        }
        return dbl ? scalarDouble(rounds, sink) : scalarFloat(rounds, sink);
    }

    private static long scalarDouble(long rounds, double[] sink) {
        double m = 0.999999, c = 1e-7;
        double a0 = 1, a1 = 2, a2 = 3, a3 = 4, a4 = 5, a5 = 6, a6 = 7, a7 = 8, a8 = 9, a9 = 10, a10 = 11, a11 = 12;
        for (long r = 0; r < rounds; r++) {
            a0 = Math.fma(a0, m, c);
            a1 = Math.fma(a1, m, c);
            a2 = Math.fma(a2, m, c);
            a3 = Math.fma(a3, m, c);
            a4 = Math.fma(a4, m, c);
            a5 = Math.fma(a5, m, c);
            a6 = Math.fma(a6, m, c);
            a7 = Math.fma(a7, m, c);
            a8 = Math.fma(a8, m, c);
            a9 = Math.fma(a9, m, c);
            a10 = Math.fma(a10, m, c);
            a11 = Math.fma(a11, m, c);
        }
        sink[0] += a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;
        return rounds * 24;
    }

    private static long scalarFloat(long rounds, double[] sink) {
        float m = 0.999999f, c = 1e-7f;
        float a0 = 1, a1 = 2, a2 = 3, a3 = 4, a4 = 5, a5 = 6, a6 = 7, a7 = 8, a8 = 9, a9 = 10, a10 = 11, a11 = 12;
        for (long r = 0; r < rounds; r++) {
            a0 = Math.fma(a0, m, c);
            a1 = Math.fma(a1, m, c);
            a2 = Math.fma(a2, m, c);
            a3 = Math.fma(a3, m, c);
            a4 = Math.fma(a4, m, c);
            a5 = Math.fma(a5, m, c);
            a6 = Math.fma(a6, m, c);
            a7 = Math.fma(a7, m, c);
            a8 = Math.fma(a8, m, c);
            a9 = Math.fma(a9, m, c);
            a10 = Math.fma(a10, m, c);
            a11 = Math.fma(a11, m, c);
        }
        sink[0] += a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;
        return rounds * 24;
    }
}
