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

import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * Binary form of a {@link TokenRecord} (format version 2): seq (Flink string), pos (long), kind
 * (byte), chunk (boolean), origin partition (int) and offset (long), then the payload — symbols as a
 * string, ids as int count + little-endian ints, vectors as dim + count + little-endian doubles.
 * (Records only travel between operators; they are never part of keyed state.)
 */
public final class TokenRecordSerializer extends ImmutableRecordSerializer<TokenRecord> {
    private static final long serialVersionUID = 1L;
    static final int FORMAT_VERSION = 2;

    @Override
    public TypeSerializer<TokenRecord> duplicate() {
        return new TokenRecordSerializer();
    }

    @Override
    public TokenRecord createInstance() {
        return TokenRecord.reset("");
    }

    @Override
    public void serialize(TokenRecord r, DataOutputView out) throws IOException {
        StringValue.writeString(r.seq(), out);
        out.writeLong(r.pos());
        out.writeByte(r.kind().ordinal());
        out.writeBoolean(r.isChunk());
        out.writeInt(r.originPartition());
        out.writeLong(r.originOffset());
        switch (r.kind()) {
            case SYMBOLS:
                StringValue.writeString(r.symbols(), out);
                break;
            case IDS:
                out.writeInt(r.ids().length);
                LittleEndianArrays.writeInts(out, r.ids(), scratch());
                break;
            case VECTORS:
                out.writeInt(r.dim());
                out.writeInt(r.count());
                LittleEndianArrays.writeDoubles(out, r.vectors(), 0, r.vectors().length, scratch());
                break;
            default:
                break;
        }
    }

    @Override
    public TokenRecord deserialize(DataInputView in) throws IOException {
        String seq = StringValue.readString(in);
        long pos = in.readLong();
        TokenRecord.Kind kind = TokenRecord.Kind.values()[in.readByte()];
        boolean chunk = in.readBoolean();
        int partition = in.readInt();
        long offset = in.readLong();
        TokenRecord r;
        switch (kind) {
            case SYMBOLS:
                r = TokenRecord.symbols(seq, pos, StringValue.readString(in), chunk);
                break;
            case IDS: {
                int[] ids = new int[in.readInt()];
                LittleEndianArrays.readInts(in, ids, scratch());
                r = TokenRecord.ids(seq, pos, ids, chunk);
                break;
            }
            case VECTORS: {
                int dim = in.readInt();
                int count = in.readInt();
                double[] xs = new double[dim * count];
                LittleEndianArrays.readDoubles(in, xs, 0, xs.length, scratch());
                r = TokenRecord.vectors(seq, pos, xs, dim, chunk);
                break;
            }
            default:
                r = TokenRecord.reset(seq);
        }
        return partition < 0 && offset < 0 ? r : r.withOrigin(partition, offset);
    }

    @Override
    public TypeSerializerSnapshot<TokenRecord> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Versioned snapshot (format version 2). */
    public static final class Snapshot extends FormatVersionSnapshot<TokenRecord> {
        public Snapshot() {
            super(FORMAT_VERSION);
        }

        @Override
        protected TypeSerializer<TokenRecord> createSerializer() {
            return new TokenRecordSerializer();
        }
    }
}
