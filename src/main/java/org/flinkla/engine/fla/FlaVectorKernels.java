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
 * The FLA mixers' dot products and the token form's recurrence heads (delta rule, GLA, retention)
 * with the JDK Vector API (incubating in Java 17: used only when the JVM runs with
 * {@code --add-modules jdk.incubator.vector}, see {@code VectorSupport}; nothing else may load
 * this class), the same bits as the scalar loops of {@link FlaMath} and {@link FlaStepper}. The
 * dense products are {@code engine.Gemm}'s.
 */
final class FlaVectorKernels {
    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    static final int LANES = S.length();

    private FlaVectorKernels() {}

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

    /**
     * Whether the vector heads apply: rows of a multiple of 8 and vectors of 8 doubles (AVX-512:
     * one vector per group of eight columns) or of 4 (AVX2: two vectors per group).
     */
    static boolean headsApply(int dk) {
        return (LANES == 8 || LANES == 4) && dk % 8 == 0;
    }

    /*
     * The heads below are split per state precision and per decay kind so that no vector value
     * meets another after a branch: on Java 17's C2 such a merge boxes the vectors (an allocation
     * per row). For the same reason no vector is passed to or returned from a helper method (when
     * C2 inlines a head into a large caller it may stop inlining such helpers, and a vector that
     * crosses a call is boxed): the sums go through the scratch t (≥ 8 doubles). A factor of
     * exactly 1 is multiplied anyway (x·1 = x, the scalar skips it), the sums are FlaMath.dot's
     * eight lanes and its tree, the products and sums separate (no fma), as in the scalar loops:
     * the same bits.
     *
     * Each head has an 8-lane form (…x8: one vector per group of eight columns, AVX-512) and a
     * 4-lane form (…x4: the same groups as two vectors, lanes 0–3 and 4–7 of the eight partial
     * sums, AVX2). Both use this machine's preferred shape (and floats of half its width), the only
     * shapes the kernels may hold, so each form runs only where LANES is its width; the entry
     * points without suffix pick it by the constant LANES, a branch C2 folds away, and no vector
     * crosses it.
     */


    /**
     * One delta-rule head on a float64 state S [d_v][d_k] at base (the scalar
     * {@code FlaStepper.deltaHeadScalar}): per row S_i ← a·S_i; u = β(v_i − S_i·k);
     * S_i ← S_i + u·k; o_i = S_i·q. Requires {@link #headsApply}; t ≥ 8 doubles of scratch.
     */
    static void deltaHead64(double[] s, int base, int dv, int dk, double a, double beta,
                            double[] p, int q, int k, int v, double[] o, int out, double[] t) {
        if (LANES == 8) {
            deltaHead64x8(s, base, dv, dk, a, beta, p, q, k, v, o, out, t);
        } else {
            deltaHead64x4(s, base, dv, dk, a, beta, p, q, k, v, o, out, t);
        }
    }

    /**
     * {@link #deltaHead64} on a float32 state: each row widened to float64 (exact), updated there
     * and stored rounded to nearest; o_i from the unrounded row, as the scalar head.
     */
    static void deltaHead32(float[] s, int base, int dv, int dk, double a, double beta,
                            double[] p, int q, int k, int v, double[] o, int out, double[] t) {
        if (LANES == 8) {
            deltaHead32x8(s, base, dv, dk, a, beta, p, q, k, v, o, out, t);
        } else {
            deltaHead32x4(s, base, dv, dk, a, beta, p, q, k, v, o, out, t);
        }
    }

    /**
     * One GLA head on a float64 state (the scalar {@code FlaStepper.decayHead} with a decay per
     * column): S[i][j] ← S[i][j]·decay[dOff + j] + v_i·k_j, o_i = S_i·q.
     */
    static void glaHead64(double[] s, int base, int dv, int dk, double[] decay, int dOff,
                          double[] p, int q, int k, int v, double[] o, int out, double[] t) {
        if (LANES == 8) {
            glaHead64x8(s, base, dv, dk, decay, dOff, p, q, k, v, o, out, t);
        } else {
            glaHead64x4(s, base, dv, dk, decay, dOff, p, q, k, v, o, out, t);
        }
    }

