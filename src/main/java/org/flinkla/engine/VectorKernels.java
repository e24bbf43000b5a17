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
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The hot loops of {@link RecurrentLinearAttention} written with the JDK Vector API (incubating in
 * Java 17: used only when the JVM runs with {@code --add-modules jdk.incubator.vector}, see
 * {@link VectorSupport}; nothing else may load this class).
 *
 * <p><b>Same bits as the scalar loops.</b> Every value is computed with the same IEEE operations in
 * the same order as the plain-Java loops it replaces — separate multiply and add (no fused
 * multiply-add, which would round once instead of twice), sums grouped four rows at a time exactly
 * as {@code p[j] += x0·w0[j] + x1·w1[j] + x2·w2[j] + x3·w3[j]} groups them. A state or output is
 * therefore bit-identical whichever kernel produced it, so replays, restores and split/resume agree
 * across JVMs started with and without the module ({@code VectorKernelsTest} checks this).
 *
 * <p><b>Why.</b> Java 17's C2 auto-vectorizes a loop only when every array in it is indexed by the
 * loop variable plus one common offset, and only up to about four input streams: the per-head loops
 * of the recurrence (rows of d_v = 16 values at run-time offsets, the outer products φ(k)vᵀ, QᵀS)
 * stay scalar there. Here a head's row of S is updated and folded into QᵀS while it sits in vector
 * registers, so the outer products are never stored.
 */
final class VectorKernels {
    private static final VectorSpecies<Double> SPECIES = DoubleVector.SPECIES_PREFERRED;

    /** Doubles per vector on this machine (8 with AVX-512, 4 with AVX2). */
    static final int LANES = SPECIES.length();

    // float32 state: as many floats (half the width) and longs (the bits of the doubles) per vector
    private static final VectorSpecies<Float> FLOATS = VectorSpecies.of(float.class, VectorShape.forBitSize(LANES * 32));
    private static final VectorSpecies<Long> LONGS = SPECIES.withLanes(long.class);
    /** Lane l holds (l + 1)·WEYL: the noise of the l-th next element of the scalar loop's Weyl sequence. */
    private static final LongVector WEYL_STEPS = weylSteps();

    private VectorKernels() {}

    /**
     * out[outOff..outOff+n) = bias + Σ_i x[xOff+i]·rows[i][0..n) over the first {@code m} rows, as
     * axpy passes over eight rows: per column, two partial sums of four rows
     * ((x0w0 + x1w1) + x2w2) + x3w3 added one after the other to the running value, which is how
     * the scalar loop's passes of four rows round; then a pass of four and single rows.
     */
    static void project(double[] x, int xOff, int m, double[][] rows, double[] bias, int n,
                        double[] out, int outOff) {
        System.arraycopy(bias, 0, out, outOff, n);
        int i = 0;
        for (; i + 7 < m; i += 8) {
            pass4(x, xOff + i, rows, i, n, out, outOff, true);
        }
        for (; i + 3 < m; i += 4) {
            pass4(x, xOff + i, rows, i, n, out, outOff, false);
        }
        for (; i < m; i++) {
            double xi = x[xOff + i];
            double[] w = rows[i];
            for (int j = 0; j < n; j++) {
                out[outOff + j] += xi * w[j];
            }
        }
    }

