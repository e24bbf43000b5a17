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

import org.flinkla.engine.AttentionConfig;
import org.flinkla.engine.AttentionWeights;

/**
 * The tensors and options of one post-norm encoder layer (fast-transformers'
 * {@code RecurrentTransformerEncoderLayer}), in PyTorch layout (a weight is [out, in] row-major):
 * <pre>
 *   a  = attention(x)                          attention: q/k/v/out projections, {@link #attention}
 *   x1 = LN1(x + a)
 *   y  = W_2 act(W_1 x1 + b_1) + b_2           linear1 [d_ff, d_model], linear2 [d_model, d_ff]
 *   x' = LN2(x1 + y)                           the layer's output
 * </pre>
 *
 * <p>Plain holder, like {@link AttentionWeights}: the arrays are not copied; {@link EncoderWeights}
 * checks every shape.
 */
public final class EncoderLayerWeights implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    /**
     * The attention's shape and options (d_out = d_model, no vocab). For the linear attention its
     * feature map, eps, variant and state precision apply; a softmax encoder uses only the shapes.
     */
    public AttentionConfig attention;
    /** The attention's projections (no embedding). */
    public AttentionWeights attentionWeights;
    /** favor: the stored ω [d_k, m/2] row-major (fast-transformers' {@code feature_map.omega}); else null. */
    public double[] omega;
    /** τ of favor (x' = x·√τ) and of softmax (scores τ·q·k); fast-transformers' default is 1/√d_k. */
    public double softmaxTemp;
    public int dFf;
    public Activation activation = Activation.RELU;
    public double layerNormEps = 1e-5;
    /** linear1.weight [d_ff, d_model], .bias [d_ff] (null: none). */
    public double[] linear1Weight, linear1Bias;
    /** linear2.weight [d_model, d_ff], .bias [d_model] (null: none). */
    public double[] linear2Weight, linear2Bias;
    /** norm1/norm2 .weight and .bias [d_model]. */
    public double[] norm1Weight, norm1Bias, norm2Weight, norm2Bias;
}
