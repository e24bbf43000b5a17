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

/**
 * Reference: causal linear attention in its quadratic ("parallel", attention-matrix) form, the
 * same outputs as {@link RecurrentLinearAttention} computed without any recurrent state. O(N²) time;
 * for tests, the demo and benchmarks, not for streams.
 *
 * <p>Per head, with Q_t = φ(q_t), K_s = φ(k_s) and the decay weight A_{t,s} of the variant
 * (1 for linear, γ_h^(t−s) for decay, Π_{r=s+1..t} α_r per key dimension for gated):
 * <pre>
 *   y_t = Σ_{s≤t} A_{t,s}(Q_t·K_s) v_s / (Σ_{s≤t} A_{t,s}(Q_t·K_s) + eps)
 * </pre>
 * For gated, A_{t,s}(Q_t·K_s) means Σ_i Q_{t,i} K_{s,i} Π_{r=s+1..t} α_{r,i}.
 * For delta (k̂, q̂ normalised, A_{t,s} = Π_{r=s+1..t} α_r, α = 1 without alpha_projection), the
 * recurrence S_t = α_t S_{t−1} + β_t k̂_t (v_t − α_t S_{t−1}ᵀk̂_t)ᵀ unrolls to S_t = Σ_{s≤t} A_{t,s} k̂_s u_sᵀ
 * with pseudo-values from a forward substitution (the DeltaNet "UT" form):
 * <pre>
 *   u_t = β_t (v_t − Σ_{s&lt;t} A_{t,s}(k̂_s·k̂_t) u_s),     y_t = Σ_{s≤t} A_{t,s}(q̂_t·k̂_s) u_s
 * </pre>
 *
 * <pre>{@code
 * double[][] ys = new ParallelLinearAttention(config, weights).forward(xs); // xs: [N][d_model]
 * }</pre>
 */
public final class ParallelLinearAttention {
    private final AttentionConfig c;
    private final AttentionWeights w;
    private final FeatureMap phi;

    public ParallelLinearAttention(AttentionConfig config, AttentionWeights weights) {
        WeightCheck.check(config, weights);
        this.c = config;
        this.w = weights;
        this.phi = FeatureMap.of(config);
    }

    /** Outputs [N][d_out] for the embedding rows {@code ids}. */
    public double[][] forwardTokens(int[] ids) {
        return forward(Projections.embed(w, c.dModel(), ids));
    }

    /** Outputs [N][d_out] for inputs [N][d_model]. */
    public double[][] forward(double[][] xs) {
        int n = xs.length;
        int heads = c.heads();
        int dk = c.dKey();
        int dv = c.dValue();
        int dPhi = phi.dim();
        double[][][] qf = new double[n][heads][];
        double[][][] kf = new double[n][heads][];
        double[][][] vs = new double[n][heads][];
        double[][][] gates = new double[n][heads][];
        double[][] betas = new double[n][heads];
        double[][] alphas = new double[n][heads];
        for (int t = 0; t < n; t++) {
            double[] x = Projections.row(xs, t, c.dModel());
            double[] q = Projections.linear(w.queryWeight, w.queryBias, heads * dk, c.dModel(), x, 0);
            double[] k = Projections.linear(w.keyWeight, w.keyBias, heads * dk, c.dModel(), x, 0);
            double[] v = Projections.linear(w.valueWeight, w.valueBias, heads * dv, c.dModel(), x, 0);
            double[] g = c.variant() == Variant.GATED
                    ? Projections.linear(w.gateWeight, w.gateBias, heads * dk, c.dModel(), x, 0) : null;
            double[] b = c.variant() == Variant.DELTA
                    ? Projections.linear(w.betaWeight, w.betaBias, heads, c.dModel(), x, 0) : null;
            double[] a = c.variant() == Variant.DELTA && w.alphaWeight != null
                    ? Projections.linear(w.alphaWeight, w.alphaBias, heads, c.dModel(), x, 0) : null;
            for (int h = 0; h < heads; h++) {
                qf[t][h] = new double[dPhi];
                kf[t][h] = new double[dPhi];
                phi.apply(q, h * dk, qf[t][h], 0);
                phi.apply(k, h * dk, kf[t][h], 0);
                vs[t][h] = java.util.Arrays.copyOfRange(v, h * dv, (h + 1) * dv);
                if (g != null) {
                    gates[t][h] = new double[dk];
                    for (int i = 0; i < dk; i++) {
                        gates[t][h][i] = Math.pow(Projections.sigmoid(g[h * dk + i]), 1.0 / 16.0);
                    }
                }
                if (b != null) {
                    unit(qf[t][h]);
                    unit(kf[t][h]);
                    betas[t][h] = Projections.sigmoid(b[h]);
                    alphas[t][h] = a == null ? 1.0 : Projections.sigmoid(a[h]);
                }
            }
        }

        double[][] ys = new double[n][];
        double[] concat = new double[heads * dv];
        double[] gamma = c.decay();
        double[][][] u = new double[heads][][];
        if (c.variant() == Variant.DELTA) {
            for (int h = 0; h < heads; h++) {
                u[h] = computePseudoValues(h, kf, vs, betas, alphas, dv);
            }
        }
        for (int t = 0; t < n; t++) {
            for (int h = 0; h < heads; h++) {
                double[] y = c.variant() == Variant.DELTA
                        ? deltaOutput(t, h, qf, kf, u[h], alphas, dv)
                        : kernelOutput(t, h, qf, kf, vs, gates, gamma, dv, dPhi);
                System.arraycopy(y, 0, concat, h * dv, dv);
            }
            ys[t] = Projections.linear(w.outWeight, w.outBias, c.dOut(), heads * dv, concat, 0);
        }
        return ys;
    }

