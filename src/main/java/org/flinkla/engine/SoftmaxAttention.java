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

import java.util.Arrays;

/**
 * Reference: exact causal softmax attention with the same q/k/v/out projections, heads and
 * embedding as a linear-attention layer (the feature map, eps and variant are ignored):
 * <pre>
 *   y_t = Σ_{s≤t} softmax_s(τ·q_t·k_s) v_s   per head (τ = 1/√d_k unless given),   out = W_o concat_h(y_t) + b_o
 * </pre>
 * Two forms, both exact, used to show what linear attention trades away:
 * <ul>
 *   <li>{@link #forwardNaive}: materialises the N×N score matrix (it really allocates N² doubles,
 *       so it runs out of memory on long sequences, as the demo shows).</li>
 *   <li>{@link KvCache}: streaming, one {@link KvCache#step} per token; keeps every past key and
 *       value, so its memory grows linearly with N ({@link KvCache#bytes()}).</li>
 * </ul>
 *
 * <pre>{@code
 * SoftmaxAttention softmax = new SoftmaxAttention(config, weights);
 * SoftmaxAttention.KvCache cache = softmax.newCache();
 * cache.step(x, 0, y, 0);
 * }</pre>
 */
public final class SoftmaxAttention {
    private final AttentionConfig c;
    private final AttentionWeights w;
    private final double scale;

    public SoftmaxAttention(AttentionConfig config, AttentionWeights weights) {
        this(config, weights, 1.0 / Math.sqrt(config.dKey()));
    }

    /**
     * With the temperature τ given: scores τ·(q·k_s) instead of q·k_s/√d_k (fast-transformers'
     * {@code softmax_temp}).
     */
    public SoftmaxAttention(AttentionConfig config, AttentionWeights weights, double softmaxTemp) {
        WeightCheck.check(config, weights);
        if (!(softmaxTemp > 0) || !Double.isFinite(softmaxTemp)) {
            throw new IllegalArgumentException("softmax temperature must be finite and > 0, got " + softmaxTemp);
        }
        this.c = config;
        this.w = weights;
        this.scale = softmaxTemp;
    }

    public AttentionConfig config() {
        return c;
    }

    /** Outputs [N][d_out] for the embedding rows {@code ids}, through the N×N score matrix. */
    public double[][] forwardNaiveTokens(int[] ids) {
        return forwardNaive(Projections.embed(w, c.dModel(), ids));
    }

    /** Outputs [N][d_out] for inputs [N][d_model], through the N×N score matrix (allocated here). */
    public double[][] forwardNaive(double[][] xs) {
        int n = xs.length;
        int heads = c.heads();
        int dk = c.dKey();
        int dv = c.dValue();
        double[][] q = new double[n][];
        double[][] k = new double[n][];
        double[][] v = new double[n][];
        for (int t = 0; t < n; t++) {
            double[] x = Projections.row(xs, t, c.dModel());
            q[t] = Projections.linear(w.queryWeight, w.queryBias, heads * dk, c.dModel(), x, 0);
            k[t] = Projections.linear(w.keyWeight, w.keyBias, heads * dk, c.dModel(), x, 0);
            v[t] = Projections.linear(w.valueWeight, w.valueBias, heads * dv, c.dModel(), x, 0);
        }
        // the naive form: all N×N scores at once (entries above the diagonal are masked to 0)
        double[][] scores = new double[n][n];
        double[][] concat = new double[n][heads * dv];
        for (int h = 0; h < heads; h++) {
            for (int t = 0; t < n; t++) {
                double[] row = scores[t];
                double max = Double.NEGATIVE_INFINITY;
                for (int s = 0; s <= t; s++) {
                    double dot = 0;
                    for (int i = 0; i < dk; i++) {
                        dot += q[t][h * dk + i] * k[s][h * dk + i];
                    }
                    row[s] = dot * scale;
                    max = Math.max(max, row[s]);
                }
                double sum = 0;
                for (int s = 0; s <= t; s++) {
                    row[s] = Math.exp(row[s] - max);
                    sum += row[s];
                }
                Arrays.fill(row, t + 1, n, 0.0);
                for (int s = 0; s <= t; s++) {
                    double p = row[s] / sum;
                    for (int j = 0; j < dv; j++) {
                        concat[t][h * dv + j] += p * v[s][h * dv + j];
                    }
                }
            }
        }
        double[][] ys = new double[n][];
        for (int t = 0; t < n; t++) {
            ys[t] = Projections.linear(w.outWeight, w.outBias, c.dOut(), heads * dv, concat[t], 0);
        }
        return ys;
    }