    /** {@link #glaHead64} on a float32 state: rows widened, stored rounded, o_i from the unrounded row. */
    static void glaHead32(float[] s, int base, int dv, int dk, double[] decay, int dOff,
                          double[] p, int q, int k, int v, double[] o, int out, double[] t) {
        if (LANES == 8) {
            glaHead32x8(s, base, dv, dk, decay, dOff, p, q, k, v, o, out, t);
        } else {
            glaHead32x4(s, base, dv, dk, decay, dOff, p, q, k, v, o, out, t);
        }
    }

    /** One retention head on a float64 state: S ← γ·S + v kᵀ, o_i = S_i·q. */
    static void retHead64(double[] s, int base, int dv, int dk, double g,
                          double[] p, int q, int k, int v, double[] o, int out, double[] t) {
        if (LANES == 8) {
            retHead64x8(s, base, dv, dk, g, p, q, k, v, o, out, t);
        } else {
            retHead64x4(s, base, dv, dk, g, p, q, k, v, o, out, t);
        }
    }

    /** {@link #retHead64} on a float32 state: rows widened, stored rounded, o_i from the unrounded row. */
    static void retHead32(float[] s, int base, int dv, int dk, double g,
                          double[] p, int q, int k, int v, double[] o, int out, double[] t) {
        if (LANES == 8) {
            retHead32x8(s, base, dv, dk, g, p, q, k, v, o, out, t);
        } else {
            retHead32x4(s, base, dv, dk, g, p, q, k, v, o, out, t);
        }
    }

    /** {@link #deltaHead64} with one vector of 8 lanes per group of eight columns (LANES 8). */
    static void deltaHead64x8(double[] s, int base, int dv, int dk, double a, double beta,
                            double[] p, int q, int k, int v, double[] o, int out, double[] t) {
        for (int i = 0; i < dv; i++) {
            int r = base + i * dk;
            DoubleVector acc = DoubleVector.zero(DOT);
            for (int j = 0; j < dk; j += 8) {
                DoubleVector x = DoubleVector.fromArray(DOT, s, r + j).mul(a);
                acc = acc.add(x.mul(DoubleVector.fromArray(DOT, p, k + j)));
            }
            acc.intoArray(t, 0);
            double u = beta * (p[v + i] - tree8(t));
            DoubleVector acc2 = DoubleVector.zero(DOT);
            for (int j = 0; j < dk; j += 8) {
                DoubleVector x = DoubleVector.fromArray(DOT, s, r + j).mul(a)
                        .add(DoubleVector.fromArray(DOT, p, k + j).mul(u));
                x.intoArray(s, r + j);
                acc2 = acc2.add(x.mul(DoubleVector.fromArray(DOT, p, q + j)));
            }
            acc2.intoArray(t, 0);
            o[out + i] = tree8(t);
        }
    }

    /** {@link #deltaHead32} with one vector of 8 lanes per group of eight columns. */
    static void deltaHead32x8(float[] s, int base, int dv, int dk, double a, double beta,
                            double[] p, int q, int k, int v, double[] o, int out, double[] t) {
        for (int i = 0; i < dv; i++) {
            int r = base + i * dk;
            DoubleVector acc = DoubleVector.zero(DOT);
            for (int j = 0; j < dk; j += 8) {
                DoubleVector x = ((DoubleVector) FloatVector.fromArray(FH, s, r + j)
                        .convertShape(VectorOperators.F2D, DOT, 0)).mul(a);
                acc = acc.add(x.mul(DoubleVector.fromArray(DOT, p, k + j)));
            }
            acc.intoArray(t, 0);
            double u = beta * (p[v + i] - tree8(t));
            DoubleVector acc2 = DoubleVector.zero(DOT);
            for (int j = 0; j < dk; j += 8) {
                DoubleVector x = ((DoubleVector) FloatVector.fromArray(FH, s, r + j)
                        .convertShape(VectorOperators.F2D, DOT, 0)).mul(a)
                        .add(DoubleVector.fromArray(DOT, p, k + j).mul(u));
                ((FloatVector) x.convertShape(VectorOperators.D2F, FH, 0)).intoArray(s, r + j);
                acc2 = acc2.add(x.mul(DoubleVector.fromArray(DOT, p, q + j)));
            }
            acc2.intoArray(t, 0);
            o[out + i] = tree8(t);
        }
    }

