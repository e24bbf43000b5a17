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

import java.nio.charset.StandardCharsets;

/**
 * A recurrent model that runs one sequence token by token with a fixed-size state: a single
 * attention layer, a stack of encoder blocks, or a language model. It is what the Flink operator,
 * the validator, {@code replay}, the jobs and the benchmarks see; none of them looks at layers.
 *
 * <pre>{@code
 * SequenceModel model = ModelLoader.load(Path.of("models/dna"));   // file or model directory
 * ModelStepper stepper = model.newStepper();                        // one per thread
 * ModelState state = model.newState();                              // one per sequence
 * double[] y = new double[model.outputWidth()];
 * stepper.stepToken(state, model.tokenId('A'), y, 0);
 * }</pre>
 *
 * <p>A model is immutable and shared by all threads (a TaskManager loads it once); a
 * {@link ModelStepper} owns the scratch buffers of one thread; a {@link ModelState} is one
 * sequence's flat state, which the model lays out and nothing else interprets.
 */
public interface SequenceModel {

    /** Width of an input vector (token given as {@code x}); 0 when the model takes token ids only. */
    int inputWidth();

    /** Number of token ids (embedding rows); 0 when the model takes vectors only. */
    int vocabSize();

    /** Symbols of the token ids in order (e.g. {@code ACGTN}), or null when there is none. */
    String vocab();

    /** Token id of {@code symbol}, or -1 when it is not in {@link #vocab()}. */
    default int tokenId(char symbol) {
        String v = vocab();
        return v == null ? -1 : v.indexOf(symbol);
    }

    /** Width of one output: logits for a model with a head, else the last hidden state. */
    int outputWidth();

    /** True when an output is logits over the token ids (a language model): probabilities and surprisal apply. */
    default boolean outputsLogits() {
        return vocabSize() > 0 && outputWidth() == vocabSize();
    }

    StatePrecision statePrecision();

    /** Elements of the flat state of one sequence. */
    int stateLength();

    /** Bytes of the flat state ({@link #stateLength()} × element size). */
    default long stateBytes() {
        return (long) stateLength() * statePrecision().bytesPerElement();
    }

    /**
     * The architecture, options and every shape, e.g. {@code fast-transformers-encoder(layers=2,
     * d_model=16, ...)}: two models with the same description have states of the same meaning.
     */
    String architecture();

    /**
     * 64-bit FNV-1a hash of {@link #architecture()}, stored with each key's state so that a restore
     * with another model fails instead of computing on a state of another meaning.
     */
    default long fingerprint() {
        return fingerprintOf(architecture());
    }

    /** Where the model came from (a file, a directory, a seed), for messages. */
    String source();

    /** A fresh (empty) state for one sequence. */
    default ModelState newState() {
        return new ModelState(statePrecision(), stateLength());
    }

    /** A stepper for the calling thread: it owns scratch buffers, so a step allocates nothing. */
    ModelStepper newStepper();

    /** FNV-1a (64 bit) over the UTF-8 bytes of {@code s}. */
    static long fingerprintOf(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }

    /** {@link #fingerprint()} as 16 hex digits. */
    static String hex(long fingerprint) {
        return String.format("%016x", fingerprint);
    }
}
