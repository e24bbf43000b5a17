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
 * Runs tokens of a {@link SequenceModel} on a sequence's {@link ModelState}. Not thread-safe: it
 * owns the scratch buffers of its thread, so no step allocates. Each step absorbs the token into
 * the state (its token count goes up by one) and writes one output of
 * {@link SequenceModel#outputWidth()} values.
 */
public interface ModelStepper {

    /** One token given as a vector {@code x[xOff .. xOff + inputWidth)}; output to {@code y[yOff ..]}. */
    void step(ModelState state, double[] x, int xOff, double[] y, int yOff);

    /** One token given as an id in [0, vocabSize). */
    void stepToken(ModelState state, int tokenId, double[] y, int yOff);

    /** {@code n} vectors {@code xs[xOff + i·inputWidth ..]} in order; outputs to {@code ys[yOff + i·outputWidth ..]}. */
    void steps(ModelState state, double[] xs, int xOff, int n, double[] ys, int yOff);

    /** {@code n} token ids {@code ids[off .. off + n)} in order; outputs to {@code ys[yOff + i·outputWidth ..]}. */
    void stepTokens(ModelState state, int[] ids, int off, int n, double[] ys, int yOff);

    /**
     * One token for each of {@code n} distinct sequences (a bundle across keys): token id
     * {@code ids[i]} on {@code states[i]}, its output to {@code ys[yOff + i·yStride ..]}. The outputs
     * and states are bit for bit those of {@code stepToken(states[i], ids[i], ..)} for each i alone;
     * a model may run the bundle's dense layers as one matrix product over the n rows (weights read
     * once per bundle instead of once per token). The states must be n different objects. The
     * default steps each one in turn.
     */
    default void stepAcross(ModelState[] states, int[] ids, int n, double[] ys, int yOff, int yStride) {
        for (int i = 0; i < n; i++) {
            stepToken(states[i], ids[i], ys, yOff + i * yStride);
        }
    }

    /**
     * {@link #stepAcross(ModelState[], int[], int, double[], int, int)} for vector inputs: row i is
     * {@code xs[i·xStride .. i·xStride + inputWidth)}.
     */
    default void stepAcross(ModelState[] states, double[] xs, int xStride, int n, double[] ys, int yOff, int yStride) {
        for (int i = 0; i < n; i++) {
            step(states[i], xs, i * xStride, ys, yOff + i * yStride);
        }
    }
}