    /** {@link #glaHead64} with one vector of 8 lanes per group of eight columns. */
    static void glaHead64x8(double[] s, int base, int dv, int dk, double[] decay, int dOff,
                          double[] p, int q, int k, int v, double[] o, int out, double[] t) {
        for (int i = 0; i < dv; i++) {
            int r = base + i * dk;
            double vi = p[v + i];
            DoubleVector acc = DoubleVector.zero(DOT);
            for (int j = 0; j < dk; j += 8) {
                DoubleVector x = DoubleVector.fromArray(DOT, s, r + j).mul(DoubleVector.fromArray(DOT, decay, dOff + j))
                        .add(DoubleVector.fromArray(DOT, p, k + j).mul(vi));
                x.intoArray(s, r + j);
                acc = acc.add(x.mul(DoubleVector.fromArray(DOT, p, q + j)));
            }
            acc.intoArray(t, 0);
            o[out + i] = tree8(t);
        }
    }

    /** {@link #glaHead32} with one vector of 8 lanes per group of eight columns. */
    static void glaHead32x8(float[] s, int base, int dv, int dk, double[] decay, int dOff,
                          double[] p, int q, int k, int v, double[] o, int out, double[] t) {
        for (int i = 0; i < dv; i++) {
            int r = base + i * dk;
            double vi = p[v + i];
            DoubleVector acc = DoubleVector.zero(DOT);
            for (int j = 0; j < dk; j += 8) {
                DoubleVector x = ((DoubleVector) FloatVector.fromArray(FH, s, r + j)
                        .convertShape(VectorOperators.F2D, DOT, 0)).mul(DoubleVector.fromArray(DOT, decay, dOff + j))
                        .add(DoubleVector.fromArray(DOT, p, k + j).mul(vi));
                ((FloatVector) x.convertShape(VectorOperators.D2F, FH, 0)).intoArray(s, r + j);
                acc = acc.add(x.mul(DoubleVector.fromArray(DOT, p, q + j)));
            }
            acc.intoArray(t, 0);
            o[out + i] = tree8(t);
        }
    }

    /** {@link #retHead64} with one vector of 8 lanes per group of eight columns. */
    static void retHead64x8(double[] s, int base, int dv, int dk, double g,
                          double[] p, int q, int k, int v, double[] o, int out, double[] t) {
        for (int i = 0; i < dv; i++) {
            int r = base + i * dk;
            double vi = p[v + i];
            DoubleVector acc = DoubleVector.zero(DOT);
            for (int j = 0; j < dk; j += 8) {
                DoubleVector x = DoubleVector.fromArray(DOT, s, r + j).mul(g)
                        .add(DoubleVector.fromArray(DOT, p, k + j).mul(vi));
                x.intoArray(s, r + j);
                acc = acc.add(x.mul(DoubleVector.fromArray(DOT, p, q + j)));
            }
            acc.intoArray(t, 0);
            o[out + i] = tree8(t);
        }
    }

    /** {@link #retHead32} with one vector of 8 lanes per group of eight columns. */
    static void retHead32x8(float[] s, int base, int dv, int dk, double g,
                          double[] p, int q, int k, int v, double[] o, int out, double[] t) {
        for (int i = 0; i < dv; i++) {
            int r = base + i * dk;
            double vi = p[v + i];
            DoubleVector acc = DoubleVector.zero(DOT);
            for (int j = 0; j < dk; j += 8) {
                DoubleVector x = ((DoubleVector) FloatVector.fromArray(FH, s, r + j)
                        .convertShape(VectorOperators.F2D, DOT, 0)).mul(g)
                        .add(DoubleVector.fromArray(DOT, p, k + j).mul(vi));
                ((FloatVector) x.convertShape(VectorOperators.D2F, FH, 0)).intoArray(s, r + j);
                acc = acc.add(x.mul(DoubleVector.fromArray(DOT, p, q + j)));
            }
            acc.intoArray(t, 0);
            o[out + i] = tree8(t);
        }
    }