    private double[] kernelOutput(int t, int h, double[][][] qf, double[][][] kf, double[][][] vs,
                                  double[][][] gates, double[] gamma, int dv, int dPhi) {
        double[] num = new double[dv];
        double den = 0;
        double[] q = qf[t][h];
        double decay = 1.0;                  // γ^(t−s)
        double[] prod = new double[dPhi];    // Π_{r=s+1..t} α_r per dimension (gated)
        java.util.Arrays.fill(prod, 1.0);
        for (int s = t; s >= 0; s--) {
            double[] k = kf[s][h];
            double score = 0;
            for (int i = 0; i < dPhi; i++) {
                score += q[i] * k[i] * prod[i];
            }
            score *= decay;
            for (int j = 0; j < dv; j++) {
                num[j] += score * vs[s][h][j];
            }
            den += score;
            // moving to s−1 brings in token s's gate / decay
            if (c.variant() == Variant.DECAY) {
                decay *= gamma[h];
            } else if (c.variant() == Variant.GATED) {
                for (int i = 0; i < dPhi; i++) {
                    prod[i] *= gates[s][h][i];
                }
            }
        }
        for (int j = 0; j < dv; j++) {
            num[j] /= den + c.eps();
        }
        return num;
    }

    /** Delta rule output y_t = Σ_{s≤t} A_{t,s}(q̂_t·k̂_s) u_s. */
    private double[] deltaOutput(int t, int h, double[][][] qf, double[][][] kf, double[][] u,
                                 double[][] alphas, int dv) {
        double[] y = new double[dv];
        double decay = 1.0; // A_{t,s}
        for (int s = t; s >= 0; s--) {
            double score = decay * dot(qf[t][h], kf[s][h]);
            for (int j = 0; j < dv; j++) {
                y[j] += score * u[s][j];
            }
            decay *= alphas[s][h];
        }
        return y;
    }

    /** u_t = β_t (v_t − Σ_{s<t} A_{t,s}(k̂_s·k̂_t) u_s), a forward substitution over t. */
    private double[][] computePseudoValues(int h, double[][][] kf, double[][][] vs, double[][] betas,
                                           double[][] alphas, int dv) {
        int n = kf.length;
        double[][] u = new double[n][dv];
        for (int t = 0; t < n; t++) {
            double[] r = vs[t][h].clone();
            double decay = alphas[t][h]; // A_{t,s} for s = t−1
            for (int s = t - 1; s >= 0; s--) {
                double kk = decay * dot(kf[s][h], kf[t][h]);
                for (int j = 0; j < dv; j++) {
                    r[j] -= kk * u[s][j];
                }
                decay *= alphas[s][h];
            }
            for (int j = 0; j < dv; j++) {
                u[t][j] = betas[t][h] * r[j];
            }
        }
        return u;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static void unit(double[] a) {
        double s = dot(a, a);
        if (s > 0) {
            double inv = 1.0 / Math.sqrt(s);
            for (int i = 0; i < a.length; i++) {
                a[i] *= inv;
            }
        }
    }
}
