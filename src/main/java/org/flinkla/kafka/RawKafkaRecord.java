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
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.flinkla.records.RecordTypeInfo;

/**
 * One Kafka record as read from the input topic, before parsing: key and value bytes exactly as
 * stored (either may be null) and where it came from. Kept raw so that a record that cannot be used
 * reaches the dead-letter topic byte for byte.
 */
public final class RawKafkaRecord {
    private final byte[] key;
    private final byte[] value;
    private final String topic;
    private final int partition;
    private final long offset;

    public RawKafkaRecord(byte[] key, byte[] value, String topic, int partition, long offset) {
        this.key = key;
        this.value = value;
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
    }

    /** Key bytes (the sequence id in UTF-8), or null. */
    public byte[] key() { return key; }
    /** Value bytes, or null (a tombstone). */
    public byte[] value() { return value; }
    public String topic() { return topic; }
    public int partition() { return partition; }
    public long offset() { return offset; }

    /** The key as a UTF-8 string, or null. */
    public String keyString() {
        return key == null ? null : new String(key, StandardCharsets.UTF_8);
    }

    /** {@code topic-partition@offset}, for messages. */
    public String origin() {
        return topic + "-" + partition + "@" + offset;
    }

    @Override
    public String toString() {
        return "RawKafkaRecord{" + origin() + ", key=" + keyString() + ", value "
                + (value == null ? "null" : value.length + " bytes") + "}";
    }

    /** Flink type information backed by {@link Serializer} (no Kryo). */
    public static TypeInformation<RawKafkaRecord> typeInfo() {
        return new RecordTypeInfo<>(RawKafkaRecord.class, () -> Serializer.INSTANCE);
    }

    /** Writes the fields in order; null key/value as length -1. Format version 1. */
    public static final class Serializer extends TypeSerializerSingleton<RawKafkaRecord> {
        private static final long serialVersionUID = 1L;
        public static final Serializer INSTANCE = new Serializer();

        @Override public boolean isImmutableType() { return true; }
        @Override public RawKafkaRecord createInstance() { return null; }
        @Override public RawKafkaRecord copy(RawKafkaRecord from) { return from; }
        @Override public RawKafkaRecord copy(RawKafkaRecord from, RawKafkaRecord reuse) { return from; }
        @Override public int getLength() { return -1; }

        @Override
        public void serialize(RawKafkaRecord r, DataOutputView out) throws IOException {
            writeBytes(r.key, out);
            writeBytes(r.value, out);
            out.writeUTF(r.topic);
            out.writeInt(r.partition);
            out.writeLong(r.offset);
        }

        @Override
        public RawKafkaRecord deserialize(DataInputView in) throws IOException {
            byte[] key = readBytes(in);
            byte[] value = readBytes(in);
            return new RawKafkaRecord(key, value, in.readUTF(), in.readInt(), in.readLong());
        }

        @Override
        public RawKafkaRecord deserialize(RawKafkaRecord reuse, DataInputView in) throws IOException {
            return deserialize(in);
        }

        @Override
        public void copy(DataInputView in, DataOutputView out) throws IOException {
            serialize(deserialize(in), out);
        }

        @Override
        public TypeSerializerSnapshot<RawKafkaRecord> snapshotConfiguration() {
            return new Snapshot();
        }

        static void writeBytes(byte[] b, DataOutputView out) throws IOException {
            if (b == null) {
                out.writeInt(-1);
            } else {
                out.writeInt(b.length);
                out.write(b);
            }
        }

        static byte[] readBytes(DataInputView in) throws IOException {
            int n = in.readInt();
            if (n < 0) {
                return null;
            }
            byte[] b = new byte[n];
            in.readFully(b);
            return b;
        }
    }

    /** Snapshot of the stateless {@link Serializer}. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<RawKafkaRecord> {
        public Snapshot() {
            super(() -> Serializer.INSTANCE);
        }
    }
}
