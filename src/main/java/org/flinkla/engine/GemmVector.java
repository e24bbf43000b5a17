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

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Gemm#apply} with the JDK Vector API (incubating in Java 17: used only when the JVM runs
 * with {@code --add-modules jdk.incubator.vector}, see {@link VectorSupport}; nothing else may load
 * this class). Every output element is the chain acc = fma(x_i, w_i, acc) over ascending i from
 * the bias, as in the plain kernel: the accumulators only live in registers, so the bits are the
 * same. A panel of 16 columns is 2 vectors with AVX-512 (8 doubles) and 4 with AVX2; the kernels
 * take 2 vectors of it at a time.
 */
final class GemmVector {
    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** As many floats, shorts and ints as a vector holds doubles. */
    private static final VectorSpecies<Float> FS = VectorSpecies.of(float.class, VectorShape.forBitSize(L * 32));
    private static final VectorSpecies<Integer> IS = VectorSpecies.of(int.class, VectorShape.forBitSize(L * 32));
    private static final int P = Gemm.PANEL;
    private static final int H = Gemm.HALF;

    private GemmVector() {}

    static void apply(Gemm g, double[] x, int xOff, int xs, int n, double[] y, int yOff, int ys, Gemm.Scratch s) {
        int full = n - n % Gemm.BLOCK;
        int in = g.in;
        if (full > 0) {
            double[] tile = s.tile;
            for (int p = 0, used = g.usedPanels(); p < used; p++) {
                double[] w = panel(g, p, s);
                int wo = g.panelOffset(p);
                int j0 = p * P;
                int width = Math.min(P, g.out - j0);
                int t = 0;
                if (width == P) {
                    // eight tokens per pass where there are eight: 16 accumulators hide the FMA
                    // latency better than 8 (each output's chain is the same, so are its bits)
                    for (; t + 8 <= full; t += 8) {
                        block8(w, wo, in, x, xOff + t * xs, xs, g.bias, j0, y, yOff + t * ys + j0, ys);
                    }
                }
                for (; t < full; t += Gemm.BLOCK) {
                    int xr = xOff + t * xs;
                    if (width == P) {
                        block(w, wo, in, x, xr, xs, g.bias, j0, y, yOff + t * ys + j0, ys);
                    } else {
                        block(w, wo, in, x, xr, xs, g.bias, j0, tile, 0, P);
                        for (int b = 0; b < Gemm.BLOCK; b++) {
                            System.arraycopy(tile, b * P, y, yOff + (t + b) * ys + j0, width);
                        }
                    }
                }
            }
        }
        for (int t = full; t < n; t++) {
            single(g, x, xOff + t * xs, y, yOff + t * ys, s.tile);
        }
    }

    /**
     * {@link Gemm#panel} with the widening in vector registers (the same values: widening a float32
     * or a bfloat16 to float64 is exact). A scalar loop here took about a sixth of a model's chunk
     * time: each call of a block of tokens widens every panel once.
     */
    static double[] panel(Gemm g, int p, Gemm.Scratch s) {
        if (g.d != null) {
            return g.d;
        }
        int len = g.in * P;
        double[] dst = s.panel(len);
        if (g.f != null) {
            float[] f = g.f;
            int off = p * len;
            for (int k = 0; k < len; k += L) {   // len is a multiple of 16, L divides 16
                f(f, off + k).intoArray(dst, k);
            }
        } else {
            int[] h = g.h;
            int ho = p * g.in * H;
            for (int i = 0; i < g.in; i++) {
                for (int c = 0; c < H; c += L) {
                    IntVector v = IntVector.fromArray(IS, h, ho + i * H + c);
                    lo(v).intoArray(dst, i * P + c);
                    hi(v).intoArray(dst, i * P + H + c);
                }
            }
        }
        return dst;
    }

