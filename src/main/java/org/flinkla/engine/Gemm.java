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

import java.util.Objects;

/**
 * The dense product of every layer: Y[n×out] = X[n×in]·Wᵀ + b for a block of n tokens (W as
 * PyTorch's {@code nn.Linear} holds it, [out][in]), weights held as float64, float32 or bfloat16
 * ({@link WeightPrecision}) and widened exactly, products accumulated in float64.
 *
 * <p><b>Summation order (the same bits everywhere).</b> Each output element is one chain of
 * fused multiply-adds over the inputs in ascending order, started from the bias:
 * {@code acc = b[j]; for i = 0..in-1: acc = fma(x[t][i], w[j][i], acc); y[t][j] = acc} (one
 * rounding per input term, {@link Math#fma}). Nothing else is summed, so the result of an element
 * depends neither on how many tokens are computed together nor on the kernel: the plain-Java loops
 * and the Vector API kernels ({@code GemmVector}, used when {@link VectorSupport#enabled()}) give
 * the same bits, and a chunk of n tokens gives bit for bit the outputs of the same tokens one by
 * one. (Java's {@code Math.fma} and the Vector API's {@code fma} are both the exactly rounded
 * a·b + c; on x86 since 2013 and on ARMv8 they are one instruction. On a CPU without FMA hardware
 * the JVM emulates them, correctly but slowly.)
 *
 * <p><b>Layout.</b> W is packed in panels of {@value #PANEL} output columns: panel p holds, for
 * i = 0..in-1, the {@value #PANEL} weights w[16p..16p+15][i] next to each other, so a kernel reads
 * a panel as one sequential stream. The panel count is padded with zero panels to a multiple of
 * {@value #GROUP}. The packing does not depend on the machine (a serialized model runs on any JVM).
 *
 * <p><b>Blocking.</b> With the Vector API, blocks of {@value #BLOCK} tokens run against one panel
 * with {@value #BLOCK}·{@value #PANEL} accumulators in registers (each weight vector loaded once
 * for the {@value #BLOCK} tokens, the panel kept in L1/L2 for all blocks); the last n mod
 * {@value #BLOCK} tokens, and single tokens, run against {@value #GROUP} panels at a time
 * ({@value #GROUP} independent weight streams), which reads the weights at the rate the caches or
 * memory deliver them. Compact weights are widened to float64 one panel at a time for the token
 * blocks (into a per-thread scratch panel) and on the fly for single tokens.
 *
 * <p>Immutable and thread-safe: one instance is shared by every stepper of a model; the scratch
 * is per thread and allocated once (no allocation per call).
 */
