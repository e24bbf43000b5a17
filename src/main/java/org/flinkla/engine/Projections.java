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
 * Plain, allocating matrix-vector helpers for the reference forms ({@link ParallelLinearAttention},
 * {@link SoftmaxAttention}). Deliberately written independently of the fused, transposed kernels of
 * {@link RecurrentLinearAttention} so that comparing the two tests both.
 */
final class Projections {
    private Projections() {
    }

    /** y = W x + b with W in nn.Linear layout [rows, cols]; b may be null. */
    static double[] linear(double[] w, double[] b, int rows, int cols, double[] x, int xOff) {
        double[] y = new double[rows];
        for (int r = 0; r < rows; r++) {
            double s = b == null ? 0.0 : b[r];
            for (int c = 0; c < cols; c++) {
                s += w[r * cols + c] * x[xOff + c];
            }
            y[r] = s;
        }
        return y;
    }

    /** The d_model input of every position: rows of xs, checked. */
    static double[] row(double[][] xs, int t, int dModel) {
        if (xs[t].length != dModel) {
            throw new IllegalArgumentException("input " + t + " has " + xs[t].length + " values, expected d_model = " + dModel);
        }
        return xs[t];
    }

    /** Embedding rows for token ids, checked. */
    static double[][] embed(AttentionWeights w, int dModel, int[] ids) {
        if (w.embedding == null) {
            throw new IllegalArgumentException("the model has no embedding.weight: token ids cannot be used");
        }
        int vocab = w.embedding.length / dModel;
        double[][] xs = new double[ids.length][];
        for (int t = 0; t < ids.length; t++) {
            if (ids[t] < 0 || ids[t] >= vocab) {
                throw new IllegalArgumentException("token id " + ids[t] + " at " + t + " out of range [0, " + vocab + ")");
            }
            xs[t] = java.util.Arrays.copyOfRange(w.embedding, ids[t] * dModel, (ids[t] + 1) * dModel);
        }
        return xs;
    }

    static double sigmoid(double x) {
        return 1.0 / (1.0 + Math.exp(-x));
    }
}
