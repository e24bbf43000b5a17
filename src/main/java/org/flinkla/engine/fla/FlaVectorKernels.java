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

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link FlaMath#matmul} with the JDK Vector API (incubating in Java 17: used only when the JVM
 * runs with {@code --add-modules jdk.incubator.vector}, see {@code VectorSupport}; nothing else
 * may load this class).
 *
 * <p><b>Same bits as the scalar loop.</b> Each output y[t][j] = Σ_i x[t][i]·wT[i][j] is
 * accumulated over i in ascending order with a separate multiply and add (no fused multiply-add),
 * exactly as the scalar loop accumulates it; only where the running sum lives differs (a vector
 * register instead of memory). So outputs and states are bit-identical with and without the
 * module, and for any number of tokens per call.
 *
 * <p><b>Why.</b> The scalar loop is a rank-1 update of the whole output block per input row: it
 * reads and writes the outputs once per input element. Here blocks of 4 tokens × 2 vectors of
 * columns (or 1 token × 8 vectors) stay in registers over all inputs, and each block of weight
 * columns is read once per 4 tokens from cache. (4 × 3 blocks were tried: C2 in Java 17 then
 * leaves some vector operations unintrinsified and allocates per call.)
 */
final class FlaVectorKernels {
    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    static final int LANES = S.length();
    /** As many floats as a vector holds doubles. */
    private static final VectorSpecies<Float> F = VectorSpecies.of(float.class, VectorShape.forBitSize(LANES * 32));

    private FlaVectorKernels() {}

    static void matmul(double[] x, int xOff, int xStride, int n, int in,
                       double[] wT, int out, double[] y, int yOff, int yStride) {
        int t = 0;
        for (; t + 3 < n; t += 4) {
            four(x, xOff + t * xStride, xStride, in, wT, out, y, yOff + t * yStride, yStride);
        }
        for (; t < n; t++) {
            one(x, xOff + t * xStride, in, wT, out, y, yOff + t * yStride);
        }
    }

    /** Four tokens (rows of x at x0, x0 + xs, ...), all columns. */
    private static void four(double[] x, int x0, int xs, int in, double[] wT, int out, double[] y, int y0, int ys) {
        int w2 = 2 * LANES;
        int j = 0;
        for (; j + w2 <= out; j += w2) {
            DoubleVector a00 = DoubleVector.zero(S), a01 = a00;
            DoubleVector a10 = a00, a11 = a00;
            DoubleVector a20 = a00, a21 = a00;
            DoubleVector a30 = a00, a31 = a00;
            for (int i = 0; i < in; i++) {
                int w = i * out + j;
                DoubleVector b0 = DoubleVector.fromArray(S, wT, w);
                DoubleVector b1 = DoubleVector.fromArray(S, wT, w + LANES);
                double s0 = x[x0 + i];
                double s1 = x[x0 + xs + i];
                double s2 = x[x0 + 2 * xs + i];
                double s3 = x[x0 + 3 * xs + i];
                a00 = a00.add(b0.mul(s0));
                a01 = a01.add(b1.mul(s0));
                a10 = a10.add(b0.mul(s1));
                a11 = a11.add(b1.mul(s1));
                a20 = a20.add(b0.mul(s2));
                a21 = a21.add(b1.mul(s2));
                a30 = a30.add(b0.mul(s3));
                a31 = a31.add(b1.mul(s3));
            }
            a00.intoArray(y, y0 + j);
            a01.intoArray(y, y0 + j + LANES);
            a10.intoArray(y, y0 + ys + j);
            a11.intoArray(y, y0 + ys + j + LANES);
            a20.intoArray(y, y0 + 2 * ys + j);
            a21.intoArray(y, y0 + 2 * ys + j + LANES);
            a30.intoArray(y, y0 + 3 * ys + j);
            a31.intoArray(y, y0 + 3 * ys + j + LANES);
        }
        for (; j + LANES <= out; j += LANES) {
            DoubleVector a0 = DoubleVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
            for (int i = 0; i < in; i++) {
                DoubleVector b = DoubleVector.fromArray(S, wT, i * out + j);
                a0 = a0.add(b.mul(x[x0 + i]));
                a1 = a1.add(b.mul(x[x0 + xs + i]));
                a2 = a2.add(b.mul(x[x0 + 2 * xs + i]));
                a3 = a3.add(b.mul(x[x0 + 3 * xs + i]));
            }
            a0.intoArray(y, y0 + j);
            a1.intoArray(y, y0 + ys + j);
            a2.intoArray(y, y0 + 2 * ys + j);
            a3.intoArray(y, y0 + 3 * ys + j);
        }
        for (int t = 0; t < 4; t++) {
            scalarColumns(x, x0 + t * xs, in, wT, out, j, y, y0 + t * ys);
        }
    }

