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

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class BinaryRecordsTest {

    @Test
    void vectorChunkRoundTripsAtFloat32() {
        double[] xs = {0.5, -1.25, 3.0, 1e-3, 7.0, -0.0};
        TokenRecord in = TokenRecord.vectors("s1", 1000, xs, 3, true);
        byte[] bytes = BinaryRecords.encodeTokens(in);
        assertThat(bytes).hasSize(BinaryRecords.HEADER_BYTES + 4 * 6);
        TokenRecord out = BinaryRecords.decodeTokens("s1", bytes);
        assertThat(out.kind()).isEqualTo(TokenRecord.Kind.VECTORS);
        assertThat(out.pos()).isEqualTo(1000);
        assertThat(out.isChunk()).isTrue();
        assertThat(out.dim()).isEqualTo(3);
        for (int i = 0; i < xs.length; i++) {
            assertThat(out.vectors()[i]).isEqualTo((double) (float) xs[i]);
        }
    }

    @Test
    void idsSymbolsResetAndMissingPosRoundTrip() {
        TokenRecord ids = TokenRecord.ids("k", 5, new int[] {3, 1, 4}, true);
        assertThat(BinaryRecords.decodeTokens("k", BinaryRecords.encodeTokens(ids))).isEqualTo(ids);
        TokenRecord sym = TokenRecord.symbols("k", TokenRecord.NO_POS, "A", false);
        TokenRecord back = BinaryRecords.decodeTokens("k", BinaryRecords.encodeTokens(sym));
        assertThat(back).isEqualTo(sym);
        assertThat(back.hasPos()).isFalse();
        TokenRecord reset = TokenRecord.reset("k");
        assertThat(BinaryRecords.decodeTokens("k", BinaryRecords.encodeTokens(reset))).isEqualTo(reset);
    }

    @Test
    void outputRoundTripsInBothPrecisions() {
        double[] ys = {Math.PI, -Math.E, 1.0 / 3, 2e-9};
        AttentionOutput o = new AttentionOutput("q", 17, 2, ys, new long[] {17, 19}, true);
        AttentionOutput f64 = BinaryRecords.decodeOutput("q", BinaryRecords.encodeOutput(o, true));
        assertThat(f64).isEqualTo(o);
        AttentionOutput f32 = BinaryRecords.decodeOutput("q", BinaryRecords.encodeOutput(o, false));
        assertThat(f32.positions()).containsExactly(17, 19);
        for (int i = 0; i < ys.length; i++) {
            assertThat(f32.ys()[i]).isEqualTo((double) (float) ys[i]);
        }
        assertThat(BinaryRecords.isOutput(BinaryRecords.encodeOutput(o, false))).isTrue();
    }

    @Test
    void malformedRecordsNameTheProblem() {
        byte[] good = BinaryRecords.encodeTokens(TokenRecord.vectors("s", 0, new double[] {1, 2}, 2, false));
        assertThatThrownBy(() -> BinaryRecords.decodeTokens("s", new byte[3])).hasMessageContaining("header");
        byte[] badMagic = good.clone();
        badMagic[0] = 'X';
        assertThatThrownBy(() -> BinaryRecords.decodeTokens("s", badMagic)).hasMessageContaining("magic");
        byte[] truncated = Arrays.copyOf(good, good.length - 1);
        assertThatThrownBy(() -> BinaryRecords.decodeTokens("s", truncated)).hasMessageContaining("length");
        byte[] badKind = good.clone();
        badKind[3] = 'q';
        assertThatThrownBy(() -> BinaryRecords.decodeTokens("s", badKind)).hasMessageContaining("kind");
        byte[] badVersion = good.clone();
        badVersion[2] = 9;
        assertThatThrownBy(() -> BinaryRecords.decodeTokens("s", badVersion)).hasMessageContaining("version");
    }
}
