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

import java.util.BitSet;

/**
 * Everything the report needs from the outputs of one sequence: how many came out, whether every
 * position came exactly once, and the mean output vector and mean norm in {@code columns} equal
 * bins along the sequence, plus the first {@code columns} outputs themselves.
 *
 * <p>For a language model ({@link #forLanguageModel}) also, per position, the surprisal the job
 * emitted (bits of the base at that position under the prediction one position earlier) and the
 * probability the job's prediction at that position gave to the base that came next, so the
 * report can check one against the other; how far the probabilities of one output are from
 * summing to 1; and the probabilities of a stretch of positions for the picture.
 *
 * <pre>{@code
 * OutputSummary out = new OutputSummary(100_000, 64, 600);
 * out.accept(pos, ys, 0);     // one output vector of width 64 for position pos
 * double[][] strip = out.binMeans();
 *
 * OutputSummary lm = OutputSummary.forLanguageModel(100_000, 5, 600, ids, 100, 200);
 * lm.accept(pos, ys, 0, ps, 0, surprisal);
 * double bitsPerBase = lm.meanSurprisal();
 * }</pre>
 *
 * Not thread-safe; feed it from the one consumer thread.
 */
public final class OutputSummary {
    private final long expected;
    private final int dim;
    private final int columns;
    private final double[][] sums;
    private final double[] normSums;
    private final long[] counts;
    private final BitSet seen;
    private final double[][] head;
    private long outputs;
    private long duplicates;
    private long outOfRange;
    private long nonFinite;

    // language-model fields (null for other models)
    private final int[] ids;
    private final double[] surprisal;
    private final double[] pNext;
    private final long stretchFrom;
    private final double[][] stretch;
    private double probabilitySumError;
    private long withoutProbabilities;

    public OutputSummary(long expectedTokens, int dim, int columns) {
        this(expectedTokens, dim, columns, null, 0, 0);
    }

    /**
     * A summary of a language model's outputs over {@code ids.length} positions: {@code ids} are
     * the token ids of the bases (to look up the probability given to the next one);
     * {@code [stretchFrom, stretchFrom + stretchLength)} is the stretch whose probabilities are kept.
     */
    public static OutputSummary forLanguageModel(long expectedTokens, int vocab, int columns, int[] ids,
            long stretchFrom, int stretchLength) {
        if (ids.length != expectedTokens) {
            throw new IllegalArgumentException(ids.length + " token ids for " + expectedTokens + " positions");
        }
        return new OutputSummary(expectedTokens, vocab, columns, ids, stretchFrom, stretchLength);
    }

    private OutputSummary(long expectedTokens, int dim, int columns, int[] ids, long stretchFrom, int stretchLength) {
        if (expectedTokens > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("at most " + Integer.MAX_VALUE + " tokens per demo run");
        }
        this.expected = expectedTokens;
        this.dim = dim;
        this.columns = (int) Math.max(1, Math.min(columns, expectedTokens));
        this.sums = new double[this.columns][dim];
        this.normSums = new double[this.columns];
        this.counts = new long[this.columns];
        this.seen = new BitSet((int) expectedTokens);
        this.head = new double[this.columns][];
        this.ids = ids;
        if (ids != null) {
            this.surprisal = new double[(int) expectedTokens];
            this.pNext = new double[(int) expectedTokens];
            java.util.Arrays.fill(surprisal, Double.NaN);
            java.util.Arrays.fill(pNext, Double.NaN);
            long from = Math.max(0, Math.min(stretchFrom, expectedTokens - 1));
            this.stretchFrom = from;
            this.stretch = new double[(int) Math.max(0, Math.min(stretchLength, expectedTokens - from))][];
        } else {
            this.surprisal = null;
            this.pNext = null;
            this.stretchFrom = 0;
            this.stretch = null;
        }
    }

    /**
     * One output of a language model: logits {@code ys[yOff..yOff+dim)}, probabilities
     * {@code ps[pOff..pOff+dim)} (null when the output had none) and the surprisal ({@code NaN} for
     * none).
     */
    public void accept(long pos, double[] ys, int yOff, double[] ps, int pOff, double surprisalBits) {
        boolean fresh = pos >= 0 && pos < expected && !seen.get((int) pos);
        accept(pos, ys, yOff);
        if (!fresh || ids == null) {
            return;
        }
        int p = (int) pos;
        surprisal[p] = surprisalBits;
        if (ps == null) {
            withoutProbabilities++;
            return;
        }
        double sum = 0;
        for (int i = 0; i < dim; i++) {
            sum += ps[pOff + i];
        }
        probabilitySumError = Math.max(probabilitySumError, Math.abs(sum - 1));
        if (p + 1 < expected) {
            pNext[p] = ps[pOff + ids[p + 1]];
        }
        if (p >= stretchFrom && p < stretchFrom + stretch.length) {
            stretch[(int) (p - stretchFrom)] = java.util.Arrays.copyOfRange(ps, pOff, pOff + dim);
        }
    }

