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
 * An affine map y = W x + b (PyTorch {@code nn.Linear}: W [out, in] row-major, b [out] or null),
 * kept transposed as one array per input row so the product is a sequence of axpy operations
 * over contiguous rows — the form C2 vectorizes, and the form of {@link VectorKernels#project}.
 * With the Vector API ({@link VectorSupport}) it runs on those kernels, otherwise on plain loops
 * that round in the same order: the bits are the same either way.
 *
 * <pre>{@code
 * Dense linear1 = new Dense(w1, b1, dFf, dModel);
 * linear1.apply(x, 0, h, 0);            // h[0..dFf) = W1 x + b1
 * linear1.apply4(xs, 0, hs, 0);         // four tokens xs[t·dModel ..] → hs[t·dFf ..]
 * }</pre>
 *
 * <p>Not thread-safe (a scratch row for the plain loops); one per thread, like the layers using it.
 */
public final class Dense {
    private final int in;
    private final int out;
    private final double[][] rows; // Wᵀ: [in][out]
    private final double[] bias;
    private final boolean vector;
    private final double[] buf;

    /** @param weight W [out, in] row-major; @param bias b [out], or null for none */
    public Dense(double[] weight, double[] bias, int out, int in) {
        if (in <= 0 || out <= 0) {
            throw new IllegalArgumentException("dense shape must be positive, got [" + out + ", " + in + "]");
        }
        if (weight == null || weight.length != (long) out * in) {
            throw new IllegalArgumentException("weight must hold " + out + "·" + in + " values, got "
                    + (weight == null ? "none" : Integer.toString(weight.length)));
        }
        if (bias != null && bias.length != out) {
            throw new IllegalArgumentException("bias must hold " + out + " values, got " + bias.length);
        }
        this.in = in;
        this.out = out;
        this.rows = new double[in][out];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                rows[i][o] = weight[o * in + i];
            }
        }
        this.bias = bias == null ? new double[out] : bias.clone();
        this.vector = VectorSupport.enabled() && out >= VectorKernels.LANES;
        this.buf = new double[out];
    }

    public int inputWidth() {
        return in;
    }

    public int outputWidth() {
        return out;
    }

    /** y[yOff .. yOff+out) = W x[xOff .. xOff+in) + b. {@code y} must not overlap {@code x}. */
    public void apply(double[] x, int xOff, double[] y, int yOff) {
        if (vector) {
            VectorKernels.project(x, xOff, in, rows, bias, out, y, yOff);
            return;
        }
        if (yOff == 0) {
            plain(x, xOff, y);
        } else {
            plain(x, xOff, buf);
            System.arraycopy(buf, 0, y, yOff, out);
        }
    }

    /** {@link #apply} for four consecutive inputs xs[xOff + t·in ..] → ys[yOff + t·out ..], t = 0..3 (same bits). */
    public void apply4(double[] xs, int xOff, double[] ys, int yOff) {
        if (vector && yOff == 0) {
            // each weight vector loaded once for the four tokens
            VectorKernels.project4(xs, xOff, in, rows, bias, out, ys);
            return;
        }
        for (int t = 0; t < 4; t++) {
            apply(xs, xOff + t * in, ys, yOff + t * out);
        }
    }

    /** p[0..out) = b + Σ_i x_i·Wᵀ[i], four rows per pass, every array indexed from 0 (C2 vectorizes it). */
    private void plain(double[] x, int xOff, double[] p) {
        final int n = out;
        System.arraycopy(bias, 0, p, 0, n);
        int i = 0;
        for (; i + 3 < in; i += 4) {
            double x0 = x[xOff + i];
            double x1 = x[xOff + i + 1];
            double x2 = x[xOff + i + 2];
            double x3 = x[xOff + i + 3];
            double[] w0 = rows[i];
            double[] w1 = rows[i + 1];
            double[] w2 = rows[i + 2];
            double[] w3 = rows[i + 3];
            for (int j = 0; j < n; j++) {
                p[j] += x0 * w0[j] + x1 * w1[j] + x2 * w2[j] + x3 * w3[j];
            }
        }
        for (; i < in; i++) {
            double xi = x[xOff + i];
            double[] w = rows[i];
            for (int j = 0; j < n; j++) {
                p[j] += xi * w[j];
            }
        }
    }
}