    /** {@link #deltaHead64} with two 4-lane vectors (lo: columns j..j+3, hi: j+4..j+7) per group of eight (LANES 4). */
    static void deltaHead64x4(double[] s, int base, int dv, int dk, double a, double beta,
                              double[] p, int q, int k, int v, double[] o, int out, double[] t) {
        for (int i = 0; i < dv; i++) {
            int r = base + i * dk;
            DoubleVector lo = DoubleVector.zero(DOT);
            DoubleVector hi = lo;
            for (int j = 0; j < dk; j += 8) {
                DoubleVector x0 = DoubleVector.fromArray(DOT, s, r + j).mul(a);
                DoubleVector x1 = DoubleVector.fromArray(DOT, s, r + j + 4).mul(a);
                lo = lo.add(x0.mul(DoubleVector.fromArray(DOT, p, k + j)));
                hi = hi.add(x1.mul(DoubleVector.fromArray(DOT, p, k + j + 4)));
            }
            lo.intoArray(t, 0);
            hi.intoArray(t, 4);
            double u = beta * (p[v + i] - tree8(t));
            DoubleVector lo2 = DoubleVector.zero(DOT);
            DoubleVector hi2 = lo2;
            for (int j = 0; j < dk; j += 8) {
                DoubleVector x0 = DoubleVector.fromArray(DOT, s, r + j).mul(a)
                        .add(DoubleVector.fromArray(DOT, p, k + j).mul(u));
                DoubleVector x1 = DoubleVector.fromArray(DOT, s, r + j + 4).mul(a)
                        .add(DoubleVector.fromArray(DOT, p, k + j + 4).mul(u));
                x0.intoArray(s, r + j);
                x1.intoArray(s, r + j + 4);
                lo2 = lo2.add(x0.mul(DoubleVector.fromArray(DOT, p, q + j)));
                hi2 = hi2.add(x1.mul(DoubleVector.fromArray(DOT, p, q + j + 4)));
            }
            lo2.intoArray(t, 0);
            hi2.intoArray(t, 4);
            o[out + i] = tree8(t);
        }
    }

    /** {@link #deltaHead32} with two 4-lane vectors per group of eight columns (4 floats widened each). */
    static void deltaHead32x4(float[] s, int base, int dv, int dk, double a, double beta,
                              double[] p, int q, int k, int v, double[] o, int out, double[] t) {
        for (int i = 0; i < dv; i++) {
            int r = base + i * dk;
            DoubleVector lo = DoubleVector.zero(DOT);
            DoubleVector hi = lo;
            for (int j = 0; j < dk; j += 8) {
                DoubleVector x0 = ((DoubleVector) FloatVector.fromArray(FH, s, r + j)
                        .convertShape(VectorOperators.F2D, DOT, 0)).mul(a);
                DoubleVector x1 = ((DoubleVector) FloatVector.fromArray(FH, s, r + j + 4)
                        .convertShape(VectorOperators.F2D, DOT, 0)).mul(a);
                lo = lo.add(x0.mul(DoubleVector.fromArray(DOT, p, k + j)));
                hi = hi.add(x1.mul(DoubleVector.fromArray(DOT, p, k + j + 4)));
            }
            lo.intoArray(t, 0);
            hi.intoArray(t, 4);
            double u = beta * (p[v + i] - tree8(t));
            DoubleVector lo2 = DoubleVector.zero(DOT);
            DoubleVector hi2 = lo2;
            for (int j = 0; j < dk; j += 8) {
                DoubleVector x0 = ((DoubleVector) FloatVector.fromArray(FH, s, r + j)
                        .convertShape(VectorOperators.F2D, DOT, 0)).mul(a)
                        .add(DoubleVector.fromArray(DOT, p, k + j).mul(u));
                DoubleVector x1 = ((DoubleVector) FloatVector.fromArray(FH, s, r + j + 4)
                        .convertShape(VectorOperators.F2D, DOT, 0)).mul(a)
                        .add(DoubleVector.fromArray(DOT, p, k + j + 4).mul(u));
                ((FloatVector) x0.convertShape(VectorOperators.D2F, FH, 0)).intoArray(s, r + j);
                ((FloatVector) x1.convertShape(VectorOperators.D2F, FH, 0)).intoArray(s, r + j + 4);
                lo2 = lo2.add(x0.mul(DoubleVector.fromArray(DOT, p, q + j)));
                hi2 = hi2.add(x1.mul(DoubleVector.fromArray(DOT, p, q + j + 4)));
            }
            lo2.intoArray(t, 0);
            hi2.intoArray(t, 4);
            o[out + i] = tree8(t);
        }
    }

