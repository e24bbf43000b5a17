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
import org.flinkla.engine.Gemm;
import org.flinkla.engine.SoftmaxAttention;

/**
 * An encoder stack with exact softmax attention (fast-transformers' {@code RecurrentFullAttention}),
 * run token by token over a growing KV cache per layer. Its memory grows with the sequence, so it
 * is not a {@link org.flinkla.engine.SequenceModel} (the Flink operator needs a fixed-size state);
 * it is what a trained softmax model runs on outside the operator (e.g. to show how its memory
 * grows), and the reference the linear stacks are compared with.
 *
 * <p>Per token and layer, with the current key and value appended first (the token attends to
 * itself), per head: a = softmax(τ·K q), o = Σ_s a_s V_s (τ = softmax_temp, default 1/√d_k); then
 * the layer's out projection and {@link LayerTail} (post-norm residual blocks), as for the linear
 * stack.
 *
 * <pre>{@code
 * SoftmaxEncoder enc = FastTransformersLoader.loadSoftmax(Path.of("softmax.safetensors"));
 * SoftmaxEncoder.Session s = enc.newSession();         // one per sequence, not thread-safe
 * double[] y = new double[enc.outputWidth()];
 * s.stepToken(enc.tokenId('A'), y, 0);
 * long bytes = s.bytes();                              // grows with s.tokens()
 * }</pre>
 *
 * <p>Immutable and shared by all threads; sessions are not thread-safe.
 */
public final class SoftmaxEncoder implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    private final EncoderWeights weights;
    private final String source;
    private final EncoderDense dense;

    public SoftmaxEncoder(EncoderWeights weights, String source) {
        this(weights, source, null);
    }

    /** @param weightPrecision how to hold the feed-forward and head weights; null: lossless default ({@link EncoderStack}) */
    public SoftmaxEncoder(EncoderWeights weights, String source, org.flinkla.engine.WeightPrecision weightPrecision) {
        this.weights = Objects.requireNonNull(weights, "weights");
        this.source = Objects.requireNonNull(source, "source");
        this.dense = new EncoderDense(weights, weightPrecision);
    }

    public EncoderWeights weights() {
        return weights;
    }

    public String source() {
        return source;
    }

    public int inputWidth() {
        return weights.dModel();
    }

    public int vocabSize() {
        return weights.vocabRows();
    }

    public String vocab() {
        return weights.vocab();
    }

    /** Token id of {@code symbol}, or -1. */
    public int tokenId(char symbol) {
        String v = weights.vocab();
        return v == null ? -1 : v.indexOf(symbol);
    }

    public int outputWidth() {
        return weights.outputWidth();
    }

    /** The architecture (every shape and option), like {@link org.flinkla.engine.SequenceModel#architecture()}. */
    public String architecture() {
        return "fast-transformers-encoder(" + weights.describeLayers() + ", feature_map=softmax, softmax_temp="
                + weights.layer(0).softmaxTemp + ", " + weights.describeEnds() + dense.describe() + ")";
    }

    /** A new, empty sequence. */
    public Session newSession() {
        return new Session();
    }

    /** One sequence: the layers' KV caches plus scratch. Not thread-safe. */
    public final class Session {
        private final int layers = weights.layerCount();
        private final int dm = weights.dModel();
        private final SoftmaxAttention.KvCache[] caches = new SoftmaxAttention.KvCache[layers];
        private final LayerTail[] tails = new LayerTail[layers];
        private final LayerNorm finalNorm = weights.finalNorm();
        private final Gemm head = dense.head;
        private final double[] h = new double[dm];
        private final double[] a = new double[dm];
        private long tokens;

        private Session() {
            for (int i = 0; i < layers; i++) {
                EncoderLayerWeights l = weights.layer(i);
                caches[i] = new SoftmaxAttention(l.attention, l.attentionWeights, l.softmaxTemp).newCache();
                tails[i] = new LayerTail(l, dense.linear1[i], dense.linear2[i], 1);
            }
        }

        /** Tokens absorbed. */
        public long tokens() {
            return tokens;
        }

        /** Bytes held by the KV caches (their capacity): grows linearly with {@link #tokens()}. */
        public long bytes() {
            long b = 0;
            for (SoftmaxAttention.KvCache c : caches) {
                b += c.bytes();
            }
            return b;
        }

        /** Forgets the sequence (keeps the capacity). */
        public void reset() {
            for (SoftmaxAttention.KvCache c : caches) {
                c.reset();
            }
            tokens = 0;
        }

        /** One token as a d_model vector; output to {@code y[yOff .. yOff + outputWidth)}. */
        public void step(double[] x, int xOff, double[] y, int yOff) {
            System.arraycopy(x, xOff, h, 0, dm);
            run(y, yOff);
        }

        /** One token as an embedding row id. */
        public void stepToken(int id, double[] y, int yOff) {
            if (id < 0 || id >= weights.vocabRows()) {
                throw new IllegalArgumentException("token id " + id + " out of range [0, " + weights.vocabRows() + ")"
                        + (weights.vocabRows() == 0 ? ": the model has no embedding" : ""));
            }
            System.arraycopy(weights.embedding(), id * dm, h, 0, dm);
            run(y, yOff);
        }

        private void run(double[] y, int yOff) {
            for (int i = 0; i < layers; i++) {
                caches[i].step(h, 0, a, 0);
                tails[i].forward(h, a, 1);
            }
            if (head != null) {
                if (finalNorm != null) {
                    finalNorm.apply(h, 0, h, 0);
                }
                head.apply(h, 0, y, yOff);
            } else if (finalNorm != null) {
                finalNorm.apply(h, 0, y, yOff);
            } else {
                System.arraycopy(h, 0, y, yOff, dm);
            }
            tokens++;
        }
    }
}
