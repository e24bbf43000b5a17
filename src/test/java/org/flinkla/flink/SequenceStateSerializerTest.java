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

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.flinkla.engine.ModelState;
import org.flinkla.engine.StatePrecision;
import org.junit.jupiter.api.Test;

class SequenceStateSerializerTest {
    private final SequenceStateSerializer serializer = new SequenceStateSerializer();

    private static SequenceState state(StatePrecision p, int n, long tokens, long nextPos) {
        double[] d = p == StatePrecision.FLOAT64 ? new double[n] : null;
        float[] f = p == StatePrecision.FLOAT32 ? new float[n] : null;
        for (int i = 0; i < n; i++) {
            if (d != null) {
                d[i] = Math.cos(i) * (i + 1);
            } else {
                f[i] = (float) (Math.cos(i) * (i + 1));
            }
        }
        return new SequenceState(ModelState.wrap(d, f, tokens), nextPos);
    }

    private byte[] bytes(SequenceState s) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(s, out);
        return out.getCopyOfBuffer();
    }

    @Test
    void roundTripsBothPrecisionsWithTheDocumentedSize() throws Exception {
        for (SequenceState s : new SequenceState[] {
                state(StatePrecision.FLOAT64, 10_000, 123, 456), // > 64 KB: several bulk chunks
                state(StatePrecision.FLOAT32, 17, 1, SequenceState.NO_POSITION),
                state(StatePrecision.FLOAT64, 0, 0, 0)}) {
            byte[] b = bytes(s);
            assertThat((long) b.length).isEqualTo(s.serializedBytes());
            SequenceState back = serializer.deserialize(new DataInputDeserializer(b));
            assertThat(back).isEqualTo(s);
            assertThat(back.nextPos()).isEqualTo(s.nextPos());
            assertThat(back.model().tokens()).isEqualTo(s.model().tokens());
            DataOutputSerializer copied = new DataOutputSerializer(64);
            serializer.copy(new DataInputDeserializer(b), copied);
            assertThat(copied.getCopyOfBuffer()).isEqualTo(b);
        }
    }

    @Test
    void deserializesIntoAReusedStateOfTheSameShapeWithoutNewArrays() throws Exception {
        for (StatePrecision p : StatePrecision.values()) {
            SequenceState stored = state(p, 300, 41, 77);
            stored.setFingerprint(0x1234_5678_9abcL);
            SequenceState reuse = state(p, 300, 0, SequenceState.NO_POSITION);
            Object array = p == StatePrecision.FLOAT64 ? reuse.model().doubles() : reuse.model().floats();
            SequenceState back = serializer.deserialize(reuse, new DataInputDeserializer(bytes(stored)));
            assertThat(back).isSameAs(reuse).isEqualTo(stored);
            assertThat(back.model().tokens()).isEqualTo(41);
            assertThat(p == StatePrecision.FLOAT64 ? back.model().doubles() : back.model().floats()).isSameAs(array);
            // another shape: a new state, still equal to what was stored
            SequenceState small = state(p, 3, 0, 0);
            SequenceState other = serializer.deserialize(small, new DataInputDeserializer(bytes(stored)));
            assertThat(other).isNotSameAs(small).isEqualTo(stored);
        }
    }

    @Test
    void copiesAreDeep() {
        SequenceState s = state(StatePrecision.FLOAT64, 4, 2, 7);
        SequenceState c = serializer.copy(s);
        c.model().doubles()[0] = 99;
        c.setNextPos(8);
        assertThat(s.model().doubles()[0]).isEqualTo(1.0);
        assertThat(s.nextPos()).isEqualTo(7);
        SequenceState reuse = state(StatePrecision.FLOAT64, 4, 0, 0);
        assertThat(serializer.copy(s, reuse)).isSameAs(reuse).isEqualTo(s);
    }

    @Test
    void arrayIsLittleEndianAfterTheHeader() throws Exception {
        byte[] b = bytes(state(StatePrecision.FLOAT64, 1, 0, 0)); // value cos(0)*1 = 1.0
        assertThat(b).hasSize(SequenceStateSerializer.HEADER_BYTES + 8);
        assertThat(b[0]).isEqualTo((byte) 2); // format marker
        assertThat(b[1]).isEqualTo((byte) 8); // element width
        assertThat(java.util.Arrays.copyOfRange(b, SequenceStateSerializer.HEADER_BYTES, b.length))
                .containsExactly(0, 0, 0, 0, 0, 0, (byte) 0xF0, 0x3F);
    }

    @Test
    void corruptWidthIsAnIOException() {
        byte[] b = new byte[SequenceStateSerializer.HEADER_BYTES];
        b[0] = 2;
        b[1] = 3;
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> serializer.deserialize(new DataInputDeserializer(b)))
                .isInstanceOf(IOException.class).hasMessageContaining("width 3");
        byte[] marker = new byte[SequenceStateSerializer.HEADER_BYTES];
        marker[0] = 7;
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> serializer.deserialize(new DataInputDeserializer(marker)))
                .isInstanceOf(IOException.class).hasMessageContaining("format marker 7");
    }

    @Test
    void fingerprintAndPredictionRoundTrip() throws Exception {
        double[] pred = {-1.5, -0.25, -3.0, Math.log(0.5)};
        for (boolean valid : new boolean[] {true, false}) {
            SequenceState s = new SequenceState(ModelState.wrap(new double[] {1, 2, 3}, null, 9), 0x1234_5678_9abc_def0L,
                    42, pred.clone(), valid);
            byte[] b = bytes(s);
            assertThat((long) b.length).isEqualTo(s.serializedBytes())
                    .isEqualTo(SequenceStateSerializer.HEADER_BYTES + 3 * 8 + 4 * 8);
            SequenceState back = serializer.deserialize(new DataInputDeserializer(b));
            assertThat(back).isEqualTo(s);
            assertThat(back.fingerprint()).isEqualTo(0x1234_5678_9abc_def0L);
            assertThat(back.prediction()).isEqualTo(valid ? pred : null);
            DataOutputSerializer copied = new DataOutputSerializer(64);
            serializer.copy(new DataInputDeserializer(b), copied);
            assertThat(copied.getCopyOfBuffer()).isEqualTo(b);
            SequenceState reuse = new SequenceState(ModelState.wrap(new double[3], null, 0), 0L, 0, new double[4], false);
            assertThat(serializer.copy(s, reuse)).isSameAs(reuse).isEqualTo(s);
        }
    }

    /** A value as the first release wrote it: byte width, int length, long tokens, long nextPos, data. */
    @Test
    void readsFormatOneValues() throws Exception {
        DataOutputSerializer v1 = new DataOutputSerializer(64);
        v1.writeByte(4);
        v1.writeInt(2);
        v1.writeLong(17);
        v1.writeLong(99);
        v1.write(new byte[] {0, 0, (byte) 0x80, 0x3F, 0, 0, 0, 0x40}); // 1.0f, 2.0f little-endian
        byte[] b = v1.getCopyOfBuffer();
        SequenceState back = serializer.deserialize(new DataInputDeserializer(b));
        assertThat(back.model().floats()).containsExactly(1.0f, 2.0f);
        assertThat(back.model().tokens()).isEqualTo(17);
        assertThat(back.nextPos()).isEqualTo(99);
        assertThat(back.fingerprint()).isEqualTo(SequenceState.UNKNOWN_FINGERPRINT);
        assertThat(back.prediction()).isNull();
        DataOutputSerializer copied = new DataOutputSerializer(64);
        serializer.copy(new DataInputDeserializer(b), copied);
        assertThat(copied.getCopyOfBuffer()).isEqualTo(b);
        // a format-1 snapshot restores as is (the serializer reads both formats)
        SequenceStateSerializer.Snapshot old = new SequenceStateSerializer.Snapshot();
        old.readSnapshot(1, (DataInputView) null, null);
        assertThat(serializer.snapshotConfiguration().resolveSchemaCompatibility(old).isCompatibleAsIs()).isTrue();
        assertThat(old.restoreSerializer()).isEqualTo(serializer);
    }

    @Test
    void snapshotRestoresAndIsCompatibleAsIs() throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, serializer.snapshotConfiguration());
        TypeSerializerSnapshot<SequenceState> restored = TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader());
        assertThat(restored).isInstanceOf(SequenceStateSerializer.Snapshot.class);
        assertThat(restored.restoreSerializer()).isEqualTo(serializer);
        TypeSerializerSchemaCompatibility<SequenceState> c =
                serializer.snapshotConfiguration().resolveSchemaCompatibility(restored);
        assertThat(c.isCompatibleAsIs()).isTrue();
    }

    @Test
    void unknownFormatVersionIsIncompatible() throws Exception {
        SequenceStateSerializer.Snapshot fromTheFuture = new SequenceStateSerializer.Snapshot();
        fromTheFuture.readSnapshot(SequenceStateSerializer.FORMAT_VERSION + 1, (DataInputView) null, null);
        assertThat(serializer.snapshotConfiguration().resolveSchemaCompatibility(fromTheFuture).isIncompatible())
                .isTrue();
        org.assertj.core.api.Assertions.assertThatThrownBy(fromTheFuture::restoreSerializer)
                .hasMessageContaining("format version 3");
        // a snapshot of another serializer is incompatible too
        @SuppressWarnings({"unchecked", "rawtypes"})
        TypeSerializerSnapshot<SequenceState> other = (TypeSerializerSnapshot)
                new org.flinkla.records.TokenRecordSerializer().snapshotConfiguration();
        assertThat(serializer.snapshotConfiguration().resolveSchemaCompatibility(other).isIncompatible()).isTrue();
        TypeSerializer<SequenceState> dup = serializer.duplicate();
        assertThat(dup).isNotSameAs(serializer).isEqualTo(serializer);
    }
}
