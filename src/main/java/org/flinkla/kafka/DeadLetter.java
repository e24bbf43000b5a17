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
package org.flinkla.kafka;

import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.flinkla.records.RecordTypeInfo;

/**
 * A record that cannot be used, on its way to the dead-letter topic: the original record (key and
 * value bytes untouched, source topic/partition/offset) and the reason, written as the
 * {@code reason} header.
 */
public final class DeadLetter {
    private final RawKafkaRecord record;
    private final String reason;

    public DeadLetter(RawKafkaRecord record, String reason) {
        this.record = record;
        this.reason = reason;
    }

    public RawKafkaRecord record() { return record; }
    public String reason() { return reason; }

    @Override
    public String toString() {
        return "DeadLetter{" + record.origin() + ": " + reason + "}";
    }

    /** Flink type information backed by {@link Serializer} (no Kryo). */
    public static TypeInformation<DeadLetter> typeInfo() {
        return new RecordTypeInfo<>(DeadLetter.class, () -> Serializer.INSTANCE);
    }

    /** The raw record ({@link RawKafkaRecord.Serializer}) then the reason. Format version 1. */
    public static final class Serializer extends TypeSerializerSingleton<DeadLetter> {
        private static final long serialVersionUID = 1L;
        public static final Serializer INSTANCE = new Serializer();

        @Override public boolean isImmutableType() { return true; }
        @Override public DeadLetter createInstance() { return null; }
        @Override public DeadLetter copy(DeadLetter from) { return from; }
        @Override public DeadLetter copy(DeadLetter from, DeadLetter reuse) { return from; }
        @Override public int getLength() { return -1; }

        @Override
        public void serialize(DeadLetter d, DataOutputView out) throws IOException {
            RawKafkaRecord.Serializer.INSTANCE.serialize(d.record, out);
            out.writeUTF(d.reason);
        }

        @Override
        public DeadLetter deserialize(DataInputView in) throws IOException {
            RawKafkaRecord r = RawKafkaRecord.Serializer.INSTANCE.deserialize(in);
            return new DeadLetter(r, in.readUTF());
        }

        @Override
        public DeadLetter deserialize(DeadLetter reuse, DataInputView in) throws IOException {
            return deserialize(in);
        }

        @Override
        public void copy(DataInputView in, DataOutputView out) throws IOException {
            serialize(deserialize(in), out);
        }

        @Override
        public TypeSerializerSnapshot<DeadLetter> snapshotConfiguration() {
            return new Snapshot();
        }
    }

    /** Snapshot of the stateless {@link Serializer}. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<DeadLetter> {
        public Snapshot() {
            super(() -> Serializer.INSTANCE);
        }
    }
}
