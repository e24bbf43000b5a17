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

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class RecordSerializersTest {

    static <T> T roundTrip(TypeSerializer<T> s, T value) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        s.serialize(value, out);
        byte[] bytes = out.getCopyOfBuffer();
        T back = s.deserialize(new DataInputDeserializer(bytes));
        // copy(in, out) must reproduce the same bytes
        DataOutputSerializer copied = new DataOutputSerializer(64);
        s.copy(new DataInputDeserializer(bytes), copied);
        assertThat(copied.getCopyOfBuffer()).isEqualTo(bytes);
        return back;
    }

    static <T> TypeSerializerSnapshot<T> snapshotRoundTrip(TypeSerializer<T> s) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, s.snapshotConfiguration());
        return TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(out.getCopyOfBuffer()), RecordSerializersTest.class.getClassLoader());
    }

    @Test
    void tokenRecordsRoundTrip() throws Exception {
        TypeSerializer<TokenRecord> s = RecordTypes.TOKEN_RECORD.createSerializer(new SerializerConfigImpl());
        double[] big = new double[70_000]; // larger than the 64 KB scratch: several bulk writes
        for (int i = 0; i < big.length; i++) {
            big[i] = Math.sin(i) * 1e-3 * i;
        }
        TokenRecord[] records = {
            TokenRecord.symbols("chr1", 1000, "ACGTN", true),
            TokenRecord.symbols("é", TokenRecord.NO_POS, "A", false),
            TokenRecord.ids("k", 3, new int[] {0, -1, Integer.MAX_VALUE}, true),
            TokenRecord.vectors("v", 0, big, 70, true),
            TokenRecord.vectors("v", 9, new double[] {Double.NaN, -0.0}, 2, false),
            TokenRecord.reset("r"),
        };
        for (TokenRecord r : records) {
            assertThat(roundTrip(s, r)).isEqualTo(r);
            assertThat(roundTrip(s, r).originOffset()).isEqualTo(-1);
            TokenRecord fromKafka = r.withOrigin(3, 1L << 40);
            TokenRecord back = roundTrip(s, fromKafka);
            assertThat(back).isEqualTo(r);
            assertThat(back.originPartition()).isEqualTo(3);
            assertThat(back.originOffset()).isEqualTo(1L << 40);
        }
    }

    @Test
    void outputsAndRejectsRoundTrip() throws Exception {
        TypeSerializer<AttentionOutput> s = RecordTypes.ATTENTION_OUTPUT.createSerializer(new SerializerConfigImpl());
        AttentionOutput plain = new AttentionOutput("a", 4, 2, new double[] {1, 2, 3, 4}, null, true);
        AttentionOutput thinned = new AttentionOutput("a", 4, 1, new double[] {1, 2}, new long[] {4, 8}, true);
        assertThat(roundTrip(s, plain)).isEqualTo(plain);
        assertThat(roundTrip(s, thinned)).isEqualTo(thinned);

        TypeSerializer<RejectedRecord> r = RecordTypes.REJECTED_RECORD.createSerializer(new SerializerConfigImpl());
        RejectedRecord rej = new RejectedRecord(null, "bad_json: x", "{");
        assertThat(roundTrip(r, rej)).isEqualTo(rej);
        RejectedRecord located = RejectedRecord.of(TokenRecord.symbols("s", 7, "A", false).withOrigin(2, 99), "bad_pos: x");
        assertThat(roundTrip(r, located)).isEqualTo(located);
        assertThat(roundTrip(r, located).partition()).isEqualTo(2);
        assertThat(roundTrip(r, located).offset()).isEqualTo(99);
    }

    @Test
    void vectorsAreWrittenLittleEndian() throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        LittleEndianArrays.writeDoubles(out, new double[] {1.0}, 0, 1, LittleEndianArrays.newScratch());
        // 1.0 = 0x3FF0000000000000: little-endian puts 0xF0 0x3F last
        assertThat(out.getCopyOfBuffer()).containsExactly(0, 0, 0, 0, 0, 0, (byte) 0xF0, 0x3F);
    }

    @Test
    void snapshotsRestoreAndReportCompatibility() throws Exception {
        for (TypeInformation<?> t : new TypeInformation<?>[] {
                RecordTypes.TOKEN_RECORD, RecordTypes.ATTENTION_OUTPUT, RecordTypes.REJECTED_RECORD}) {
            checkSnapshot(t.createSerializer(new SerializerConfigImpl()));
        }
    }

    private static <T> void checkSnapshot(TypeSerializer<T> s) throws Exception {
        TypeSerializerSnapshot<T> restored = snapshotRoundTrip(s);
        assertThat(restored.getClass()).isEqualTo(s.snapshotConfiguration().getClass());
        assertThat(restored.restoreSerializer()).isEqualTo(s);
        assertThat(s.snapshotConfiguration().resolveSchemaCompatibility(restored).isCompatibleAsIs()).isTrue();
    }

    @Test
    void typeInfoIsFoundWithoutKryo() {
        assertThat(TypeInformation.of(TokenRecord.class)).isEqualTo(RecordTypes.TOKEN_RECORD);
        assertThat(TypeInformation.of(AttentionOutput.class)).isEqualTo(RecordTypes.ATTENTION_OUTPUT);
        assertThat(TypeInformation.of(RejectedRecord.class)).isEqualTo(RecordTypes.REJECTED_RECORD);
    }
}
