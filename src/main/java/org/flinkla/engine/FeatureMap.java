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

import java.util.Random;

/**
 * The kernel feature map φ of docs/models.md for one head: maps a d_k vector to d_φ non-negative
 * (elu, favor) or non-negative-kernel (relu, taylor) features, so that φ(q)·φ(k) plays the role of
 * the softmax score exp(q·k/√d_k).
 *
 * <ul>
 *   <li>{@code elu}: φ(x)_i = x_i + 1 for x_i ≥ 0, exp(x_i) otherwise (= elu(x)+1 without the
 *       cancellation of {@code exp(x) − 1 + 1}); d_φ = d_k.</li>
 *   <li>{@code relu}: φ(x)_i = max(x_i, 0); d_φ = d_k.</li>
 *   <li>{@code favor}: Performer FAVOR+ positive random features,
 *       φ(x)_r = exp(ω_r·x' − ‖x'‖²/2)/√m with x' = x/d^¼, so E[φ(q)·φ(k)] = exp(q·k/√d).
 *       ω is m × d_k, drawn once from {@code favorSeed}: blocks of d_k Gaussian rows made
 *       orthonormal (Gram–Schmidt) and each row rescaled by the norm of an independent Gaussian
 *       d_k-vector (so every row is marginally N(0, I)). Shared by all heads and fixed for the
 *       model's life: the same seed gives the same ω in every JVM ({@link Random} is specified).</li>
 *   <li>{@code taylor}: φ(x) = [1, x/d^¼, vec(x⊗x)/(√2·√d)], so
 *       φ(q)·φ(k) = 1 + q·k/√d + (q·k)²/2d; d_φ = 1 + d + d².</li>
 *   <li>favor with a stored ω ({@link #favorStored}): fast-transformers' {@code Favor} with the ω
 *       [d_k, m/2] a checkpoint carries, x' = x·√τ, u = x'ᵀω,
 *       φ(x) = [exp(u − ‖x'‖²/2 − ½·ln m), exp(−u − ‖x'‖²/2 − ½·ln m)]; d_φ = m. Its kind is
 *       {@link FeatureMapKind#FAVOR} too (the state has the same shape).</li>
 * </ul>
 *
 * <pre>{@code
 * FeatureMap phi = FeatureMap.of(config);
 * double[] out = new double[phi.dim()];
 * phi.apply(k, 0, out, 0);
 * }</pre>
 *
 * <p>Immutable and thread-safe; {@link #apply} allocates nothing.
 */
public final class FeatureMap {
    private final FeatureMapKind kind;
    private final int d;
    private final int dim;
    /** favor: ω transposed, [d][m] row-major, so ω·x is an axpy over contiguous rows. */
    private final double[] omegaT;
    private final double invSqrtM;
    /** d^(-1/4): the query/key scaling of favor and the linear term of taylor. */
    private final double quarter;
    /** 1/(√2·√d): the quadratic term of taylor. */
    private final double quad;
    /** favor with a stored ω: ω [d_k][m/2] row-major as stored (null otherwise), √τ and ½·ln m. */
    private final double[] storedOmega;
    private final double sqrtTemp;
    private final double halfLogM;

    private FeatureMap(FeatureMapKind kind, int d, int m, long seed) {
        this.kind = kind;
        this.d = d;
        this.quarter = Math.pow(d, -0.25);
        this.quad = 1.0 / (Math.sqrt(2.0) * Math.sqrt(d));
        this.storedOmega = null;
        this.sqrtTemp = 0;
        this.halfLogM = 0;
        switch (kind) {
            case FAVOR:
                this.dim = m;
                this.omegaT = transpose(orthogonalGaussian(m, d, seed), m, d);
                this.invSqrtM = 1.0 / Math.sqrt(m);
                break;
            case TAYLOR:
                this.dim = 1 + d + d * d;
                this.omegaT = null;
                this.invSqrtM = 0;
                break;
            default:
                this.dim = d;
                this.omegaT = null;
                this.invSqrtM = 0;
        }
    }

    private FeatureMap(int d, double[] omega, int m, double softmaxTemp) {
        this.kind = FeatureMapKind.FAVOR;
        this.d = d;
        this.dim = m;
        this.omegaT = null;
        this.invSqrtM = 0;
        this.quarter = 0;
        this.quad = 0;
        this.storedOmega = omega.clone();
        this.sqrtTemp = Math.sqrt(softmaxTemp);
        this.halfLogM = 0.5 * Math.log(m);
    }