    /** One token, all columns: 8 vectors of columns per pass over the inputs. */
    private static void one(double[] x, int x0, int in, double[] wT, int out, double[] y, int y0) {
        int w8 = 8 * LANES;
        int j = 0;
        for (; j + w8 <= out; j += w8) {
            DoubleVector a0 = DoubleVector.zero(S), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
            for (int i = 0; i < in; i++) {
                int w = i * out + j;
                double s = x[x0 + i];
                a0 = a0.add(DoubleVector.fromArray(S, wT, w).mul(s));
                a1 = a1.add(DoubleVector.fromArray(S, wT, w + LANES).mul(s));
                a2 = a2.add(DoubleVector.fromArray(S, wT, w + 2 * LANES).mul(s));
                a3 = a3.add(DoubleVector.fromArray(S, wT, w + 3 * LANES).mul(s));
                a4 = a4.add(DoubleVector.fromArray(S, wT, w + 4 * LANES).mul(s));
                a5 = a5.add(DoubleVector.fromArray(S, wT, w + 5 * LANES).mul(s));
                a6 = a6.add(DoubleVector.fromArray(S, wT, w + 6 * LANES).mul(s));
                a7 = a7.add(DoubleVector.fromArray(S, wT, w + 7 * LANES).mul(s));
            }
            a0.intoArray(y, y0 + j);
            a1.intoArray(y, y0 + j + LANES);
            a2.intoArray(y, y0 + j + 2 * LANES);
            a3.intoArray(y, y0 + j + 3 * LANES);
            a4.intoArray(y, y0 + j + 4 * LANES);
            a5.intoArray(y, y0 + j + 5 * LANES);
            a6.intoArray(y, y0 + j + 6 * LANES);
            a7.intoArray(y, y0 + j + 7 * LANES);
        }
        for (; j + LANES <= out; j += LANES) {
            DoubleVector a = DoubleVector.zero(S);
            for (int i = 0; i < in; i++) {
                a = a.add(DoubleVector.fromArray(S, wT, i * out + j).mul(x[x0 + i]));
            }
            a.intoArray(y, y0 + j);
        }
        scalarColumns(x, x0, in, wT, out, j, y, y0);
    }

    /** Columns from j0 on, one at a time, same order over i. */
    private static void scalarColumns(double[] x, int x0, int in, double[] wT, int out, int j0, double[] y, int y0) {
        for (int j = j0; j < out; j++) {
            double a = 0;
            for (int i = 0; i < in; i++) {
                a += x[x0 + i] * wT[i * out + j];
            }
            y[y0 + j] = a;
        }
    }

    /** Lanes of the eight partial sums of {@link FlaMath#dot}: 8 doubles as one vector (AVX-512) or two (AVX2). */
    private static final VectorSpecies<Double> DOT = VectorSpecies.of(double.class, VectorShape.forBitSize(
            Math.min(LANES, 8) * 64));

    /** {@link FlaMath#dotScalar} with its eight partial sums in vector lanes: the same bits. */
    static double dot(double[] a, int aOff, double[] b, int bOff, int n) {
        int n8 = n & ~7;
        double s0, s1, s2, s3, s4, s5, s6, s7;
        if (DOT.length() == 8) {
            DoubleVector acc = DoubleVector.zero(DOT);
            for (int j = 0; j < n8; j += 8) {
                acc = acc.add(DoubleVector.fromArray(DOT, a, aOff + j).mul(DoubleVector.fromArray(DOT, b, bOff + j)));
            }
            s0 = acc.lane(0);
            s1 = acc.lane(1);
            s2 = acc.lane(2);
            s3 = acc.lane(3);
            s4 = acc.lane(4);
            s5 = acc.lane(5);
            s6 = acc.lane(6);
            s7 = acc.lane(7);
        } else if (DOT.length() == 4) {
            DoubleVector lo = DoubleVector.zero(DOT);
            DoubleVector hi = lo;
            for (int j = 0; j < n8; j += 8) {
                lo = lo.add(DoubleVector.fromArray(DOT, a, aOff + j).mul(DoubleVector.fromArray(DOT, b, bOff + j)));
                hi = hi.add(DoubleVector.fromArray(DOT, a, aOff + j + 4).mul(DoubleVector.fromArray(DOT, b, bOff + j + 4)));
            }
            s0 = lo.lane(0);
            s1 = lo.lane(1);
            s2 = lo.lane(2);
            s3 = lo.lane(3);
            s4 = hi.lane(0);
            s5 = hi.lane(1);
            s6 = hi.lane(2);
            s7 = hi.lane(3);
        } else {
            return FlaMath.dotScalar(a, aOff, b, bOff, n);
        }
        for (int j = n8; j < n; j++) {
            s0 += a[aOff + j] * b[bOff + j];
        }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }

