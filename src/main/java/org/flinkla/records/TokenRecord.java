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

import java.util.Arrays;

/**
 * One parsed input record (docs/records.md): a single token or a chunk of tokens of one sequence, or a
 * control record. Exactly one payload field is set, according to {@link #kind()}.
 *
 * <ul>
 *   <li>{@link Kind#SYMBOLS}: {@code symbols} holds one token per character ({@code "token"} or
 *       {@code "tokens"});
 *   <li>{@link Kind#IDS}: {@code ids} holds token ids ({@code "id"} or {@code "ids"});
 *   <li>{@link Kind#VECTORS}: {@code vectors} holds {@code count} vectors of width {@code dim},
 *       row-major ({@code "x"} or {@code "xs"});
 *   <li>{@link Kind#RESET}: {@code {"control":"reset"}}, no payload.
 * </ul>
 *
 * {@code pos} is the position of the first token, or {@link #NO_POS} when the record has none.
 * {@code chunk} tells whether the record was a chunk form ({@code tokens/ids/xs}); outputs keep the
 * same form.
 *
 * <p>A record read from Kafka also carries its <b>origin</b> (source partition and offset, -1 when
 * unknown), so that a record the operator rejects after {@code keyBy} still names the Kafka record
 * it came from in the dead-letter headers. The origin is not part of {@link #equals}.
 */
@org.apache.flink.api.common.typeinfo.TypeInfo(RecordTypes.TokenRecordFactory.class)
public final class TokenRecord {
    public static final long NO_POS = Long.MIN_VALUE;

    public enum Kind { SYMBOLS, IDS, VECTORS, RESET }

    private final String seq;
    private final long pos;
    private final Kind kind;
    private final boolean chunk;
    private final String symbols;
    private final int[] ids;
    private final double[] vectors;
    private final int dim;
    private final int originPartition;
    private final long originOffset;

    private TokenRecord(String seq, long pos, Kind kind, boolean chunk, String symbols, int[] ids,
            double[] vectors, int dim) {
        this(seq, pos, kind, chunk, symbols, ids, vectors, dim, -1, -1L);
    }

    private TokenRecord(String seq, long pos, Kind kind, boolean chunk, String symbols, int[] ids,
            double[] vectors, int dim, int originPartition, long originOffset) {
        this.seq = seq;
        this.pos = pos;
        this.kind = kind;
        this.chunk = chunk;
        this.symbols = symbols;
        this.ids = ids;
        this.vectors = vectors;
        this.dim = dim;
        this.originPartition = originPartition;
        this.originOffset = originOffset;
    }

    public static TokenRecord symbols(String seq, long pos, String symbols, boolean chunk) {
        return new TokenRecord(seq, pos, Kind.SYMBOLS, chunk, symbols, null, null, 0);
    }

    public static TokenRecord ids(String seq, long pos, int[] ids, boolean chunk) {
        return new TokenRecord(seq, pos, Kind.IDS, chunk, null, ids, null, 0);
    }

    /** {@code vectors.length} must be a multiple of {@code dim}. */
    public static TokenRecord vectors(String seq, long pos, double[] vectors, int dim, boolean chunk) {
        if (dim <= 0 || vectors.length % dim != 0) {
            throw new IllegalArgumentException("vectors length " + vectors.length + " is not a multiple of " + dim);
        }
        return new TokenRecord(seq, pos, Kind.VECTORS, chunk, null, null, vectors, dim);
    }

    public static TokenRecord reset(String seq) {
        return new TokenRecord(seq, NO_POS, Kind.RESET, false, null, null, null, 0);
    }

    public String seq() { return seq; }
    public long pos() { return pos; }
    public boolean hasPos() { return pos != NO_POS; }
    public Kind kind() { return kind; }
    public boolean isChunk() { return chunk; }
    public String symbols() { return symbols; }
    public int[] ids() { return ids; }
    public double[] vectors() { return vectors; }
    /** Width of each vector (VECTORS only). */
    public int dim() { return dim; }

    /** Kafka partition the record was read from, or -1. */
    public int originPartition() { return originPartition; }
    /** Kafka offset the record was read from, or -1. */
    public long originOffset() { return originOffset; }

    /** The same record (payload arrays shared) with the Kafka partition and offset it was read from. */
    public TokenRecord withOrigin(int partition, long offset) {
        return new TokenRecord(seq, pos, kind, chunk, symbols, ids, vectors, dim, partition, offset);
    }

    /** Number of tokens carried (0 for RESET). */
    public int count() {
        switch (kind) {
            case SYMBOLS: return symbols.length();
            case IDS: return ids.length;
            case VECTORS: return vectors.length / dim;
            default: return 0;
        }
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof TokenRecord)) {
            return false;
        }
        TokenRecord r = (TokenRecord) o;
        return pos == r.pos && kind == r.kind && chunk == r.chunk && dim == r.dim
                && java.util.Objects.equals(seq, r.seq) && java.util.Objects.equals(symbols, r.symbols)
                && Arrays.equals(ids, r.ids) && Arrays.equals(vectors, r.vectors);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(seq, pos, kind, chunk, symbols, dim) * 31
                + Arrays.hashCode(ids) + Arrays.hashCode(vectors);
    }

    @Override
    public String toString() {
        return "TokenRecord{seq=" + seq + ", pos=" + (hasPos() ? pos : "-") + ", kind=" + kind
                + ", tokens=" + count() + (chunk ? ", chunk" : "") + "}";
    }
}
