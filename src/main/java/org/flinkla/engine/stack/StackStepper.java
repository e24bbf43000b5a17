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
import org.flinkla.engine.Gemm;
import org.flinkla.engine.ModelState;
import org.flinkla.engine.ModelStepper;
import org.flinkla.engine.RecurrentLinearAttention;

/**
 * The stepper of an {@link EncoderStack}. Each layer's attention is a
 * {@link RecurrentLinearAttention} that works in place on its slice of the sequence's flat state
 * (layer i at i × the layer's state length; nothing is copied in or out). Every layer's call
 * advances the shared token count, so it is set back to the block's first position before the
 * next layer and ends one block further. Tokens go through the layers
 * in blocks of up to {@value #BLOCK}: layer i runs the whole block (its attention projecting
 * several tokens per pass over the weights), then layer i + 1 — the same arithmetic as token by
 * token, since layer i + 1 at token t needs only layer i's output at t.
 *
 * <p>Not thread-safe; allocates nothing per token.
 */
final class StackStepper implements ModelStepper {
    static final int BLOCK = 64;

    private final EncoderStack model;
    private final int layers;
    private final int dm;
    private final int dOut;
    private final int sliceLength;
    private final RecurrentLinearAttention[] attention;
    private final LayerTail[] tails;
    private final LayerNorm finalNorm;
    private final Gemm head;
    private final double[] embedding;
    private final int vocabRows;
    private final double[] h;   // [BLOCK·d_model]: the hidden states of the block
    private final double[] a;   // [BLOCK·d_model]: attention outputs, then scratch

    StackStepper(EncoderStack model) {
        this.model = model;
        EncoderWeights w = model.weights();
        this.layers = w.layerCount();
        this.dm = w.dModel();
        this.dOut = w.outputWidth();
        this.sliceLength = model.layerStateLength();
        this.attention = new RecurrentLinearAttention[layers];
        this.tails = new LayerTail[layers];
        this.embedding = w.embedding();
        this.vocabRows = w.vocabRows();
        for (int i = 0; i < layers; i++) {
            EncoderLayerWeights l = w.layer(i);
            AttentionConfig c = l.attention;
            AttentionWeights aw = l.attentionWeights;
            if (i == 0 && embedding != null) {
                // layer 0 gets the embedding, so its stepToken uses the precomputed per-token projections
                AttentionWeights withEmbedding = copy(aw);
                withEmbedding.embedding = embedding;
                aw = withEmbedding;
                c = c.toBuilder().vocab(w.vocab()).build();
            }
            attention[i] = new RecurrentLinearAttention(c, aw, model.featureMap(i));
            tails[i] = new LayerTail(l, model.dense().linear1[i], model.dense().linear2[i], BLOCK);
        }
        this.finalNorm = w.finalNorm();
        this.head = model.dense().head;
        this.h = new double[BLOCK * dm];
        this.a = new double[BLOCK * dm];
    }

    private static AttentionWeights copy(AttentionWeights w) {
        AttentionWeights c = new AttentionWeights();
        c.queryWeight = w.queryWeight;
        c.queryBias = w.queryBias;
        c.keyWeight = w.keyWeight;
        c.keyBias = w.keyBias;
        c.valueWeight = w.valueWeight;
        c.valueBias = w.valueBias;
        c.outWeight = w.outWeight;
        c.outBias = w.outBias;
        c.gateWeight = w.gateWeight;
        c.gateBias = w.gateBias;
        c.betaWeight = w.betaWeight;
        c.betaBias = w.betaBias;
        c.alphaWeight = w.alphaWeight;
        c.alphaBias = w.alphaBias;
        return c;
    }

    @Override
    public void step(ModelState state, double[] x, int xOff, double[] y, int yOff) {
        checkState(state);
        System.arraycopy(x, xOff, h, 0, dm);
        run(state, 1, null, 0, false, y, yOff);
    }

    @Override
    public void stepToken(ModelState state, int tokenId, double[] y, int yOff) {
        checkId(tokenId);
        checkState(state);
        run(state, 1, null, tokenId, true, y, yOff);
    }

    @Override
    public void steps(ModelState state, double[] xs, int xOff, int n, double[] ys, int yOff) {
        checkState(state);
        for (int done = 0; done < n; ) {
            int nb = Math.min(BLOCK, n - done);
            System.arraycopy(xs, xOff + done * dm, h, 0, nb * dm);
            run(state, nb, null, 0, false, ys, yOff + done * dOut);
            done += nb;
        }
    }

    @Override
    public void stepTokens(ModelState state, int[] ids, int off, int n, double[] ys, int yOff) {
        for (int i = 0; i < n; i++) {
            checkId(ids[off + i]); // before anything changes
        }
        checkState(state);
        for (int done = 0; done < n; ) {
            int nb = Math.min(BLOCK, n - done);
            run(state, nb, ids, off + done, false, ys, yOff + done * dOut);
            done += nb;
        }
    }