    /** Whether {@link #deltaHead} applies: eight-lane vectors and rows of a multiple of 8. */
    static boolean deltaHeadApplies(int dk) {
        // Off in the stepper for now: on Java 17's C2 the vectors that meet after the float64/float32
        // choice in the row loop are boxed, and the head allocates ~60 KB per token (FlaStateTest's
        // allocation check). The kernel stays, tested for its bits, until it is split per precision.
        return false;
    }

    /** Whether the vector shapes {@link #deltaHead} needs exist on this machine (for its own tests). */
    static boolean deltaHeadSupported(int dk) {
        return DOT.length() == 8 && LANES == 8 && dk % 8 == 0;
    }

    /**
     * The delta-rule head of {@code FlaStepper.deltaHead} in vector registers (only when
     * {@link #deltaHeadApplies}): per row of S, x = a·S_row, u = β(v_i − x·k), S_row = x + u·k,
     * o_i = S_row·q, the dot products as {@link FlaMath#dot} (eight lanes = its eight partial sums);
     * the same bits as the scalar head. Exactly one of sd (float64 state) and sf (float32: widened,
     * stored rounded to nearest) is given.
     */
    static void deltaHead(double[] sd, float[] sf, int base, int dv, int dk, double a, double beta,
                          double[] p, int q, int k, int v, double[] o, int out) {
        for (int i = 0; i < dv; i++) {
            int r = base + i * dk;
            DoubleVector acc = DoubleVector.zero(DOT);
            for (int j = 0; j < dk; j += 8) {
                DoubleVector x = sd != null ? DoubleVector.fromArray(DOT, sd, r + j) : widen8(sf, r + j);
                if (a != 1.0) {
                    x = x.mul(a);
                }
                acc = acc.add(x.mul(DoubleVector.fromArray(DOT, p, k + j)));
            }
            double u = beta * (p[v + i] - tree(acc));
            acc = DoubleVector.zero(DOT);
            for (int j = 0; j < dk; j += 8) {
                DoubleVector x = sd != null ? DoubleVector.fromArray(DOT, sd, r + j) : widen8(sf, r + j);
                if (a != 1.0) {
                    x = x.mul(a);
                }
                DoubleVector kj = DoubleVector.fromArray(DOT, p, k + j);
                x = x.add(kj.mul(u));
                if (sd != null) {
                    x.intoArray(sd, r + j);
                } else {
                    ((FloatVector) x.convertShape(VectorOperators.D2F, F8, 0)).intoArray(sf, r + j);
                }
                acc = acc.add(x.mul(DoubleVector.fromArray(DOT, p, q + j)));
            }
            o[out + i] = tree(acc);
        }
    }

    private static final VectorSpecies<Float> F8 = VectorSpecies.of(float.class, VectorShape.forBitSize(256));

    private static DoubleVector widen8(float[] s, int i) {
        return (DoubleVector) FloatVector.fromArray(F8, s, i).convertShape(VectorOperators.F2D, DOT, 0);
    }

    /** ((l0 + l1) + (l2 + l3)) + ((l4 + l5) + (l6 + l7)) of an eight-lane vector. */
    private static double tree(DoubleVector acc) {
        return ((acc.lane(0) + acc.lane(1)) + (acc.lane(2) + acc.lane(3)))
                + ((acc.lane(4) + acc.lane(5)) + (acc.lane(6) + acc.lane(7)));
    }

    /** {@link #matmul} with float32 weights, each widened exactly to float64 before its product. */
    static void matmul(double[] x, int xOff, int xStride, int n, int in,
                       float[] wT, int out, double[] y, int yOff, int yStride) {
        int t = 0;
        for (; t + 3 < n; t += 4) {
            four32(x, xOff + t * xStride, xStride, in, wT, out, y, yOff + t * yStride, yStride);
        }
        for (; t < n; t++) {
            one32(x, xOff + t * xStride, in, wT, out, y, yOff + t * yStride);
        }
    }

    /** LANES floats of w from i, widened to doubles (exactly). */
    private static DoubleVector widen(float[] w, int i) {
        return (DoubleVector) FloatVector.fromArray(F, w, i).convertShape(VectorOperators.F2D, S, 0);
    }

