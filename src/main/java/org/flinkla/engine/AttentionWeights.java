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
 * The tensors of one layer, in PyTorch {@code nn.Linear} layout: a weight is [out, in] row-major
 * (y = x Wᵀ + b), a bias is [out] or null (zero). Names follow fast-transformers'
 * {@code RecurrentAttentionLayer} (docs/models.md); the variant tensors follow docs/variants.md.
 *
 * <p>Plain holder: the arrays are not copied. {@link RecurrentLinearAttention} checks the shapes
 * against an {@link AttentionConfig} and keeps its own (re-laid-out) copies.
 */
public final class AttentionWeights implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    /** query_projection.weight [H·d_k, d_model] and .bias [H·d_k]. */
    public double[] queryWeight, queryBias;
    /** key_projection.weight [H·d_k, d_model] and .bias [H·d_k]. */
    public double[] keyWeight, keyBias;
    /** value_projection.weight [H·d_v, d_model] and .bias [H·d_v]. */
    public double[] valueWeight, valueBias;
    /** out_projection.weight [d_out, H·d_v] and .bias [d_out]. */
    public double[] outWeight, outBias;
    /** embedding.weight [vocab, d_model]; null when the model takes vectors only. */
    public double[] embedding;
    /** gate_projection.weight [H·d_k, d_model] and .bias (variant gated). */
    public double[] gateWeight, gateBias;
    /** beta_projection.weight [H, d_model] and .bias [H] (variant delta). */
    public double[] betaWeight, betaBias;
    /** alpha_projection.weight [H, d_model] and .bias [H] (variant delta, optional gate). */
    public double[] alphaWeight, alphaBias;
}
