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
package org.flinkla.engine.fla;

/**
 * The building blocks of the FLA layers besides the dense products ({@code engine.Gemm}), in
 * float64 on flat arrays (no allocation). Every sum
 * runs in a fixed order that does not depend on how many tokens are computed together, so a
 * chunk of tokens gives bit for bit the outputs of the same tokens one by one.
 */
final class FlaMath {
    private FlaMath() {}

    /**
     * Whether {@link #dot} runs {@link FlaVectorKernels} and the elementwise kernels
     * ({@link #silu}, {@link #swiglu}, {@link #gate}, the norms' scaling) {@link ElementwiseVector}
     * (same bits either way).
     */
    static final boolean VECTOR = org.flinkla.engine.VectorSupport.enabled();

    /**
     * Σ_j a[aOff + j]·b[bOff + j] in a fixed order: eight partial sums s_m over j ≡ m (mod 8) for
     * the first n − n mod 8 terms, the rest added to s_0, then ((s0 + s1) + (s2 + s3)) +
     * ((s4 + s5) + (s6 + s7)). The Vector API version keeps the eight sums in lanes; same bits.
     */
    static double dot(double[] a, int aOff, double[] b, int bOff, int n) {
        if (VECTOR && n >= 8) {
            return FlaVectorKernels.dot(a, aOff, b, bOff, n);
        }
        return dotScalar(a, aOff, b, bOff, n);
    }

    static double dotScalar(double[] a, int aOff, double[] b, int bOff, int n) {
        int n8 = n & ~7;
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        for (int j = 0; j < n8; j += 8) {
            s0 += a[aOff + j] * b[bOff + j];
            s1 += a[aOff + j + 1] * b[bOff + j + 1];
            s2 += a[aOff + j + 2] * b[bOff + j + 2];
            s3 += a[aOff + j + 3] * b[bOff + j + 3];
            s4 += a[aOff + j + 4] * b[bOff + j + 4];
            s5 += a[aOff + j + 5] * b[bOff + j + 5];
            s6 += a[aOff + j + 6] * b[bOff + j + 6];
            s7 += a[aOff + j + 7] * b[bOff + j + 7];
        }
        for (int j = n8; j < n; j++) {
            s0 += a[aOff + j] * b[bOff + j];
        }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }

    /**
     * RMSNorm: y = x·r·w with r = 1/sqrt(Σx²/n + ε) (w may be null: no weight); y may be x. Σx² is
     * {@link #dot}(x, x) (its eight partial sums), the scaling (x·r)·w per element, in
     * {@link ElementwiseVector} when {@link #VECTOR}: the same bits either way.
     */
    static void rmsNorm(double[] x, int xOff, int n, double[] w, double eps, double[] y, int yOff) {
        double ss = dot(x, xOff, x, xOff, n);
        double r = 1.0 / Math.sqrt(ss / n + eps);
        if (w == null) {
            if (VECTOR) {
                ElementwiseVector.scaleInto(x, xOff, n, r, y, yOff);
            } else {
                scaleIntoPlain(x, xOff, n, r, y, yOff);
            }
        } else {
            if (VECTOR) {
                ElementwiseVector.scaleWeighted(x, xOff, n, r, w, y, yOff);
            } else {
                scaleWeightedPlain(x, xOff, n, r, w, y, yOff);
            }
        }
    }

