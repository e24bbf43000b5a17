package org.flinkla.demo;

import java.util.BitSet;

/**
 * Everything the report needs from the attention outputs of one sequence, in constant memory per
 * picture column: how many came out, whether every position came exactly once, and the mean
 * output vector and mean norm in {@code columns} equal bins along the sequence, plus the first
 * {@code columns} outputs themselves.
 *
 * <pre>{@code
 * OutputSummary out = new OutputSummary(100_000, 64, 600);
 * out.accept(pos, ys, 0);     // one output vector of width 64 for position pos
 * double[][] strip = out.binMeans();
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

    public OutputSummary(long expectedTokens, int dim, int columns) {
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
