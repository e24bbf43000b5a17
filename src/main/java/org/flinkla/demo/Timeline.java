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

import java.util.Arrays;

/**
 * Outputs received against time since job submit, recorded at most every {@code minGapNanos}
 * (plus the final point), so that a long run keeps a few thousand points at most.
 */
public final class Timeline {
    private final long startNanos;
    private final long minGapNanos;
    private double[] seconds = new double[256];
    private long[] counts = new long[256];
    private int n;
    private long lastNanos = Long.MIN_VALUE;

    public Timeline(long startNanos, long minGapNanos) {
        this.startNanos = startNanos;
        this.minGapNanos = minGapNanos;
        add(startNanos, 0, true);
    }

    /** Records that {@code count} outputs have been received by {@code nowNanos}. */
    public void record(long nowNanos, long count) {
        add(nowNanos, count, false);
    }

    /** Records the last point unconditionally. */
    public void finish(long nowNanos, long count) {
        add(nowNanos, count, true);
    }

    private void add(long nowNanos, long count, boolean force) {
        if (!force && nowNanos - lastNanos < minGapNanos) {
            return;
        }
        if (n == seconds.length) {
            seconds = Arrays.copyOf(seconds, n * 2);
            counts = Arrays.copyOf(counts, n * 2);
        }
        lastNanos = nowNanos;
        seconds[n] = (nowNanos - startNanos) / 1e9;
        counts[n] = count;
        n++;
    }

    public double[] seconds() { return Arrays.copyOf(seconds, n); }
    public long[] counts() { return Arrays.copyOf(counts, n); }

    /**
     * Seconds at which the count first reached {@code target}, interpolated between two recorded
     * points (not from the empty start: outputs arrive in batches, the first batch at its own
     * time); NaN if never.
     */
    public double timeAt(long target) {
        for (int i = 1; i < n; i++) {
            if (counts[i] >= target) {
                long c0 = counts[i - 1];
                if (c0 == 0) {
                    return seconds[i];
                }
                double f = counts[i] == c0 ? 1 : (double) (target - c0) / (counts[i] - c0);
                return seconds[i - 1] + f * (seconds[i] - seconds[i - 1]);
            }
        }
        return Double.NaN;
    }

    /** Outputs per second between the given fractions of the final count; 0 if undefined. */
    public double rateBetween(double from, double to) {
        if (n < 2) {
            return 0;
        }
        long total = counts[n - 1];
        long a = (long) Math.ceil(total * from);
        long b = (long) Math.floor(total * to);
        double ta = timeAt(Math.max(a, 1));
        double tb = timeAt(b);
        if (b <= a || !(tb > ta)) {
            // Too few points to tell (e.g. everything arrived in one poll): whole-run rate.
            double t = seconds[n - 1];
            return t > 0 ? total / t : 0;
        }
        return (b - a) / (tb - ta);
    }
}