    /** Four tokens (rows x0, x0 + xs, ..) × one panel (at wo, float64) → y[y0 + t·ys + 0..16). */
    private static void block(double[] w, int wo, int in, double[] x, int x0, int xs, double[] bias, int j0,
                              double[] y, int y0, int ys) {
        for (int c = 0; c < P; c += 2 * L) {
            DoubleVector b0 = DoubleVector.fromArray(S, bias, j0 + c);
            DoubleVector b1 = DoubleVector.fromArray(S, bias, j0 + c + L);
            DoubleVector a00 = b0, a01 = b1, a10 = b0, a11 = b1, a20 = b0, a21 = b1, a30 = b0, a31 = b1;
            for (int i = 0, k = wo + c; i < in; i++, k += P) {
                DoubleVector w0 = DoubleVector.fromArray(S, w, k);
                DoubleVector w1 = DoubleVector.fromArray(S, w, k + L);
                DoubleVector s0 = DoubleVector.broadcast(S, x[x0 + i]);
                DoubleVector s1 = DoubleVector.broadcast(S, x[x0 + xs + i]);
                DoubleVector s2 = DoubleVector.broadcast(S, x[x0 + 2 * xs + i]);
                DoubleVector s3 = DoubleVector.broadcast(S, x[x0 + 3 * xs + i]);
                a00 = w0.fma(s0, a00);
                a01 = w1.fma(s0, a01);
                a10 = w0.fma(s1, a10);
                a11 = w1.fma(s1, a11);
                a20 = w0.fma(s2, a20);
                a21 = w1.fma(s2, a21);
                a30 = w0.fma(s3, a30);
                a31 = w1.fma(s3, a31);
            }
            a00.intoArray(y, y0 + c);
            a01.intoArray(y, y0 + c + L);
            a10.intoArray(y, y0 + ys + c);
            a11.intoArray(y, y0 + ys + c + L);
            a20.intoArray(y, y0 + 2 * ys + c);
            a21.intoArray(y, y0 + 2 * ys + c + L);
            a30.intoArray(y, y0 + 3 * ys + c);
            a31.intoArray(y, y0 + 3 * ys + c + L);
        }
    }

    /** Eight tokens (rows x0, x0 + xs, ..) × one panel (at wo, float64) → y[y0 + t·ys + 0..16). */
    private static void block8(double[] w, int wo, int in, double[] x, int x0, int xs, double[] bias, int j0,
                               double[] y, int y0, int ys) {
        for (int c = 0; c < P; c += 2 * L) {
            DoubleVector b0 = DoubleVector.fromArray(S, bias, j0 + c);
            DoubleVector b1 = DoubleVector.fromArray(S, bias, j0 + c + L);
            DoubleVector a00 = b0, a01 = b1, a10 = b0, a11 = b1, a20 = b0, a21 = b1, a30 = b0, a31 = b1;
            DoubleVector a40 = b0, a41 = b1, a50 = b0, a51 = b1, a60 = b0, a61 = b1, a70 = b0, a71 = b1;
            int x4 = x0 + 4 * xs;
            for (int i = 0, k = wo + c; i < in; i++, k += P) {
                DoubleVector w0 = DoubleVector.fromArray(S, w, k);
                DoubleVector w1 = DoubleVector.fromArray(S, w, k + L);
                DoubleVector s = DoubleVector.broadcast(S, x[x0 + i]);
                a00 = w0.fma(s, a00);
                a01 = w1.fma(s, a01);
                s = DoubleVector.broadcast(S, x[x0 + xs + i]);
                a10 = w0.fma(s, a10);
                a11 = w1.fma(s, a11);
                s = DoubleVector.broadcast(S, x[x0 + 2 * xs + i]);
                a20 = w0.fma(s, a20);
                a21 = w1.fma(s, a21);
                s = DoubleVector.broadcast(S, x[x0 + 3 * xs + i]);
                a30 = w0.fma(s, a30);
                a31 = w1.fma(s, a31);
                s = DoubleVector.broadcast(S, x[x4 + i]);
                a40 = w0.fma(s, a40);
                a41 = w1.fma(s, a41);
                s = DoubleVector.broadcast(S, x[x4 + xs + i]);
                a50 = w0.fma(s, a50);
                a51 = w1.fma(s, a51);
                s = DoubleVector.broadcast(S, x[x4 + 2 * xs + i]);
                a60 = w0.fma(s, a60);
                a61 = w1.fma(s, a61);
                s = DoubleVector.broadcast(S, x[x4 + 3 * xs + i]);
                a70 = w0.fma(s, a70);
                a71 = w1.fma(s, a71);
            }
            a00.intoArray(y, y0 + c);
            a01.intoArray(y, y0 + c + L);
            a10.intoArray(y, y0 + ys + c);
            a11.intoArray(y, y0 + ys + c + L);
            a20.intoArray(y, y0 + 2 * ys + c);
            a21.intoArray(y, y0 + 2 * ys + c + L);
            a30.intoArray(y, y0 + 3 * ys + c);
            a31.intoArray(y, y0 + 3 * ys + c + L);
            int y4 = y0 + 4 * ys;
            a40.intoArray(y, y4 + c);
            a41.intoArray(y, y4 + c + L);
            a50.intoArray(y, y4 + ys + c);
            a51.intoArray(y, y4 + ys + c + L);
            a60.intoArray(y, y4 + 2 * ys + c);
            a61.intoArray(y, y4 + 2 * ys + c + L);
            a70.intoArray(y, y4 + 3 * ys + c);
            a71.intoArray(y, y4 + 3 * ys + c + L);
        }
    }