    /** {@link #glaHead64} with two 4-lane vectors per group of eight columns. */
    static void glaHead64x4(double[] s, int base, int dv, int dk, double[] decay, int dOff,
                            double[] p, int q, int k, int v, double[] o, int out, double[] t) {
        for (int i = 0; i < dv; i++) {
            int r = base + i * dk;
            double vi = p[v + i];
            DoubleVector lo = DoubleVector.zero(DOT);
            DoubleVector hi = lo;
            for (int j = 0; j < dk; j += 8) {
                DoubleVector x0 = DoubleVector.fromArray(DOT, s, r + j).mul(DoubleVector.fromArray(DOT, decay, dOff + j))
                        .add(DoubleVector.fromArray(DOT, p, k + j).mul(vi));
                DoubleVector x1 = DoubleVector.fromArray(DOT, s, r + j + 4)
                        .mul(DoubleVector.fromArray(DOT, decay, dOff + j + 4))
                        .add(DoubleVector.fromArray(DOT, p, k + j + 4).mul(vi));
                x0.intoArray(s, r + j);
                x1.intoArray(s, r + j + 4);
                lo = lo.add(x0.mul(DoubleVector.fromArray(DOT, p, q + j)));
                hi = hi.add(x1.mul(DoubleVector.fromArray(DOT, p, q + j + 4)));
            }
            lo.intoArray(t, 0);
            hi.intoArray(t, 4);
            o[out + i] = tree8(t);
        }
    }

    /** {@link #glaHead32} with two 4-lane vectors per group of eight columns. */
    static void glaHead32x4(float[] s, int base, int dv, int dk, double[] decay, int dOff,
                            double[] p, int q, int k, int v, double[] o, int out, double[] t) {
        for (int i = 0; i < dv; i++) {
            int r = base + i * dk;
            double vi = p[v + i];
            DoubleVector lo = DoubleVector.zero(DOT);
            DoubleVector hi = lo;
            for (int j = 0; j < dk; j += 8) {
                DoubleVector x0 = ((DoubleVector) FloatVector.fromArray(FH, s, r + j)
                        .convertShape(VectorOperators.F2D, DOT, 0)).mul(DoubleVector.fromArray(DOT, decay, dOff + j))
                        .add(DoubleVector.fromArray(DOT, p, k + j).mul(vi));
                DoubleVector x1 = ((DoubleVector) FloatVector.fromArray(FH, s, r + j + 4)
                        .convertShape(VectorOperators.F2D, DOT, 0)).mul(DoubleVector.fromArray(DOT, decay, dOff + j + 4))
                        .add(DoubleVector.fromArray(DOT, p, k + j + 4).mul(vi));
                ((FloatVector) x0.convertShape(VectorOperators.D2F, FH, 0)).intoArray(s, r + j);
                ((FloatVector) x1.convertShape(VectorOperators.D2F, FH, 0)).intoArray(s, r + j + 4);
                lo = lo.add(x0.mul(DoubleVector.fromArray(DOT, p, q + j)));
                hi = hi.add(x1.mul(DoubleVector.fromArray(DOT, p, q + j + 4)));
            }
            lo.intoArray(t, 0);
            hi.intoArray(t, 4);
            o[out + i] = tree8(t);
        }
    }

