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

import org.junit.jupiter.api.Test;

class RecordValidatorTest {
    private final RecordValidator withVocab = new RecordValidator(3, "ACGT", 5, 4);
    private final RecordValidator vectorsOnly = new RecordValidator(3, null, 0, 4);

    @Test
    void acceptsUsableRecords() {
        assertThat(withVocab.validate(TokenRecord.symbols("s", 0, "ACGT", true))).isNull();
        assertThat(withVocab.validate(TokenRecord.ids("s", 0, new int[] {0, 4}, true))).isNull();
        assertThat(withVocab.validate(TokenRecord.vectors("s", 0, new double[] {1, 2, 3}, 3, false))).isNull();
        assertThat(vectorsOnly.validate(TokenRecord.reset("s"))).isNull();
    }

    @Test
    void namesWrongDimension() {
        assertThat(withVocab.validate(TokenRecord.vectors("s", 0, new double[] {1, 2}, 2, false)))
                .isEqualTo("wrong_dimension: expected 3 values, got 2");
    }

    @Test
    void namesTheNonFiniteValue() {
        assertThat(withVocab.validate(TokenRecord.vectors("s", 0, new double[] {1, 2, 3, 4, Double.NaN, 6}, 3, true)))
                .isEqualTo("not_finite: xs[1][1] is NaN");
        assertThat(withVocab.validate(TokenRecord.vectors("s", 0, new double[] {1, Double.NEGATIVE_INFINITY, 3}, 3, false)))
                .isEqualTo("not_finite: x[1] is -Infinity");
    }

    @Test
    void namesUnknownSymbolsAndBadIds() {
        assertThat(withVocab.validate(TokenRecord.symbols("s", 0, "ACXT", true)))
                .startsWith("unknown_symbol: 'X' at offset 2");
        assertThat(withVocab.validate(TokenRecord.symbols("s", 0, "é", false))).startsWith("unknown_symbol: ");
        assertThat(withVocab.validate(TokenRecord.ids("s", 0, new int[] {1, 5}, true)))
                .isEqualTo("bad_id: id 5 at offset 1 is outside [0, 5)");
        assertThat(withVocab.validate(TokenRecord.ids("s", 0, new int[] {-1}, false)))
                .isEqualTo("bad_id: id -1 is outside [0, 5)");
    }

    @Test
    void tokensNeedAnEmbedding() {
        assertThat(vectorsOnly.validate(TokenRecord.symbols("s", 0, "A", false))).startsWith("no_embedding: ");
        assertThat(vectorsOnly.validate(TokenRecord.ids("s", 0, new int[] {0}, false))).startsWith("no_embedding: ");
    }

    @Test
    void rejectsOversizeRecordsAndBadPositions() {
        assertThat(withVocab.validate(TokenRecord.symbols("s", 0, "ACGTA", true)))
                .isEqualTo("oversize: 5 tokens in one record, the limit is 4");
        assertThat(withVocab.validate(TokenRecord.symbols("s", Long.MAX_VALUE - 1, "AC", true))).startsWith("bad_pos: ");
        assertThat(withVocab.validate(TokenRecord.symbols("s", -5, "A", false))).startsWith("bad_pos: ");
        assertThat(withVocab.validate(TokenRecord.symbols("s", 0, "", true))).startsWith("bad_record: ");
        assertThat(withVocab.validate(TokenRecord.symbols(null, 0, "A", false))).startsWith("missing_seq: ");
    }

    @Test
    void symbolIdsFollowTheVocabularyOrder() {
        assertThat(withVocab.symbolId('A')).isEqualTo(0);
        assertThat(withVocab.symbolId('T')).isEqualTo(3);
        assertThat(withVocab.symbolId('N')).isEqualTo(-1);
        assertThat(new RecordValidator(1, "aé", 2, 1).symbolId('é')).isEqualTo(1);
    }

    @Test
    void constructorChecksItsArguments() {
        assertThatThrownBy(() -> new RecordValidator(-1, null, 0, 1)).hasMessageContaining("d_model");
        // d_model 0: a model of token ids only; a vector record is then the wrong dimension
        assertThat(new RecordValidator(0, "AC", 2, 4).validate(TokenRecord.vectors("s", 0L, new double[] {1.0}, 1, false)))
                .startsWith(RejectReasons.WRONG_DIMENSION);
        assertThatThrownBy(() -> new RecordValidator(2, "ACGT", 3, 1)).hasMessageContaining("embedding rows");
        assertThatThrownBy(() -> new RecordValidator(2, null, 0, 0)).hasMessageContaining("maxTokensPerRecord");
    }
}