    /** One token against every panel, {@link Gemm#GROUP} panels (64 columns) per pass. */
    private static void single(Gemm g, double[] x, int xo, double[] y, int yo, double[] tile) {
        int cols = Gemm.GROUP * P;
        int groupLength = Gemm.GROUP * g.in * P;
        for (int j0 = 0, base = 0; j0 < g.out; j0 += cols, base += groupLength) {
            boolean whole = j0 + cols <= g.out;
            double[] dst = whole ? y : tile;
            int to = whole ? yo + j0 : 0;
            if (g.d != null) {
                singleD(g.d, base, g.in, x, xo, g.bias, j0, dst, to);
            } else if (g.f != null) {
                singleF(g.f, base, g.in, x, xo, g.bias, j0, dst, to);
            } else {
                singleH(g.h, base, g.in, x, xo, g.bias, j0, dst, to);
            }
            if (!whole) {
                System.arraycopy(tile, 0, y, yo + j0, g.out - j0);
            }
        }
    }

    // The three single-token kernels differ only in how a vector of weights is loaded (float64 as
    // is, float32 and bfloat16 widened); one method each keeps every vector in a register (a shared
    // method choosing the load inside the loop makes C2 box the vectors).

    /** One token × panels base.. base+4·in·16 (float64): 8 chains of 2 vectors × 4 panels per pass. */
    private static void singleD(double[] w, int base, int in, double[] x, int xo, double[] bias, int j0,
                                double[] y, int yo) {
        int ps = in * P;
        for (int c = 0; c < P; c += 2 * L) {
            DoubleVector a00 = DoubleVector.fromArray(S, bias, j0 + c);
            DoubleVector a01 = DoubleVector.fromArray(S, bias, j0 + c + L);
            DoubleVector a10 = DoubleVector.fromArray(S, bias, j0 + P + c);
            DoubleVector a11 = DoubleVector.fromArray(S, bias, j0 + P + c + L);
            DoubleVector a20 = DoubleVector.fromArray(S, bias, j0 + 2 * P + c);
            DoubleVector a21 = DoubleVector.fromArray(S, bias, j0 + 2 * P + c + L);
            DoubleVector a30 = DoubleVector.fromArray(S, bias, j0 + 3 * P + c);
            DoubleVector a31 = DoubleVector.fromArray(S, bias, j0 + 3 * P + c + L);
            for (int i = 0, k = base + c; i < in; i++, k += P) {
                DoubleVector s = DoubleVector.broadcast(S, x[xo + i]);
                a00 = DoubleVector.fromArray(S, w, k).fma(s, a00);
                a01 = DoubleVector.fromArray(S, w, k + L).fma(s, a01);
                a10 = DoubleVector.fromArray(S, w, k + ps).fma(s, a10);
                a11 = DoubleVector.fromArray(S, w, k + ps + L).fma(s, a11);
                a20 = DoubleVector.fromArray(S, w, k + 2 * ps).fma(s, a20);
                a21 = DoubleVector.fromArray(S, w, k + 2 * ps + L).fma(s, a21);
                a30 = DoubleVector.fromArray(S, w, k + 3 * ps).fma(s, a30);
                a31 = DoubleVector.fromArray(S, w, k + 3 * ps + L).fma(s, a31);
            }
            store(y, yo + c, a00, a01, a10, a11, a20, a21, a30, a31);
        }
    }