    /** True when this summary keeps the language-model fields. */
    public boolean isLanguageModel() {
        return ids != null;
    }

    /** Surprisal per position as the job emitted it ({@code NaN}: none, or never received); null for other models. */
    public double[] surprisals() {
        return surprisal;
    }

    /** Surprisals present among positions 2..N (1-based): N − 1 when every one came. */
    public long surprisalCount() {
        long k = 0;
        for (int t = 1; t < surprisal.length; t++) {
            if (!Double.isNaN(surprisal[t])) {
                k++;
            }
        }
        return k;
    }

    /** True when the first position came with a surprisal (it must not have one). */
    public boolean firstHasSurprisal() {
        return surprisal.length > 0 && !Double.isNaN(surprisal[0]);
    }

    /** Mean emitted surprisal over positions 2..N (1-based): the model's bits per base; NaN without any. */
    public double meanSurprisal() {
        return LanguageModelBits.mean(surprisal, surprisal.length);
    }

    /**
     * Largest relative difference between the surprisal emitted at position t and −log2 of the
     * probability the output at t − 1 gave to the base at t (over t with both present); 0 when none.
     */
    public double surprisalConsistencyError() {
        double worst = 0;
        for (int t = 1; t < surprisal.length; t++) {
            if (!Double.isNaN(surprisal[t]) && !Double.isNaN(pNext[t - 1])) {
                double fromP = -Math.log(pNext[t - 1]) / Math.log(2.0);
                worst = Math.max(worst, Math.abs(surprisal[t] - fromP) / Math.max(1e-300, Math.abs(fromP)));
            }
        }
        return worst;
    }

    /** Positions 2..N with both a surprisal and the previous output's probabilities (what the check above covers). */
    public long surprisalsChecked() {
        long k = 0;
        for (int t = 1; t < surprisal.length; t++) {
            if (!Double.isNaN(surprisal[t]) && !Double.isNaN(pNext[t - 1])) {
                k++;
            }
        }
        return k;
    }

    /** max over outputs of |Σ_i p_i − 1|. */
    public double probabilitySumError() {
        return probabilitySumError;
    }

    /** Outputs that came without probabilities. */
    public long withoutProbabilities() {
        return withoutProbabilities;
    }

    /** First position of the kept stretch. */
    public long stretchFrom() {
        return stretchFrom;
    }

    /** Probabilities of the stretch's positions, one row each (null where missing). */
    public double[][] stretchProbabilities() {
        return stretch.clone();
    }

    /** One output: position {@code pos} (0-based), vector {@code ys[off..off+dim)}. */
    public void accept(long pos, double[] ys, int off) {
        outputs++;
        if (pos < 0 || pos >= expected) {
            outOfRange++;
            return;
        }
        if (seen.get((int) pos)) {
            duplicates++;
            return;
        }
        seen.set((int) pos);
        if (pos < head.length) {
            head[(int) pos] = java.util.Arrays.copyOfRange(ys, off, off + dim);
        }
        int c = (int) (pos * columns / expected);
        double[] s = sums[c];
        double sq = 0;
        for (int i = 0; i < dim; i++) {
            double v = ys[off + i];
            if (!Double.isFinite(v)) {
                nonFinite++;
            }
            s[i] += v;
            sq += v * v;
        }
        normSums[c] += Math.sqrt(sq);
        counts[c]++;
    }

    public int dim() { return dim; }
    public int columns() { return columns; }
    /** Outputs received (including duplicates and out-of-range ones). */
    public long outputs() { return outputs; }
    /** Distinct positions in [0, expected) received. */
    public long distinct() { return seen.cardinality(); }
    /** Outputs for a position already seen (an exactly-once pipeline has none). */
    public long duplicates() { return duplicates; }
    /** Expected positions never received. */
    public long missing() { return expected - seen.cardinality(); }
    public long outOfRange() { return outOfRange; }
    /** NaN or infinite output components. */
    public long nonFinite() { return nonFinite; }

    /** Mean output vector per bin ({@code columns × dim}); empty bins are 0. */
    public double[][] binMeans() {
        double[][] m = new double[columns][dim];
        for (int c = 0; c < columns; c++) {
            if (counts[c] > 0) {
                for (int i = 0; i < dim; i++) {
                    m[c][i] = sums[c][i] / counts[c];
                }
            }
        }
        return m;
    }

    /** The outputs of the first {@link #columns()} positions, one per row (zeros where missing). */
    public double[][] firstOutputs() {
        double[][] m = new double[head.length][];
        for (int i = 0; i < head.length; i++) {
            m[i] = head[i] != null ? head[i] : new double[dim];
        }
        return m;
    }

    /** Mean ‖y‖₂ per bin. */
    public double[] binNorms() {
        double[] n = new double[columns];
        for (int c = 0; c < columns; c++) {
            n[c] = counts[c] > 0 ? normSums[c] / counts[c] : 0;
        }
        return n;
    }

    /** First position of bin c. */
    public long binStart(int c) {
        return (long) Math.ceil((double) c * expected / columns);
    }
}