    /**
     * fast-transformers' {@code Favor} (stabilize off) with a stored ω: {@code omega} is the
     * checkpoint's {@code feature_map.omega} [d_k, m/2] row-major, {@code m} = 2·(m/2) features,
     * {@code softmaxTemp} τ (fast-transformers' default is 1/√d_k).
     */
    public static FeatureMap favorStored(double[] omega, int dk, int m, double softmaxTemp) {
        if (dk <= 0) {
            throw new IllegalArgumentException("feature map input width must be positive, got " + dk);
        }
        if (m <= 0 || m % 2 != 0) {
            throw new IllegalArgumentException("favor features m must be positive and even, got " + m);
        }
        if (omega == null || omega.length != (long) dk * (m / 2)) {
            throw new IllegalArgumentException("omega must hold d_k·m/2 = " + dk + "·" + (m / 2) + " values, got "
                    + (omega == null ? "none" : Integer.toString(omega.length)));
        }
        if (!(softmaxTemp > 0) || !Double.isFinite(softmaxTemp)) {
            throw new IllegalArgumentException("softmax_temp must be finite and > 0, got " + softmaxTemp);
        }
        return new FeatureMap(dk, omega, m, softmaxTemp);
    }

    /** True for {@link #favorStored} maps. */
    public boolean hasStoredOmega() {
        return storedOmega != null;
    }

    /** The feature map of a layer: kind, d_k, and for favor the number of features and the seed. */
    public static FeatureMap of(AttentionConfig config) {
        return new FeatureMap(config.featureMap(), config.dKey(), config.favorFeatures(), config.favorSeed());
    }

    /** d_φ of the feature map of a layer with this configuration, without building the map. */
    public static int dim(AttentionConfig config) {
        int d = config.dKey();
        switch (config.featureMap()) {
            case FAVOR:
                return config.favorFeatures();
            case TAYLOR:
                return 1 + d + d * d;
            default:
                return d;
        }
    }

    /** A feature map on d-vectors; {@code favorFeatures}/{@code favorSeed} only matter for favor. */
    public static FeatureMap of(FeatureMapKind kind, int d, int favorFeatures, long favorSeed) {
        if (d <= 0) {
            throw new IllegalArgumentException("feature map input width must be positive, got " + d);
        }
        if (kind == FeatureMapKind.FAVOR && favorFeatures <= 0) {
            throw new IllegalArgumentException("favor_features must be positive, got " + favorFeatures);
        }
        return new FeatureMap(kind, d, favorFeatures, favorSeed);
    }

    public FeatureMapKind kind() {
        return kind;
    }

    /** d_k: input width. */
    public int inputDim() {
        return d;
    }

    /** d_φ: output width. */
    public int dim() {
        return dim;
    }

    /** φ(x[xOff..xOff+d)) into out[outOff..outOff+d_φ). The ranges must not overlap. */
    public void apply(double[] x, int xOff, double[] out, int outOff) {
        switch (kind) {
            case ELU:
                for (int i = 0; i < d; i++) {
                    double v = x[xOff + i];
                    // exp(v) for v < 0 instead of elu(v) + 1 = (exp(v) - 1) + 1: stays > 0 at v = -30
                    out[outOff + i] = v >= 0 ? v + 1.0 : Math.exp(v);
                }
                break;
            case RELU:
                for (int i = 0; i < d; i++) {
                    out[outOff + i] = Math.max(x[xOff + i], 0.0);
                }
                break;
            case FAVOR:
                if (storedOmega != null) {
                    favorStored(x, xOff, out, outOff);
                } else {
                    favor(x, xOff, out, outOff);
                }
                break;
            case TAYLOR:
                taylor(x, xOff, out, outOff);
                break;
            default:
                throw new AssertionError(kind);
        }
    }

    /** Allocating convenience for tests and reference code. */
    public double[] apply(double[] x) {
        double[] out = new double[dim];
        apply(x, 0, out, 0);
        return out;
    }

    /** A copy of the seeded favor projection ω [m][d_k] (null for other maps and for {@link #favorStored}). */
    public double[][] favorProjection() {
        if (omegaT == null) {
            return null;
        }
        double[][] w = new double[dim][d];
        for (int r = 0; r < dim; r++) {
            for (int j = 0; j < d; j++) {
                w[r][j] = omegaT[j * dim + r];
            }
        }
        return w;
    }

