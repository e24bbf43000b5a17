package org.flinkla.records;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * Binary form of an {@link AttentionOutput} (format version 1): seq, pos, dim, count, chunk flag,
 * ys as little-endian doubles, then an optional little-endian long array of positions.
 */
public final class AttentionOutputSerializer extends ImmutableRecordSerializer<AttentionOutput> {
    private static final long serialVersionUID = 1L;
    static final int FORMAT_VERSION = 1;

    @Override
    public TypeSerializer<AttentionOutput> duplicate() {
        return new AttentionOutputSerializer();
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
        return new AttentionOutput(seq, pos, dim, ys, positions, chunk);
    }

    @Override
    public TypeSerializerSnapshot<AttentionOutput> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Versioned snapshot (format version 1). */
    public static final class Snapshot extends FormatVersionSnapshot<AttentionOutput> {
        public Snapshot() {
            super(FORMAT_VERSION);
        }

        @Override
        protected TypeSerializer<AttentionOutput> createSerializer() {
            return new AttentionOutputSerializer();
        }
    }
}
