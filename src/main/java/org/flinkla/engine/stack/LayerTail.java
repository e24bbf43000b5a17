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

import org.flinkla.engine.Dense;

/**
 * What a post-norm encoder layer does after its attention, for a block of tokens:
 * <pre>
 *   x1 = LN1(x + a)
 *   x' = LN2(x1 + W_2 act(W_1 x1 + b_1) + b_2)
 * </pre>
 * The feed-forward runs four tokens per pass over its weights ({@link Dense#apply4}, same bits as
 * one at a time).
 *
 * <p>Not thread-safe (scratch); one per layer per thread. Allocates nothing per token.
 */
final class LayerTail {
    private final int dm;
    private final int dFf;
    private final LayerNorm norm1;
    private final LayerNorm norm2;
    private final Dense linear1;
    private final Dense linear2;
    private final Activation activation;
    private final double[] hidden; // [4·d_ff]

    LayerTail(EncoderLayerWeights w) {
        this.dm = w.attention.dModel();
        this.dFf = w.dFf;
        this.norm1 = new LayerNorm(w.norm1Weight, w.norm1Bias, w.layerNormEps);
        this.norm2 = new LayerNorm(w.norm2Weight, w.norm2Bias, w.layerNormEps);
        this.linear1 = new Dense(w.linear1Weight, w.linear1Bias, dFf, dm);
        this.linear2 = new Dense(w.linear2Weight, w.linear2Bias, dm, dFf);
        this.activation = w.activation;
        this.hidden = new double[4 * dFf];
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
        // y = W_2 act(W_1 x1 + b_1) + b_2 into a, four tokens per pass where possible
        int t = 0;
        for (; t + 3 < n; t += 4) {
            linear1.apply4(h, t * dm, hidden, 0);
            activation.apply(hidden, 0, 4 * dFf);
            linear2.apply4(hidden, 0, a, t * dm);
        }
        for (; t < n; t++) {
            linear1.apply(h, t * dm, hidden, 0);
            activation.apply(hidden, 0, dFf);
            linear2.apply(hidden, 0, a, t * dm);
        }
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
