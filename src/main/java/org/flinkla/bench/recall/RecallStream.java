package org.flinkla.bench.recall;

import java.util.Random;

/**
 * One associative-recall episode: P key→value pairs are written, then each key is queried.
 *
 * <p>Token layout (d_model = 2·d_k + d_v + 1), chosen so that the projections of
 * {@link RecallLayers} only select blocks:
 * <pre>
 *   write i:  x = [ 0     | key_i | value_i | 1 ]     (query block | key block | value block | write flag)
 *   query i:  x = [ key_i | 0     | 0       | 0 ]
 * </pre>
 * The query token carries its key in the query block only, so as a causal token it writes the
 * key 0 with the value 0: that leaves S unchanged and only adds φ(0) to z (one neutral token, see
 * {@link RecallLayers}). The flag lets the delta rule's β open for writes and close for queries.
 *
 * <pre>{@code
 * RecallStream s = RecallStream.random(16, 16, 32, new Random(7));
 * double[] x = new double[s.dModel()];
 * s.writeInput(0, x);
 * }</pre>
 */
public final class RecallStream {
    private final double[][] keys;
    private final double[][] values;
    private final int dk;
    private final int dv;

    /** Wraps given keys [P][d_k] and values [P][d_v] (not copied). */
    public RecallStream(double[][] keys, double[][] values) {
        if (keys.length == 0 || keys.length != values.length) {
            throw new IllegalArgumentException("need the same positive number of keys and values, got "
                    + keys.length + " keys and " + values.length + " values");
        }
        this.keys = keys;
        this.values = values;
        this.dk = keys[0].length;
        this.dv = values[0].length;
        for (int i = 0; i < keys.length; i++) {
            if (keys[i].length != dk || values[i].length != dv) {
                throw new IllegalArgumentException("pair " + i + " has a key of width " + keys[i].length
                        + " and a value of width " + values[i].length + ", expected " + dk + " and " + dv);
            }
        }
    }

    /** P random unit keys in R^d_k and P random unit values in R^d_v (directions uniform on the sphere). */
    public static RecallStream random(int dk, int dv, int pairs, Random rnd) {
        return new RecallStream(unitVectors(pairs, dk, rnd), unitVectors(pairs, dv, rnd));
    }

    /** n vectors uniform on the unit sphere of R^d (normalised Gaussians). */
    public static double[][] unitVectors(int n, int d, Random rnd) {
        double[][] out = new double[n][d];
        for (double[] v : out) {
            double norm;
            do {
                norm = 0;
                for (int j = 0; j < d; j++) {
                    v[j] = rnd.nextGaussian();
                    norm += v[j] * v[j];
                }
            } while (norm == 0);
            double inv = 1.0 / Math.sqrt(norm);
            for (int j = 0; j < d; j++) {
                v[j] *= inv;
            }
        }
        return out;
    }

    public int pairs() {
        return keys.length;
    }

    public int dKey() {
        return dk;
    }

    public int dValue() {
        return dv;
    }

    /** 2·d_k + d_v + 1. */
    public int dModel() {
        return 2 * dk + dv + 1;
    }

    public double[] key(int i) {
        return keys[i];
    }

    public double[] value(int i) {
        return values[i];
    }

    /** Column of the write flag in x. */
    public int flagColumn() {
        return 2 * dk + dv;
    }

    /** Fills x (length d_model) with the write token of pair i. */
    public void writeInput(int i, double[] x) {
        java.util.Arrays.fill(x, 0.0);
        System.arraycopy(keys[i], 0, x, dk, dk);
        System.arraycopy(values[i], 0, x, 2 * dk, dv);
        x[flagColumn()] = 1.0;
    }

    /** Fills x (length d_model) with the query token of pair i. */
    public void queryInput(int i, double[] x) {
        java.util.Arrays.fill(x, 0.0);
        System.arraycopy(keys[i], 0, x, 0, dk);
    }
}
