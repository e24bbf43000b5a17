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

import org.flinkla.engine.ModelState;
import org.flinkla.engine.ModelStepper;
import org.flinkla.engine.SequenceModel;

/**
 * How many bits a language model over the bases spends on each base of a sequence, computed in
 * this JVM straight through the engine (no Kafka, no Flink): the bases go through the model's
 * chunk method {@value #CHUNK} at a time, one state carried over the whole sequence.
 *
 * <p>The bits of base t (0-based, t ≥ 1) are its surprisal under the prediction made after base
 * t−1, from that position's logits y with m = max_i y_i:
 *
 * <pre>
 *   bits_t = −log2 p_{t−1}(x_t) = −((y_{x_t} − m) − ln Σ_i exp(y_i − m)) / ln 2
 * </pre>
 *
 * which is how the operator computes its {@code surprisal} field. Base 0 has no prediction
 * ({@code NaN}), so the mean bits per base is over bases 2..N (1-based).
 *
 * <pre>{@code
 * double[] bits = LanguageModelBits.perBase(model, Chromosome.shipped().slice(2000));
 * double bitsPerBase = LanguageModelBits.mean(bits, bits.length);
 * }</pre>
 */
public final class LanguageModelBits {
    /** Bases per call of the model's chunk method: one FASTA line, as the pipeline's records. */
    public static final int CHUNK = AttentionPipeline.FASTA_LINE;
    private static final double LN2 = Math.log(2.0);

    private LanguageModelBits() {}

    /**
     * The bits of every base of {@code bases} under {@code model} ({@code NaN} for the first).
     *
     * @throws IllegalArgumentException when the model's outputs are not logits over its token ids,
     *     or a base is not one of its symbols
     */
    public static double[] perBase(SequenceModel model, Chromosome.Slice bases) {
        if (!model.outputsLogits()) {
            throw new IllegalArgumentException(model.source() + " is not a language model (its outputs are not "
                    + "logits over its token ids): it has no bits per base");
        }
        if (bases.length() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("too many bases for one array: " + bases.length());
        }
        int n = (int) bases.length();
        int v = model.outputWidth();
        ModelStepper stepper = model.newStepper();
        ModelState state = model.newState();
        int[] ids = new int[CHUNK];
        double[] ys = new double[CHUNK * v];
        double[] bits = new double[n];
        bits[0] = Double.NaN;
        // log p of the previous position's prediction, for the next base
        double[] logp = new double[v];
        for (int pos = 0; pos < n; pos += CHUNK) {
            int count = Math.min(CHUNK, n - pos);
            for (int i = 0; i < count; i++) {
                char b = bases.baseAt(pos + i);
                int id = model.tokenId(b);
                if (id < 0) {
                    throw new IllegalArgumentException("base '" + b + "' at position " + (pos + i) + " is not a symbol of "
                            + model.source() + " (vocab " + model.vocab() + ")");
                }
                ids[i] = id;
            }
            stepper.stepTokens(state, ids, 0, count, ys, 0);
            for (int i = 0; i < count; i++) {
                int t = pos + i;
                if (t > 0) {
                    bits[t] = -logp[ids[i]] / LN2;
                }
                logSoftmax(ys, i * v, v, logp);
            }
        }
        return bits;
    }

    /** log p_i = (y_i − m) − ln Σ_j exp(y_j − m), m = max_j y_j (finite for finite logits). */
    static void logSoftmax(double[] y, int off, int v, double[] logp) {
        double m = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < v; i++) {
            m = Math.max(m, y[off + i]);
        }
        double sum = 0;
        for (int i = 0; i < v; i++) {
            sum += Math.exp(y[off + i] - m);
        }
        double lnS = Math.log(sum);
        for (int i = 0; i < v; i++) {
            logp[i] = (y[off + i] - m) - lnS;
        }
    }

    /**
     * Mean of {@code bits[1 .. n)} (bases 2..n), skipping {@code NaN}; {@code NaN} when there is
     * nothing to average.
     */
    public static double mean(double[] bits, int n) {
        double sum = 0;
        long k = 0;
        for (int t = 1; t < Math.min(n, bits.length); t++) {
            if (!Double.isNaN(bits[t])) {
                sum += bits[t];
                k++;
            }
        }
        return k == 0 ? Double.NaN : sum / k;
    }

    /**
     * The mean of {@code bits} over a window of {@code window} bases ending at each of about
     * {@code points} positions along [1, n): x = the window's last position (1-based), y = its mean.
     * Windows shorter at the start (fewer bases seen) are the mean of what there is.
     */
    public static double[][] rolling(double[] bits, int n, int window, int points) {
        return rolling(bits, n, window, points, 2);
    }

    /** As {@link #rolling(double[], int, int, int)}, with the first window ending at position {@code firstEnd} (≥ 2). */
    public static double[][] rolling(double[] bits, int n, int window, int points, int firstEnd) {
        n = Math.min(n, bits.length);
        int from = Math.max(2, Math.min(firstEnd, n));
        if (n < 2) {
            return new double[][] {new double[0], new double[0]};
        }
        double[] prefix = new double[n + 1];
        int[] count = new int[n + 1];
        for (int t = 0; t < n; t++) {
            boolean ok = !Double.isNaN(bits[t]);
            prefix[t + 1] = prefix[t] + (ok ? bits[t] : 0);
            count[t + 1] = count[t] + (ok ? 1 : 0);
        }
        int m = Math.max(2, Math.min(points, n - from + 1));
        double[] x = new double[m];
        double[] y = new double[m];
        int k = 0;
        for (int j = 0; j < m; j++) {
            int end = from + (int) ((long) (n - from) * j / (m - 1)); // window [end − window, end), end in [from, n]
            int start = Math.max(0, end - window);
            int c = count[end] - count[start];
            if (c == 0) {
                continue;
            }
            x[k] = end;
            y[k] = (prefix[end] - prefix[start]) / c;
            k++;
        }
        return new double[][] {java.util.Arrays.copyOf(x, k), java.util.Arrays.copyOf(y, k)};
    }
}
