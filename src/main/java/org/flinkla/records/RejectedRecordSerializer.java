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
