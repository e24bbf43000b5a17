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
import static org.flinkla.flink.TestModels.chunks;
import static org.flinkla.flink.TestModels.dna;
import static org.flinkla.flink.TestModels.engineOutputs;
import static org.flinkla.flink.TestModels.flatten;
import static org.flinkla.flink.TestModels.range;
import static org.flinkla.flink.TestModels.rows;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.flinkla.engine.AttentionConfig;
import org.flinkla.engine.AttentionWeights;
import org.flinkla.engine.RecurrentLinearAttention;
import org.flinkla.engine.StatePrecision;
import org.flinkla.engine.Variant;
import org.flinkla.model.Model;
import org.flinkla.model.ModelFiles;
import org.flinkla.records.AttentionOutput;
import org.flinkla.records.RejectedRecord;
import org.flinkla.records.TokenRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The keyed function on Flink's operator test harness, compared with the engine run directly. */
class LinearAttentionFunctionTest {
    private static final AttentionConfig CONFIG = TestModels.config();
    private static final AttentionWeights WEIGHTS = TestModels.weights(CONFIG, 11);
    private static final int D = CONFIG.dOut();
    private final RecurrentLinearAttention engine = new RecurrentLinearAttention(CONFIG, WEIGHTS);

    private static LinearAttention.Builder builder() {
        return LinearAttention.builder(CONFIG, WEIGHTS);
    }

    /** A harness plus the function instance it runs (for its counters). */
    private static final class Run implements AutoCloseable {
        final LinearAttentionFunction fn;
        final KeyedOneInputStreamOperatorTestHarness<String, TokenRecord, AttentionOutput> h;

        Run(LinearAttention op, StateBackend backend, OperatorSubtaskState restore) throws Exception {
            fn = op.function();
            h = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(fn),
                    LinearAttention.keySelector(), Types.STRING);
            ((org.apache.flink.api.common.serialization.SerializerConfigImpl) h.getExecutionConfig().getSerializerConfig())
                    .setGenericTypes(false);
            if (backend != null) {
                h.setStateBackend(backend);
            }
            if (restore != null) {
                h.initializeState(restore);
            }
            h.open();
        }

        Run feed(List<TokenRecord> records) throws Exception {
            for (TokenRecord r : records) {
                h.processElement(r, 0L);
            }
            return this;
        }

        Run feed(TokenRecord... records) throws Exception {
            return feed(List.of(records));
        }

        List<AttentionOutput> outputs() {
            return h.extractOutputValues();
        }

        List<RejectedRecord> rejected() {
            List<RejectedRecord> out = new ArrayList<>();
            if (h.getSideOutput(LinearAttention.REJECTED) != null) {
                for (StreamRecord<RejectedRecord> r : h.getSideOutput(LinearAttention.REJECTED)) {
                    out.add(r.getValue());
                }
            }
            return out;
        }