public final class Gemm implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    /** Output columns per panel. */
    public static final int PANEL = 16;
    /** Panels per single-token pass (the panel count is padded to a multiple of it). */
    static final int GROUP = 4;
    /** Tokens per register block of the Vector API kernel. */
    static final int BLOCK = 4;
    /** Half a panel: the bfloat16 columns packed into the low and the high halves of ints. */
    static final int HALF = PANEL / 2;

    /** Whether {@link #apply} runs {@code GemmVector} (same bits either way). */
    static final boolean VECTOR = VectorSupport.enabled();

    final int in;
    final int out;
    /** Panels held, a multiple of {@link #GROUP}; the last ones may be zero padding. */
    final int panels;
    final WeightPrecision precision;
    /**
     * Exactly one of the three holds the packed panels: float64 and float32 element (i, j) at
     * (j/16)·in·16 + i·16 + j%16; bfloat16 two to an int, columns c and c+8 of a panel in the low
     * and high half of int (j/16)·in·8 + i·8 + c (so that a kernel widens them with a shift and a
     * mask, which every vector unit has).
     */
    final double[] d;
    final float[] f;
    final int[] h;
    /** The bias padded to panels·16 (zeros where none). */
    final double[] bias;
    private final boolean hasBias;

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** Per-thread buffers: a widened panel and a tile for the columns past {@code out}. */
    static final class Scratch {
        double[] panel = new double[0];
        final double[] tile = new double[Math.max(BLOCK, GROUP) * PANEL];

        double[] panel(int length) {
            if (panel.length < length) {
                panel = new double[length];
            }
            return panel;
        }
    }

    /**
     * @param w    W row-major [out][in] (PyTorch's {@code nn.Linear.weight}); not kept
     * @param bias b [out], or null for none
     */
    public static Gemm ofRows(double[] w, int out, int in, double[] bias, WeightPrecision precision) {
        check(w, out, in, bias);
        return new Gemm(w, false, out, in, bias, precision);
    }

    /** @param wT Wᵀ row-major [in][out] (one row per input); not kept */
    public static Gemm ofTransposed(double[] wT, int in, int out, double[] bias, WeightPrecision precision) {
        check(wT, out, in, bias);
        return new Gemm(wT, true, out, in, bias, precision);
    }

    private static void check(double[] w, int out, int in, double[] bias) {
        if (in <= 0 || out <= 0) {
            throw new IllegalArgumentException("dense shape must be positive, got [" + out + ", " + in + "]");
        }
        if (w == null || w.length != (long) out * in) {
            throw new IllegalArgumentException("weight must hold " + out + "·" + in + " values, got "
                    + (w == null ? "none" : Integer.toString(w.length)));
        }
        if (bias != null && bias.length != out) {
            throw new IllegalArgumentException("bias must hold " + out + " values, got " + bias.length);
        }
    }

    private Gemm(double[] w, boolean transposed, int out, int in, double[] bias, WeightPrecision precision) {
        this.in = in;
        this.out = out;
        this.precision = Objects.requireNonNull(precision, "precision");
        int used = (out + PANEL - 1) / PANEL;
        this.panels = (used + GROUP - 1) / GROUP * GROUP;
        long size = (long) panels * in * PANEL;
        if (size > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("weight matrix [" + out + ", " + in + "] too large for one array");
        }
        int n = (int) size;
        this.d = precision == WeightPrecision.FLOAT64 ? new double[n] : null;
        this.f = precision == WeightPrecision.FLOAT32 ? new float[n] : null;
        this.h = precision == WeightPrecision.BFLOAT16 ? new int[n / 2] : null;
        for (int j = 0; j < out; j++) {
            int base = (j / PANEL) * in * PANEL + j % PANEL;
            for (int i = 0; i < in; i++) {
                double v = transposed ? w[i * out + j] : w[j * in + i];
                int k = base + i * PANEL;
                switch (precision) {
                    case FLOAT64:
                        d[k] = v;
                        break;
                    case FLOAT32:
                        f[k] = (float) v;
                        break;
                    default:
                        int c = j % PANEL;
                        int hk = (j / PANEL) * in * HALF + i * HALF + c % HALF;
                        int bits = bfloat16(v) & 0xFFFF;
                        h[hk] |= c < HALF ? bits : bits << 16;
                }
            }
        }
        this.bias = new double[panels * PANEL];
        this.hasBias = bias != null;
        if (bias != null) {
            System.arraycopy(bias, 0, this.bias, 0, out);
        }
    }

    /**
     * The bfloat16 nearest to v (ties to even) as its 16 bits: float32's sign and exponent and
     * the top 7 fraction bits. Rounded from v directly where the result is a normal number, so a
     * float64 is rounded once; below float32's smallest normal (2⁻¹²⁶) v is first rounded to a
     * float32. NaN stays NaN, too large values become ±infinity.
     */
    public static short bfloat16(double v) {
        if (Double.isNaN(v)) {
            return (short) 0x7FC0;
        }
        if (Math.abs(v) >= Float.MIN_NORMAL) {
            // drop the low 45 of float64's 52 fraction bits, rounding to nearest even
            long bits = Double.doubleToRawLongBits(v);
            bits += (1L << 44) - 1 + ((bits >>> 45) & 1);
            bits &= ~((1L << 45) - 1);
            v = Double.longBitsToDouble(bits); // exact in float32 unless it overflowed to ±inf there
        }
        int b = Float.floatToRawIntBits((float) v);
        b += 0x7FFF + ((b >>> 16) & 1);
        return (short) (b >>> 16);
    }

    /** The float value of bfloat16 bits (exact). */
    public static float widen(short bf16) {
        return Float.intBitsToFloat(bf16 << 16);
    }

    public int inputWidth() {
        return in;
    }

    public int outputWidth() {
        return out;
    }

    public WeightPrecision precision() {
        return precision;
    }

    public boolean hasBias() {
        return hasBias;
    }

    /** Bytes of the packed weights (with the padding panels) and of the bias, if any. */
    public long bytes() {
        return (long) panels * in * PANEL * precision.bytesPerWeight() + (hasBias ? 8L * bias.length : 0);
    }

    /** Floating-point operations of {@link #apply} for n tokens: 2·n·in·out (a multiply and an add per weight). */
    public long flops(int n) {
        return 2L * n * in * out;
    }

    /** w[j][i] as held (widened). */
    public double weight(int j, int i) {
        if (h != null) {
            int c = j % PANEL;
            int bits = h[(j / PANEL) * in * HALF + i * HALF + c % HALF];
            return Float.intBitsToFloat(c < HALF ? bits << 16 : bits & 0xFFFF0000);
        }
        int k = (j / PANEL) * in * PANEL + i * PANEL + j % PANEL;
        return d != null ? d[k] : f[k];
    }

    /** Row j of W (the weights of output j over the inputs, widened) into dst[off .. off+in). */
    public void row(int j, double[] dst, int off) {
        for (int i = 0; i < in; i++) {
            dst[off + i] = weight(j, i);
        }
    }

    /** y[yOff..yOff+out) = W x[xOff..xOff+in) + b for one token. */
    public void apply(double[] x, int xOff, double[] y, int yOff) {
        apply(x, xOff, in, 1, y, yOff, out);
    }

    /**
     * y[t][j] = b[j] + Σ_i x[t][i]·w[j][i] for t &lt; n (the order of the class comment), rows of
     * x at xOff + t·xStride, rows of y at yOff + t·yStride. y must not overlap x.
     */
    public void apply(double[] x, int xOff, int xStride, int n, double[] y, int yOff, int yStride) {
        apply(x, xOff, xStride, n, y, yOff, yStride, VECTOR);
    }

    /** {@link #apply} with the kernel chosen (tests compare the two). */
    void apply(double[] x, int xOff, int xStride, int n, double[] y, int yOff, int yStride, boolean vector) {
        if (n <= 0) {
            return;
        }
        Scratch s = SCRATCH.get();
        if (vector) {
            GemmVector.apply(this, x, xOff, xStride, n, y, yOff, yStride, s);
        } else {
            applyPlain(x, xOff, xStride, n, y, yOff, yStride, s);
        }
    }

    /** Panel p widened to float64 (the held array itself when float64); its offset via {@link #panelOffset}. */
    double[] panel(int p, Scratch s) {
        if (d != null) {
            return d;
        }
        int len = in * PANEL;
        double[] dst = s.panel(len);
        int off = p * len;
        if (f != null) {
            for (int k = 0; k < len; k++) {
                dst[k] = f[off + k];
            }
        } else {
            int ho = p * in * HALF;
            for (int i = 0; i < in; i++) {
                for (int c = 0; c < HALF; c++) {
                    int bits = h[ho + i * HALF + c];
                    dst[i * PANEL + c] = Float.intBitsToFloat(bits << 16);
                    dst[i * PANEL + HALF + c] = Float.intBitsToFloat(bits & 0xFFFF0000);
                }
            }
        }
        return dst;
    }

    int panelOffset(int p) {
        return d != null ? p * in * PANEL : 0;
    }

    /** Panels that hold outputs (the rest is padding). */
    int usedPanels() {
        return (out + PANEL - 1) / PANEL;
    }

    /**
     * The plain-Java kernel: panel by panel (widened once for all tokens), for each token the
     * panel's 16 chains {@code acc_c = fma(x_i, w_ic, acc_c)} over i in 16 locals: independent
     * scalar FMAs, which C2 keeps in registers (it does not vectorize this loop).
     */
    private void applyPlain(double[] x, int xOff, int xStride, int n, double[] y, int yOff, int yStride, Scratch s) {
        double[] acc = s.tile;
        for (int p = 0, used = usedPanels(); p < used; p++) {
            double[] w = panel(p, s);
            int wo = panelOffset(p);
            int j0 = p * PANEL;
            int width = Math.min(PANEL, out - j0);
            for (int t = 0; t < n; t++) {
                panelPlain(w, wo, x, xOff + t * xStride, j0, acc);
                System.arraycopy(acc, 0, y, yOff + t * yStride + j0, width);
            }
        }
    }

    /** One token × one float64 panel (at wo) → acc[0..16). */
    private void panelPlain(double[] w, int wo, double[] x, int xr, int j0, double[] acc) {
        double[] b = bias;
        double a0 = b[j0], a1 = b[j0 + 1], a2 = b[j0 + 2], a3 = b[j0 + 3];
        double a4 = b[j0 + 4], a5 = b[j0 + 5], a6 = b[j0 + 6], a7 = b[j0 + 7];
        double a8 = b[j0 + 8], a9 = b[j0 + 9], a10 = b[j0 + 10], a11 = b[j0 + 11];
        double a12 = b[j0 + 12], a13 = b[j0 + 13], a14 = b[j0 + 14], a15 = b[j0 + 15];
        for (int i = 0, k = wo; i < in; i++, k += PANEL) {
            double xi = x[xr + i];
            a0 = Math.fma(xi, w[k], a0);
            a1 = Math.fma(xi, w[k + 1], a1);
            a2 = Math.fma(xi, w[k + 2], a2);
            a3 = Math.fma(xi, w[k + 3], a3);
            a4 = Math.fma(xi, w[k + 4], a4);
            a5 = Math.fma(xi, w[k + 5], a5);
            a6 = Math.fma(xi, w[k + 6], a6);
            a7 = Math.fma(xi, w[k + 7], a7);
            a8 = Math.fma(xi, w[k + 8], a8);
            a9 = Math.fma(xi, w[k + 9], a9);
            a10 = Math.fma(xi, w[k + 10], a10);
            a11 = Math.fma(xi, w[k + 11], a11);
            a12 = Math.fma(xi, w[k + 12], a12);
            a13 = Math.fma(xi, w[k + 13], a13);
            a14 = Math.fma(xi, w[k + 14], a14);
            a15 = Math.fma(xi, w[k + 15], a15);
        }
        acc[0] = a0;
        acc[1] = a1;
        acc[2] = a2;
        acc[3] = a3;
        acc[4] = a4;
        acc[5] = a5;
        acc[6] = a6;
        acc[7] = a7;
        acc[8] = a8;
        acc[9] = a9;
        acc[10] = a10;
        acc[11] = a11;
        acc[12] = a12;
        acc[13] = a13;
        acc[14] = a14;
        acc[15] = a15;
    }
}
