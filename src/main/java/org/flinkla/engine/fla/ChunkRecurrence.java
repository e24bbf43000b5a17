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
 * The chunkwise forms of the FLA recurrences: for a chunk of n tokens of one head, the intra-chunk
 * part as small matrix products plus one state update per chunk, instead of n rank-1 steps. S is
 * the head's [d_v][d_k] state (row-major, as in the flat state), S₀ its value before the chunk;
 * t, j index the chunk's tokens from 0; q, k, v are the rows prepared for the recurrence (after
 * the convolution, activations, norms, rotary and the query scale).
 *
 * <ul>
 *   <li><b>(gated) delta rule</b>, UT transform: with G_t = Σ_{s≤t} g_s (log gates; 0 without gate),
 *       the state after token t is S_t = e^{G_t} S₀ + Σ_{j≤t} e^{G_t−G_j} u_j k_jᵀ, where the
 *       pseudo-values u solve the unit lower-triangular system
 *       u_t + β_t Σ_{j&lt;t} e^{G_t−G_j}(k_t·k_j) u_j = β_t (v_t − e^{G_t} S₀ k_t)
 *       (forward substitution: this applies T = (I + A)⁻¹ of the WY/UT representation to the
 *       right-hand side, the same system FLA's chunk_(gated_)delta_rule solves, u = T(βv) − T(βe^G k) S₀ᵀ).
 *       Then o_t = e^{G_t} S₀ q_t + Σ_{j≤t} e^{G_t−G_j}(q_t·k_j) u_j and
 *       S_n = e^{G_{n−1}} S₀ + Σ_j u_j (e^{G_{n−1}−G_j} k_j)ᵀ;</li>
 *   <li><b>GLA</b> (decay per key channel): with B_t = Σ_{s≤t} log α_s (per channel),
 *       o_t = S₀ (q_t ⊙ e^{B_t}) + Σ_{j&lt;t} ((q_t ⊙ e^{B_t})·(k_j ⊙ e^{−B_j})) v_j + (q_t·k_t) v_t and
 *       S_n = S₀ ⊙ e^{B_{n−1}} + Σ_j v_j (k_j ⊙ e^{B_{n−1}−B_j})ᵀ (⊙ e^{B} scales the columns).
 *       The factors e^{−B_j} are kept below e^{{@value #GLA_LOG_LIMIT}}: the chunk is split where
 *       the decay accumulated since the start of a piece would exceed that (never for ordinary
 *       decays; the split points depend only on the tokens, so the result is deterministic);</li>
 *   <li><b>retention</b> (one decay γ per head): o_t = γ^{t+1} S₀ q_t + Σ_{j≤t} γ^{t−j}(q_t·k_j) v_j,
 *       S_n = γ^n S₀ + Σ_j v_j (γ^{n−1−j} k_j)ᵀ.</li>
 * </ul>
 * All in float64. A float32 state is widened into a scratch copy, updated there once and stored
 * rounded to nearest once per chunk (the token loop rounds after every token). The products run on
 * {@link #mm} (the Vector API kernel when available, same bits: fused multiply-adds in both). The
 * causal products (k_t·k_j, q_t·k_j) are computed only up to the diagonal, in blocks of rows. The
 * decay factors are products of the per-token decays, as the token loop applies them: e^{G_t−G_j}
 * = e^{g_t}·e^{G_{t−1}−G_j} (one exp per token), GLA's e^{B_t} the running product of e^{log α}
 * (one exp per token and channel), e^{−B_j} its reciprocal.
 *
 * <p>Not thread-safe (scratch); allocates nothing per call.
 */
final class ChunkRecurrence {
    /** Largest |log| of the GLA key factors e^{−B_j} inside one piece of a chunk. */
    static final double GLA_LOG_LIMIT = 50.0;

    private final int dk;
    private final int dv;
    private final double[] st;  // [d_k][d_v]: S₀ᵀ
    private final double[] sx;  // [d_v][d_k]: float64 working copy of a float32 state
    // the [n][n] matrices and kt have rows of np = n rounded up to whole vectors (padded(n)), so
    // that their products run on whole vectors; the padding columns are never read
    private final double[] kt;  // [d_k][np]: keys transposed (GLA: k ⊙ e^{−B})
    private final double[] mk;  // [n][np]: k_t·k_j, then the substitution coefficients
    private final double[] mq;  // [n][np]: q_t·k_j, then the attention weights
    private final double[] u;   // [n][d_v]: pseudo-values
    private final double[] kd;  // [n][d_k]: scaled keys of the products with S₀ and of the state update
    private final double[] f;   // [n]: gate factors e^{G_t−G_j} of the current token t
    private final double[] qb;  // [n][d_k]: scaled queries (GLA q ⊙ e^{B}, delta e^{G} q)
    private final double[] bc;  // [n][d_k]: GLA cumulative log decays B_t (where to split)
    private final double[] ec;  // [n][d_k]: GLA e^{B_t}, the products of the decays
    private final double[] el;  // [d_k]: GLA e^{B_{n−1}}

    ChunkRecurrence(int maxN, int dk, int dv) {
        this.dk = dk;
        this.dv = dv;
        st = new double[dk * dv];
        sx = new double[dv * dk];
        int np = padded(maxN);
        kt = new double[dk * np];
        mk = new double[maxN * np];
        mq = new double[maxN * np];
        u = new double[maxN * dv];
        kd = new double[maxN * dk];
        f = new double[maxN];
        qb = new double[maxN * dk];
        bc = new double[maxN * dk];
        ec = new double[maxN * dk];
        el = new double[dk];
    }

    /** Doubles per vector of the product kernel (1 without the Vector API). */
    private static final int LANES = FlaMath.VECTOR ? ChunkVectorKernels.LANES : 1;

    /**
     * Rows per block of the causal products: the product kernel keeps 8 rows × 2 vectors in
     * registers, and with whole-vector columns a block of 8 rows stops at the same column as two of 4.
     */
    private static final int TRI = 8;

    /** n rounded up to whole vectors: the row length of the [n][n] scratch matrices. */
    static int padded(int n) {
        return (n + LANES - 1) / LANES * LANES;
    }

    /**
     * c[m][j] = Σ_{k&lt;inner} A(m, k)·b[k][j] (or c[m][j] + that sum with {@code accumulate}) for
     * m &lt; rows, j &lt; cols, with A(m, k) = a[aOff + m·aRow + k·aCol] (so A may be read
     * transposed), rows of b at bOff + k·bRow, rows of c at cOff + m·cRow. Each element is
     * accumulated over k ascending, one fused multiply-add per term (Math.fma: a single rounding);
     * the Vector API kernel gives the same bits.
     */
    static void mm(double[] a, int aOff, int aRow, int aCol, double[] b, int bOff, int bRow,
                   double[] c, int cOff, int cRow, int rows, int inner, int cols, boolean accumulate) {
        if (FlaMath.VECTOR) {
            ChunkVectorKernels.mm(a, aOff, aRow, aCol, b, bOff, bRow, c, cOff, cRow, rows, inner, cols, accumulate);
        } else {
            mmScalar(a, aOff, aRow, aCol, b, bOff, bRow, c, cOff, cRow, rows, inner, cols, accumulate);
        }
    }

    static void mmScalar(double[] a, int aOff, int aRow, int aCol, double[] b, int bOff, int bRow,
                         double[] c, int cOff, int cRow, int rows, int inner, int cols, boolean accumulate) {
        for (int m = 0; m < rows; m++) {
            int cr = cOff + m * cRow;
            if (!accumulate) {
                java.util.Arrays.fill(c, cr, cr + cols, 0.0);
            }
            int ar = aOff + m * aRow;
            for (int k = 0; k < inner; k++) {
                double av = a[ar + k * aCol];
                int br = bOff + k * bRow;
                for (int j = 0; j < cols; j++) {
                    c[cr + j] = Math.fma(av, b[br + j], c[cr + j]);
                }
            }
        }
    }

    /**
     * c[t] += Σ_{j≤t} w[t][j]·b[j] for t &lt; n (w row-major with rows of wRow, its upper triangle
     * ignored; rows of b at bOff + j·bRow, of c at cOff + t·cRow): eight rows per product, the weights
     * above the diagonal inside a block set to 0 (adding 0·b leaves each sum as it is).
     */
    private static void lowerTimes(double[] w, int n, int wRow, double[] b, int bOff, int bRow, double[] c, int cOff,
                                   int cRow, int cols) {
        for (int t0 = 0; t0 < n; t0 += TRI) {
            int rows = Math.min(TRI, n - t0);
            int inner = t0 + rows;
            for (int r = 0; r < rows; r++) {
                for (int j = t0 + r + 1; j < inner; j++) {
                    w[(t0 + r) * wRow + j] = 0.0;
                }
            }
            mm(w, t0 * wRow, wRow, 1, b, bOff, bRow, c, cOff + t0 * cRow, cRow, rows, inner, cols, true);
        }
    }

    /** The head's state as float64: sd itself, or sf widened into {@link #sx}. */
    private double[] open(double[] sd, float[] sf, int base) {
        if (sd != null) {
            return sd;
        }
        for (int i = 0; i < dv * dk; i++) {
            sx[i] = sf[base + i];
        }
        return sx;
    }

    private void close(float[] sf, int base) {
        if (sf != null) {
            for (int i = 0; i < dv * dk; i++) {
                sf[base + i] = (float) sx[i];
            }
        }
    }

    /** st = Sᵀ ([d_k][d_v]) of the state at s[sb ..]. */
    private void transposeState(double[] s, int sb) {
        transpose(s, sb, dk, dv, st, dv);
    }

    /** kt = Kᵀ ([d_k][np]) of the n key rows at k0 + t·ps. */
    private void transposeKeys(double[] p, int ps, int k0, int n, int np) {
        transpose(p, k0, ps, n, kt, np);
    }

    /**
     * dst[c·dstStride + r] = src[off + r·srcStride + c] for the {@code rows} rows and d_k columns,
     * four columns at a time: the four rows of dst being written stay in L1.
     */
    private void transpose(double[] src, int off, int srcStride, int rows, double[] dst, int dstStride) {
        int c0 = 0;
        for (; c0 + 3 < dk; c0 += 4) {
            int w = c0 * dstStride;
            for (int r = 0; r < rows; r++) {
                int x = off + r * srcStride + c0;
                dst[w + r] = src[x];
                dst[w + dstStride + r] = src[x + 1];
                dst[w + 2 * dstStride + r] = src[x + 2];
                dst[w + 3 * dstStride + r] = src[x + 3];
            }
        }
        for (; c0 < dk; c0++) {
            for (int r = 0; r < rows; r++) {
                dst[c0 * dstStride + r] = src[off + r * srcStride + c0];
            }
        }
    }

    /**
     * m[t][j] = x_t·k_j (x the rows at x0 + t·ps, k from {@link #kt}) for j ≤ t: causal, so each block
     * of eight rows stops at its last row's diagonal (rounded up to whole vectors; what lies above
     * the diagonal is never read).
     */
    private void lowerProducts(double[] p, int x0, int ps, double[] m, int n, int np) {
        for (int t0 = 0; t0 < n; t0 += TRI) {
            int rows = Math.min(TRI, n - t0);
            mm(p, x0 + t0 * ps, ps, 1, kt, 0, np, m, t0 * np, np, rows, dk, Math.min(np, padded(t0 + rows)), false);
        }
    }

    /**
     * The (gated) delta rule over n tokens of one head (see the class comment). Rows of q, k, v in p
     * at q0/k0/v0 + t·ps; β_t = beta[bOff + t·bs]; log gates gate[gOff + t·gs] or none (null);
     * o_t to o[oOff + t·os ..]; the state at base in sd (float64) or sf (float32).
     */
    void delta(double[] sd, float[] sf, int base, int n, double[] p, int ps, int q0, int k0, int v0,
               double[] beta, int bOff, int bs, double[] gate, int gOff, int gs, double[] o, int oOff, int os) {
        double[] s = open(sd, sf, base);
        int sb = sd != null ? base : 0;
        int np = padded(n);
        transposeState(s, sb);
        transposeKeys(p, ps, k0, n, np);
        lowerProducts(p, k0, ps, mk, n, np);                            // k_t·k_j, j ≤ t
        lowerProducts(p, q0, ps, mq, n, np);                            // q_t·k_j, j ≤ t
        // the S₀ products take the per-token factors into their rows: kd_t = −β_t e^{G_t} k_t
        // (u_t starts at β_t v_t and accumulates kd_t·S₀ᵀ), qb_t = e^{G_t} q_t
        double e = 1.0; // e^{G_t}
        for (int t = 0; t < n; t++) {
            double bt = beta[bOff + t * bs];
            int mr = t * np;
            if (gate != null) {
                // e^{G_t−G_j} = e^{g_t}·e^{G_{t−1}−G_j}: the previous token's factors times this
                // token's gate (products of the gates as the token loop applies them; one exp per token)
                double a = Math.exp(gate[gOff + t * gs]);
                e *= a;
                for (int j = 0; j < t; j++) {
                    double fj = f[j] * a;
                    f[j] = fj;
                    mk[mr + j] = -bt * fj * mk[mr + j];
                    mq[mr + j] *= fj;
                }
                f[t] = 1.0;
                int qr = q0 + t * ps;
                int r = t * dk;
                for (int c = 0; c < dk; c++) {
                    qb[r + c] = e * p[qr + c];
                }
            } else {
                for (int j = 0; j < t; j++) {
                    mk[mr + j] = -bt * mk[mr + j];
                }
            }
            int vr = v0 + t * ps;
            int ur = t * dv;
            for (int i = 0; i < dv; i++) {
                u[ur + i] = bt * p[vr + i];
            }
            int kr = k0 + t * ps;
            int r = t * dk;
            double w = -bt * e;
            for (int c = 0; c < dk; c++) {
                kd[r + c] = w * p[kr + c];
            }
        }
        if (gate != null) {
            mm(qb, 0, dk, 1, st, 0, dv, o, oOff, os, n, dk, dv, false); // e^{G_t} S₀ q_t
        } else {
            mm(p, q0, ps, 1, st, 0, dv, o, oOff, os, n, dk, dv, false); // S₀ q_t
        }
        mm(kd, 0, dk, 1, st, 0, dv, u, 0, dv, n, dk, dv, true);         // u_t = β_t (v_t − e^{G_t} S₀ k_t)
        // u_t −= Σ_{j<t} β_t e^{G_t−G_j}(k_t·k_j) u_j, eight rows at a time: first the rows before
        // the block (final), then the triangle inside it in order
        for (int t0 = 0; t0 < n; t0 += TRI) {
            int rows = Math.min(TRI, n - t0);
            mm(mk, t0 * np, np, 1, u, 0, dv, u, t0 * dv, dv, rows, t0, dv, true);
            for (int r = 1; r < rows; r++) {
                mm(mk, (t0 + r) * np + t0, 0, 1, u, t0 * dv, dv, u, (t0 + r) * dv, dv, 1, r, dv, true);
            }
        }
        // o_t += Σ_{j≤t} e^{G_t−G_j}(q_t·k_j) u_j
        lowerTimes(mq, n, np, u, 0, dv, o, oOff, os, dv);
        // S ← e^{G_{n−1}} S₀ + Σ_j u_j (e^{G_{n−1}−G_j} k_j)ᵀ (f holds e^{G_{n−1}−G_j} now)
        for (int j = 0; j < n; j++) {
            double fj = gate == null ? 1.0 : f[j];
            int kr = k0 + j * ps;
            for (int c = 0; c < dk; c++) {
                kd[j * dk + c] = fj * p[kr + c];
            }
        }
        if (gate != null) {
            for (int i = sb; i < sb + dv * dk; i++) {
                s[i] *= e;
            }
        }
        mm(u, 0, 1, dv, kd, 0, dk, s, sb, dk, dv, n, dk, true);
        close(sf, base);
    }

    /**
     * GLA over n tokens of one head: log decays (per key channel) at logA[aOff + t·as + c], the rest
     * as {@link #delta}.
     */
    void gla(double[] sd, float[] sf, int base, int n, double[] p, int ps, int q0, int k0, int v0,
             double[] logA, int aOff, int as, double[] o, int oOff, int os) {
        double[] s = open(sd, sf, base);
        int sb = sd != null ? base : 0;
        for (int start = 0; start < n; ) {
            // cumulative log decays from the start of this piece; a token joins while the keys
            // before it keep e^{−B} ≤ e^{GLA_LOG_LIMIT}
            int end = start;
            double min;
            do {
                int t = end - start;
                int ar = aOff + end * as;
                min = 0;
                for (int c = 0; c < dk; c++) {
                    double la = logA[ar + c];
                    double b = (t == 0 ? 0.0 : bc[(t - 1) * dk + c]) + la;
                    bc[t * dk + c] = b;
                    // e^{B_t} as the product of the decays e^{log α} the token loop applies
                    double a = Math.exp(la);
                    ec[t * dk + c] = t == 0 ? a : ec[(t - 1) * dk + c] * a;
                    min = Math.min(min, b);
                }
                end++;
            } while (end < n && min >= -GLA_LOG_LIMIT);
            glaPiece(s, sb, end - start, p, ps, q0 + start * ps, k0 + start * ps, v0 + start * ps,
                    o, oOff + start * os, os);
            start = end;
        }
        close(sf, base);
    }

    private void glaPiece(double[] s, int sb, int m, double[] p, int ps, int q0, int k0, int v0,
                          double[] o, int oOff, int os) {
        int np = padded(m);
        transposeState(s, sb);
        for (int t = 0; t < m; t++) {
            int qr = q0 + t * ps;
            int r = t * dk;
            for (int c = 0; c < dk; c++) {
                qb[r + c] = p[qr + c] * ec[r + c];
            }
        }
        for (int t = 0; t < m - 1; t++) {
            int kr = k0 + t * ps;
            int r = t * dk;
            for (int c = 0; c < dk; c++) {
                kt[c * np + t] = p[kr + c] / ec[r + c];
            }
        }
        mm(qb, 0, dk, 1, st, 0, dv, o, oOff, os, m, dk, dv, false);      // S₀ (q_t ⊙ e^{B_t})
        if (m > 1) {
            // (q_t ⊙ e^{B_t})·(k_j ⊙ e^{−B_j}) for j < t (the diagonal follows)
            lowerProducts(qb, 0, dk, mq, m, np);
        }
        for (int t = 0; t < m; t++) {
            int qr = q0 + t * ps;
            int kr = k0 + t * ps;
            double diag = 0;
            for (int c = 0; c < dk; c++) {
                diag += p[qr + c] * p[kr + c];
            }
            mq[t * np + t] = diag;
        }
        lowerTimes(mq, m, np, p, v0, ps, o, oOff, os, dv);
        // S ← S₀ ⊙ e^{B_{m−1}} + Σ_j v_j (k_j ⊙ e^{B_{m−1}−B_j})ᵀ
        int lr = (m - 1) * dk;
        System.arraycopy(ec, lr, el, 0, dk);
        for (int j = 0; j < m - 1; j++) {
            int kr = k0 + j * ps;
            int r = j * dk;
            for (int c = 0; c < dk; c++) {
                kd[r + c] = p[kr + c] * (el[c] / ec[r + c]);
            }
        }
        System.arraycopy(p, k0 + (m - 1) * ps, kd, lr, dk);
        for (int i = 0; i < dv; i++) {
            int r = sb + i * dk;
            for (int c = 0; c < dk; c++) {
                s[r + c] *= el[c];
            }
        }
        mm(p, v0, 1, ps, kd, 0, dk, s, sb, dk, dv, m, dk, true);
    }

    /**
     * Retention over n tokens of one head with pow[m] = γ^m (m ≤ n), the rest as {@link #delta}.
     */
    void retention(double[] sd, float[] sf, int base, int n, double[] p, int ps, int q0, int k0, int v0,
                   double[] pow, int powOff, double[] o, int oOff, int os) {
        double[] s = open(sd, sf, base);
        int sb = sd != null ? base : 0;
        int np = padded(n);
        transposeState(s, sb);
        transposeKeys(p, ps, k0, n, np);
        mm(p, q0, ps, 1, st, 0, dv, o, oOff, os, n, dk, dv, false);    // S₀ q_t
        lowerProducts(p, q0, ps, mq, n, np);                           // q_t·k_j, j ≤ t
        for (int t = 0; t < n; t++) {
            int orow = oOff + t * os;
            double f = pow[powOff + t + 1];
            for (int i = 0; i < dv; i++) {
                o[orow + i] *= f;
            }
            int mr = t * np;
            for (int j = 0; j <= t; j++) {
                mq[mr + j] *= pow[powOff + t - j];
            }
        }
        lowerTimes(mq, n, np, p, v0, ps, o, oOff, os, dv);
        for (int j = 0; j < n; j++) {
            double f = pow[powOff + n - 1 - j];
            int kr = k0 + j * ps;
            for (int c = 0; c < dk; c++) {
                kd[j * dk + c] = f * p[kr + c];
            }
        }
        double e = pow[powOff + n];
        for (int i = sb; i < sb + dv * dk; i++) {
            s[i] *= e;
        }
        mm(p, v0, 1, ps, kd, 0, dk, s, sb, dk, dv, n, dk, true);
        close(sf, base);
    }
}