    /** {@link #singleD} with float32 weights. */
    private static void singleF(float[] w, int base, int in, double[] x, int xo, double[] bias, int j0,
                                double[] y, int yo) {
        int ps = in * P;
        for (int c = 0; c < P; c += 2 * L) {
            DoubleVector a00 = DoubleVector.fromArray(S, bias, j0 + c);
            DoubleVector a01 = DoubleVector.fromArray(S, bias, j0 + c + L);
            DoubleVector a10 = DoubleVector.fromArray(S, bias, j0 + P + c);
            DoubleVector a11 = DoubleVector.fromArray(S, bias, j0 + P + c + L);
            DoubleVector a20 = DoubleVector.fromArray(S, bias, j0 + 2 * P + c);
            DoubleVector a21 = DoubleVector.fromArray(S, bias, j0 + 2 * P + c + L);
            DoubleVector a30 = DoubleVector.fromArray(S, bias, j0 + 3 * P + c);
            DoubleVector a31 = DoubleVector.fromArray(S, bias, j0 + 3 * P + c + L);
            for (int i = 0, k = base + c; i < in; i++, k += P) {
                DoubleVector s = DoubleVector.broadcast(S, x[xo + i]);
                a00 = f(w, k).fma(s, a00);
                a01 = f(w, k + L).fma(s, a01);
                a10 = f(w, k + ps).fma(s, a10);
                a11 = f(w, k + ps + L).fma(s, a11);
                a20 = f(w, k + 2 * ps).fma(s, a20);
                a21 = f(w, k + 2 * ps + L).fma(s, a21);
                a30 = f(w, k + 3 * ps).fma(s, a30);
                a31 = f(w, k + 3 * ps + L).fma(s, a31);
            }
            store(y, yo + c, a00, a01, a10, a11, a20, a21, a30, a31);
        }
    }

    /**
     * {@link #singleD} with bfloat16 weights: an int vector of a panel row holds columns c.. in its
     * low halves and c+8.. in its high halves, so the two vectors of a pass are columns c..c+L-1
     * and 8+c..8+c+L-1, c = 0, L, .. below 8.
     */
    private static void singleH(int[] w, int base, int in, double[] x, int xo, double[] bias, int j0,
                                double[] y, int yo) {
        int ps = in * H;
        for (int c = 0; c < H; c += L) {
            DoubleVector a00 = DoubleVector.fromArray(S, bias, j0 + c);
            DoubleVector a01 = DoubleVector.fromArray(S, bias, j0 + c + H);
            DoubleVector a10 = DoubleVector.fromArray(S, bias, j0 + P + c);
            DoubleVector a11 = DoubleVector.fromArray(S, bias, j0 + P + c + H);
            DoubleVector a20 = DoubleVector.fromArray(S, bias, j0 + 2 * P + c);
            DoubleVector a21 = DoubleVector.fromArray(S, bias, j0 + 2 * P + c + H);
            DoubleVector a30 = DoubleVector.fromArray(S, bias, j0 + 3 * P + c);
            DoubleVector a31 = DoubleVector.fromArray(S, bias, j0 + 3 * P + c + H);
            for (int i = 0, k = base / 2 + c; i < in; i++, k += H) {
                DoubleVector s = DoubleVector.broadcast(S, x[xo + i]);
                IntVector v0 = IntVector.fromArray(IS, w, k);
                IntVector v1 = IntVector.fromArray(IS, w, k + ps);
                IntVector v2 = IntVector.fromArray(IS, w, k + 2 * ps);
                IntVector v3 = IntVector.fromArray(IS, w, k + 3 * ps);
                a00 = lo(v0).fma(s, a00);
                a01 = hi(v0).fma(s, a01);
                a10 = lo(v1).fma(s, a10);
                a11 = hi(v1).fma(s, a11);
                a20 = lo(v2).fma(s, a20);
                a21 = hi(v2).fma(s, a21);
                a30 = lo(v3).fma(s, a30);
                a31 = hi(v3).fma(s, a31);
            }
            a00.intoArray(y, yo + c);
            a01.intoArray(y, yo + c + H);
            a10.intoArray(y, yo + P + c);
            a11.intoArray(y, yo + P + c + H);
            a20.intoArray(y, yo + 2 * P + c);
            a21.intoArray(y, yo + 2 * P + c + H);
            a30.intoArray(y, yo + 3 * P + c);
            a31.intoArray(y, yo + 3 * P + c + H);
        }
    }

