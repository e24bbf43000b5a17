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
package org.flinkla.engine.stack;

/**
 * PyTorch's {@code nn.LayerNorm} over the last dimension:
 * LN(x) = (x − mean(x)) / √(var(x) + eps) ⊙ weight + bias, with the biased variance
 * (Σ(x − mean)²/n, two passes) and eps inside the square root.
 *
 * <p>Immutable and thread-safe; allocates nothing. The arrays are not copied.
 */
public final class LayerNorm {
    private final double[] weight;
    private final double[] bias;
    private final double eps;
    private final int n;

    public LayerNorm(double[] weight, double[] bias, double eps) {
        if (weight == null || bias == null || weight.length != bias.length || weight.length == 0) {
            throw new IllegalArgumentException("layer norm weight and bias must have the same positive length");
        }
        if (!(eps >= 0) || !Double.isFinite(eps)) {
            throw new IllegalArgumentException("layer_norm_eps must be finite and >= 0, got " + eps);
        }
        this.weight = weight;
        this.bias = bias;
        this.eps = eps;
        this.n = weight.length;
    }

    public int width() {
        return n;
    }

    /** out[outOff .. outOff+n) = LN(x[xOff .. xOff+n)); in place is allowed (same array and offset). */
    public void apply(double[] x, int xOff, double[] out, int outOff) {
        double s = 0.0;
        for (int i = 0; i < n; i++) {
            s += x[xOff + i];
        }
        double mean = s / n;
        double v = 0.0;
        for (int i = 0; i < n; i++) {
            double d = x[xOff + i] - mean;
            v += d * d;
        }
        double inv = 1.0 / Math.sqrt(v / n + eps);
        for (int i = 0; i < n; i++) {
            out[outOff + i] = (x[xOff + i] - mean) * inv * weight[i] + bias[i];
        }
    }
}
