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

import java.util.HashMap;
import java.util.Map;

/**
 * The baseline a DNA model has to beat: an adaptive order-k Markov model that learns its counts
 * while it streams the sequence. The bits of base t are −log2 p(x_t | x_{t−k..t−1}) with
 *
 * <pre>
 *   p(x | ctx) = (n(ctx, x) + α) / (n(ctx) + α·A)
 * </pre>
 *
 * where n counts the positions before t only, A is the alphabet size and α = ½ (the
 * Krichevsky–Trofimov estimator). Positions with fewer than k bases before them get 1/A. As for
 * the models, base 1 is not scored, so {@link #meanBits()} is the mean over bases 2..N.
 *
 * <pre>{@code
 * MarkovBaseline m = new MarkovBaseline(MarkovBaseline.DEFAULT_ORDER, MarkovBaseline.DEFAULT_ALPHABET);
 * for (char b : bases) m.accept(b);
 * double bitsPerBase = m.meanBits();
 * }</pre>
 */
public final class MarkovBaseline {
    /**
     * Order the demo uses: the k with the lowest mean bits on the DNA models' training chromosome
     * (chr6, chosen there, not on the bases it is scored on; see the model cards).
     */
    public static final int DEFAULT_ORDER = 3;
    /** The alphabet of the DNA models ({@code ACGTN}), so the baseline spreads its mass over the same symbols. */
    public static final String DEFAULT_ALPHABET = "ACGTN";
    public static final double ALPHA = 0.5;

    private final int k;
    private final String alphabet;
    private final Map<Long, int[]> counts = new HashMap<>();
    private final int[] history;
    private long seen;
    private double bitsSum;
    private long scored;

    public MarkovBaseline(int k, String alphabet) {
        if (k < 0 || k > 20) {
            throw new IllegalArgumentException("Markov order must be in [0, 20], got " + k);
        }
        this.k = k;
        this.alphabet = alphabet;
        this.history = new int[Math.max(1, k)];
    }

    /** Scores {@code symbol} under the counts so far (from the second symbol on), then learns it. */
    public double accept(char symbol) {
        int x = alphabet.indexOf(symbol);
        if (x < 0) {
            throw new IllegalArgumentException("symbol '" + symbol + "' is not in the alphabet " + alphabet);
        }
        double bits;
        int a = alphabet.length();
        int[] c = null;
        if (seen >= k) {
            c = counts.computeIfAbsent(context(), key -> new int[a + 1]);
            bits = -log2((c[x] + ALPHA) / (c[a] + ALPHA * a));
        } else {
            bits = log2(a);
        }
        if (seen > 0) {
            bitsSum += bits;
            scored++;
        }
        if (c != null) {
            c[x]++;
            c[a]++;
        }
        if (k > 0) {
            history[(int) (seen % k)] = x;
        }
        seen++;
        return seen > 1 ? bits : Double.NaN;
    }

    /** The last k symbols as one number (oldest first), base A. */
    private long context() {
        long code = 0;
        for (int i = k; i >= 1; i--) {
            code = code * alphabet.length() + history[(int) ((seen - i) % k)];
        }
        return code;
    }

    /** Mean bits per base over bases 2..N; NaN before the second base. */
    public double meanBits() {
        return scored == 0 ? Double.NaN : bitsSum / scored;
    }

    public long scored() {
        return scored;
    }

    private static double log2(double v) {
        return Math.log(v) / Math.log(2.0);
    }
}
