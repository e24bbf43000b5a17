package org.flinkla.flink;

import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.flinkla.engine.AttentionState;
import org.flinkla.engine.StatePrecision;
import org.flinkla.records.FormatVersionSnapshot;
import org.flinkla.records.LittleEndianArrays;
import org.flinkla.records.RecordTypeInfo;

/**
 * Serializer of {@link SequenceState}, format version 1:
 *
 * <pre>
 *   byte    precision   (8 = float64, 4 = float32)
 *   int     length      (elements of the flat state)
 *   long    tokens      (absorbed since start / reset)
 *   long    nextPos
 *   length × float64|float32, little-endian (S then z per head, engine layout)
 * </pre>
 *
 * so a key's state is {@code 21 + length × bytesPerElement} bytes. Each value describes its own
 * shape, so the operator can tell a state written for another model from a valid one.
 */
public final class SequenceStateSerializer extends TypeSerializer<SequenceState> {
    private static final long serialVersionUID = 1L;
    static final int FORMAT_VERSION = 1;
    static final int HEADER_BYTES = 1 + 4 + 8 + 8;

    /** TypeInformation of the keyed state value. */
    public static final TypeInformation<SequenceState> TYPE_INFO =
            new RecordTypeInfo<>(SequenceState.class, SequenceStateSerializer::new);

    private transient byte[] scratch;

    /** Serialized size of a state of {@code length} elements. */
    public static long serializedBytes(StatePrecision precision, int length) {
        return HEADER_BYTES + (long) length * precision.bytesPerElement();
    }

    private byte[] scratch() {
        if (scratch == null) {
            scratch = LittleEndianArrays.newScratch();
        }
        return scratch;
    }

    @Override public boolean isImmutableType() { return false; }
    @Override public TypeSerializer<SequenceState> duplicate() { return new SequenceStateSerializer(); }
    @Override public int getLength() { return -1; }

    @Override
    public SequenceState createInstance() {
        return new SequenceState(AttentionState.wrap(new double[0], null, 0), SequenceState.NO_POSITION);
    }

    @Override
    public SequenceState copy(SequenceState from) {
        return from.copy();
    }

    @Override
    public SequenceState copy(SequenceState from, SequenceState reuse) {
        AttentionState a = from.attention();
        AttentionState r = reuse == null ? null : reuse.attention();
        if (r != null && r.precision() == a.precision() && r.length() == a.length()) {
            r.copyFrom(a);
            reuse.setNextPos(from.nextPos());
            return reuse;
        }
        return from.copy();
    }

    @Override
    public void serialize(SequenceState s, DataOutputView out) throws IOException {
        AttentionState a = s.attention();
        out.writeByte(a.precision().bytesPerElement());
        out.writeInt(a.length());
        out.writeLong(a.tokens());
        out.writeLong(s.nextPos());
        if (a.doubles() != null) {
            LittleEndianArrays.writeDoubles(out, a.doubles(), 0, a.length(), scratch());
        } else {
            LittleEndianArrays.writeFloats(out, a.floats(), 0, a.length(), scratch());
        }
    }

    @Override
    public SequenceState deserialize(DataInputView in) throws IOException {
        int width = in.readByte();
        int length = in.readInt();
        long tokens = in.readLong();
        long nextPos = in.readLong();
        AttentionState a;
        if (width == 8) {
            double[] d = new double[length];
            LittleEndianArrays.readDoubles(in, d, 0, length, scratch());
            a = AttentionState.wrap(d, null, tokens);
        } else if (width == 4) {
            float[] f = new float[length];
            LittleEndianArrays.readFloats(in, f, 0, length, scratch());
            a = AttentionState.wrap(null, f, tokens);
        } else {
            throw new IOException("corrupt sequence state: element width " + width + " (expected 8 or 4)");
        }
        return new SequenceState(a, nextPos);
    }

    @Override
    public SequenceState deserialize(SequenceState reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        int width = in.readByte();
        int length = in.readInt();
        out.writeByte(width);
        out.writeInt(length);
        out.writeLong(in.readLong());
        out.writeLong(in.readLong());
        LittleEndianArrays.copyBytes(in, out, (long) length * width, scratch());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SequenceStateSerializer;
    }

    @Override
    public int hashCode() {
        return SequenceStateSerializer.class.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<SequenceState> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Versioned snapshot (format version 1). */
    public static final class Snapshot extends FormatVersionSnapshot<SequenceState> {
        public Snapshot() {
            super(FORMAT_VERSION);
        }

        @Override
        protected TypeSerializer<SequenceState> createSerializer() {
            return new SequenceStateSerializer();
        }
    }
}