    /** The accumulators of panel q at y[yo + q·16 ..], two vectors each. */
    private static void store(double[] y, int yo, DoubleVector a00, DoubleVector a01, DoubleVector a10,
                              DoubleVector a11, DoubleVector a20, DoubleVector a21, DoubleVector a30,
                              DoubleVector a31) {
        a00.intoArray(y, yo);
        a01.intoArray(y, yo + L);
        a10.intoArray(y, yo + P);
        a11.intoArray(y, yo + P + L);
        a20.intoArray(y, yo + 2 * P);
        a21.intoArray(y, yo + 2 * P + L);
        a30.intoArray(y, yo + 3 * P);
        a31.intoArray(y, yo + 3 * P + L);
    }

    /** L float32 weights from k, widened exactly. */
    private static DoubleVector f(float[] w, int k) {
        return (DoubleVector) FloatVector.fromArray(FS, w, k).convertShape(VectorOperators.F2D, S, 0);
    }

    /** The bfloat16 weights in the low halves of v, widened exactly (their bits are the top half of a float32). */
    private static DoubleVector lo(IntVector v) {
        return (DoubleVector) v.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats()
                .convertShape(VectorOperators.F2D, S, 0);
    }

    /** The bfloat16 weights in the high halves of v, widened exactly. */
    private static DoubleVector hi(IntVector v) {
        return (DoubleVector) v.and(0xFFFF0000).reinterpretAsFloats().convertShape(VectorOperators.F2D, S, 0);
    }

    /**
     * The machine's FMA peak on one core: {@code chains} independent accumulator vectors, each
     * updated a = a·m + c {@code rounds} times (enough chains to hide the FMA latency). Returns the
     * number of floating-point operations done (2 per lane per FMA); the caller times it.
     * The result lands in {@code sink[0]} so the loop cannot be removed.
     */
    static long fmaPeakDouble(long rounds, double[] sink) {
        DoubleVector m = DoubleVector.broadcast(S, 0.999999);
        DoubleVector c = DoubleVector.broadcast(S, 1e-7);
        DoubleVector a0 = DoubleVector.broadcast(S, 1.0), a1 = a0.add(1), a2 = a0.add(2), a3 = a0.add(3);
        DoubleVector a4 = a0.add(4), a5 = a0.add(5), a6 = a0.add(6), a7 = a0.add(7);
        DoubleVector a8 = a0.add(8), a9 = a0.add(9), a10 = a0.add(10), a11 = a0.add(11);
        for (long r = 0; r < rounds; r++) {
            a0 = a0.fma(m, c);
            a1 = a1.fma(m, c);
            a2 = a2.fma(m, c);
            a3 = a3.fma(m, c);
            a4 = a4.fma(m, c);
            a5 = a5.fma(m, c);
            a6 = a6.fma(m, c);
            a7 = a7.fma(m, c);
            a8 = a8.fma(m, c);
            a9 = a9.fma(m, c);
            a10 = a10.fma(m, c);
            a11 = a11.fma(m, c);
        }
        sink[0] += a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                .reduceLanes(VectorOperators.ADD);
        return rounds * 12L * L * 2;
    }

    /** {@link #fmaPeakDouble} in float32 lanes (twice as many per vector). */
    static long fmaPeakFloat(long rounds, double[] sink) {
        VectorSpecies<Float> fs = FloatVector.SPECIES_PREFERRED;
        FloatVector m = FloatVector.broadcast(fs, 0.999999f);
        FloatVector c = FloatVector.broadcast(fs, 1e-7f);
        FloatVector a0 = FloatVector.broadcast(fs, 1f), a1 = a0.add(1), a2 = a0.add(2), a3 = a0.add(3);
        FloatVector a4 = a0.add(4), a5 = a0.add(5), a6 = a0.add(6), a7 = a0.add(7);
        FloatVector a8 = a0.add(8), a9 = a0.add(9), a10 = a0.add(10), a11 = a0.add(11);
        for (long r = 0; r < rounds; r++) {
            a0 = a0.fma(m, c);
            a1 = a1.fma(m, c);
            a2 = a2.fma(m, c);
            a3 = a3.fma(m, c);
            a4 = a4.fma(m, c);
            a5 = a5.fma(m, c);
            a6 = a6.fma(m, c);
            a7 = a7.fma(m, c);
            a8 = a8.fma(m, c);
            a9 = a9.fma(m, c);
            a10 = a10.fma(m, c);
            a11 = a11.fma(m, c);
        }
        sink[0] += a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                .reduceLanes(VectorOperators.ADD);
        return rounds * 12L * fs.length() * 2;
    }
}
