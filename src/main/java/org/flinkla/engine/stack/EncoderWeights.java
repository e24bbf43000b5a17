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

import java.util.Arrays;
import java.util.List;
import org.flinkla.engine.AttentionConfig;
import org.flinkla.engine.FeatureMapKind;

/**
 * A whole encoder (fast-transformers' {@code RecurrentTransformerEncoder}) with what may surround
 * it: an optional embedding in front (token ids → d_model rows), the layers, an optional final
 * LayerNorm, and an optional linear head (logits):
 * <pre>
 *   h_0 = x  or  embedding[id]
 *   h_{i+1} = layer_i(h_i)                     {@link EncoderLayerWeights}
 *   out = head(norm(h_L))                      each part only when present
 * </pre>
 *
 * <p>The constructor checks every shape (messages name the layer and the tensor). Every layer must
 * have the same shapes and options (fast-transformers builds its stacks that way). The arrays are
 * shared, not copied: treat them as read-only.
 */
public final class EncoderWeights implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    private final EncoderLayerWeights[] layers;
    private final double[] embedding;
    private final String vocab;
    private final double[] normWeight;
    private final double[] normBias;
    private final double[] headWeight;
    private final double[] headBias;
    private final int dModel;
    private final int vocabRows;
    private final int headRows;

    /**
     * @param embedding [vocab rows, d_model] or null; @param vocab symbols of its rows, or null
     * @param normWeight/normBias the final LayerNorm (eps: the layers' layer_norm_eps), or both null
     * @param headWeight [n_out, d_model] or null; @param headBias [n_out] or null
     * @throws IllegalArgumentException naming the tensor when a shape does not fit
     */
    public EncoderWeights(List<EncoderLayerWeights> layers, double[] embedding, String vocab, double[] normWeight,
                          double[] normBias, double[] headWeight, double[] headBias) {
        if (layers == null || layers.isEmpty()) {
            throw new IllegalArgumentException("an encoder needs at least one layer");
        }
        this.layers = layers.toArray(new EncoderLayerWeights[0]);
        EncoderLayerWeights first = this.layers[0];
        if (first.attention == null || first.attentionWeights == null) {
            throw new IllegalArgumentException("layers.0.attention: configuration and weights are required");
        }
        this.dModel = first.attention.dModel();
        for (int i = 0; i < this.layers.length; i++) {
            checkLayer(i, this.layers[i], first);
        }
        this.embedding = embedding;
        this.vocab = vocab;
        if (embedding != null) {
            if (embedding.length == 0 || embedding.length % dModel != 0) {
                throw new IllegalArgumentException("embedding.weight: " + embedding.length
                        + " values are not a whole number of rows of d_model=" + dModel);
            }
            this.vocabRows = embedding.length / dModel;
        } else {
            this.vocabRows = 0;
        }
        if (vocab != null) {
            if (embedding == null) {
                throw new IllegalArgumentException("vocab '" + vocab + "' needs embedding.weight");
            }
            if (vocab.length() != vocabRows) {
                throw new IllegalArgumentException("embedding.weight: vocab '" + vocab + "' has " + vocab.length()
                        + " symbols but the embedding has " + vocabRows + " rows");
            }
            for (int i = 0; i < vocab.length(); i++) {
                if (vocab.indexOf(vocab.charAt(i)) != i) {
                    throw new IllegalArgumentException("vocab has the symbol '" + vocab.charAt(i) + "' twice");
                }
            }
        }
        if ((normWeight == null) != (normBias == null)) {
            throw new IllegalArgumentException((normWeight == null ? "norm.weight" : "norm.bias")
                    + ": the final norm needs both weight and bias");
        }
        if (normWeight != null) {
            length("norm.weight", normWeight, dModel);
            length("norm.bias", normBias, dModel);
        }
        this.normWeight = normWeight;
        this.normBias = normBias;
        if (headWeight == null && headBias != null) {
            throw new IllegalArgumentException("head.bias: present without head.weight");
        }
        if (headWeight != null) {
            if (headWeight.length == 0 || headWeight.length % dModel != 0) {
                throw new IllegalArgumentException("head.weight: " + headWeight.length
                        + " values are not a whole number of rows of d_model=" + dModel);
            }
            this.headRows = headWeight.length / dModel;
            if (headBias != null) {
                length("head.bias", headBias, headRows);
            }
        } else {
            this.headRows = 0;
        }
        this.headWeight = headWeight;
        this.headBias = headBias;
    }

    private void checkLayer(int i, EncoderLayerWeights l, EncoderLayerWeights first) {
        String p = "layers." + i + ".";
        if (l == null || l.attention == null || l.attentionWeights == null) {
            throw new IllegalArgumentException(p + "attention: configuration and weights are required");
        }
        AttentionConfig a = l.attention;
        if (a.dOut() != dModel || a.dModel() != dModel) {
            throw new IllegalArgumentException(p + "attention.out_projection.weight: the attention must map d_model="
                    + dModel + " to d_model, got d_model " + a.dModel() + " → " + a.dOut());
        }
        if (a.vocab() != null || l.attentionWeights.embedding != null) {
            throw new IllegalArgumentException(p + "attention: the embedding belongs to the encoder, not to a layer");
        }
        if (!a.equals(first.attention) || l.dFf != first.dFf || l.activation != first.activation
                || Double.compare(l.layerNormEps, first.layerNormEps) != 0
                || Double.compare(l.softmaxTemp, first.softmaxTemp) != 0 || (l.omega == null) != (first.omega == null)) {
            throw new IllegalArgumentException("layers." + i + ": every layer must have the same shapes and options as layer 0");
        }
        if (l.dFf <= 0) {
            throw new IllegalArgumentException(p + "linear1.weight: d_ff must be positive, got " + l.dFf);
        }
        if (l.activation == null) {
            throw new IllegalArgumentException("layers." + i + ": activation must be set");
        }
        if (!(l.layerNormEps >= 0) || !Double.isFinite(l.layerNormEps)) {
            throw new IllegalArgumentException("layer_norm_eps must be finite and >= 0, got " + l.layerNormEps);
        }
        if (!(l.softmaxTemp > 0) || !Double.isFinite(l.softmaxTemp)) {
            throw new IllegalArgumentException("softmax_temp must be finite and > 0, got " + l.softmaxTemp);
        }
        length(p + "linear1.weight", l.linear1Weight, (long) l.dFf * dModel);
        optional(p + "linear1.bias", l.linear1Bias, l.dFf);
        length(p + "linear2.weight", l.linear2Weight, (long) dModel * l.dFf);
        optional(p + "linear2.bias", l.linear2Bias, dModel);
        length(p + "norm1.weight", l.norm1Weight, dModel);
        length(p + "norm1.bias", l.norm1Bias, dModel);
        length(p + "norm2.weight", l.norm2Weight, dModel);
        length(p + "norm2.bias", l.norm2Bias, dModel);
        if (l.omega != null) {
            if (a.featureMap() != FeatureMapKind.FAVOR || a.favorFeatures() % 2 != 0) {
                throw new IllegalArgumentException(p + "attention.inner_attention.feature_map.omega: only for favor "
                        + "with an even number of features");
            }
            length(p + "attention.inner_attention.feature_map.omega", l.omega, (long) a.dKey() * (a.favorFeatures() / 2));
        }
    }

    private static void length(String name, double[] a, long n) {
        if (a == null) {
            throw new IllegalArgumentException(name + ": missing");
        }
        if (a.length != n) {
            throw new IllegalArgumentException(name + ": expected " + n + " values, got " + a.length);
        }
    }

    private static void optional(String name, double[] a, long n) {
        if (a != null) {
            length(name, a, n);
        }
    }

    public int layerCount() {
        return layers.length;
    }

    public EncoderLayerWeights layer(int i) {
        return layers[i];
    }

    public int dModel() {
        return dModel;
    }

    /** embedding.weight [vocabRows, d_model], or null. */
    public double[] embedding() {
        return embedding;
    }

    public int vocabRows() {
        return vocabRows;
    }

    public String vocab() {
        return vocab;
    }

    public boolean hasFinalNorm() {
        return normWeight != null;
    }

    /** The final LayerNorm (with the layers' layer_norm_eps), or null. */
    public LayerNorm finalNorm() {
        return normWeight == null ? null : new LayerNorm(normWeight, normBias, layers[0].layerNormEps);
    }

    public double[] headWeight() {
        return headWeight;
    }

    public double[] headBias() {
        return headBias;
    }

    /** Rows of the head (its logits), 0 without a head. */
    public int headRows() {
        return headRows;
    }

    /** Width of one output: the head's rows, else d_model. */
    public int outputWidth() {
        return headRows > 0 ? headRows : dModel;
    }

    /** The shapes and options every layer shares, for architecture strings. */
    String describeLayers() {
        EncoderLayerWeights l = layers[0];
        AttentionConfig a = l.attention;
        return "layers=" + layers.length + ", d_model=" + dModel + ", heads=" + a.heads() + ", d_k=" + a.dKey()
                + ", d_v=" + a.dValue() + ", d_ff=" + l.dFf + ", activation=" + l.activation.metadataName()
                + ", layer_norm_eps=" + l.layerNormEps;
    }

    String describeEnds() {
        return "final_norm=" + (normWeight != null) + (embedding != null ? ", embedding=" + vocabRows : "")
                + (vocab != null ? ", vocab=" + vocab : "") + (headWeight != null ? ", head=" + headRows
                + (headBias != null ? "" : " (no bias)") : "");
    }

    @Override
    public String toString() {
        return "EncoderWeights{" + describeLayers() + ", " + describeEnds() + "}";
    }

    static String decay(AttentionConfig a) {
        return Arrays.toString(a.decay());
    }
}