    /** out += rows r..r+3 (and, when {@code eight}, then rows r+4..r+7) weighted by x[xo..]. */
    private static void pass4(double[] x, int xo, double[][] rows, int r, int n, double[] out, int outOff,
                              boolean eight) {
        double x0 = x[xo];
        double x1 = x[xo + 1];
        double x2 = x[xo + 2];
        double x3 = x[xo + 3];
        double[] w0 = rows[r];
        double[] w1 = rows[r + 1];
        double[] w2 = rows[r + 2];
        double[] w3 = rows[r + 3];
        int bound = SPECIES.loopBound(n);
        if (eight) {
            double x4 = x[xo + 4];
            double x5 = x[xo + 5];
            double x6 = x[xo + 6];
            double x7 = x[xo + 7];
            double[] w4 = rows[r + 4];
            double[] w5 = rows[r + 5];
            double[] w6 = rows[r + 6];
            double[] w7 = rows[r + 7];
            for (int j = 0; j < bound; j += LANES) {
                DoubleVector t0 = DoubleVector.fromArray(SPECIES, w0, j).mul(x0)
                        .add(DoubleVector.fromArray(SPECIES, w1, j).mul(x1))
                        .add(DoubleVector.fromArray(SPECIES, w2, j).mul(x2))
                        .add(DoubleVector.fromArray(SPECIES, w3, j).mul(x3));
                DoubleVector t1 = DoubleVector.fromArray(SPECIES, w4, j).mul(x4)
                        .add(DoubleVector.fromArray(SPECIES, w5, j).mul(x5))
                        .add(DoubleVector.fromArray(SPECIES, w6, j).mul(x6))
                        .add(DoubleVector.fromArray(SPECIES, w7, j).mul(x7));
                DoubleVector.fromArray(SPECIES, out, outOff + j).add(t0).add(t1).intoArray(out, outOff + j);
            }
            for (int j = bound; j < n; j++) {
                out[outOff + j] += x0 * w0[j] + x1 * w1[j] + x2 * w2[j] + x3 * w3[j];
                out[outOff + j] += x4 * w4[j] + x5 * w5[j] + x6 * w6[j] + x7 * w7[j];
            }
        } else {
            for (int j = 0; j < bound; j += LANES) {
                DoubleVector t0 = DoubleVector.fromArray(SPECIES, w0, j).mul(x0)
                        .add(DoubleVector.fromArray(SPECIES, w1, j).mul(x1))
                        .add(DoubleVector.fromArray(SPECIES, w2, j).mul(x2))
                        .add(DoubleVector.fromArray(SPECIES, w3, j).mul(x3));
                DoubleVector.fromArray(SPECIES, out, outOff + j).add(t0).intoArray(out, outOff + j);
            }
            for (int j = bound; j < n; j++) {
                out[outOff + j] += x0 * w0[j] + x1 * w1[j] + x2 * w2[j] + x3 * w3[j];
            }
        }
    }

    /**
     * {@link #project} for four tokens at once: out[t·n ..] for x = xs[xOff + t·m ..], t = 0..3. Each
     * weight vector is loaded once for the four tokens (four accumulators per column block),
     * so a chunk streams the weights from L2 a quarter as often. Per token and column the sums are
     * grouped exactly as in {@link #project}, hence the same bits.
     */
    static void project4(double[] xs, int xOff, int m, double[][] rows, double[] bias, int n, double[] out) {
        int bound = SPECIES.loopBound(n);
        // rows in groups of four; the m mod 4 last rows and the n mod LANES last columns token by token
        int mGroups = m & ~3;
        for (int j = 0; j < bound; j += LANES) {
            DoubleVector b = DoubleVector.fromArray(SPECIES, bias, j);
            DoubleVector a0 = b;
            DoubleVector a1 = b;
            DoubleVector a2 = b;
            DoubleVector a3 = b;
            for (int i = 0; i < mGroups; i += 4) {
                DoubleVector w0 = DoubleVector.fromArray(SPECIES, rows[i], j);
                DoubleVector w1 = DoubleVector.fromArray(SPECIES, rows[i + 1], j);
                DoubleVector w2 = DoubleVector.fromArray(SPECIES, rows[i + 2], j);
                DoubleVector w3 = DoubleVector.fromArray(SPECIES, rows[i + 3], j);
                a0 = a0.add(group(w0, w1, w2, w3, xs, xOff + i));
                a1 = a1.add(group(w0, w1, w2, w3, xs, xOff + m + i));
                a2 = a2.add(group(w0, w1, w2, w3, xs, xOff + 2 * m + i));
                a3 = a3.add(group(w0, w1, w2, w3, xs, xOff + 3 * m + i));
            }
            a0.intoArray(out, j);
            a1.intoArray(out, n + j);
            a2.intoArray(out, 2 * n + j);
            a3.intoArray(out, 3 * n + j);
        }
        if (mGroups < m || bound < n) {
            for (int t = 0; t < 4; t++) {
                finishToken(xs, xOff + t * m, m, mGroups, rows, bias, bound, n, out, t * n);
            }
        }
    }