        @Override
        public void close() throws Exception {
            h.close();
        }
    }

    private static StateBackend backend(String name) {
        return name.equals("rocksdb") ? new EmbeddedRocksDBStateBackend() : new HashMapStateBackend();
    }

    @Test
    void outputsEqualTheEngineForInterleavedKeysAndMixedChunks() throws Exception {
        String a = dna(1, 300);
        String b = dna(2, 257);
        List<TokenRecord> ra = chunks("a", a, 0, 1, 7, 64, 1, 3);
        List<TokenRecord> rb = chunks("b", b, 100, 13, 1, 32);
        List<TokenRecord> in = new ArrayList<>();
        for (int i = 0; i < Math.max(ra.size(), rb.size()); i++) {
            if (i < ra.size()) {
                in.add(ra.get(i));
            }
            if (i < rb.size()) {
                in.add(rb.get(i));
            }
        }
        try (Run run = new Run(builder().build(), null, null).feed(in)) {
            List<AttentionOutput> out = run.outputs();
            assertThat(out).hasSize(in.size());
            for (int i = 0; i < in.size(); i++) {
                assertThat(out.get(i).seq()).isEqualTo(in.get(i).seq());
                assertThat(out.get(i).pos()).isEqualTo(in.get(i).pos());
                assertThat(out.get(i).isChunk()).isEqualTo(in.get(i).isChunk());
                assertThat(out.get(i).count()).isEqualTo(in.get(i).count());
            }
            // the same arithmetic in the same order: bit-identical
            assertThat(flatten(out, "a").ys).isEqualTo(engineOutputs(engine, a));
            assertThat(flatten(out, "b").ys).isEqualTo(engineOutputs(engine, b));
            assertThat(flatten(out, "b").positions).isEqualTo(range(100, 100 + b.length()));
            assertThat(run.fn.tokensIn.getCount()).isEqualTo(a.length() + b.length());
            assertThat(run.fn.outputsOut.getCount()).isEqualTo(a.length() + b.length());
            assertThat(run.fn.recordsIn.getCount()).isEqualTo(in.size());
            assertThat(run.rejected()).isEmpty();
        }
    }

    @Test
    void idsAndVectorsEqualTheEngineOnTheSameEmbeddings() throws Exception {
        String s = dna(3, 40);
        int[] ids = new int[s.length()];
        double[] xs = new double[s.length() * CONFIG.dModel()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = TestModels.VOCAB.indexOf(s.charAt(i));
            System.arraycopy(WEIGHTS.embedding, ids[i] * CONFIG.dModel(), xs, i * CONFIG.dModel(), CONFIG.dModel());
        }
        try (Run run = new Run(builder().build(), null, null)) {
            run.feed(TokenRecord.ids("i", 0, java.util.Arrays.copyOf(ids, 10), true),
                    TokenRecord.ids("i", 10, java.util.Arrays.copyOfRange(ids, 10, 11), false),
                    TokenRecord.ids("i", 11, java.util.Arrays.copyOfRange(ids, 11, 40), true),
                    TokenRecord.vectors("v", 0, java.util.Arrays.copyOf(xs, 3 * CONFIG.dModel()), CONFIG.dModel(), true),
                    TokenRecord.vectors("v", 3, java.util.Arrays.copyOfRange(xs, 3 * CONFIG.dModel(), xs.length),
                            CONFIG.dModel(), true));
            assertThat(flatten(run.outputs(), "i").ys).isEqualTo(engineOutputs(engine, s));
            assertThat(flatten(run.outputs(), "v").ys).isEqualTo(engineOutputs(engine, xs));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"hashmap", "rocksdb"})
    void snapshotAndRestoreMidSequenceEqualsAnUninterruptedRun(String backendName) throws Exception {
        String a = dna(4, 200);
        String b = dna(5, 150);
        List<TokenRecord> first = new ArrayList<>(chunks("a", a.substring(0, 90), 0, 5, 1, 17));
        first.addAll(chunks("b", b.substring(0, 33), 0, 8));
        List<TokenRecord> second = new ArrayList<>(chunks("a", a.substring(90), 90, 11, 1));
        second.addAll(chunks("b", b.substring(33), 33, 64));

        List<AttentionOutput> uninterrupted;
        try (Run run = new Run(builder().build(), backend(backendName), null)) {
            uninterrupted = run.feed(first).feed(second).outputs();
        }
        OperatorSubtaskState snapshot;
        List<AttentionOutput> restarted = new ArrayList<>();
        try (Run run = new Run(builder().build(), backend(backendName), null)) {
            run.feed(first);
            snapshot = run.h.snapshot(1L, 1L);
            restarted.addAll(run.outputs());
        }
        try (Run run = new Run(builder().build(), backend(backendName), snapshot)) {
            restarted.addAll(run.feed(second).outputs());
        }
        assertThat(restarted).isEqualTo(uninterrupted);
        assertThat(flatten(restarted, "a").ys).isEqualTo(engineOutputs(engine, a));
        assertThat(flatten(restarted, "b").ys).isEqualTo(engineOutputs(engine, b));
    }

    /**
     * Every variant keeps its whole state (delta: S only; gated: per-dimension gates applied to S, z)
     * in the same keyed state: a snapshot on RocksDB mid-sequence, restored into a new operator,
     * continues exactly like the engine run uninterrupted (delta with the optional α gate).
     */
    @ParameterizedTest
    @EnumSource(Variant.class)
    void everyVariantRestoresMidSequenceOnRocksDb(Variant variant) throws Exception {
        AttentionConfig c = TestModels.config().toBuilder().variant(variant).build();
        Model model = ModelFiles.random(c, 23L, variant == Variant.DELTA);
        LinearAttention op = LinearAttention.builder(model).build();
        String a = dna(9, 130);
        List<AttentionOutput> restarted = new ArrayList<>();
        OperatorSubtaskState snap;
        try (Run run = new Run(op, backend("rocksdb"), null)) {
            restarted.addAll(run.feed(chunks("a", a.substring(0, 57), 0, 19)).outputs());
            snap = run.h.snapshot(1L, 1L);
        }
        try (Run run = new Run(op, backend("rocksdb"), snap)) {
            restarted.addAll(run.feed(chunks("a", a.substring(57), 57, 32, 1)).outputs());
        }
        RecurrentLinearAttention variantEngine = new RecurrentLinearAttention(model.config(), model.weights());
        assertThat(flatten(restarted, "a").ys).isEqualTo(engineOutputs(variantEngine, a));
    }

    @Test
    void float32StateRestoresOnRocksDbToo() throws Exception {
        AttentionConfig c32 = TestModels.config(StatePrecision.FLOAT32);
        LinearAttention op = LinearAttention.builder(c32, WEIGHTS).build();
        String a = dna(6, 120);
        List<AttentionOutput> uninterrupted;
        try (Run run = new Run(op, backend("rocksdb"), null)) {
            uninterrupted = run.feed(chunks("a", a, 0, 16)).outputs();
        }
        OperatorSubtaskState snap;
        List<AttentionOutput> restarted = new ArrayList<>();
        try (Run run = new Run(op, backend("rocksdb"), null)) {
            restarted.addAll(run.feed(chunks("a", a.substring(0, 48), 0, 16)).outputs());
            snap = run.h.snapshot(1L, 1L);
        }
        try (Run run = new Run(op, backend("rocksdb"), snap)) {
            restarted.addAll(run.feed(chunks("a", a.substring(48), 48, 16)).outputs());
        }
        assertThat(restarted).isEqualTo(uninterrupted);
    }

    @Test
    void replaysAreDroppedAndAnOverlappingChunkKeepsOnlyNewTokens() throws Exception {
        String s = dna(7, 30);
        try (Run run = new Run(builder().build(), null, null)) {
            run.feed(TokenRecord.symbols("a", 0, s.substring(0, 10), true),
                    TokenRecord.symbols("a", 3, s.substring(3, 8), true),     // fully replayed
                    TokenRecord.symbols("a", 9, s.substring(9, 10), false),   // replayed single token
                    TokenRecord.symbols("a", 5, s.substring(5, 20), true),    // overlaps: 10..19 are new
                    TokenRecord.symbols("a", 20, s.substring(20, 30), true));
            List<AttentionOutput> out = run.outputs();
            assertThat(out).hasSize(3);
            assertThat(out.get(1).pos()).isEqualTo(10);
            assertThat(out.get(1).count()).isEqualTo(10);
            assertThat(flatten(out, "a").ys).isEqualTo(engineOutputs(engine, s));
            assertThat(flatten(out, "a").positions).isEqualTo(range(0, 30));
            assertThat(run.fn.replayedTokens.getCount()).isEqualTo(5 + 1 + 5);
            assertThat(run.fn.gaps.getCount()).isZero();
        }
    }

    @Test
    void gapsAreAcceptedAndCounted() throws Exception {
        String s = dna(8, 12);
        try (Run run = new Run(builder().build(), null, null)) {
            run.feed(TokenRecord.symbols("a", 0, s.substring(0, 4), true),
                    TokenRecord.symbols("a", 10, s.substring(4, 8), true),
                    TokenRecord.symbols("a", 14, s.substring(8, 12), true));
            // the gap inserts nothing: the tokens are absorbed in arrival order
            assertThat(flatten(run.outputs(), "a").ys).isEqualTo(engineOutputs(engine, s));
            assertThat(flatten(run.outputs(), "a").positions)
                    .containsExactly(0, 1, 2, 3, 10, 11, 12, 13, 14, 15, 16, 17);
            assertThat(run.fn.gaps.getCount()).isEqualTo(1);
            assertThat(run.fn.gapTokens.getCount()).isEqualTo(6);
            // a replay after the gap is judged against the new position
            run.feed(TokenRecord.symbols("a", 12, "AC", true));
            assertThat(run.outputs()).hasSize(3);
            assertThat(run.fn.replayedTokens.getCount()).isEqualTo(2);
        }
    }

    @Test
    void aWildPositionIsRejectedAndLeavesTheSequenceUntouched() throws Exception {
        String s = dna(13, 12);
        try (Run run = new Run(builder().maxPositionGap(1000).build(), null, null)) {
            run.feed(TokenRecord.symbols("a", 0, s.substring(0, 4), true),
                    TokenRecord.symbols("a", 1_000_000_000L, "ACGT", true),      // far beyond next + 1000
                    TokenRecord.symbols("a", 4, s.substring(4, 8), true),         // still the next position
                    TokenRecord.symbols("a", 1008, s.substring(8, 10), true),     // a gap of exactly 1000
                    TokenRecord.symbols("a", TokenRecord.NO_POS, s.substring(10, 12), true));
            assertThat(run.rejected()).extracting(RejectedRecord::reasonCode).containsExactly("bad_pos");
            assertThat(run.rejected().get(0).reason()).contains("1000000000").contains("max-position-gap");
            assertThat(flatten(run.outputs(), "a").ys).isEqualTo(engineOutputs(engine, s));
            assertThat(flatten(run.outputs(), "a").positions)
                    .containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 1008, 1009, 1010, 1011);
            assertThat(run.fn.replayedTokens.getCount()).isZero();
            assertThat(run.fn.gaps.getCount()).isEqualTo(1);
            assertThat(run.fn.recordsIn.getCount()).isEqualTo(4);
            assertThat(run.fn.rejected.getCount()).isEqualTo(1);
        }
    }

    @Test
    void positionsNearLongMaxNeverWrapOntoTheNoPositionMarker() throws Exception {
        long max = Long.MAX_VALUE;
        try (Run run = new Run(builder().maxPositionGap(max).build(), null, null)) {
            // a new sequence may start anywhere: next becomes max - 1, then max
            run.feed(TokenRecord.symbols("a", max - 3, "AC", true),
                    TokenRecord.symbols("a", TokenRecord.NO_POS, "G", false),
                    // start = next = max: one more token would make next wrap to Long.MIN_VALUE
                    TokenRecord.symbols("a", TokenRecord.NO_POS, "T", false),
                    TokenRecord.symbols("a", TokenRecord.NO_POS, "TT", true),
                    // a replay is still recognised as one: the state kept next = max
                    TokenRecord.symbols("a", 0, "A", false));
            assertThat(run.rejected()).extracting(RejectedRecord::reasonCode).containsExactly("bad_pos", "bad_pos");
            assertThat(flatten(run.outputs(), "a").positions).containsExactly(max - 3, max - 2, max - 1);
            assertThat(run.fn.replayedTokens.getCount()).isEqualTo(1);
            assertThat(run.outputs()).hasSize(2);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"hashmap", "rocksdb"})
    void aRecordWithNonFiniteOutputsIsRejectedAndUndone(String backendName) throws Exception {
        java.util.Random r = new java.util.Random(3);
        double[] normal = new double[4 * TestModels.D_MODEL];
        for (int i = 0; i < normal.length; i++) {
            normal[i] = r.nextGaussian();
        }
        // finite inputs whose products overflow: k·v ~ 1e320 is +Inf in float64
        double[] huge = new double[2 * TestModels.D_MODEL];
        java.util.Arrays.fill(huge, 1e160);
        int d = TestModels.D_MODEL;
        for (EmitMode mode : new EmitMode[] {EmitMode.ALL, EmitMode.LAST}) {
            try (Run run = new Run(builder().emit(mode).build(), backend(backendName), null)) {
                run.feed(TokenRecord.vectors("a", 0, java.util.Arrays.copyOfRange(normal, 0, 2 * d), d, true),
                        TokenRecord.vectors("a", 2, huge, d, true),
                        TokenRecord.vectors("a", 2, java.util.Arrays.copyOfRange(normal, 2 * d, 4 * d), d, true));
                assertThat(run.rejected()).extracting(RejectedRecord::reasonCode).containsExactly("non_finite_output");
                assertThat(run.rejected().get(0).reason()).contains("left as before");
                assertThat(run.fn.rejected.getCount()).isEqualTo(1);
                assertThat(run.fn.recordsIn.getCount()).isEqualTo(2);
                List<AttentionOutput> out = run.outputs();
                assertThat(out).hasSize(2);
                double[] want = engineOutputs(engine, normal);
                if (mode == EmitMode.ALL) {
                    // as if the rejected record had never come: positions 2, 3 hold the next normal tokens
                    assertThat(flatten(out, "a").ys).isEqualTo(want);
                    assertThat(flatten(out, "a").positions).isEqualTo(range(0, 4));
                } else {
                    assertThat(out.get(1).ys()).isEqualTo(java.util.Arrays.copyOfRange(want, 3 * D, 4 * D));
                }
                for (AttentionOutput o : out) {
                    for (double v : o.ys()) {
                        assertThat(Double.isFinite(v)).isTrue();
                    }
                }
            }
        }
    }

    @Test
    void recordsWithoutPositionContinueTheSequence() throws Exception {
        String s = dna(9, 9);
        try (Run run = new Run(builder().build(), null, null)) {
            run.feed(TokenRecord.symbols("a", TokenRecord.NO_POS, s.substring(0, 4), true),
                    TokenRecord.symbols("a", TokenRecord.NO_POS, s.substring(4, 5), false),
                    TokenRecord.symbols("a", 5, s.substring(5, 7), true),
                    TokenRecord.symbols("a", TokenRecord.NO_POS, s.substring(7, 9), true));
            assertThat(flatten(run.outputs(), "a").positions).isEqualTo(range(0, 9));
            assertThat(flatten(run.outputs(), "a").ys).isEqualTo(engineOutputs(engine, s));
        }
    }

    @Test
    void resetClearsTheKeyAndStartsAFreshSequence() throws Exception {
        String s1 = dna(10, 20);
        String s2 = dna(11, 15);
        try (Run run = new Run(builder().build(), null, null)) {
            run.feed(TokenRecord.symbols("a", 0, s1, true), TokenRecord.symbols("b", 0, s1, true));
            assertThat(run.h.numKeyedStateEntries()).isEqualTo(2);
            run.feed(TokenRecord.reset("a"));
            assertThat(run.h.numKeyedStateEntries()).isEqualTo(1);
            run.feed(TokenRecord.symbols("a", 0, s2, true)); // position 0 again is new after the reset
            List<AttentionOutput> out = run.outputs();
            assertThat(out).hasSize(3);
            assertThat(out.get(2).ys()).isEqualTo(engineOutputs(engine, s2));
            assertThat(run.fn.resets.getCount()).isEqualTo(1);
            assertThat(run.fn.replayedTokens.getCount()).isZero();
        }
    }

    @Test
    void stateExpiresAfterTheProcessingTimeTtl() throws Exception {
        String s = dna(12, 10);
        LinearAttention op = builder().stateTtl(Duration.ofMinutes(1)).build();
        try (Run run = new Run(op, null, null)) {
            run.h.setStateTtlProcessingTime(0);
            run.feed(TokenRecord.symbols("a", 0, s.substring(0, 5), true));
            run.h.setStateTtlProcessingTime(59_000); // within the TTL: the sequence continues
            run.feed(TokenRecord.symbols("a", TokenRecord.NO_POS, s.substring(5, 7), true));
            run.h.setStateTtlProcessingTime(59_000 + 60_001); // idle longer than the TTL: dropped
            run.feed(TokenRecord.symbols("a", TokenRecord.NO_POS, s.substring(7, 10), true));
            List<AttentionOutput> out = run.outputs();
            assertThat(flatten(out.subList(0, 2), "a").ys).isEqualTo(engineOutputs(engine, s.substring(0, 7)));
            assertThat(out.get(2).pos()).isZero();
            assertThat(out.get(2).ys()).isEqualTo(engineOutputs(engine, s.substring(7, 10)));
        }
    }

    @Test
    void withoutTtlAnIdleSequenceIsKept() throws Exception {
        String s = dna(13, 6);
        try (Run run = new Run(builder().build(), null, null)) {
            run.h.setStateTtlProcessingTime(0);
            run.feed(TokenRecord.symbols("a", TokenRecord.NO_POS, s.substring(0, 3), true));
            run.h.setStateTtlProcessingTime(365L * 24 * 3600 * 1000);
            run.feed(TokenRecord.symbols("a", TokenRecord.NO_POS, s.substring(3), true));
            assertThat(flatten(run.outputs(), "a").ys).isEqualTo(engineOutputs(engine, s));
        }
    }

    @Test
    void badRecordsGoToTheSideOutputAndLeaveTheStateUntouched() throws Exception {
        String s = dna(14, 8);
        try (Run run = new Run(builder().maxTokensPerRecord(100).build(), null, null)) {
            run.feed(TokenRecord.symbols("a", 0, s.substring(0, 4), true),
                    TokenRecord.vectors("a", 4, new double[CONFIG.dModel() - 1], CONFIG.dModel() - 1, false),
                    TokenRecord.symbols("a", 4, "AXG", true),
                    TokenRecord.ids("a", 4, new int[] {9}, false),
                    TokenRecord.symbols("a", 4, "A".repeat(101), true),
                    TokenRecord.symbols("a", 4, s.substring(4), true));
            assertThat(flatten(run.outputs(), "a").ys).isEqualTo(engineOutputs(engine, s));
            List<RejectedRecord> rej = run.rejected();
            assertThat(rej).extracting(RejectedRecord::reasonCode)
                    .containsExactly("wrong_dimension", "unknown_symbol", "bad_id", "oversize");
            assertThat(rej.get(0).reason()).isEqualTo("wrong_dimension: expected 8 values, got 7");
            assertThat(rej.get(1).seq()).isEqualTo("a");
            assertThat(rej.get(1).original()).isEqualTo("{\"seq\":\"a\",\"pos\":4,\"tokens\":\"AXG\"}");
            assertThat(run.fn.rejected.getCount()).isEqualTo(4);
        }
    }

    @Test
    void emitLastGivesOneOutputPerRecord() throws Exception {
        String s = dna(15, 50);
        List<TokenRecord> in = chunks("a", s, 0, 7, 1, 20);
        try (Run run = new Run(builder().emit(EmitMode.LAST).build(), null, null).feed(in)) {
            double[] all = engineOutputs(engine, s);
            List<AttentionOutput> out = run.outputs();
            assertThat(out).hasSize(in.size());
            for (int i = 0; i < in.size(); i++) {
                long last = in.get(i).pos() + in.get(i).count() - 1;
                assertThat(out.get(i).pos()).isEqualTo(last);
                assertThat(out.get(i).isChunk()).isFalse();
                assertThat(out.get(i).ys()).isEqualTo(rows(all, D, (int) last, (int) last + 1));
            }
        }
    }

    @Test
    void emitEveryNthDependsOnPositionInTheSequenceNotOnChunking() throws Exception {
        String s = dna(16, 61);
        double[] all = engineOutputs(engine, s);
        for (int[] sizes : new int[][] {{1}, {5, 2}, {64}}) {
            try (Run run = new Run(builder().emit(EmitMode.everyNth(4)).build(), null, null)) {
                run.feed(chunks("a", s, 0, sizes));
                TestModels.Flat f = flatten(run.outputs(), "a");
                assertThat(f.positions).as("chunks %s", java.util.Arrays.toString(sizes))
                        .containsExactly(3, 7, 11, 15, 19, 23, 27, 31, 35, 39, 43, 47, 51, 55, 59);
                for (int k = 0; k < f.positions.length; k++) {
                    int p = (int) f.positions[k];
                    assertThat(rows(f.ys, D, k, k + 1)).isEqualTo(rows(all, D, p, p + 1));
                }
                assertThat(run.fn.outputsOut.getCount()).isEqualTo(15);
            }
        }
    }

    @Test
    void restoringWithADifferentModelFailsWithAClearMessage() throws Exception {
        OperatorSubtaskState snap;
        try (Run run = new Run(builder().build(), null, null)) {
            run.feed(TokenRecord.symbols("a", 0, "ACGT", true));
            snap = run.h.snapshot(1L, 1L);
        }
        LinearAttention other = LinearAttention.builder(TestModels.config(StatePrecision.FLOAT32), WEIGHTS).build();
        try (Run run = new Run(other, null, snap)) {
            assertThatThrownBy(() -> run.feed(TokenRecord.symbols("a", 4, "A", false)))
                    .hasMessageContaining("sequence 'a'").hasMessageContaining("different model");
        }
    }

    @Test
    void builderRejectsBadOptionsWithActionableMessages() {
        assertThatThrownBy(() -> LinearAttention.builder(null, WEIGHTS).build()).hasMessageContaining("configuration");
        assertThatThrownBy(() -> LinearAttention.builder(CONFIG, null).build()).hasMessageContaining("weights");
        assertThatThrownBy(() -> builder().maxTokensPerRecord(0).build()).hasMessageContaining("maxTokensPerRecord");
        assertThatThrownBy(() -> builder().stateTtl(Duration.ofSeconds(-1)).build()).hasMessageContaining("stateTtl");
        assertThatThrownBy(() -> builder().uid(" ").build()).hasMessageContaining("uid");
        assertThatThrownBy(() -> builder().parallelism(0).build()).hasMessageContaining("parallelism");
        assertThatThrownBy(() -> EmitMode.everyNth(0)).hasMessageContaining("n must be >= 1");
        assertThatThrownBy(() -> EmitMode.parse("sometimes")).hasMessageContaining("all, last or every:N");
        AttentionWeights broken = TestModels.weights(CONFIG, 1);
        broken.keyWeight = new double[3];
        assertThatThrownBy(() -> LinearAttention.builder(CONFIG, broken).build())
                .isInstanceOf(org.flinkla.model.ModelFileException.class).hasMessageContaining("key_projection.weight");
        assertThat(builder().stateTtl(Duration.ZERO).build().stateTtl()).isNull();
        assertThat(EmitMode.parse("every:8")).isEqualTo(EmitMode.everyNth(8));
    }
}