    /**
     * One token for each of n sequences, in blocks of up to {@value #BLOCK} rows of different
     * sequences: per layer, each row's attention on its own slice of its own state (in place, as
     * for a single token), then the feed-forward tail over the block, four rows per pass
     * over its weights — the rows' arithmetic is that of each token alone.
     */
    @Override
    public void stepAcross(ModelState[] states, int[] ids, int n, double[] ys, int yOff, int yStride) {
        for (int i = 0; i < n; i++) {
            checkId(ids[i]); // before anything changes
            checkState(states[i]);
        }
        for (int done = 0; done < n; done += BLOCK) {
            int nb = Math.min(BLOCK, n - done);
            runAcross(states, done, nb, ids, ys, yOff + done * yStride, yStride);
        }
    }

    @Override
    public void stepAcross(ModelState[] states, double[] xs, int xStride, int n, double[] ys, int yOff, int yStride) {
        for (int i = 0; i < n; i++) {
            checkState(states[i]);
        }
        for (int done = 0; done < n; done += BLOCK) {
            int nb = Math.min(BLOCK, n - done);
            for (int t = 0; t < nb; t++) {
                System.arraycopy(xs, (done + t) * xStride, h, t * dm, dm);
            }
            runAcross(states, done, nb, null, ys, yOff + done * yStride, yStride);
        }
    }

    /** Row t of the block is one token of states[first + t]: the id ids[first + t], or the vector already in h. */
    private void runAcross(ModelState[] states, int first, int nb, int[] ids, double[] ys, int yOff, int yStride) {
        for (int i = 0; i < layers; i++) {
            int so = i * sliceLength;
            for (int t = 0; t < nb; t++) {
                ModelState s = states[first + t];
                if (i == 0 && ids != null) {
                    int id = ids[first + t];
                    attention[0].stepTokenAt(s, 0, id, a, t * dm);
                    System.arraycopy(embedding, id * dm, h, t * dm, dm);
                } else {
                    attention[i].stepAt(s, so, h, t * dm, a, t * dm);
                }
                s.setTokens(s.tokens() - 1);   // every layer sees the row's token at the same position
            }
            tails[i].forward(h, a, nb);
        }
        output(nb, ys, yOff, yStride);
        for (int t = 0; t < nb; t++) {
            ModelState s = states[first + t];
            s.setTokens(s.tokens() + 1);
        }
    }

    /**
     * The block of {@code nb} tokens through every layer and the output. Inputs: h (vectors), or the
     * ids {@code ids[idOff ..]}, or ({@code oneId}) the single id {@code idOff}.
     */
    private void run(ModelState state, int nb, int[] ids, int idOff, boolean oneId, double[] ys, int yOff) {
        long t0 = state.tokens();
        for (int i = 0; i < layers; i++) {
            state.setTokens(t0);   // each layer's call advances the count by nb
            int so = i * sliceLength;
            if (i == 0 && (ids != null || oneId)) {
                if (oneId) {
                    attention[0].stepTokenAt(state, 0, idOff, a, 0);
                    System.arraycopy(embedding, idOff * dm, h, 0, dm);
                } else {
                    attention[0].stepTokensAt(state, 0, ids, idOff, nb, a, 0);
                    for (int t = 0; t < nb; t++) {
                        System.arraycopy(embedding, ids[idOff + t] * dm, h, t * dm, dm);
                    }
                }
            } else if (nb == 1) {
                attention[i].stepAt(state, so, h, 0, a, 0);
            } else {
                attention[i].stepsAt(state, so, h, 0, nb, a, 0);
            }
            tails[i].forward(h, a, nb);
        }
        output(nb, ys, yOff, dOut);
    }

    /** The final norm and head of the block's rows in h; row t to ys[yOff + t·yStride ..]. */
    private void output(int nb, double[] ys, int yOff, int yStride) {
        if (head != null) {
            if (finalNorm != null) {
                for (int t = 0; t < nb; t++) {
                    finalNorm.apply(h, t * dm, h, t * dm);
                }
            }
            head.apply(h, 0, dm, nb, ys, yOff, yStride);
            return;
        }
        for (int t = 0; t < nb; t++) {
            int o = t * dm;
            if (finalNorm != null) {
                finalNorm.apply(h, o, ys, yOff + t * yStride);
            } else {
                System.arraycopy(h, o, ys, yOff + t * yStride, dm);
            }
        }
    }

    private void checkState(ModelState state) {
        if (state.length() != model.stateLength() || state.precision() != model.statePrecision()) {
            throw new IllegalArgumentException("state of " + state.length() + " " + state.precision()
                    + " values does not fit this encoder (" + model.stateLength() + " " + model.statePrecision() + ")");
        }
    }

    private void checkId(int id) {
        if (id < 0 || id >= vocabRows) {
            throw new IllegalArgumentException("token id " + id + " out of range [0, " + vocabRows + ")"
                    + (vocabRows == 0 ? ": the model has no embedding" : ""));
        }
    }
}