    /** The rows [mGroups, m) for the vector columns, then the columns [bound, n) whole, of one token of {@link #project4}. */
    private static void finishToken(double[] x, int xOff, int m, int mGroups, double[][] rows, double[] bias,
                                    int bound, int n, double[] out, int outOff) {
        for (int j = 0; j < bound; j += LANES) {
            DoubleVector acc = DoubleVector.fromArray(SPECIES, out, outOff + j);
            for (int i = mGroups; i < m; i++) {
                acc = acc.add(DoubleVector.fromArray(SPECIES, rows[i], j).mul(x[xOff + i]));
            }
            acc.intoArray(out, outOff + j);
        }
        for (int j = bound; j < n; j++) {
            double acc = bias[j];
            int i = 0;
            for (; i + 3 < m; i += 4) {
                acc += x[xOff + i] * rows[i][j] + x[xOff + i + 1] * rows[i + 1][j]
                        + x[xOff + i + 2] * rows[i + 2][j] + x[xOff + i + 3] * rows[i + 3][j];
            }
            for (; i < m; i++) {
                acc += x[xOff + i] * rows[i][j];
            }
            out[outOff + j] = acc;
        }
    }

    /** ((w0·x[o] + w1·x[o+1]) + w2·x[o+2]) + w3·x[o+3], the scalar loops' group of four rows. */
    private static DoubleVector group(DoubleVector w0, DoubleVector w1, DoubleVector w2, DoubleVector w3,
                                      double[] x, int o) {
        return w0.mul(x[o]).add(w1.mul(x[o + 1])).add(w2.mul(x[o + 2])).add(w3.mul(x[o + 3]));
    }

    /**
     * linear/decay/gated in float64 for one token, every head: S_h = A S_h + c (K_h v_hᵀ),
     * z_h = A z_h + c K_h (head h at sOff + h·headBlock of s), then out[h·d_v ..] = Q_hᵀS_h / (Q_hᵀz_h + epsT), where A scales row i by
     * a_i: the gate α_i = f[g0 + h·d_φ + i] when {@code g0 >= 0} (gated, c = 1), else γ_h when
     * {@code gamma != null} (decay, c = 1), else {@code a} (running means). Same expressions, in the
     * same order, as the scalar {@code advanceFlat} and {@code updateHead}. Requires d_v to be a
     * multiple of {@link #LANES}.
     */
    static void advanceFlat(double[] s, int sOff, double[] f, int q0, int k0, int v0, int g0, int heads, int dPhi, int dv,
                            int headBlock, int zOffset, double a, double c, double[] gamma, double epsT,
                            double[] out) {
        for (int h = 0; h < heads; h++) {
            double ah = gamma == null ? a : gamma[h];
            int base = sOff + h * headBlock;
            int q = q0 + h * dPhi;
            int k = k0 + h * dPhi;
            int v = v0 + h * dv;
            int g = g0 < 0 ? -1 : g0 + h * dPhi;
            for (int cb = 0; cb < dv; cb += LANES) {
                DoubleVector vv = DoubleVector.fromArray(SPECIES, f, v + cb);
                DoubleVector y = DoubleVector.zero(SPECIES);
                int i = 0;
                for (; i + 3 < dPhi; i += 4) {
                    int r = base + i * dv + cb;
                    DoubleVector s0 = row(s, r, g < 0 ? ah : f[g + i], c, f[k + i], vv);
                    DoubleVector s1 = row(s, r + dv, g < 0 ? ah : f[g + i + 1], c, f[k + i + 1], vv);
                    DoubleVector s2 = row(s, r + 2 * dv, g < 0 ? ah : f[g + i + 2], c, f[k + i + 2], vv);
                    DoubleVector s3 = row(s, r + 3 * dv, g < 0 ? ah : f[g + i + 3], c, f[k + i + 3], vv);
                    DoubleVector t = s0.mul(f[q + i]).add(s1.mul(f[q + i + 1]))
                            .add(s2.mul(f[q + i + 2])).add(s3.mul(f[q + i + 3]));
                    y = y.add(t);
                }
                for (; i < dPhi; i++) {
                    y = y.add(row(s, base + i * dv + cb, g < 0 ? ah : f[g + i], c, f[k + i], vv).mul(f[q + i]));
                }
                y.intoArray(out, h * dv + cb);
            }
            int z = base + zOffset;
            double den = 0.0;
            for (int i = 0; i < dPhi; i++) {
                double zi = (g < 0 ? ah : f[g + i]) * s[z + i] + c * f[k + i];
                s[z + i] = zi;
                den += f[q + i] * zi;
            }
            double inv = 1.0 / (den + epsT);
            for (int cb = 0; cb < dv; cb += LANES) {
                DoubleVector.fromArray(SPECIES, out, h * dv + cb).mul(inv).intoArray(out, h * dv + cb);
            }
        }
    }

