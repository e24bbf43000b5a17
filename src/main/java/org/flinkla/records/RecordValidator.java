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
package org.flinkla.records;

import org.flinkla.engine.SequenceModel;

/**
 * Model-aware checks of a parsed {@link TokenRecord}: d_model of vectors, finite values, symbols in
 * the vocabulary, ids in range, tokens per record. {@link #validate} returns null for a usable
 * record, otherwise a reason {@code "<code>: <detail>"} (codes in {@link RejectReasons}).
 *
 * <pre>{@code
 * RecordValidator v = RecordValidator.forModel(config, weights, 16_384);
 * String reason = v.validate(record);   // e.g. "wrong_dimension: expected 64 values, got 63"
 * }</pre>
 *
 * <p>Used twice on purpose: before {@code keyBy} in the Kafka pipeline (so the dead-letter topic
 * gets the original bytes) and defensively inside the operator (so a record built in code cannot
 * corrupt a sequence's state). Immutable and thread-safe; allocates only when it rejects.
 */
public final class RecordValidator implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    /** Default limit on tokens per record: bounds the output array one record allocates. */
    public static final int DEFAULT_MAX_TOKENS_PER_RECORD = 16_384;

    private final int dModel;
    private final String vocab;
    private final int vocabSize;
    private final int maxTokensPerRecord;
    /** symbol → embedding row for chars below 128 (-1: unknown), so the common case needs no search. */
    private final int[] asciiIds = new int[128];

    /**
     * @param dModel width of input vectors (0: the model takes token ids only)
     * @param vocab symbols of the embedding rows in order, or null when the model has no vocabulary
     * @param vocabSize number of embedding rows (0 when the model takes vectors only)
     * @param maxTokensPerRecord largest accepted chunk
     */
    public RecordValidator(int dModel, String vocab, int vocabSize, int maxTokensPerRecord) {
        if (dModel < 0) {
            throw new IllegalArgumentException("d_model must not be negative, got " + dModel);
        }
        if (vocabSize < 0 || (vocab != null && vocab.length() > vocabSize)) {
            throw new IllegalArgumentException("vocab '" + vocab + "' has more symbols than the "
                    + vocabSize + " embedding rows");
        }
        if (maxTokensPerRecord <= 0) {
            throw new IllegalArgumentException("maxTokensPerRecord must be positive, got " + maxTokensPerRecord);
        }
        this.dModel = dModel;
        this.vocab = vocab;
        this.vocabSize = vocabSize;
        this.maxTokensPerRecord = maxTokensPerRecord;
        java.util.Arrays.fill(asciiIds, -1);
        if (vocab != null) {
            for (int i = 0; i < vocab.length(); i++) {
                char c = vocab.charAt(i);
                if (c < 128) {
                    asciiIds[c] = i;
                }
            }
        }
    }

    /** For a model: its input width, vocabulary and number of token ids. */
    public static RecordValidator forModel(SequenceModel model, int maxTokensPerRecord) {
        return new RecordValidator(model.inputWidth(), model.vocab(), model.vocabSize(), maxTokensPerRecord);
    }

    public int maxTokensPerRecord() {
        return maxTokensPerRecord;
    }

    /** Embedding row of {@code symbol}, or -1 when it is not in the vocabulary. */
    public int symbolId(char symbol) {
        if (symbol < 128) {
            return asciiIds[symbol];
        }
        return vocab == null ? -1 : vocab.indexOf(symbol);
    }

    /** Null when {@code r} can be processed, otherwise {@code "<code>: <detail>"}. */
    public String validate(TokenRecord r) {
        if (r.seq() == null) {
            return RejectReasons.of(RejectReasons.MISSING_SEQ, "record has no sequence id");
        }
        if (r.kind() == TokenRecord.Kind.RESET) {
            return null;
        }
        int n = r.count();
        if (n == 0) {
            return RejectReasons.of(RejectReasons.BAD_RECORD, "record carries no tokens");
        }
        if (n > maxTokensPerRecord) {
            return RejectReasons.of(RejectReasons.OVERSIZE,
                    n + " tokens in one record, the limit is " + maxTokensPerRecord);
        }
        if (r.hasPos() && (r.pos() < 0 || r.pos() > Long.MAX_VALUE - n)) {
            return RejectReasons.of(RejectReasons.BAD_POS, "pos " + r.pos() + " is negative or overflows");
        }
        switch (r.kind()) {
            case VECTORS:
                return checkVectors(r.vectors(), r.dim(), n);
            case SYMBOLS:
                return checkSymbols(r.symbols());
            case IDS:
                return checkIds(r.ids());
            default:
                throw new IllegalStateException(String.valueOf(r.kind()));
        }
    }

    private String checkVectors(double[] xs, int dim, int n) {
        if (dim != dModel) {
            return RejectReasons.of(RejectReasons.WRONG_DIMENSION,
                    "expected " + dModel + " values, got " + dim);
        }
        for (int i = 0; i < xs.length; i++) {
            if (!Double.isFinite(xs[i])) {
                String where = n == 1 ? "x[" + i + "]" : "xs[" + (i / dim) + "][" + (i % dim) + "]";
                return RejectReasons.of(RejectReasons.NOT_FINITE, where + " is " + xs[i]);
            }
        }
        return null;
    }

    private String checkSymbols(String symbols) {
        if (vocab == null || vocabSize == 0) {
            return RejectReasons.of(RejectReasons.NO_EMBEDDING,
                    "the model has no vocabulary; send vectors (\"x\"/\"xs\")");
        }
        for (int i = 0; i < symbols.length(); i++) {
            if (symbolId(symbols.charAt(i)) < 0) {
                return RejectReasons.of(RejectReasons.UNKNOWN_SYMBOL, "'" + symbols.charAt(i) + "' at offset " + i
                        + " is not in the vocabulary " + vocab);
            }
        }
        return null;
    }

    private String checkIds(int[] ids) {
        if (vocabSize == 0) {
            return RejectReasons.of(RejectReasons.NO_EMBEDDING,
                    "the model has no embedding; send vectors (\"x\"/\"xs\")");
        }
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocabSize) {
                return RejectReasons.of(RejectReasons.BAD_ID, "id " + ids[i] + (ids.length > 1 ? " at offset " + i : "")
                        + " is outside [0, " + vocabSize + ")");
            }
        }
        return null;
    }
}
