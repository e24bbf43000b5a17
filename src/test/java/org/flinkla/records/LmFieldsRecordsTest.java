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
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.types.StringValue;
import org.junit.jupiter.api.Test;

/** The language-model fields of {@link AttentionOutput} in JSON, the binary format and the Flink serializer. */
class LmFieldsRecordsTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** count outputs over a vocabulary of v with every field; top-k with symbols when {@code symbols}. */
    static AttentionOutput sample(long seed, int count, int v, int k, boolean symbols, boolean chunk, long[] positions) {
        Random r = new Random(seed);
        double[] ys = new double[count * v];
        double[] ps = new double[count * v];
        double[] logps = new double[count * v];
        int[] topIds = new int[count * k];
        double[] topPs = new double[count * k];
        char[] tokens = new char[count * k];
        double[] surprisals = new double[count];
        for (int i = 0; i < ys.length; i++) {
            ys[i] = r.nextGaussian();
            ps[i] = r.nextDouble();
            logps[i] = Math.log(ps[i]) * 1e-3;
        }
        for (int i = 0; i < topIds.length; i++) {
            topIds[i] = r.nextInt(v);
            topPs[i] = r.nextDouble() / 3;
            tokens[i] = "ACGTé\"\\".charAt(topIds[i] % 7);
        }
        for (int i = 0; i < count; i++) {
            surprisals[i] = i % 3 == 0 ? Double.NaN : r.nextDouble() * 4;
        }
        return new AttentionOutput("s", 40, v, ys, positions, chunk, ps, logps, k, topIds, topPs,
                symbols ? new String(tokens) : null, surprisals);
    }

    @Test
    void chunkFieldsRoundTripExactlyThroughJson() throws Exception {
        AttentionOutput o = sample(1, 3, 7, 2, true, true, null);
        JsonNode n = MAPPER.readTree(JsonRecords.toJson(o));
        assertThat(n.has("p")).isFalse();
        assertThat(n.get("ps")).hasSize(3);
        assertThat(n.get("logps")).hasSize(3);
        assertThat(n.get("tops")).hasSize(3);
        assertThat(n.get("surprisals")).hasSize(3);
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 7; j++) {
                assertThat(n.get("ps").get(i).get(j).asDouble()).isEqualTo(o.ps()[i * 7 + j]);
                assertThat(n.get("logps").get(i).get(j).asDouble()).isEqualTo(o.logps()[i * 7 + j]);
            }
            for (int j = 0; j < 2; j++) {
                JsonNode e = n.get("tops").get(i).get(j);
                assertThat(e.get("token").asText()).isEqualTo(String.valueOf(o.topTokens().charAt(i * 2 + j)));
                assertThat(e.has("id")).isFalse();
                assertThat(e.get("p").asDouble()).isEqualTo(o.topPs()[i * 2 + j]);
            }
            JsonNode s = n.get("surprisals").get(i);
            if (Double.isNaN(o.surprisals()[i])) {
                assertThat(s.isNull()).isTrue();
            } else {
                assertThat(s.asDouble()).isEqualTo(o.surprisals()[i]);
            }
        }
        assertThat(new String(JsonRecords.toJsonBytes(o), java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo(JsonRecords.toJson(o));
    }

    @Test
    void singleOutputFieldsAreWrittenUnsuffixed() throws Exception {
        AttentionOutput o = sample(2, 1, 4, 3, false, false, null); // surprisal 0 is NaN: none
        JsonNode n = MAPPER.readTree(JsonRecords.toJson(o));
        assertThat(n.get("p")).hasSize(4);
        assertThat(n.get("logp")).hasSize(4);
        assertThat(n.get("top")).hasSize(3);
        assertThat(n.get("top").get(0).get("id").asInt()).isEqualTo(o.topIds()[0]);
        assertThat(n.get("top").get(0).has("token")).isFalse();
        assertThat(n.has("surprisal")).isTrue();
        assertThat(n.get("surprisal").isNull()).isTrue();
        assertThat(n.has("ps")).isFalse();
        AttentionOutput only = new AttentionOutput("s", 3, 2, new double[] {0, 1}, null, false, null, null, 0, null,
                null, null, new double[] {1.25});
        JsonNode m = MAPPER.readTree(JsonRecords.toJson(only));
        assertThat(m.get("surprisal").asDouble()).isEqualTo(1.25);
        assertThat(m.size()).isEqualTo(4); // seq, pos, y, surprisal
    }

    @Test
    void fieldsRoundTripThroughTheBinaryFormat() {
        for (boolean symbols : new boolean[] {true, false}) {
            AttentionOutput o = sample(3, 5, 6, 4, symbols, true, new long[] {40, 42, 44, 46, 48});
            AttentionOutput f64 = BinaryRecords.decodeOutput("s", BinaryRecords.encodeOutput(o, true));
            assertThat(f64).isEqualTo(o); // NaN surprisal included
            AttentionOutput f32 = BinaryRecords.decodeOutput("s", BinaryRecords.encodeOutput(o, false));
            assertThat(f32.topIds()).isEqualTo(o.topIds());
            assertThat(f32.topTokens()).isEqualTo(o.topTokens());
            assertThat(f32.positions()).isEqualTo(o.positions());
            for (int i = 0; i < o.ps().length; i++) {
                assertThat(f32.ps()[i]).isEqualTo((double) (float) o.ps()[i]);
                assertThat(f32.logps()[i]).isEqualTo((double) (float) o.logps()[i]);
            }
            for (int i = 0; i < o.topPs().length; i++) {
                assertThat(f32.topPs()[i]).isEqualTo((double) (float) o.topPs()[i]);
            }
            for (int i = 0; i < 5; i++) {
                assertThat(Double.valueOf(f32.surprisals()[i])).isEqualTo(Double.valueOf((float) o.surprisals()[i]));
            }
        }
        AttentionOutput partial = new AttentionOutput("s", 0, 2, new double[] {1, 2, 3, 4}, null, true,
                new double[] {0.25, 0.75, 0.5, 0.5}, null, 0, null, null, null, new double[] {Double.NaN, 3});
        byte[] bytes = BinaryRecords.encodeOutput(partial, true);
        assertThat(bytes).hasSize(BinaryRecords.HEADER_BYTES + 8 * (4 + 4 + 2));
        assertThat(bytes[4]).isEqualTo((byte) (1 | 4 | 64));
        assertThat(BinaryRecords.decodeOutput("s", bytes)).isEqualTo(partial);
    }

    @Test
    void withoutFieldsTheBinaryOutputIsTheFirstReleaseLayout() {
        AttentionOutput o = new AttentionOutput("q", 17, 2, new double[] {1.5, -2, 0.25, 8}, new long[] {17, 19}, true);
        ByteBuffer b = ByteBuffer.allocate(24 + 16 + 32).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 'L').put((byte) 'Y').put((byte) 1).put((byte) 8).put((byte) 3).put((byte) 0).put((byte) 0)
                .put((byte) 0);
        b.putLong(17).putInt(2).putInt(2).putLong(17).putLong(19);
        b.putDouble(1.5).putDouble(-2).putDouble(0.25).putDouble(8);
        assertThat(BinaryRecords.encodeOutput(o, true)).isEqualTo(b.array());
    }

    @Test
    void malformedFieldHeadersNameTheProblem() {
        byte[] good = BinaryRecords.encodeOutput(sample(4, 2, 3, 2, true, true, null), true);
        byte[] noK = good.clone();
        noK[6] = 0;
        assertThatThrownBy(() -> BinaryRecords.decodeOutput("s", noK)).hasMessageContaining("with k 0");
        byte[] unknown = good.clone();
        unknown[4] |= (byte) 128;
        assertThatThrownBy(() -> BinaryRecords.decodeOutput("s", unknown)).hasMessageContaining("unknown flag bits");
        byte[] short1 = java.util.Arrays.copyOf(good, good.length - 2);
        assertThatThrownBy(() -> BinaryRecords.decodeOutput("s", short1)).hasMessageContaining("does not match");
    }

    @Test
    void fieldsRoundTripThroughTheFlinkSerializer() throws Exception {
        TypeSerializer<AttentionOutput> s = new AttentionOutputSerializer();
        for (AttentionOutput o : new AttentionOutput[] {
                sample(5, 4, 5, 3, true, true, null),
                sample(6, 1, 5, 1, false, false, null),
                new AttentionOutput("p", 0, 2, new double[] {1, 2}, null, false, new double[] {0.5, 0.5}, null, 0,
                        null, null, null, null)}) {
            assertThat(RecordSerializersTest.roundTrip(s, o)).isEqualTo(o);
        }
    }

    /** The first release's serializer layout, written here by hand. */
    private static byte[] format1(AttentionOutput o) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        StringValue.writeString(o.seq(), out);
        out.writeLong(o.pos());
        out.writeInt(o.dim());
        out.writeInt(o.count());
        out.writeBoolean(o.isChunk());
        for (double y : o.ys()) {
            out.writeLong(Long.reverseBytes(Double.doubleToRawLongBits(y)));
        }
        out.writeBoolean(o.positions() != null);
        if (o.positions() != null) {
            out.writeInt(o.positions().length);
            for (long p : o.positions()) {
                out.writeLong(Long.reverseBytes(p));
            }
        }
        return out.getCopyOfBuffer();
    }

    @Test
    void aFormat1SnapshotRestoresASerializerThatReadsFormat1AndMigrates() throws Exception {
        // a snapshot written by the first release: version 1, no configuration bytes
        DataOutputSerializer snap = new DataOutputSerializer(64);
        snap.writeUTF(AttentionOutputSerializer.Snapshot.class.getName());
        snap.writeInt(1);
        @SuppressWarnings("unchecked")
        TypeSerializerSnapshot<AttentionOutput> old = (TypeSerializerSnapshot<AttentionOutput>) (TypeSerializerSnapshot<?>)
                TypeSerializerSnapshot.readVersionedSnapshot(new DataInputDeserializer(snap.getCopyOfBuffer()), getClass().getClassLoader());
        TypeSerializer<AttentionOutput> reader = old.restoreSerializer();
        assertThat(reader).isNotEqualTo(new AttentionOutputSerializer());
        AttentionOutput plain = new AttentionOutput("a", 4, 2, new double[] {1, 2, 3, 4}, null, true);
        AttentionOutput thinned = new AttentionOutput("é", 4, 1, new double[] {1, 2}, new long[] {4, 8}, true);
        for (AttentionOutput o : new AttentionOutput[] {plain, thinned}) {
            byte[] bytes = format1(o);
            DataInputDeserializer in = new DataInputDeserializer(bytes);
            assertThat(reader.deserialize(in)).isEqualTo(o);
            assertThat(in.available()).isZero();
        }
        assertThat(new AttentionOutputSerializer().snapshotConfiguration().resolveSchemaCompatibility(old)
                .isCompatibleAfterMigration()).isTrue();
        // the current format: as is
        TypeSerializerSnapshot<AttentionOutput> current = RecordSerializersTest.snapshotRoundTrip(
                new AttentionOutputSerializer());
        assertThat(current.restoreSerializer()).isEqualTo(new AttentionOutputSerializer());
        assertThat(new AttentionOutputSerializer().snapshotConfiguration().resolveSchemaCompatibility(current)
                .isCompatibleAsIs()).isTrue();
        // and a format-1 serializer's own snapshot says version 1
        TypeSerializerSnapshot<AttentionOutput> again = RecordSerializersTest.snapshotRoundTrip(reader);
        assertThat(again.getCurrentVersion()).isEqualTo(2); // read back into the current snapshot class...
        assertThat(again.restoreSerializer()).isEqualTo(reader); // ...which restores the format-1 reader
    }

    @Test
    void inconsistentFieldShapesAreRejected() {
        assertThatThrownBy(() -> new AttentionOutput("s", 0, 2, new double[4], null, true, new double[3], null, 0,
                null, null, null, null)).hasMessageContaining("ps has 3 values, expected 4");
        assertThatThrownBy(() -> new AttentionOutput("s", 0, 2, new double[4], null, true, null, null, 2,
                new int[3], new double[4], null, null)).hasMessageContaining("top-2 of 2 outputs");
        assertThatThrownBy(() -> new AttentionOutput("s", 0, 2, new double[4], null, true, null, null, 0,
                null, null, null, new double[1])).hasMessageContaining("surprisals");
    }
}