    /**
     * The delta rule in float64 for one token, every head (d_φ = d_k, no z): with u = S_oldᵀk̂,
     * S = α S_old + k̂ (β (v − α u))ᵀ, then out[h·d_v ..] = Sᵀq̂; α = f[a0 + h], β = f[b0 + h]. The
     * sums over rows run one row at a time, as in the scalar {@code deltaHead}. Requires d_v to be
     * a multiple of {@link #LANES}.
     */
    static void deltaHeads(double[] s, int sOff, double[] f, int q0, int k0, int v0, int b0, int a0, int heads, int dPhi,
                           int dv, int headBlock, double[] out) {
        for (int h = 0; h < heads; h++) {
            double beta = f[b0 + h];
            double alpha = f[a0 + h];
            int base = sOff + h * headBlock;
            int q = q0 + h * dPhi;
            int k = k0 + h * dPhi;
            for (int cb = 0; cb < dv; cb += LANES) {
                DoubleVector u = DoubleVector.zero(SPECIES);
                for (int i = 0; i < dPhi; i++) {
                    u = u.add(DoubleVector.fromArray(SPECIES, s, base + i * dv + cb).mul(f[k + i]));
                }
                // β (v − α u)
                u = DoubleVector.fromArray(SPECIES, f, v0 + h * dv + cb).sub(u.mul(alpha)).mul(beta);
                DoubleVector y = DoubleVector.zero(SPECIES);
                for (int i = 0; i < dPhi; i++) {
                    int r = base + i * dv + cb;
                    DoubleVector sv = DoubleVector.fromArray(SPECIES, s, r).mul(alpha).add(u.mul(f[k + i]));
                    sv.intoArray(s, r);
                    y = y.add(sv.mul(f[q + i]));
                }
                y.intoArray(out, h * dv + cb);
            }
        }
    }

    /**
     * linear/decay/gated with a float32 state for one head: the float twin of the fused kernel, for
     * the scalar {@code updateHead(float[] ...)}, same bits. Row i: S[i,:] = toFloat(a_i·S[i,:] +
     * (c·K_i)·v) with the stochastic rounding of {@link RecurrentLinearAttention#toFloat}, its noise
     * the Weyl sequence from {@code noise} in the scalar loop's order (each row's d_v elements,
     * then z_i); out[yh ..] = Σ_i Q_i S[i,:] one row after the other. Returns Qᵀz.
     * Requires d_v to be a multiple of {@link #LANES}.
     */
    static double updateHead32(float[] s, int base, double[] f, int q, int k, int v, int gate, double a, double c,
                               int dPhi, int dv, int zOffset, double[] out, int yh, long noise) {
        final long weyl = RecurrentLinearAttention.WEYL;
        for (int cb = 0; cb < dv; cb += LANES) {
            DoubleVector vv = DoubleVector.fromArray(SPECIES, f, v + cb);
            DoubleVector y = DoubleVector.zero(SPECIES);
            for (int i = 0; i < dPhi; i++) {
                double ai = gate >= 0 ? f[gate + i] : a;
                double ck = c * f[k + i];
                int r = base + i * dv + cb;
                DoubleVector x = floats(s, r).mul(ai).add(vv.mul(ck));
                // the noise of element (i, cb + l) is noise + (i·(d_v + 1) + cb + l + 1)·WEYL
                FloatVector rounded = toFloats(x, noise + (long) (i * (dv + 1) + cb) * weyl);
                rounded.intoArray(s, r);
                DoubleVector sv = (DoubleVector) rounded.convertShape(VectorOperators.F2D, SPECIES, 0);
                y = y.add(sv.mul(f[q + i]));
            }
            y.intoArray(out, yh + cb);
        }
        int z = base + zOffset;
        double den = 0.0;
        for (int i = 0; i < dPhi; i++) {
            double ai = gate >= 0 ? f[gate + i] : a;
            long zNoise = noise + (long) (i * (dv + 1) + dv + 1) * weyl;
            float zi = RecurrentLinearAttention.toFloat(ai * s[z + i] + c * f[k + i], zNoise);
            s[z + i] = zi;
            den += f[q + i] * zi;
        }
        return den;
    }