    /** {@code four} with float32 weights (widened exactly). Four tokens (rows of x at x0, x0 + xs, ...), all columns. */
    private static void four32(double[] x, int x0, int xs, int in, float[] wT, int out, double[] y, int y0, int ys) {
        int w2 = 2 * LANES;
        int j = 0;
        for (; j + w2 <= out; j += w2) {
            DoubleVector a00 = DoubleVector.zero(S), a01 = a00;
            DoubleVector a10 = a00, a11 = a00;
            DoubleVector a20 = a00, a21 = a00;
            DoubleVector a30 = a00, a31 = a00;
            for (int i = 0; i < in; i++) {
                int w = i * out + j;
                DoubleVector b0 = widen(wT, w);
                DoubleVector b1 = widen(wT, w + LANES);
                double s0 = x[x0 + i];
                double s1 = x[x0 + xs + i];
                double s2 = x[x0 + 2 * xs + i];
                double s3 = x[x0 + 3 * xs + i];
                a00 = a00.add(b0.mul(s0));
                a01 = a01.add(b1.mul(s0));
                a10 = a10.add(b0.mul(s1));
                a11 = a11.add(b1.mul(s1));
                a20 = a20.add(b0.mul(s2));
                a21 = a21.add(b1.mul(s2));
                a30 = a30.add(b0.mul(s3));
                a31 = a31.add(b1.mul(s3));
            }
            a00.intoArray(y, y0 + j);
            a01.intoArray(y, y0 + j + LANES);
            a10.intoArray(y, y0 + ys + j);
            a11.intoArray(y, y0 + ys + j + LANES);
            a20.intoArray(y, y0 + 2 * ys + j);
            a21.intoArray(y, y0 + 2 * ys + j + LANES);
            a30.intoArray(y, y0 + 3 * ys + j);
            a31.intoArray(y, y0 + 3 * ys + j + LANES);
        }
        for (; j + LANES <= out; j += LANES) {
            DoubleVector a0 = DoubleVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
            for (int i = 0; i < in; i++) {
                DoubleVector b = widen(wT, i * out + j);
                a0 = a0.add(b.mul(x[x0 + i]));
                a1 = a1.add(b.mul(x[x0 + xs + i]));
                a2 = a2.add(b.mul(x[x0 + 2 * xs + i]));
                a3 = a3.add(b.mul(x[x0 + 3 * xs + i]));
            }
            a0.intoArray(y, y0 + j);
            a1.intoArray(y, y0 + ys + j);
            a2.intoArray(y, y0 + 2 * ys + j);
            a3.intoArray(y, y0 + 3 * ys + j);
        }
        for (int t = 0; t < 4; t++) {
            scalarColumns32(x, x0 + t * xs, in, wT, out, j, y, y0 + t * ys);
        }
    }

    /** {@code one} with float32 weights. One token, all columns: 8 vectors of columns per pass over the inputs. */
    private static void one32(double[] x, int x0, int in, float[] wT, int out, double[] y, int y0) {
        int w8 = 8 * LANES;
        int j = 0;
        for (; j + w8 <= out; j += w8) {
            DoubleVector a0 = DoubleVector.zero(S), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
            for (int i = 0; i < in; i++) {
                int w = i * out + j;
                double s = x[x0 + i];
                a0 = a0.add(widen(wT, w).mul(s));
                a1 = a1.add(widen(wT, w + LANES).mul(s));
                a2 = a2.add(widen(wT, w + 2 * LANES).mul(s));
                a3 = a3.add(widen(wT, w + 3 * LANES).mul(s));
                a4 = a4.add(widen(wT, w + 4 * LANES).mul(s));
                a5 = a5.add(widen(wT, w + 5 * LANES).mul(s));
                a6 = a6.add(widen(wT, w + 6 * LANES).mul(s));
                a7 = a7.add(widen(wT, w + 7 * LANES).mul(s));
            }
            a0.intoArray(y, y0 + j);
            a1.intoArray(y, y0 + j + LANES);
            a2.intoArray(y, y0 + j + 2 * LANES);
            a3.intoArray(y, y0 + j + 3 * LANES);
            a4.intoArray(y, y0 + j + 4 * LANES);
            a5.intoArray(y, y0 + j + 5 * LANES);
            a6.intoArray(y, y0 + j + 6 * LANES);
            a7.intoArray(y, y0 + j + 7 * LANES);
        }
        for (; j + LANES <= out; j += LANES) {
            DoubleVector a = DoubleVector.zero(S);
            for (int i = 0; i < in; i++) {
                a = a.add(widen(wT, i * out + j).mul(x[x0 + i]));
            }
            a.intoArray(y, y0 + j);
        }
        scalarColumns32(x, x0, in, wT, out, j, y, y0);
    }

    /** {@code scalarColumns} with float32 weights. Columns from j0 on, one at a time, same order over i. */
    private static void scalarColumns32(double[] x, int x0, int in, float[] wT, int out, int j0, double[] y, int y0) {
        for (int j = j0; j < out; j++) {
            double a = 0;
            for (int i = 0; i < in; i++) {
                a += x[x0 + i] * wT[i * out + j];
            }
            y[y0 + j] = a;
        }
    }
}