    /** {@link #retHead64} with two 4-lane vectors per group of eight columns. */
    static void retHead64x4(double[] s, int base, int dv, int dk, double g,
                            double[] p, int q, int k, int v, double[] o, int out, double[] t) {
        for (int i = 0; i < dv; i++) {
            int r = base + i * dk;
            double vi = p[v + i];
            DoubleVector lo = DoubleVector.zero(DOT);
            DoubleVector hi = lo;
            for (int j = 0; j < dk; j += 8) {
                DoubleVector x0 = DoubleVector.fromArray(DOT, s, r + j).mul(g)
                        .add(DoubleVector.fromArray(DOT, p, k + j).mul(vi));
                DoubleVector x1 = DoubleVector.fromArray(DOT, s, r + j + 4).mul(g)
                        .add(DoubleVector.fromArray(DOT, p, k + j + 4).mul(vi));
                x0.intoArray(s, r + j);
                x1.intoArray(s, r + j + 4);
                lo = lo.add(x0.mul(DoubleVector.fromArray(DOT, p, q + j)));
                hi = hi.add(x1.mul(DoubleVector.fromArray(DOT, p, q + j + 4)));
            }
            lo.intoArray(t, 0);
            hi.intoArray(t, 4);
            o[out + i] = tree8(t);
        }
    }

    /** {@link #retHead32} with two 4-lane vectors per group of eight columns. */
    static void retHead32x4(float[] s, int base, int dv, int dk, double g,
                            double[] p, int q, int k, int v, double[] o, int out, double[] t) {
        for (int i = 0; i < dv; i++) {
            int r = base + i * dk;
            double vi = p[v + i];
            DoubleVector lo = DoubleVector.zero(DOT);
            DoubleVector hi = lo;
            for (int j = 0; j < dk; j += 8) {
                DoubleVector x0 = ((DoubleVector) FloatVector.fromArray(FH, s, r + j)
                        .convertShape(VectorOperators.F2D, DOT, 0)).mul(g)
                        .add(DoubleVector.fromArray(DOT, p, k + j).mul(vi));
                DoubleVector x1 = ((DoubleVector) FloatVector.fromArray(FH, s, r + j + 4)
                        .convertShape(VectorOperators.F2D, DOT, 0)).mul(g)
                        .add(DoubleVector.fromArray(DOT, p, k + j + 4).mul(vi));
                ((FloatVector) x0.convertShape(VectorOperators.D2F, FH, 0)).intoArray(s, r + j);
                ((FloatVector) x1.convertShape(VectorOperators.D2F, FH, 0)).intoArray(s, r + j + 4);
                lo = lo.add(x0.mul(DoubleVector.fromArray(DOT, p, q + j)));
                hi = hi.add(x1.mul(DoubleVector.fromArray(DOT, p, q + j + 4)));
            }
            lo.intoArray(t, 0);
            hi.intoArray(t, 4);
            o[out + i] = tree8(t);
        }
    }

    /**
     * Floats of a float32 state row, as many as a vector holds doubles (half its width): 8 with
     * AVX-512, 4 with AVX2. One float shape in all kernels (see VectorShapesTest).
     */
    private static final VectorSpecies<Float> FH = VectorSpecies.of(float.class, VectorShape.forBitSize(LANES * 32));

    /**
     * Whether {@link #convStep64}/{@link #convStep32} apply: a window (K ≥ 2) and vectors of 8
     * doubles, or of 4 on x86 (AVX2 has gathers, which Java 17 compiles to vgatherdpd, but no
     * scatters: the 4-lane step shifts the windows with plain stores).
     */
    static boolean convApplies(int k) {
        return (LANES == 8 || LANES == 4 && X86) && k >= 2;
    }

    private static final boolean X86 = "amd64".equals(System.getProperty("os.arch"))
            || "x86_64".equals(System.getProperty("os.arch"));

    /**
     * {@link FlaMath#convStep} with a vector of channels at a time, the same bits: per channel
     * y = ((0 + w_0·win_0) + w_1·win_1 + …) + w_{K−1}·x, each product and sum rounded apart (no
     * fma). The window keeps its layout [channel][K−1] (it is part of the serialized state): the
     * channels' j-th inputs are gathered with {@code idx} = (0, K−1, …, 7(K−1)); wT is the weight
     * transposed to [j][channel] ({@code channels} columns). Requires {@link #convApplies}.
     */
    static void convStep64(double[] x, int xOff, int channels, double[] wT, int k, double[] win, int winOff,
                           int[] idx) {
        if (LANES == 8) {
            convStep64x8(x, xOff, channels, wT, k, win, winOff, idx);
        } else {
            convStep64x4(x, xOff, channels, wT, k, win, winOff, idx);
        }
    }

