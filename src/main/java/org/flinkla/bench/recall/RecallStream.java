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
package org.flinkla.bench.recall;

import java.util.Arrays;
import java.util.Random;

/**
 * One associative-recall episode: a sequence of writes (key, value), then one query per distinct
 * key. Query i asks for the value most recently written under key i.
 * <ul>
 *   <li>{@link #random}: P pairs, each key written once (the recall task);</li>
 *   <li>{@link #overwrite}: P pairs written, then every key written again with a new value, in the
 *       same order (the overwrite task: the old value is now wrong).</li>
 * </ul>
 *
 * <p>Token layout (d_model = 2·d_k + d_v + 1), chosen so that the projections of
 * {@link RecallLayers} only select blocks:
 * <pre>
 *   write w:  x = [ 0     | key   | value | 1 ]     (query block | key block | value block | write flag)
 *   query i:  x = [ key_i | 0     | 0     | 0 ]
 * </pre>
 * The query token carries its key in the query block only, and has the value 0: as a causal token
 * it adds nothing to S (see {@link RecallLayers} for what it adds to z and how it is hidden).
 *
 * <pre>{@code
 * RecallStream s = RecallStream.random(16, 16, 32, new Random(7));
 * double[] x = new double[s.dModel()];
 * s.writeInput(0, x);
 * }</pre>
 */
public final class RecallStream {
    private final double[][] keys;
    private final int[] writeKey;
    private final double[][] writeValue;
    private final int[] truth;
    private final int dk;
    private final int dv;

    /** Each key written once: keys [P][d_k] and values [P][d_v] (not copied). */
    public RecallStream(double[][] keys, double[][] values) {
        this(keys, identity(keys.length), values);
    }

    /**
     * Writes {@code writeValue[w]} under {@code keys[writeKey[w]]} for w = 0..W−1; every key must be
     * written at least once.
     */
    public RecallStream(double[][] keys, int[] writeKey, double[][] writeValue) {
        if (keys.length == 0 || writeKey.length != writeValue.length) {
            throw new IllegalArgumentException("need at least one key and one value per write, got "
                    + keys.length + " keys, " + writeKey.length + " writes and " + writeValue.length + " values");
        }
        this.keys = keys;
        this.writeKey = writeKey;
        this.writeValue = writeValue;
        this.dk = keys[0].length;
        this.dv = writeValue.length == 0 ? 0 : writeValue[0].length;
        this.truth = new int[keys.length];
        Arrays.fill(truth, -1);
        for (int w = 0; w < writeKey.length; w++) {
            if (writeKey[w] < 0 || writeKey[w] >= keys.length) {
                throw new IllegalArgumentException("write " + w + " names key " + writeKey[w] + " of " + keys.length);
            }
            if (writeValue[w].length != dv) {
                throw new IllegalArgumentException("write " + w + " has a value of width " + writeValue[w].length
                        + ", expected " + dv);
            }
            truth[writeKey[w]] = w;
        }
        for (int i = 0; i < keys.length; i++) {
            if (keys[i].length != dk) {
                throw new IllegalArgumentException("key " + i + " has width " + keys[i].length + ", expected " + dk);
            }
            if (truth[i] < 0) {
                throw new IllegalArgumentException("key " + i + " is never written");
            }
        }
    }

    /** P random unit keys in R^d_k, each written once with a random unit value in R^d_v. */
    public static RecallStream random(int dk, int dv, int pairs, Random rnd) {
        return new RecallStream(unitVectors(pairs, dk, rnd), unitVectors(pairs, dv, rnd));
    }

    /** P random unit keys written with random unit values, then all P again with new values. */
    public static RecallStream overwrite(int dk, int dv, int pairs, Random rnd) {
        double[][] keys = unitVectors(pairs, dk, rnd);
        int[] order = new int[2 * pairs];
        for (int w = 0; w < order.length; w++) {
            order[w] = w % pairs;
        }
        return new RecallStream(keys, order, unitVectors(2 * pairs, dv, rnd));
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

    private static int[] identity(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }

    /** P: the number of distinct keys, i.e. of queries. */
    public int pairs() {
        return keys.length;
    }

    /** W: the number of writes (P, or 2P for the overwrite task). */
    public int writes() {
        return writeKey.length;
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

    /** The value of write w; these W values are the candidates a read-out is matched against. */
    public double[] writtenValue(int w) {
        return writeValue[w];
    }

    /** The write whose value query i must return: the last write under key i. */
    public int truth(int i) {
        return truth[i];
    }

    /** The value query i must return. */
    public double[] value(int i) {
        return writeValue[truth[i]];
    }

    /** Column of the write flag in x. */
    public int flagColumn() {
        return 2 * dk + dv;
    }

    /** Fills x (length d_model) with write token w. */
    public void writeInput(int w, double[] x) {
        Arrays.fill(x, 0.0);
        System.arraycopy(keys[writeKey[w]], 0, x, dk, dk);
        System.arraycopy(writeValue[w], 0, x, 2 * dk, dv);
        x[flagColumn()] = 1.0;
    }

    /** Fills x (length d_model) with the query token of key i. */
    public void queryInput(int i, double[] x) {
        Arrays.fill(x, 0.0);
        System.arraycopy(keys[i], 0, x, 0, dk);
    }
}
