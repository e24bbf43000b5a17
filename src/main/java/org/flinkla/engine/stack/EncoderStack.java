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

import java.util.Objects;
import org.flinkla.engine.AttentionConfig;
import org.flinkla.engine.FeatureMap;
import org.flinkla.engine.FeatureMapKind;
import org.flinkla.engine.ModelStepper;
import org.flinkla.engine.RecurrentLinearAttention;
import org.flinkla.engine.SequenceModel;
import org.flinkla.engine.StatePrecision;
import org.flinkla.engine.Variant;
import org.flinkla.engine.WeightPrecision;

/**
 * A stack of post-norm encoder layers with recurrent linear attention (fast-transformers'
 * {@code RecurrentTransformerEncoder} of {@code RecurrentTransformerEncoderLayer}s around
 * {@code RecurrentLinearAttention}) as a {@link SequenceModel}: optional embedding → layers →
 * optional final LayerNorm → optional head, per token (see {@link EncoderWeights},
 * {@link EncoderLayerWeights}). Each layer's attention is a {@link RecurrentLinearAttention}
 * with every feature map and variant it has; favor uses the layer's stored ω
 * ({@link FeatureMap#favorStored}).
 *
 * <p><b>State layout.</b> The flat state is the layers' attention states one after the other:
 * layer i occupies [off_i, off_i + len) with off_i = i·len and len the state length of one
 * {@link RecurrentLinearAttention} layer (H·(d_φ·d_v + d_φ), or H·d_φ·d_v for delta; inside it
 * the per-head S and z of that class, stored as running means for linear). The token count is
 * the stack's and is the same for every layer. Bytes per key: L·len × (8 for float64, 4 for
 * float32).
 *
 * <pre>{@code
 * EncoderStack stack = new EncoderStack(weights, StatePrecision.FLOAT64, "encoder.safetensors");
 * ModelStepper stepper = stack.newStepper();
 * ModelState state = stack.newState();
 * stepper.step(state, x, 0, y, 0);
 * }</pre>
 *
 * <p>Immutable and shared by all threads; the weight arrays are not copied.
 */
public final class EncoderStack implements SequenceModel, java.io.Serializable {
    private static final long serialVersionUID = 1L;

    private final EncoderWeights weights;
    private final String source;
    private final int layerStateLength;
    private final int stateLength;
    private final String architecture;
    private final EncoderDense dense;

    /** The stack with its feed-forward and head weights in the lossless default precision (see below). */
    public EncoderStack(EncoderWeights weights, String source) {
        this(weights, source, null);
    }

    /**
     * @param weightPrecision how to hold the feed-forward and head weights: null for the lossless
     *     default (float32 when every such weight is a float32 value, as in a float32 checkpoint,
     *     else float64); float32 or bfloat16 round other values to nearest (outputs change, and the
     *     architecture string says so)
     * @throws IllegalArgumentException when the layers do not use linear attention, or the state
     *     does not fit one array
     */
    public EncoderStack(EncoderWeights weights, String source, WeightPrecision weightPrecision) {
        this.weights = Objects.requireNonNull(weights, "weights");
        this.source = Objects.requireNonNull(source, "source");
        AttentionConfig a = weights.layer(0).attention;
        if (a.featureMap() == FeatureMapKind.FAVOR && weights.layer(0).omega == null) {
            throw new IllegalArgumentException("favor layers need their stored omega (feature_map.omega)");
        }
        this.layerStateLength = RecurrentLinearAttention.stateLength(a);
        long total = (long) layerStateLength * weights.layerCount();
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("state too large: " + total + " elements");
        }
        this.stateLength = (int) total;
        this.dense = new EncoderDense(weights, weightPrecision);
        String arch = describe(weights); // "...)": the weight precision goes inside, when it rounded weights
        this.architecture = arch.substring(0, arch.length() - 1) + dense.describe() + ")";
    }

    /** The packed dense products (shared by every stepper). */
    EncoderDense dense() {
        return dense;
    }

    /** How the feed-forward and head weights are held. */
    public WeightPrecision weightPrecision() {
        return dense.precision;
    }

    /** Bytes of the packed feed-forward and head weights. */
    public long denseWeightBytes() {
        return dense.bytes();
    }

    private static String describe(EncoderWeights w) {
        EncoderLayerWeights l = w.layer(0);
        AttentionConfig a = l.attention;
        StringBuilder sb = new StringBuilder("fast-transformers-encoder(").append(w.describeLayers())
                .append(", feature_map=").append(a.featureMap().metadataName());
        if (a.featureMap() == FeatureMapKind.FAVOR) {
            sb.append(", favor_features=").append(a.favorFeatures()).append(", softmax_temp=").append(l.softmaxTemp);
        }
        sb.append(", eps=").append(a.eps()).append(", variant=").append(a.variant().metadataName());
        if (a.variant() == Variant.DECAY) {
            sb.append(", decay=").append(EncoderWeights.decay(a));
        }
        sb.append(", ").append(w.describeEnds())
                .append(", state=").append(a.statePrecision().name().toLowerCase(java.util.Locale.ROOT)).append(')');
        return sb.toString();
    }

    public EncoderWeights weights() {
        return weights;
    }

    public int layerCount() {
        return weights.layerCount();
    }

    /** Elements of one layer's slice of the flat state; layer i starts at i × this. */
    public int layerStateLength() {
        return layerStateLength;
    }

    /** Offset of layer i's slice in the flat state. */
    public int layerStateOffset(int layer) {
        Objects.checkIndex(layer, weights.layerCount());
        return layer * layerStateLength;
    }

    /** The feature map of layer i's attention. */
    FeatureMap featureMap(int i) {
        EncoderLayerWeights l = weights.layer(i);
        AttentionConfig a = l.attention;
        if (l.omega != null) {
            return FeatureMap.favorStored(l.omega, a.dKey(), a.favorFeatures(), l.softmaxTemp);
        }
        return FeatureMap.of(a);
    }

    @Override public int inputWidth() { return weights.dModel(); }
    @Override public int vocabSize() { return weights.vocabRows(); }
    @Override public String vocab() { return weights.vocab(); }
    @Override public int outputWidth() { return weights.outputWidth(); }
    @Override public StatePrecision statePrecision() { return weights.layer(0).attention.statePrecision(); }
    @Override public int stateLength() { return stateLength; }
    @Override public String architecture() { return architecture; }
    @Override public String source() { return source; }

    @Override
    public ModelStepper newStepper() {
        return new StackStepper(this);
    }

    @Override
    public String toString() {
        return "EncoderStack{" + source + ", " + architecture + "}";
    }
}
