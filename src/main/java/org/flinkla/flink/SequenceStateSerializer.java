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
package org.flinkla.flink;

import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.flinkla.engine.ModelState;
import org.flinkla.engine.StatePrecision;
import org.flinkla.records.FormatVersionSnapshot;
import org.flinkla.records.LittleEndianArrays;
import org.flinkla.records.RecordTypeInfo;

/**
 * Serializer of {@link SequenceState}. Each value is written in format 2:
 *
 * <pre>
 *   byte    2            (format marker)
 *   byte    precision    (8 = float64, 4 = float32)
 *   long    fingerprint  (of the model's architecture and shapes)
 *   int     length       (elements of the flat model state)
 *   long    tokens       (absorbed since start / reset)
 *   long    nextPos
 *   int     predictionLength (0 when surprisal is not emitted)
 *   byte    hasPrediction    (1 when the previous position's prediction is valid)
 *   length × float64|float32, little-endian (the model's flat state)
 *   predictionLength × float64, little-endian (log-probabilities at the previous position)
 * </pre>
 *
 * so a key's state is {@code 35 + length × bytesPerElement + 8 × predictionLength} bytes. Values of
 * format 1 (the first release: {@code byte precision, int length, long tokens, long nextPos, data})
 * are still read — they start with the element width 8 or 4, never 2 — and come back with an
 * unknown fingerprint; they are written in format 2 from then on.
 */
@org.apache.flink.annotation.Internal
public final class SequenceStateSerializer extends TypeSerializer<SequenceState> {
    private static final long serialVersionUID = 1L;
    static final int FORMAT_VERSION = 2;
    public static final int HEADER_BYTES = 1 + 1 + 8 + 4 + 8 + 8 + 4 + 1;

    /** TypeInformation of the keyed state value. */
    public static final TypeInformation<SequenceState> TYPE_INFO =
            new RecordTypeInfo<>(SequenceState.class, SequenceStateSerializer::new);

    private transient byte[] scratch;

    /** Serialized size of a state of {@code length} elements without a stored prediction. */
    public static long serializedBytes(StatePrecision precision, int length) {
        return serializedBytes(precision, length, 0);
    }

    /** Serialized size of a state of {@code length} elements and a prediction of {@code predictionLength}. */
    public static long serializedBytes(StatePrecision precision, int length, int predictionLength) {
        return HEADER_BYTES + (long) length * precision.bytesPerElement() + 8L * predictionLength;
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
        return new SequenceState(ModelState.wrap(new double[0], null, 0), SequenceState.NO_POSITION);
    }

    @Override
    public SequenceState copy(SequenceState from) {
        return from.copy();
    }

    @Override
    public SequenceState copy(SequenceState from, SequenceState reuse) {
        ModelState a = from.model();
        ModelState r = reuse == null ? null : reuse.model();
        double[] fp = from.predictionRaw();
        double[] rp = reuse == null ? null : reuse.predictionRaw();
        boolean samePrediction = fp == null ? rp == null : rp != null && rp.length == fp.length;
        if (r != null && r.precision() == a.precision() && r.length() == a.length() && samePrediction) {
            r.copyFrom(a);
            reuse.setFingerprint(from.fingerprint());
            reuse.setNextPos(from.nextPos());
            if (fp != null) {
                System.arraycopy(fp, 0, rp, 0, fp.length);
            }
            reuse.setHasPrediction(from.prediction() != null);
            return reuse;
        }
        return from.copy();
    }

    @Override
    public void serialize(SequenceState s, DataOutputView out) throws IOException {
        ModelState a = s.model();
        double[] pred = s.predictionRaw();
        out.writeByte(FORMAT_VERSION);
        out.writeByte(a.precision().bytesPerElement());
        out.writeLong(s.fingerprint());
        out.writeInt(a.length());
        out.writeLong(a.tokens());
        out.writeLong(s.nextPos());
        out.writeInt(pred == null ? 0 : pred.length);
        out.writeByte(s.prediction() != null ? 1 : 0);
        if (a.doubles() != null) {
            LittleEndianArrays.writeDoubles(out, a.doubles(), 0, a.length(), scratch());
        } else {
            LittleEndianArrays.writeFloats(out, a.floats(), 0, a.length(), scratch());
        }
        if (pred != null) {
            LittleEndianArrays.writeDoubles(out, pred, 0, pred.length, scratch());
        }
    }

    /** The fields before the state's elements, as read by {@link #readHeader}; one per serializer. */
    private static final class Header {
        boolean format1;
        int width;
        long fingerprint;
        int length;
        long tokens;
        long nextPos;
        int predLength;
        boolean hasPrediction;
    }

    private transient Header header;

