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
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;
import org.flinkla.engine.AttentionConfig;
import org.flinkla.engine.RecurrentLinearAttention;
import org.flinkla.records.AttentionOutput;
import org.flinkla.records.TokenRecord;
import org.junit.jupiter.api.Test;

/**
 * Operator state written by the first release (state format 1, committed as a binary snapshot by
 * {@link Format1SnapshotWriter}) restores into the current operator and continues exactly.
 */
class Format1UpgradeTest {
    private static final String SNAPSHOT = "src/test/resources/savepoints/format1-heap.snapshot";

    private static KeyedOneInputStreamOperatorTestHarness<String, TokenRecord, AttentionOutput> harness(
            LinearAttention op) throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(op.function()),
                LinearAttention.keySelector(), Types.STRING);
    }

    @Test
    void formatOneSnapshotRestoresAndContinuesExactly() throws Exception {
        AttentionConfig c = TestModels.config();
        LinearAttention op = LinearAttention.builder(c, TestModels.weights(c, 11)).build();
        OperatorSubtaskState snap = OperatorSnapshotUtil.readStateHandle(SNAPSHOT);
        String chr = TestModels.dna(5, 64);
        List<AttentionOutput> outs = new ArrayList<>();
        try (KeyedOneInputStreamOperatorTestHarness<String, TokenRecord, AttentionOutput> h = harness(op)) {
            h.initializeState(snap);
            h.open();
            // a replay of what the snapshot holds is dropped, the rest continues the sequence
            h.processElement(TokenRecord.symbols("chr", 30L, chr.substring(30), true), 0L);
            h.processElement(TokenRecord.symbols("other", 109L, "A", false), 0L);
            for (Object o : h.getOutput()) {
                outs.add(((StreamRecord<AttentionOutput>) o).getValue());
            }
            // written again, the state is format 2 and restores as such
            OperatorSubtaskState again = h.snapshot(2L, 2L);
            try (KeyedOneInputStreamOperatorTestHarness<String, TokenRecord, AttentionOutput> h2 = harness(op)) {
                h2.initializeState(again);
                h2.open();
                h2.processElement(TokenRecord.symbols("other", 110L, "C", false), 0L);
                assertThat(((StreamRecord<AttentionOutput>) h2.getOutput().poll()).getValue().pos()).isEqualTo(110L);
            }
        }
        double[] expected = TestModels.engineOutputs(new RecurrentLinearAttention(c, TestModels.weights(c, 11)), chr);
        int d = c.dOut();
        AttentionOutput chrOut = outs.get(0);
        assertThat(chrOut.seq()).isEqualTo("chr");
        assertThat(chrOut.pos()).isEqualTo(Format1SnapshotWriter.FIRST);
        assertThat(chrOut.count()).isEqualTo(64 - Format1SnapshotWriter.FIRST);
        double[] tail = TestModels.rows(expected, d, Format1SnapshotWriter.FIRST, 64);
        assertThat(chrOut.ys()).containsExactly(tail); // bit-identical: the restored state is the same state
        double[] other = TestModels.engineOutputs(new RecurrentLinearAttention(c, TestModels.weights(c, 11)),
                TestModels.dna(6, 9) + "A");
        assertThat(outs.get(1).ys()).containsExactly(TestModels.rows(other, d, 9, 10));
        assertThat(outs.get(1).ys()[0]).isCloseTo(other[9 * d], within(0.0));
    }

    @Test
    void restoreWithAnotherModelOfTheSameStateSizeNamesBothFingerprints() throws Exception {
        AttentionConfig c = TestModels.config();
        LinearAttention op = LinearAttention.builder(c, TestModels.weights(c, 11)).build();
        OperatorSubtaskState snap;
        try (KeyedOneInputStreamOperatorTestHarness<String, TokenRecord, AttentionOutput> h = harness(op)) {
            h.open();
            h.processElement(TokenRecord.symbols("seq-7", 0L, "ACGT", true), 0L);
            snap = h.snapshot(1L, 1L);
        }
        // same shapes and state length, other eps: another architecture
        AttentionConfig other = c.toBuilder().eps(1e-3).build();
        LinearAttention op2 = LinearAttention.builder(other, TestModels.weights(other, 11)).build();
        String fp1 = org.flinkla.engine.SequenceModel.hex(op.model().fingerprint());
        String fp2 = org.flinkla.engine.SequenceModel.hex(op2.model().fingerprint());
        assertThat(fp1).isNotEqualTo(fp2);
        try (KeyedOneInputStreamOperatorTestHarness<String, TokenRecord, AttentionOutput> h = harness(op2)) {
            h.initializeState(snap);
            h.open();
            assertThatThrownBy(() -> h.processElement(TokenRecord.symbols("seq-7", 4L, "A", false), 0L))
                    .hasMessageContaining("sequence 'seq-7'").hasMessageContaining(fp1).hasMessageContaining(fp2);
        }
    }
}