    /**
     * The delta rule with a float32 state for one head: the float twin of {@link #deltaHeads}, for
     * the scalar {@code deltaHead(float[] ...)}, same bits. Element (i, j) is rounded with the noise
     * {@code noise + (i·d_v + j + 1)·WEYL} (there is no z). Requires d_v to be a multiple of {@link #LANES}.
     */
    static void deltaHead32(float[] s, int base, double[] f, int q, int k, int v, double beta, double alpha,
                            int dPhi, int dv, double[] out, int yh, long noise) {
        final long weyl = RecurrentLinearAttention.WEYL;
        for (int cb = 0; cb < dv; cb += LANES) {
            DoubleVector u = DoubleVector.zero(SPECIES);
            for (int i = 0; i < dPhi; i++) {
                u = u.add(floats(s, base + i * dv + cb).mul(f[k + i]));
            }
            // β (v − α u)
            u = DoubleVector.fromArray(SPECIES, f, v + cb).sub(u.mul(alpha)).mul(beta);
            DoubleVector y = DoubleVector.zero(SPECIES);
            for (int i = 0; i < dPhi; i++) {
                int r = base + i * dv + cb;
                DoubleVector x = floats(s, r).mul(alpha).add(u.mul(f[k + i]));
                FloatVector rounded = toFloats(x, noise + (long) (i * dv + cb) * weyl);
                rounded.intoArray(s, r);
                y = y.add(((DoubleVector) rounded.convertShape(VectorOperators.F2D, SPECIES, 0)).mul(f[q + i]));
            }
            y.intoArray(out, yh + cb);
        }
    }

    /** LANES floats of s from r, widened to doubles (exactly). */
    private static DoubleVector floats(float[] s, int r) {
        return (DoubleVector) FloatVector.fromArray(FLOATS, s, r).convertShape(VectorOperators.F2D, SPECIES, 0);
    }

    /**
     * {@link RecurrentLinearAttention#toFloat} lane by lane: lane l of x rounded with the noise
     * {@code noiseBefore + (l + 1)·WEYL}, the next values of the scalar loop's Weyl sequence.
     */
    private static FloatVector toFloats(DoubleVector x, long noiseBefore) {
        LongVector n = WEYL_STEPS.add(noiseBefore);
        LongVector bits = x.reinterpretAsLongs().add(n.lanewise(VectorOperators.LSHR, 35)).and(~0x1FFFFFFFL);
        return (FloatVector) bits.reinterpretAsDoubles().convertShape(VectorOperators.D2F, FLOATS, 0);
    }

    private static LongVector weylSteps() {
        long[] steps = new long[LANES];
        for (int l = 0; l < LANES; l++) {
            steps[l] = (l + 1) * RecurrentLinearAttention.WEYL;
        }
        return LongVector.fromArray(LONGS, steps, 0);
    }

    /** One row block of S updated in place: a·S + c·(k_i·v), as {@code a * s + c * (ki * v)}. */
    private static DoubleVector row(double[] s, int r, double a, double c, double ki, DoubleVector v) {
        DoubleVector updated = DoubleVector.fromArray(SPECIES, s, r).mul(a).add(v.mul(ki).mul(c));
        updated.intoArray(s, r);
        return updated;
    }
}