    /**
     * Reads the header of a format 1 value (marker = element width 8 or 4, length, tokens,
     * next position) or of a format 2 value (marker 2, width, fingerprint, length, tokens, next
     * position, prediction length, has-prediction flag) into this serializer's {@link Header}.
     */
    private Header readHeader(DataInputView in) throws IOException {
        Header h = header == null ? (header = new Header()) : header;
        int first = in.readByte();
        h.format1 = first == 8 || first == 4;
        if (h.format1) {
            h.width = first;
            h.fingerprint = SequenceState.UNKNOWN_FINGERPRINT;
        } else if (first == FORMAT_VERSION) {
            h.width = in.readByte();
            h.fingerprint = in.readLong();
        } else {
            throw new IOException("corrupt sequence state: format marker " + first + " (expected 2, or 8/4 for format 1)");
        }
        h.length = in.readInt();
        h.tokens = in.readLong();
        h.nextPos = in.readLong();
        if (h.format1) {
            h.predLength = 0;
            h.hasPrediction = false;
        } else {
            h.predLength = in.readInt();
            h.hasPrediction = in.readByte() != 0;
        }
        return h;
    }

    @Override
    public SequenceState deserialize(DataInputView in) throws IOException {
        return readNew(in, readHeader(in));
    }

    /** The state's elements and prediction after header {@code h}, into new arrays. */
    private SequenceState readNew(DataInputView in, Header h) throws IOException {
        ModelState a = readModel(in, h.width, h.length, h.tokens);
        double[] pred = null;
        if (h.predLength > 0) {
            pred = new double[h.predLength];
            LittleEndianArrays.readDoubles(in, pred, 0, h.predLength, scratch());
        }
        return new SequenceState(a, h.fingerprint, h.nextPos, pred, h.hasPrediction);
    }

    private ModelState readModel(DataInputView in, int width, int length, long tokens) throws IOException {
        if (length < 0) {
            throw new IOException("corrupt sequence state: length " + length);
        }
        if (width == 8) {
            double[] d = new double[length];
            LittleEndianArrays.readDoubles(in, d, 0, length, scratch());
            return ModelState.wrap(d, null, tokens);
        }
        if (width == 4) {
            float[] f = new float[length];
            LittleEndianArrays.readFloats(in, f, 0, length, scratch());
            return ModelState.wrap(null, f, tokens);
        }
        throw new IOException("corrupt sequence state: element width " + width + " (expected 8 or 4)");
    }

    /**
     * Reads into {@code reuse} when it has the same precision, length and prediction length as the
     * stored value (the arrays are overwritten, nothing is allocated); otherwise returns a new state
     * like {@link #deserialize(DataInputView)}. The SQL function decodes every record's state this way.
     */
    @Override
    public SequenceState deserialize(SequenceState reuse, DataInputView in) throws IOException {
        if (reuse == null) {
            return deserialize(in);
        }
        Header h = readHeader(in);
        ModelState r = reuse.model();
        double[] rp = reuse.predictionRaw();
        boolean fits = !h.format1 && r.precision().bytesPerElement() == h.width && r.length() == h.length
                && (h.predLength == 0 ? rp == null : rp != null && rp.length == h.predLength);
        if (!fits) {
            return readNew(in, h);
        }
        if (h.width == 8) {
            LittleEndianArrays.readDoubles(in, r.doubles(), 0, h.length, scratch());
        } else {
            LittleEndianArrays.readFloats(in, r.floats(), 0, h.length, scratch());
        }
        r.setTokens(h.tokens);
        if (h.predLength > 0) {
            LittleEndianArrays.readDoubles(in, rp, 0, h.predLength, scratch());
        }
        reuse.setFingerprint(h.fingerprint);
        reuse.setNextPos(h.nextPos);
        reuse.setHasPrediction(h.hasPrediction);
        return reuse;
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        int first = in.readByte();
        out.writeByte(first);
        if (first == 8 || first == 4) {
            int length = in.readInt();
            out.writeInt(length);
            out.writeLong(in.readLong());
            out.writeLong(in.readLong());
            LittleEndianArrays.copyBytes(in, out, (long) length * first, scratch());
            return;
        }
        int width = in.readByte();
        out.writeByte(width);
        out.writeLong(in.readLong());
        int length = in.readInt();
        out.writeInt(length);
        out.writeLong(in.readLong());
        out.writeLong(in.readLong());
        int predLength = in.readInt();
        out.writeInt(predLength);
        out.writeByte(in.readByte());
        LittleEndianArrays.copyBytes(in, out, (long) length * width + 8L * predLength, scratch());
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

    /** Versioned snapshot: format 2, reads format 1 values as well. */
    public static final class Snapshot extends FormatVersionSnapshot<SequenceState> {
        public Snapshot() {
            super(FORMAT_VERSION, 1);
        }

        @Override
        protected TypeSerializer<SequenceState> createSerializer() {
            return new SequenceStateSerializer();
        }
    }
}