    private void favor(double[] x, int xOff, double[] out, int outOff) {
        int m = dim;
        // out = ω x' accumulated as an axpy over the rows of ωᵀ (vectorizable), x' = x/d^¼
        for (int r = 0; r < m; r++) {
            out[outOff + r] = 0.0;
        }
        double n2 = 0.0;
        for (int j = 0; j < d; j++) {
            double xj = x[xOff + j] * quarter;
            n2 += xj * xj;
            int row = j * m;
            for (int r = 0; r < m; r++) {
                out[outOff + r] += xj * omegaT[row + r];
            }
        }
        // φ_r = exp(ω_r·x' − ‖x'‖²/2)/√m: E over ω of φ(q)·φ(k) is exp(q'·k') = exp(q·k/√d)
        double half = 0.5 * n2;
        for (int r = 0; r < m; r++) {
            out[outOff + r] = Math.exp(out[outOff + r] - half) * invSqrtM;
        }
    }

    /**
     * fast-transformers' Favor: x' = x·√τ, u = x'ᵀω (axpy over the rows of ω [d_k][m/2]),
     * offset = ‖x'‖²·½ + ½·ln m, φ = [exp(u − offset), exp(−u − offset)]. The ½·ln m (the 1/√m
     * factor written inside the exponent) is kept exactly: it cancels between numerator and
     * denominator except against eps.
     */
    private void favorStored(double[] x, int xOff, double[] out, int outOff) {
        final int h = dim / 2;
        final double[] w = storedOmega;
        for (int r = 0; r < h; r++) {
            out[outOff + r] = 0.0;
        }
        double n2 = 0.0;
        for (int j = 0; j < d; j++) {
            double xj = x[xOff + j] * sqrtTemp;
            n2 += xj * xj;
            int row = j * h;
            for (int r = 0; r < h; r++) {
                out[outOff + r] += xj * w[row + r];
            }
        }
        double offset = n2 * 0.5 + halfLogM;
        for (int r = 0; r < h; r++) {
            double u = out[outOff + r];
            out[outOff + r] = Math.exp(u - offset);
            out[outOff + h + r] = Math.exp(-u - offset);
        }
    }

    private void taylor(double[] x, int xOff, double[] out, int outOff) {
        out[outOff] = 1.0;
        for (int i = 0; i < d; i++) {
            out[outOff + 1 + i] = x[xOff + i] * quarter;
        }
        // vec(x⊗x)/(√2·√d): the (q·k)²/2d term of exp's Taylor series
        int base = outOff + 1 + d;
        for (int i = 0; i < d; i++) {
            double xi = x[xOff + i] * quad;
            int row = base + i * d;
            for (int j = 0; j < d; j++) {
                out[row + j] = xi * x[xOff + j];
            }
        }
    }

    /** m rows of width d: orthonormal blocks of d rows, each row rescaled to a chi(d) norm. */
    static double[][] orthogonalGaussian(int m, int d, long seed) {
        Random rnd = new Random(seed);
        double[][] w = new double[m][];
        for (int start = 0; start < m; start += d) {
            double[][] block = new double[d][d];
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    block[i][j] = rnd.nextGaussian();
                }
            }
            gramSchmidt(block);
            for (int i = 0; i < d && start + i < m; i++) {
                double norm = 0;
                for (int j = 0; j < d; j++) {
                    double g = rnd.nextGaussian();
                    norm += g * g;
                }
                norm = Math.sqrt(norm);
                double[] row = block[i];
                for (int j = 0; j < d; j++) {
                    row[j] *= norm;
                }
                w[start + i] = row;
            }
        }
        return w;
    }

    /** Modified Gram–Schmidt on the rows, in place (Gaussian rows are independent almost surely). */
    private static void gramSchmidt(double[][] a) {
        int n = a.length;
        for (int i = 0; i < n; i++) {
            double[] ai = a[i];
            for (int p = 0; p < i; p++) {
                double[] ap = a[p];
                double dot = 0;
                for (int j = 0; j < ai.length; j++) {
                    dot += ai[j] * ap[j];
                }
                for (int j = 0; j < ai.length; j++) {
                    ai[j] -= dot * ap[j];
                }
            }
            double norm = 0;
            for (double v : ai) {
                norm += v * v;
            }
            norm = Math.sqrt(norm);
            for (int j = 0; j < ai.length; j++) {
                ai[j] /= norm;
            }
        }
    }

    private static double[] transpose(double[][] w, int rows, int cols) {
        double[] t = new double[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = w[r][c];
            }
        }
        return t;
    }
}
