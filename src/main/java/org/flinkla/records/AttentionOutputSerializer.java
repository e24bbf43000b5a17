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
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * Binary form of an {@link AttentionOutput}, format version 2:
 *
 * <pre>
 *   string  seq, long pos, int dim, int count, boolean chunk
 *   count × dim float64 ys (little-endian)
 *   boolean positions present [int n, n × int64 positions]       (format 1 ends here)
 *   byte    fields: bit 0 ps, bit 1 logps, bit 2 top, bit 3 top symbols, bit 4 surprisals
 *   [count × dim float64 ps] [count × dim float64 logps]
 *   [int k, count × k int32 top ids, count × k float64 top p, [string top symbols]]
 *   [count float64 surprisals (NaN: none)]
 * </pre>
 *
 * Format 1 (the first release) is format 2 without the fields byte and what follows. Values
 * written in format 1 (in-flight data of a checkpoint taken by that release) are read by the
 * serializer its snapshot restores, and migrated.
 */
public final class AttentionOutputSerializer extends ImmutableRecordSerializer<AttentionOutput> {
    private static final long serialVersionUID = 1L;
    static final int FORMAT_VERSION = 2;

    private static final int HAS_PS = 1;
    private static final int HAS_LOGPS = 2;
    private static final int HAS_TOP = 4;
    private static final int HAS_TOP_TOKENS = 8;
    private static final int HAS_SURPRISALS = 16;

    /** The format this instance reads and writes (1 only for restoring old data). */
    private final int version;

    public AttentionOutputSerializer() {
        this(FORMAT_VERSION);
    }

    AttentionOutputSerializer(int version) {
        if (version != 1 && version != FORMAT_VERSION) {
            throw new IllegalArgumentException("AttentionOutput format version " + version + " is unknown (this "
                    + "release reads 1 and " + FORMAT_VERSION + ")");
        }
        this.version = version;
    }

    /** The format version this serializer reads and writes. */
    public int formatVersion() {
        return version;
    }

    @Override
    public TypeSerializer<AttentionOutput> duplicate() {
        return new AttentionOutputSerializer(version);
    }

    @Override
    public AttentionOutput createInstance() {
        return new AttentionOutput("", 0, 1, new double[0], null, false);
    }

    @Override
    public void serialize(AttentionOutput o, DataOutputView out) throws IOException {
        StringValue.writeString(o.seq(), out);
        out.writeLong(o.pos());
        out.writeInt(o.dim());
        out.writeInt(o.count());
        out.writeBoolean(o.isChunk());
        LittleEndianArrays.writeDoubles(out, o.ys(), 0, o.ys().length, scratch());
        long[] positions = o.positions();
        out.writeBoolean(positions != null);
        if (positions != null) {
            out.writeInt(positions.length);
            LittleEndianArrays.writeLongs(out, positions, scratch());
        }
        if (version == 1) {
            if (o.hasLmFields()) {
                throw new IllegalStateException("AttentionOutput format 1 cannot carry p, logp, top or surprisal");
            }
            return;
        }
        int flags = (o.ps() != null ? HAS_PS : 0) | (o.logps() != null ? HAS_LOGPS : 0)
                | (o.topIds() != null ? HAS_TOP : 0) | (o.topTokens() != null ? HAS_TOP_TOKENS : 0)
                | (o.surprisals() != null ? HAS_SURPRISALS : 0);
        out.writeByte(flags);
        writeDoubles(out, o.ps());
        writeDoubles(out, o.logps());
        if (o.topIds() != null) {
            out.writeInt(o.topK());
            LittleEndianArrays.writeInts(out, o.topIds(), scratch());
            writeDoubles(out, o.topPs());
            if (o.topTokens() != null) {
                StringValue.writeString(o.topTokens(), out);
            }
        }
        writeDoubles(out, o.surprisals());
    }

    private void writeDoubles(DataOutputView out, double[] a) throws IOException {
        if (a != null) {
            LittleEndianArrays.writeDoubles(out, a, 0, a.length, scratch());
        }
    }

    @Override
    public AttentionOutput deserialize(DataInputView in) throws IOException {
        String seq = StringValue.readString(in);
        long pos = in.readLong();
        int dim = in.readInt();
        int count = in.readInt();
        boolean chunk = in.readBoolean();
        double[] ys = new double[dim * count];
        LittleEndianArrays.readDoubles(in, ys, 0, ys.length, scratch());
        long[] positions = null;
        if (in.readBoolean()) {
            positions = new long[in.readInt()];
            LittleEndianArrays.readLongs(in, positions, scratch());
        }
        if (version == 1) {
            return new AttentionOutput(seq, pos, dim, ys, positions, chunk);
        }
        int flags = in.readByte();
        double[] ps = (flags & HAS_PS) != 0 ? readDoubles(in, ys.length) : null;
        double[] logps = (flags & HAS_LOGPS) != 0 ? readDoubles(in, ys.length) : null;
        int k = 0;
        int[] topIds = null;
        double[] topPs = null;
        String topTokens = null;
        if ((flags & HAS_TOP) != 0) {
            k = in.readInt();
            if (k <= 0) {
                throw new IOException("corrupt attention output: top-k with k = " + k);
            }
            topIds = new int[count * k];
            LittleEndianArrays.readInts(in, topIds, scratch());
            topPs = readDoubles(in, count * k);
            if ((flags & HAS_TOP_TOKENS) != 0) {
                topTokens = StringValue.readString(in);
            }
        }
        double[] surprisals = (flags & HAS_SURPRISALS) != 0 ? readDoubles(in, count) : null;
        return new AttentionOutput(seq, pos, dim, ys, positions, chunk, ps, logps, k, topIds, topPs, topTokens,
                surprisals);
    }

    private double[] readDoubles(DataInputView in, int n) throws IOException {
        double[] a = new double[n];
        LittleEndianArrays.readDoubles(in, a, 0, n, scratch());
        return a;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AttentionOutputSerializer && ((AttentionOutputSerializer) o).version == version;
    }

    @Override
    public int hashCode() {
        return 31 * AttentionOutputSerializer.class.hashCode() + version;
    }

    @Override
    public TypeSerializerSnapshot<AttentionOutput> snapshotConfiguration() {
        return version == FORMAT_VERSION ? new Snapshot() : new Snapshot(version);
    }

    /**
     * Versioned snapshot (format version 2; a snapshot of format 1 restores a serializer that reads
     * format 1, and the current serializer reports "compatible after migration" to it).
     */
    public static final class Snapshot extends FormatVersionSnapshot<AttentionOutput> {
        public Snapshot() {
            super(FORMAT_VERSION, 1);
        }

        private Snapshot(int version) {
            super(version, 1);
        }

        @Override
        protected TypeSerializer<AttentionOutput> createSerializer() {
            return new AttentionOutputSerializer(formatVersion());
        }

        @Override
        public TypeSerializerSchemaCompatibility<AttentionOutput> resolveSchemaCompatibility(
                TypeSerializerSnapshot<AttentionOutput> oldSnapshot) {
            TypeSerializerSchemaCompatibility<AttentionOutput> c = super.resolveSchemaCompatibility(oldSnapshot);
            if (c.isCompatibleAsIs() && ((Snapshot) oldSnapshot).formatVersion() < getCurrentVersion()) {
                // format 1 values lack the fields byte: read them with the old serializer, write them anew
                return TypeSerializerSchemaCompatibility.compatibleAfterMigration();
            }
            return c;
        }
    }
}
