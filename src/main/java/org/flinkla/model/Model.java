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
package org.flinkla.model;

import org.flinkla.engine.AttentionConfig;
import org.flinkla.engine.AttentionWeights;
import org.flinkla.engine.ModelStepper;
import org.flinkla.engine.RecurrentLinearAttention;
import org.flinkla.engine.SequenceModel;
import org.flinkla.engine.StatePrecision;

import java.util.Map;
import java.util.Objects;

/**
 * A single multi-head attention layer as a {@link SequenceModel}: an {@link AttentionConfig}, the
 * {@link AttentionWeights} that fit it, and where it came from (a file name, or the seed of a
 * random init) for logs and error messages. Its steppers are {@link RecurrentLinearAttention}s.
 *
 * <pre>{@code
 * Model m = ModelFiles.load(Path.of("model.safetensors"), Map.of("eps", "1e-5"));
 * ModelStepper layer = m.newStepper();   // a RecurrentLinearAttention
 * }</pre>
 *
 * <p>The constructor checks every weight against the configuration (shapes, required and
 * variant tensors, finiteness) and keeps only the tensors the configuration uses; a problem is a
 * {@link ModelFileException} naming the source and the tensor. Serializable, so a Flink job can
 * load the model once on the client and ship it to its tasks. The weight arrays are shared, not
 * copied: treat them as read-only.
 */
public final class Model implements SequenceModel, java.io.Serializable {
    private static final long serialVersionUID = 1L;

    private final AttentionConfig config;
    private final AttentionWeights weights;
    private final String source;
    private final int vocabRows;

    /** @throws ModelFileException when the weights do not fit the configuration */
    public Model(AttentionConfig config, AttentionWeights weights, String source) {
        this.config = Objects.requireNonNull(config, "config");
        this.source = Objects.requireNonNull(source, "source");
        Map<String, Tensor> tensors = ModelTensors.toTensors(config, Objects.requireNonNull(weights, "weights"), source);
        this.weights = ModelTensors.toWeights(config, tensors::get, source);
        this.vocabRows = rows(config, this.weights);
    }

    /** Already checked by the loader. */
    private Model(AttentionConfig config, AttentionWeights weights, String source, boolean checked) {
        this.config = config;
        this.weights = weights;
        this.source = source;
        this.vocabRows = rows(config, weights);
    }

    private static int rows(AttentionConfig config, AttentionWeights weights) {
        return weights.embedding == null ? 0 : weights.embedding.length / config.dModel();
    }

    static Model checked(AttentionConfig config, AttentionWeights weights, String source) {
        return new Model(config, weights, source, true);
    }

    public AttentionConfig config() {
        return config;
    }

    /** The weights (shared arrays: do not modify). */
    public AttentionWeights weights() {
        return weights;
    }

    /** The file it was loaded from, or a description such as {@code "random init (seed 42)"}. */
    @Override
    public String source() {
        return source;
    }

    @Override public int inputWidth() { return config.dModel(); }
    @Override public int vocabSize() { return vocabRows; }
    @Override public String vocab() { return config.vocab(); }
    @Override public int outputWidth() { return config.dOut(); }
    @Override public StatePrecision statePrecision() { return config.statePrecision(); }

    @Override
    public int stateLength() {
        return RecurrentLinearAttention.stateLength(config);
    }

    @Override
    public String architecture() {
        return "attention-layer" + config;
    }

    @Override
    public ModelStepper newStepper() {
        return new RecurrentLinearAttention(config, weights);
    }

    /** The named tensors as they are saved (docs/models.md names). */
    Map<String, Tensor> tensors() {
        return ModelTensors.toTensors(config, weights, source);
    }

    @Override
    public String toString() {
        return "Model{" + source + ", " + config + "}";
    }
}
