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
package org.flinkla.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SafetensorsTest {
    private static final String BAD = "bad.safetensors";

    @TempDir
    Path dir;

    private static Safetensors roundTrip(Map<String, Tensor> tensors, Map<String, String> meta, Dtype dtype) {
        return Safetensors.parse(Safetensors.encode(tensors, meta, dtype), "mem");
    }

    private static void assertBitsEqual(double[] actual, double[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            assertThat(Double.doubleToRawLongBits(actual[i]))
                    .as("element %d: %s vs %s", i, actual[i], expected[i])
                    .isEqualTo(Double.doubleToRawLongBits(expected[i]));
        }
    }

    // ---------------------------------------------------------------- round trips

    @Test
    void f64RoundTripIsBitExact() {
        Random r = new Random(1);
        double[] v = new double[64];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextGaussian() * Math.pow(10, r.nextInt(40) - 20);
        }
        v[0] = Double.MIN_VALUE;
        v[1] = -Double.MAX_VALUE;
        v[2] = -0.0;
        v[3] = Double.POSITIVE_INFINITY;
        Safetensors st = roundTrip(Map.of("t", new Tensor(new int[] {4, 16}, v)), Map.of(), Dtype.F64);
        assertThat(st.dtype("t")).isEqualTo(Dtype.F64);
        assertThat(st.shape("t")).containsExactly(4, 16);
        assertBitsEqual(st.tensor("t").data(), v);
    }

    @Test
    void f32RoundTripIsExactForFloatValues() {
        Random r = new Random(2);
        double[] v = new double[30];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextGaussian() * 1e3);
        }
        v[0] = Float.MIN_VALUE;   // float subnormal
        v[1] = -Float.MAX_VALUE;
        v[2] = Double.NEGATIVE_INFINITY;
        Safetensors st = roundTrip(Map.of("t", new Tensor(new int[] {2, 3, 5}, v)), Map.of(), Dtype.F32);
        assertThat(st.shape("t")).containsExactly(2, 3, 5);
        assertBitsEqual(st.tensor("t").data(), v);
    }

    /** Values exactly representable in binary16: normals, the subnormal range, the extremes, ±inf, −0. */
    static final double[] F16_EXACT = {
        1.0, -2.0, 0.5, 1.0 + Math.scalb(1.0, -10), 65504.0, -65504.0,
        Math.scalb(1.0, -14),            // smallest normal
        Math.scalb(1.0, -24),            // smallest subnormal
        Math.scalb(1023.0, -24),         // largest subnormal
        -Math.scalb(5.0, -24), 0.0, -0.0,
        Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 3.140625, -1000.5
    };

    @Test
    void f16RoundTripIsExactForRepresentableValues() {
        Safetensors st = roundTrip(Map.of("h", Tensor.vector(F16_EXACT)), Map.of(), Dtype.F16);
        assertThat(st.dtype("h")).isEqualTo(Dtype.F16);
        assertBitsEqual(st.tensor("h").data(), F16_EXACT);
    }

    static final double[] BF16_EXACT = {
        1.0, -2.0, 3.0, 0.15625, 1.0 + Math.scalb(1.0, -7),
        Math.scalb(1.0, -126),           // smallest normal
        Math.scalb(1.0, -133),           // smallest subnormal
        Math.scalb(255.0, 120),          // largest finite, (2 − 2^-7)·2^127
        0.0, -0.0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -Math.scalb(3.0, -70)
    };

    @Test
    void bf16RoundTripIsExactForRepresentableValues() {
        assertThat(BF16_EXACT[7]).isEqualTo((2 - Math.scalb(1.0, -7)) * Math.scalb(1.0, 127));
        Safetensors st = roundTrip(Map.of("b", Tensor.vector(BF16_EXACT)), Map.of(), Dtype.BF16);
        assertThat(st.dtype("b")).isEqualTo(Dtype.BF16);
        assertBitsEqual(st.tensor("b").data(), BF16_EXACT);
    }

    @Test
    void f16BitPatternsFollowIeee754Binary16() {
        // Bit patterns from the IEEE 754 binary16 definition, decoded from a hand-built file.
        int[] bits = {0x3C00, 0xC000, 0x7BFF, 0x0001, 0x03FF, 0x0400, 0x7C00, 0xFC00, 0x8000, 0x3555};
        double[] expected = {1.0, -2.0, 65504.0, Math.scalb(1.0, -24), Math.scalb(1023.0, -24),
            Math.scalb(1.0, -14), Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0,
            Math.scalb(1024.0 + 0x155, -12)};
        byte[] file = HandBuilt.file("{\"h\":{\"dtype\":\"F16\",\"shape\":[10],\"data_offsets\":[0,20]}}",
                HandBuilt.u16(bits));
        assertBitsEqual(Safetensors.parse(file, "hand").tensor("h").data(), expected);
        // And the writer produces exactly those patterns.
        byte[] enc = Safetensors.encode(Map.of("h", Tensor.vector(expected)), Map.of(), Dtype.F16);
        assertThat(Arrays.copyOfRange(enc, enc.length - 20, enc.length)).isEqualTo(HandBuilt.u16(bits));
    }

    @Test
    void f16NanDecodesToNan() {
        byte[] file = HandBuilt.file("{\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}",
                HandBuilt.u16(0x7E00, 0xFD01));
        assertThat(Safetensors.parse(file, "hand").tensor("h").data())
                .satisfies(a -> assertThat(Double.isNaN(a[0]) && Double.isNaN(a[1])).isTrue());
    }

    @Test
    void bf16BitPatternsAreTheTopHalfOfFloat32() {
        int[] bits = {0x3F80, 0xC000, 0x4040, 0x7F80, 0x0001, 0x7F7F, 0x8000};
        byte[] file = HandBuilt.file("{\"b\":{\"dtype\":\"BF16\",\"shape\":[7],\"data_offsets\":[0,14]}}",
                HandBuilt.u16(bits));
        double[] got = Safetensors.parse(file, "hand").tensor("b").data();
        for (int i = 0; i < bits.length; i++) {
            assertThat(got[i]).isEqualTo((double) Float.intBitsToFloat(bits[i] << 16));
        }
        assertThat(got[0]).isEqualTo(1.0);
        assertThat(got[2]).isEqualTo(3.0);
    }

    @Test
    void halfPrecisionWritingRoundsToNearestTiesToEven() {
        double ulp = Math.scalb(1.0, -10); // F16 spacing in [1, 2)
        double[] in = {1 + ulp / 2, 1 + 3 * ulp / 2, 1 + ulp / 2 + 1e-9, 65520.0, 65519.0, -1e9,
            Math.scalb(1.0, -25), Math.scalb(1.5, -25)};
        double[] expected = {1.0, 1 + 2 * ulp, 1 + ulp, Double.POSITIVE_INFINITY, 65504.0,
            Double.NEGATIVE_INFINITY, 0.0, Math.scalb(1.0, -24)};
        assertBitsEqual(roundTrip(Map.of("h", Tensor.vector(in)), Map.of(), Dtype.F16).tensor("h").data(), expected);

        double bulp = Math.scalb(1.0, -7); // BF16 spacing in [1, 2)
        double[] bin = {1 + bulp / 2, 1 + 3 * bulp / 2, 1 + bulp / 2 + 1e-12, 1e39};
        double[] bexp = {1.0, 1 + 2 * bulp, 1 + bulp, Double.POSITIVE_INFINITY};
        assertBitsEqual(roundTrip(Map.of("b", Tensor.vector(bin)), Map.of(), Dtype.BF16).tensor("b").data(), bexp);
    }

    @Test
    void writtenLayoutIsTheSafetensorsFormat() throws Exception {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("z", Tensor.vector(new double[] {1, 2, 3}));
        t.put("a", Tensor.matrix(2, 2, new double[] {4, 5, 6, 7}));
        Path f = dir.resolve("sub/out.safetensors");
        Safetensors.write(f, t, Map.of("heads", "2", "eps", "1e-6"), Dtype.F32);
        byte[] bytes = Files.readAllBytes(f);
        long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        assertThat((8 + n) % 8).as("data section 8-byte aligned").isZero();
        JsonNode h = new ObjectMapper().readTree(new String(bytes, 8, (int) n, StandardCharsets.UTF_8));
        assertThat(h.get("__metadata__").get("heads").asText()).isEqualTo("2");
        assertThat(h.get("a").get("dtype").asText()).isEqualTo("F32");
        assertThat(h.get("a").get("shape").toString()).isEqualTo("[2,2]");
        assertThat(h.get("a").get("data_offsets").toString()).isEqualTo("[0,16]");
        assertThat(h.get("z").get("data_offsets").toString()).isEqualTo("[16,28]");
        assertThat(bytes.length).isEqualTo(8 + n + 28);
        assertThat(Arrays.copyOfRange(bytes, (int) (8 + n), bytes.length)).isEqualTo(HandBuilt.f32(4, 5, 6, 7, 1, 2, 3));

        Safetensors st = Safetensors.read(f);
        assertThat(st.metadata()).containsEntry("heads", "2").containsEntry("eps", "1e-6").hasSize(2);
        assertThat(st.names()).containsExactlyInAnyOrder("a", "z");
        assertThat(st.tensor("a").data()).containsExactly(4, 5, 6, 7);
    }

    @Test
    void scalarsAndEmptyTensorsRoundTrip() {
        Map<String, Tensor> t = Map.of(
                "scalar", new Tensor(new int[0], new double[] {2.5}),
                "empty", new Tensor(new int[] {0, 3}, new double[0]),
                "v", Tensor.vector(new double[] {7}));
        Safetensors st = roundTrip(t, null, Dtype.F64);
        assertThat(st.shape("scalar")).isEmpty();
        assertThat(st.tensor("scalar").data()).containsExactly(2.5);
        assertThat(st.shape("empty")).containsExactly(0, 3);
        assertThat(st.tensor("empty").data()).isEmpty();
        assertThat(st.tensor("v").data()).containsExactly(7);
        assertThat(st.metadata()).isEmpty();
    }

    @Test
    void tensorsOfOtherDtypesValidateButDoNotDecode() {
        byte[] file = HandBuilt.file("{\"steps\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}",
                new byte[8], HandBuilt.f32(1.5f, -2f));
        Safetensors st = Safetensors.parse(file, BAD);
        assertThat(st.tensor("w").data()).containsExactly(1.5, -2);
        assertThatThrownBy(() -> st.tensor("steps")).isInstanceOf(ModelFileException.class)
                .hasMessage(BAD + ": tensor steps: dtype I64 is not supported (expected F32, F64, F16 or BF16)");
        assertThatThrownBy(() -> st.tensor("nope")).isInstanceOf(ModelFileException.class)
                .hasMessage(BAD + ": tensor nope: missing");
    }

    // ---------------------------------------------------------------- malformed files

    private static void assertBad(byte[] file, String subject, String... fragments) {
        assertThatThrownBy(() -> Safetensors.parse(file, BAD))
                .isInstanceOf(ModelFileException.class)
                .hasMessageStartingWith(BAD + ": " + subject + ": ")
                .hasMessageContainingAll(fragments)
                .satisfies(e -> assertThat(((ModelFileException) e).file()).isEqualTo(BAD));
    }

    private static final String W = "\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";

    @Test
    void tooShortForTheLengthField() {
        assertBad(new byte[] {1, 0, 0}, "header", "3 bytes", "too short");
    }

    @Test
    void headerLengthBeyondFileSize() {
        assertBad(HandBuilt.rawLength(500, "{}".getBytes(StandardCharsets.US_ASCII)), "header",
                "header length 500 exceeds the 2 bytes");
    }

    @Test
    void absurdHeaderLength() {
        assertBad(HandBuilt.rawLength(-1L, new byte[16]), "header", "18446744073709551615", "absurd");
        assertBad(HandBuilt.rawLength(200_000_000L, new byte[16]), "header", "200000000", "absurd");
    }

    @Test
    void badJson() {
        assertBad(HandBuilt.file("{\"w\": {\"dtype\": "), "header", "bad JSON");
        assertBad(HandBuilt.file("{" + W + "} trailing", HandBuilt.f32(1, 2)), "header", "bad JSON");
        assertBad(HandBuilt.file("{" + W + "," + W + "}", HandBuilt.f32(1, 2)), "header", "bad JSON", "w");
    }

    @Test
    void headerThatIsNotUtf8() {
        byte[] h = {'{', '"', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'};
        assertBad(HandBuilt.rawLength(h.length, h), "header", "not valid UTF-8");
    }

    @Test
    void headerThatIsNotAnObject() {
        assertBad(HandBuilt.file("[1, 2, 3]"), "header", "not an object", "array");
    }

    @Test
    void entryMissingDtypeShapeOrOffsets() {
        assertBad(HandBuilt.file("{\"w\":{\"shape\":[2],\"data_offsets\":[0,8]}}", HandBuilt.f32(1, 2)),
                "tensor w", "no dtype");
        assertBad(HandBuilt.file("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", HandBuilt.f32(1, 2)),
                "tensor w", "no shape");
        assertBad(HandBuilt.file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2]}}", HandBuilt.f32(1, 2)),
                "tensor w", "no data_offsets");
        assertBad(HandBuilt.file("{\"w\":[1]}", HandBuilt.f32(1, 2)), "tensor w", "must be an object");
        assertBad(HandBuilt.file("{\"w\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}",
                HandBuilt.f32(1, 2)), "tensor w", "non-negative");
        assertBad(HandBuilt.file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}",
                HandBuilt.f32(1, 2)), "tensor w", "[begin, end]");
    }

    @Test
    void unknownDtype() {
        assertBad(HandBuilt.file("{\"w\":{\"dtype\":\"F17\",\"shape\":[2],\"data_offsets\":[0,8]}}",
                HandBuilt.f32(1, 2)), "tensor w", "unknown dtype 'F17'");
    }

    @Test
    void shapeTimesDtypeSizeDisagreesWithByteLength() {
        assertBad(HandBuilt.file("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}",
                HandBuilt.f32(1, 2)), "tensor w", "needs 12 bytes", "span 8");
    }

    @Test
    void truncatedData() {
        byte[] good = HandBuilt.file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[8,24]}}",
                HandBuilt.f32(1, 2), HandBuilt.f64(3, 4));
        assertThat(Safetensors.parse(good, BAD).tensor("b").data()).containsExactly(3, 4);
        assertBad(Arrays.copyOf(good, good.length - 5), "tensor b", "beyond the data section of 19 bytes", "truncated");
    }

    @Test
    void overlappingOffsets() {
        assertBad(HandBuilt.file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", HandBuilt.f32(1, 2, 3)),
                "tensor b", "overlap tensor a");
    }

    @Test
    void gapBetweenTensors() {
        assertBad(HandBuilt.file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", HandBuilt.f32(1, 2, 3)),
                "tensor b", "[4, 8)", "belong to no tensor");
    }

    @Test
    void trailingBytesAfterTheLastTensor() {
        assertBad(HandBuilt.file("{" + W + "}", HandBuilt.f32(1, 2, 3)), "data section", "4 bytes after", "(w)");
    }

    @Test
    void metadataMustBeStrings() {
        assertBad(HandBuilt.file("{\"__metadata__\":{\"heads\":4}," + W + "}", HandBuilt.f32(1, 2)),
                "metadata heads", "must be a string");
        assertBad(HandBuilt.file("{\"__metadata__\":[]," + W + "}", HandBuilt.f32(1, 2)),
                "header", "__metadata__ must be an object");
    }

    @Test
    void readNamesTheFile() throws Exception {
        Path missing = dir.resolve("nope.safetensors");
        assertThatThrownBy(() -> Safetensors.read(missing)).isInstanceOf(ModelFileException.class)
                .hasMessage(missing + ": no such file");
        Path junk = dir.resolve("junk.safetensors");
        Files.writeString(junk, "hello, world, this is not a model");
        assertThatThrownBy(() -> Safetensors.read(junk)).isInstanceOf(ModelFileException.class)
                .hasMessageStartingWith(junk + ": header: header length");
    }
}