    /** {@link #convStep64} on a float32 window: inputs widened (exact), the new one stored rounded to nearest. */
    static void convStep32(double[] x, int xOff, int channels, double[] wT, int k, float[] win, int winOff,
                           int[] idx) {
        if (LANES == 8) {
            convStep32x8(x, xOff, channels, wT, k, win, winOff, idx);
        } else {
            convStep32x4(x, xOff, channels, wT, k, win, winOff, idx);
        }
    }

    /**
     * {@link #convStep64} eight channels per vector, the windows shifted by one with scatters
     * (AVX-512); channels past the last multiple of 8 run the scalar formula.
     */
    static void convStep64x8(double[] x, int xOff, int channels, double[] wT, int k, double[] win, int winOff,
                           int[] idx) {
        int km1 = k - 1;
        int c = 0;
        for (; c + 8 <= channels; c += 8) {
            int wo = winOff + c * km1;
            DoubleVector acc = DoubleVector.zero(DOT);
            acc = acc.add(DoubleVector.fromArray(DOT, wT, c).mul(DoubleVector.fromArray(DOT, win, wo, idx, 0)));
            for (int j = 1; j < km1; j++) {
                DoubleVector in = DoubleVector.fromArray(DOT, win, wo + j, idx, 0);
                acc = acc.add(DoubleVector.fromArray(DOT, wT, j * channels + c).mul(in));
                in.intoArray(win, wo + j - 1, idx, 0);
            }
            DoubleVector xv = DoubleVector.fromArray(DOT, x, xOff + c);
            acc = acc.add(DoubleVector.fromArray(DOT, wT, km1 * channels + c).mul(xv));
            xv.intoArray(win, wo + km1 - 1, idx, 0);
            acc.intoArray(x, xOff + c);
        }
        convRest64(x, xOff, c, channels, wT, k, win, winOff);
    }

    /** {@link #convStep32} eight channels per vector, as {@link #convStep64x8}. */
    static void convStep32x8(double[] x, int xOff, int channels, double[] wT, int k, float[] win, int winOff,
                           int[] idx) {
        int km1 = k - 1;
        int c = 0;
        for (; c + 8 <= channels; c += 8) {
            int wo = winOff + c * km1;
            DoubleVector acc = DoubleVector.zero(DOT);
            FloatVector in0 = FloatVector.fromArray(FH, win, wo, idx, 0);
            acc = acc.add(DoubleVector.fromArray(DOT, wT, c).mul(
                    (DoubleVector) in0.convertShape(VectorOperators.F2D, DOT, 0)));
            for (int j = 1; j < km1; j++) {
                FloatVector in = FloatVector.fromArray(FH, win, wo + j, idx, 0);
                acc = acc.add(DoubleVector.fromArray(DOT, wT, j * channels + c).mul(
                        (DoubleVector) in.convertShape(VectorOperators.F2D, DOT, 0)));
                in.intoArray(win, wo + j - 1, idx, 0);
            }
            DoubleVector xv = DoubleVector.fromArray(DOT, x, xOff + c);
            acc = acc.add(DoubleVector.fromArray(DOT, wT, km1 * channels + c).mul(xv));
            ((FloatVector) xv.convertShape(VectorOperators.D2F, FH, 0)).intoArray(win, wo + km1 - 1, idx, 0);
            acc.intoArray(x, xOff + c);
        }
        convRest32(x, xOff, c, channels, wT, k, win, winOff);
    }