    /** A new, empty KV cache for one sequence. */
    public KvCache newCache() {
        return new KvCache();
    }

    /**
     * Streaming exact softmax attention for one sequence: keeps the projected keys and values of
     * every token seen (H·(d_k + d_v) doubles per token, grown by doubling) and attends over all of
     * them at each step. Not thread-safe.
     */
    public final class KvCache {
        private final int hk = c.heads() * c.dKey();
        private final int hv = c.heads() * c.dValue();
        private double[] keys = new double[16 * hk];
        private double[] values = new double[16 * hv];
        private double[] scores = new double[16];
        private final double[] q = new double[hk];
        private final double[] concat = new double[hv];
        private int length;

        private KvCache() {
        }

        /** Tokens cached so far. */
        public int length() {
            return length;
        }

        /** Bytes held by the cache arrays (capacity, i.e. what the heap really holds). */
        public long bytes() {
            return 8L * (keys.length + values.length + scores.length + q.length + concat.length);
        }

        /** Forgets the sequence (keeps the capacity). */
        public void reset() {
            length = 0;
        }

        /** One token as an embedding row id. */
        public void stepToken(int tokenId, double[] y, int yOff) {
            int vocab = w.embedding == null ? 0 : w.embedding.length / c.dModel();
            if (tokenId < 0 || tokenId >= vocab) {
                throw new IllegalArgumentException("token id " + tokenId + " out of range [0, " + vocab + ")");
            }
            step(w.embedding, tokenId * c.dModel(), y, yOff);
        }

        /** One token {@code x[xOff..xOff+d_model)}; output to {@code y[yOff..yOff+d_out)}. */
        public void step(double[] x, int xOff, double[] y, int yOff) {
            if (length == scores.length) {
                int cap = Math.multiplyExact(scores.length, 2);
                keys = Arrays.copyOf(keys, Math.multiplyExact(cap, hk));
                values = Arrays.copyOf(values, Math.multiplyExact(cap, hv));
                scores = new double[cap];
            }
            int dm = c.dModel();
            int dk = c.dKey();
            int dv = c.dValue();
            matvec(w.queryWeight, w.queryBias, hk, dm, x, xOff, q, 0);
            matvec(w.keyWeight, w.keyBias, hk, dm, x, xOff, keys, length * hk);
            matvec(w.valueWeight, w.valueBias, hv, dm, x, xOff, values, length * hv);
            int n = ++length;
            for (int h = 0; h < c.heads(); h++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int s = 0; s < n; s++) {
                    double dot = 0;
                    int ko = s * hk + h * dk;
                    for (int i = 0; i < dk; i++) {
                        dot += q[h * dk + i] * keys[ko + i];
                    }
                    scores[s] = dot * scale;
                    max = Math.max(max, scores[s]);
                }
                double sum = 0;
                for (int s = 0; s < n; s++) {
                    scores[s] = Math.exp(scores[s] - max);
                    sum += scores[s];
                }
                Arrays.fill(concat, h * dv, (h + 1) * dv, 0.0);
                for (int s = 0; s < n; s++) {
                    double p = scores[s] / sum;
                    int vo = s * hv + h * dv;
                    for (int j = 0; j < dv; j++) {
                        concat[h * dv + j] += p * values[vo + j];
                    }
                }
            }
            matvec(w.outWeight, w.outBias, c.dOut(), hv, concat, 0, y, yOff);
        }
    }

    private static void matvec(double[] m, double[] b, int rows, int cols, double[] x, int xOff,
                               double[] y, int yOff) {
        for (int r = 0; r < rows; r++) {
            double s = b == null ? 0.0 : b[r];
            for (int i = 0; i < cols; i++) {
                s += m[r * cols + i] * x[xOff + i];
            }
            y[yOff + r] = s;
        }
    }
}