    static void scaleIntoPlain(double[] x, int xOff, int n, double r, double[] y, int yOff) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] = x[xOff + i] * r;
        }
    }

    static void scaleWeightedPlain(double[] x, int xOff, int n, double r, double[] w, double[] y, int yOff) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] = x[xOff + i] * r * w[i];
        }
    }

    /**
     * FLA's in-kernel L2 norm in place: x·(scale/sqrt(Σx² + 1e-6)), Σx² as {@link #dot}(x, x);
     * same bits plain or vector.
     */
    static void l2Normalize(double[] x, int off, int n, double scale) {
        double ss = dot(x, off, x, off, n);
        double r = scale / Math.sqrt(ss + FlaConfig.L2_NORM_EPS);
        if (VECTOR) {
            ElementwiseVector.scaleInto(x, off, n, r, x, off);
        } else {
            scaleIntoPlain(x, off, n, r, x, off);
        }
    }

    /** DeltaNet's sum_norm in place: x / Σx, then × scale. */
    static void sumNormalize(double[] x, int off, int n, double scale) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += x[off + i];
        }
        for (int i = 0; i < n; i++) {
            x[off + i] = x[off + i] / s * scale;
        }
    }

    /** x[i] ← x[i]·c; same bits plain or vector. */
    static void scale(double[] x, int off, int n, double c) {
        if (VECTOR) {
            ElementwiseVector.scaleInto(x, off, n, c, x, off);
        } else {
            scaleIntoPlain(x, off, n, c, x, off);
        }
    }

    /** x[i] ← silu(x[i]) = x[i]·σ(x[i]) with {@link Exp#sigmoid}; same bits plain or vector. */
    static void silu(double[] x, int off, int n) {
        if (VECTOR) {
            ElementwiseVector.silu(x, off, n);
        } else {
            siluPlain(x, off, n);
        }
    }

    static void siluPlain(double[] x, int off, int n) {
        for (int i = off; i < off + n; i++) {
            x[i] = Exp.silu(x[i]);
        }
    }

    /** SwiGLU in place: a[i] ← silu(a[i])·b[i]; same bits plain or vector. */
    static void swiglu(double[] a, int aOff, double[] b, int bOff, int n) {
        if (VECTOR) {
            ElementwiseVector.siluTimes(a, aOff, b, bOff, a, aOff, n);
        } else {
            swigluPlain(a, aOff, b, bOff, n);
        }
    }

    static void swigluPlain(double[] a, int aOff, double[] b, int bOff, int n) {
        for (int i = 0; i < n; i++) {
            a[aOff + i] = Exp.silu(a[aOff + i]) * b[bOff + i];
        }
    }

    /** Output gate in place: o[i] ← o[i]·silu(g[i]); same bits plain or vector. */
    static void gate(double[] o, int oOff, double[] g, int gOff, int n) {
        if (VECTOR) {
            ElementwiseVector.siluTimes(g, gOff, o, oOff, o, oOff, n);
        } else {
            gatePlain(o, oOff, g, gOff, n);
        }
    }

    static void gatePlain(double[] o, int oOff, double[] g, int gOff, int n) {
        for (int i = 0; i < n; i++) {
            o[oOff + i] = o[oOff + i] * Exp.silu(g[gOff + i]);
        }
    }

    /**
     * One step of FLA's ShortConvolution (depthwise causal Conv1d, kernel K, no bias) for
     * {@code channels} channels, in place: with the window holding the previous K−1 inputs of each
     * channel, oldest first, y[c] = Σ_{j&lt;K−1} w[c][j]·win[c][j] + w[c][K−1]·x[c]. Then the window
     * shifts by one (oldest input dropped, x[c] appended). No activation here.
     */
    static void convStep(double[] x, int xOff, int channels, double[] w, int k, double[] win, int winOff) {
        int km1 = k - 1;
        for (int c = 0; c < channels; c++) {
            double xc = x[xOff + c];
            int wr = c * k;
            int wo = winOff + c * km1;
            double y = 0;
            for (int j = 0; j < km1; j++) {
                y += w[wr + j] * win[wo + j];
            }
            y += w[wr + km1] * xc;
            if (km1 > 0) {
                for (int j = 0; j < km1 - 1; j++) {
                    win[wo + j] = win[wo + j + 1];
                }
                win[wo + km1 - 1] = xc;
            }
            x[xOff + c] = y;
        }
    }

    /** {@link #convStep} on a float32 window: the new input is stored rounded to nearest. */
    static void convStep(double[] x, int xOff, int channels, double[] w, int k, float[] win, int winOff) {
        int km1 = k - 1;
        for (int c = 0; c < channels; c++) {
            double xc = x[xOff + c];
            int wr = c * k;
            int wo = winOff + c * km1;
            double y = 0;
            for (int j = 0; j < km1; j++) {
                y += w[wr + j] * win[wo + j];
            }
            y += w[wr + km1] * xc;
            if (km1 > 0) {
                for (int j = 0; j < km1 - 1; j++) {
                    win[wo + j] = win[wo + j + 1];
                }
                win[wo + km1 - 1] = (float) xc;
            }
            x[xOff + c] = y;
        }
    }

    /**
     * Non-interleaved (GPT-NeoX) rotary embedding of one head in place: with half = d/2,
     * y[i] = x[i]·cos θ_i − x[i+half]·sin θ_i and y[i+half] = x[i]·sin θ_i + x[i+half]·cos θ_i,
     * cos/sin of θ_i = pos·base^(−2i/d) given.
     */
    static void rotate(double[] x, int off, int half, double[] cos, double[] sin) {
        for (int i = 0; i < half; i++) {
            double a = x[off + i];
            double b = x[off + i + half];
            x[off + i] = a * cos[i] - b * sin[i];
            x[off + i + half] = a * sin[i] + b * cos[i];
        }
    }

}
