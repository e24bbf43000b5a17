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

import org.flinkla.engine.Gemm;

/**
 * What a post-norm encoder layer does after its attention, for a block of tokens:
 * <pre>
 *   x1 = LN1(x + a)
 *   x' = LN2(x1 + W_2 act(W_1 x1 + b_1) + b_2)
 * </pre>
 * The feed-forward runs the whole block per product ({@link Gemm}: each weight loaded once for
 * several tokens; the same bits as one token at a time).
 *
 * <p>Not thread-safe (scratch); one per layer per thread. Allocates nothing per token.
 */
final class LayerTail {
    private final int dm;
    private final int dFf;
    private final LayerNorm norm1;
    private final LayerNorm norm2;
    private final Gemm linear1;
    private final Gemm linear2;
    private final Activation activation;
    private final double[] hidden; // [maxTokens·d_ff]

    /** @param linear1 the layer's packed linear1 and linear2 (shared); @param maxTokens most tokens per {@link #forward} */
    LayerTail(EncoderLayerWeights w, Gemm linear1, Gemm linear2, int maxTokens) {
        this.dm = w.attention.dModel();
        this.dFf = w.dFf;
        this.norm1 = new LayerNorm(w.norm1Weight, w.norm1Bias, w.layerNormEps);
        this.norm2 = new LayerNorm(w.norm2Weight, w.norm2Bias, w.layerNormEps);
        this.linear1 = linear1;
        this.linear2 = linear2;
        this.activation = w.activation;
        this.hidden = new double[maxTokens * dFf];
    }

    /**
     * For tokens t &lt; n: {@code h[t·d_model ..]} holds the layer input x_t and {@code a[t·d_model ..]}
     * the attention output; afterwards h holds the layer output x'_t (a is overwritten).
     */
    void forward(double[] h, double[] a, int n) {
        // x1 = LN1(x + a) into h
        for (int t = 0; t < n; t++) {
            int o = t * dm;
            for (int i = 0; i < dm; i++) {
                a[o + i] = h[o + i] + a[o + i];
            }
            norm1.apply(a, o, h, o);
        }
        // y = W_2 act(W_1 x1 + b_1) + b_2 into a, the n tokens per product
        linear1.apply(h, 0, dm, n, hidden, 0, dFf);
        activation.apply(hidden, 0, n * dFf);
        linear2.apply(hidden, 0, dFf, n, a, 0, dm);
        // x' = LN2(x1 + y) into h
        for (int s = 0; s < n; s++) {
            int o = s * dm;
            for (int i = 0; i < dm; i++) {
                a[o + i] = h[o + i] + a[o + i];
            }
            norm2.apply(a, o, h, o);
        }
    }
}