    /**
     * {@link #convStep64} four channels per vector (4-lane machines; gathers, idx[0..3]); the four
     * channels' windows, contiguous, move down by one with plain stores once all their inputs are
     * read (AVX2 has no scatter, and Java 17 would box the vector to emulate one), then each
     * channel's last slot takes its new input. Channels past the last multiple of 4 run the
     * scalar formula.
     */
    static void convStep64x4(double[] x, int xOff, int channels, double[] wT, int k, double[] win, int winOff,
                             int[] idx) {
        int km1 = k - 1;
        int c = 0;
        for (; c + 4 <= channels; c += 4) {
            int wo = winOff + c * km1;
            DoubleVector acc = DoubleVector.zero(DOT);
            for (int j = 0; j < km1; j++) {
                acc = acc.add(DoubleVector.fromArray(DOT, wT, j * channels + c)
                        .mul(DoubleVector.fromArray(DOT, win, wo + j, idx, 0)));
            }
            acc = acc.add(DoubleVector.fromArray(DOT, wT, km1 * channels + c).mul(DoubleVector.fromArray(DOT, x, xOff + c)));
            for (int e = wo, end = wo + 4 * km1 - 1; e < end; e++) {
                win[e] = win[e + 1];
            }
            for (int l = 0; l < 4; l++) {
                win[wo + l * km1 + km1 - 1] = x[xOff + c + l];
            }
            acc.intoArray(x, xOff + c);
        }
        convRest64(x, xOff, c, channels, wT, k, win, winOff);
    }

    /** {@link #convStep32} four channels per vector, as {@link #convStep64x4}. */
    static void convStep32x4(double[] x, int xOff, int channels, double[] wT, int k, float[] win, int winOff,
                             int[] idx) {
        int km1 = k - 1;
        int c = 0;
        for (; c + 4 <= channels; c += 4) {
            int wo = winOff + c * km1;
            DoubleVector acc = DoubleVector.zero(DOT);
            for (int j = 0; j < km1; j++) {
                acc = acc.add(DoubleVector.fromArray(DOT, wT, j * channels + c).mul(
                        (DoubleVector) FloatVector.fromArray(FH, win, wo + j, idx, 0).convertShape(VectorOperators.F2D, DOT, 0)));
            }
            acc = acc.add(DoubleVector.fromArray(DOT, wT, km1 * channels + c).mul(DoubleVector.fromArray(DOT, x, xOff + c)));
            for (int e = wo, end = wo + 4 * km1 - 1; e < end; e++) {
                win[e] = win[e + 1];
            }
            for (int l = 0; l < 4; l++) {
                win[wo + l * km1 + km1 - 1] = (float) x[xOff + c + l];
            }
            acc.intoArray(x, xOff + c);
        }
        convRest32(x, xOff, c, channels, wT, k, win, winOff);
    }

    /** The scalar convolution step of channels [c, channels) (the vector steps' last channels). */
    private static void convRest64(double[] x, int xOff, int c, int channels, double[] wT, int k, double[] win,
                                   int winOff) {
        int km1 = k - 1;
        for (; c < channels; c++) {
            int wo = winOff + c * km1;
            double xc = x[xOff + c];
            double y = 0;
            for (int j = 0; j < km1; j++) {
                y += wT[j * channels + c] * win[wo + j];
            }
            y += wT[km1 * channels + c] * xc;
            for (int j = 0; j < km1 - 1; j++) {
                win[wo + j] = win[wo + j + 1];
            }
            win[wo + km1 - 1] = xc;
            x[xOff + c] = y;
        }
    }

    /** {@link #convRest64} on a float32 window. */
    private static void convRest32(double[] x, int xOff, int c, int channels, double[] wT, int k, float[] win,
                                   int winOff) {
        int km1 = k - 1;
        for (; c < channels; c++) {
            int wo = winOff + c * km1;
            double xc = x[xOff + c];
            double y = 0;
            for (int j = 0; j < km1; j++) {
                y += wT[j * channels + c] * win[wo + j];
            }
            y += wT[km1 * channels + c] * xc;
            for (int j = 0; j < km1 - 1; j++) {
                win[wo + j] = win[wo + j + 1];
            }
            win[wo + km1 - 1] = (float) xc;
            x[xOff + c] = y;
        }
    }

    /**
     * FlaMath.dot's tree of its eight partial sums, stored from the lanes of one vector:
     * ((t0 + t1) + (t2 + t3)) + ((t4 + t5) + (t6 + t7)).
     */
    private static double tree8(double[] t) {
        return ((t[0] + t[1]) + (t[2] + t[3])) + ((t[4] + t[5]) + (t[6] + t[7]));
    }
}
