package org.flinkla.records;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/** Binary form of a {@link RejectedRecord} (format version 2): seq (nullable), reason, original, partition, offset. */
public final class RejectedRecordSerializer extends ImmutableRecordSerializer<RejectedRecord> {
    private static final long serialVersionUID = 1L;
    static final int FORMAT_VERSION = 2;

    @Override
    public TypeSerializer<RejectedRecord> duplicate() {
        return new RejectedRecordSerializer();
    }

    @Override
    public RejectedRecord createInstance() {
        return new RejectedRecord(null, "", "");
    }

    @Override
    public void serialize(RejectedRecord r, DataOutputView out) throws IOException {
        StringValue.writeString(r.seq(), out);
        StringValue.writeString(r.reason(), out);
        StringValue.writeString(r.original(), out);
        out.writeInt(r.partition());
        out.writeLong(r.offset());
    }

    @Override
    public RejectedRecord deserialize(DataInputView in) throws IOException {
        String seq = StringValue.readString(in);
        String reason = StringValue.readString(in);
        String original = StringValue.readString(in);
        return new RejectedRecord(seq, reason, original, in.readInt(), in.readLong());
    }

    @Override
    public TypeSerializerSnapshot<RejectedRecord> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Versioned snapshot (format version 2). */
    public static final class Snapshot extends FormatVersionSnapshot<RejectedRecord> {
        public Snapshot() {
            super(FORMAT_VERSION);
        }

        @Override
        protected TypeSerializer<RejectedRecord> createSerializer() {
            return new RejectedRecordSerializer();
        }
    }
}
