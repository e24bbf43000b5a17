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

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.flinkla.engine.AttentionConfig;
import org.flinkla.engine.AttentionWeights;
import org.flinkla.engine.ModelState;
import org.flinkla.engine.ModelStepper;
import org.flinkla.model.Model;
import org.flinkla.records.AttentionOutput;
import org.flinkla.records.TokenRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The language-model output fields (probabilities, log-probabilities, top-k, surprisal) of
 * {@link SequenceProcessor} and the operator, on a seeded single-layer LM (d_out = vocabulary).
 */
class EmitFieldsTest {
    private static final Model LM = TestModels.lm(31);
    private static final int V = LM.outputWidth();
    private static final EmitFields ALL_FIELDS = EmitFields.parse("probabilities, log-probabilities, top-3, surprisal");
    private static final double LN2 = Math.log(2);

    /** Runs records through one processor, keeping the key states like the operator does. */
    private static final class Driver {
        final SequenceProcessor p;
        final java.util.Map<String, SequenceState> states = new java.util.HashMap<>();
        final List<AttentionOutput> outputs = new ArrayList<>();

        Driver(Model model, EmitMode emit, EmitFields fields) {
            p = new SequenceProcessor(model, emit, fields, 1 << 14);
        }

        Driver feed(List<TokenRecord> records) {
            for (TokenRecord r : records) {
                SequenceProcessor.Outcome o = p.process(r, states.get(r.seq()));
                assertThat(o.rejectReason).isNull();
                if (o.clearState) {
                    states.remove(r.seq());
                } else if (o.stateChanged) {
                    states.put(r.seq(), o.state);
                }
                if (o.output != null) {
                    outputs.add(o.output);
                }
            }
            return this;
        }

        Driver feed(TokenRecord... records) {
            return feed(List.of(records));
        }
    }

    /** Per-position view of a sequence's outputs. */
    private static final class Rows {
        final List<Long> pos = new ArrayList<>();
        final List<double[]> y = new ArrayList<>();
        final List<double[]> p = new ArrayList<>();
        final List<double[]> logp = new ArrayList<>();
        final List<int[]> topIds = new ArrayList<>();
        final List<double[]> topPs = new ArrayList<>();
        final List<String> topTokens = new ArrayList<>();
        final List<Double> surprisal = new ArrayList<>();

        Rows(List<AttentionOutput> outputs, String seq) {
            for (AttentionOutput o : outputs) {
                if (!o.seq().equals(seq)) {
                    continue;
                }
                int d = o.dim();
                int k = o.topK();
                for (int i = 0; i < o.count(); i++) {
                    pos.add(o.positionOf(i));
                    y.add(Arrays.copyOfRange(o.ys(), i * d, (i + 1) * d));
                    p.add(o.ps() == null ? null : Arrays.copyOfRange(o.ps(), i * d, (i + 1) * d));
                    logp.add(o.logps() == null ? null : Arrays.copyOfRange(o.logps(), i * d, (i + 1) * d));
                    topIds.add(o.topIds() == null ? null : Arrays.copyOfRange(o.topIds(), i * k, (i + 1) * k));
                    topPs.add(o.topPs() == null ? null : Arrays.copyOfRange(o.topPs(), i * k, (i + 1) * k));
                    topTokens.add(o.topTokens() == null ? null : o.topTokens().substring(i * k, (i + 1) * k));
                    surprisal.add(o.surprisals() == null ? null : o.surprisals()[i]);
                }
            }
        }

        int size() {
            return pos.size();
        }

        double[] surprisals() {
            return surprisal.stream().mapToDouble(Double::doubleValue).toArray();
        }
    }

    @Test
    void probabilitiesSumToOneAndLogProbabilitiesAreTheirLogs() {
        String s = dna(1, 200);
        Rows r = new Rows(new Driver(LM, EmitMode.ALL, ALL_FIELDS).feed(chunks("a", s, 0, 1, 7, 64)).outputs, "a");
        assertThat(r.size()).isEqualTo(200);
        // the logits are the model's plain outputs, and they are not all equal (a real distribution)
        assertThat(r.y.get(0)).isEqualTo(engineLogits(LM, s).get(0));
        for (int t = 0; t < r.size(); t++) {
            double[] y = r.y.get(t);
            double[] p = r.p.get(t);
            double[] logp = r.logp.get(t);
            double sum = 0;
            for (int i = 0; i < V; i++) {
                sum += p[i];
                assertThat(p[i]).isBetween(0.0, 1.0);
                assertThat(logp[i]).isCloseTo(Math.log(p[i]), org.assertj.core.data.Offset.offset(1e-12));
                // the softmax of the logits: p_i / p_0 = exp(y_i - y_0)
                assertThat(p[i] / p[0]).isCloseTo(Math.exp(y[i] - y[0]), org.assertj.core.data.Percentage.withPercentage(1e-10));
            }
            assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-12));
        }
    }

    @Test
    void hugeLogitsStillGiveFiniteProbabilitiesAndLogProbabilities() {
        // out_proj scaled by 1e4: logits of order 1e4, where exp overflows without the max shift
        AttentionConfig c = LM.config();
        AttentionWeights w = TestModels.weights(c, 31);
        for (int i = 0; i < w.outWeight.length; i++) {
            w.outWeight[i] *= 1e4;
        }
        Model big = new Model(c, w, "scaled LM");
        Rows r = new Rows(new Driver(big, EmitMode.ALL, ALL_FIELDS).feed(chunks("a", dna(2, 50), 0, 50)).outputs, "a");
        double maxLogit = 0;
        for (int t = 0; t < r.size(); t++) {
            double sum = 0;
            for (int i = 0; i < V; i++) {
                maxLogit = Math.max(maxLogit, Math.abs(r.y.get(t)[i]));
                assertThat(Double.isFinite(r.p.get(t)[i])).isTrue();
                assertThat(Double.isFinite(r.logp.get(t)[i])).isTrue(); // also where p underflows to 0
                sum += r.p.get(t)[i];
            }
            assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-12));
            if (t > 0) {
                assertThat(Double.isFinite(r.surprisal.get(t))).isTrue();
            }
        }
        assertThat(maxLogit).isGreaterThan(800); // exp(800) overflows a double
    }

    @Test
    void topKIsSortedAndConsistentWithTheProbabilities() {
        Rows r = new Rows(new Driver(LM, EmitMode.ALL, ALL_FIELDS).feed(chunks("a", dna(3, 120), 0, 5, 1, 32)).outputs,
                "a");
        for (int t = 0; t < r.size(); t++) {
            int[] ids = r.topIds.get(t);
            double[] tp = r.topPs.get(t);
            double[] p = r.p.get(t);
            assertThat(ids).hasSize(3).doesNotHaveDuplicates();
            for (int j = 0; j < 3; j++) {
                assertThat(tp[j]).isEqualTo(p[ids[j]]);
                assertThat(r.topTokens.get(t).charAt(j)).isEqualTo(TestModels.VOCAB.charAt(ids[j]));
                if (j > 0) {
                    assertThat(tp[j]).isLessThanOrEqualTo(tp[j - 1]);
                }
            }
            for (int i = 0; i < V; i++) {
                final int id = i;
                if (Arrays.stream(ids).noneMatch(x -> x == id)) {
                    assertThat(p[i]).isLessThanOrEqualTo(tp[2]);
                }
            }
        }
    }

    @Test
    void aModelWithoutSymbolsGivesTopIds() {
        Model ids = TestModels.idsLm(5, 11);
        Driver d = new Driver(ids, EmitMode.ALL, EmitFields.NONE.withTopK(11).withSurprisal(true));
        int[] tokens = {3, 10, 0, 7, 7, 2, 9};
        d.feed(TokenRecord.ids("a", 0, tokens, true));
        AttentionOutput o = d.outputs.get(0);
        assertThat(o.topTokens()).isNull();
        assertThat(o.topIds()).hasSize(7 * 11);
        for (int t = 0; t < 7; t++) {
            // top-V is a permutation of all ids, sorted by logit
            int[] row = Arrays.copyOfRange(o.topIds(), t * 11, t * 11 + 11);
            assertThat(Arrays.stream(row).sorted().toArray()).isEqualTo(java.util.stream.IntStream.range(0, 11).toArray());
            for (int j = 1; j < 11; j++) {
                assertThat(o.ys()[t * 11 + row[j]]).isLessThanOrEqualTo(o.ys()[t * 11 + row[j - 1]]);
            }
        }
        assertThat(Double.isNaN(o.surprisals()[0])).isTrue();
        assertThat(Double.isNaN(o.surprisals()[1])).isFalse();
    }

    @Test
    void surprisalIsMinusLog2OfTheProbabilityEmittedOnePositionEarlier() {
        String s = dna(4, 300);
        Rows r = new Rows(new Driver(LM, EmitMode.ALL, ALL_FIELDS).feed(chunks("a", s, 0, 1, 7, 64, 3)).outputs, "a");
        assertThat(r.surprisal.get(0)).isNaN();
        for (int t = 1; t < r.size(); t++) {
            int id = TestModels.VOCAB.indexOf(s.charAt(t));
            double expected = -Math.log(r.p.get(t - 1)[id]) / LN2;
            assertThat(r.surprisal.get(t)).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-12));
            assertThat(r.surprisal.get(t)).isEqualTo(-r.logp.get(t - 1)[id] / LN2);
        }
    }

    @Test
    void surprisalDoesNotDependOnChunkingOrEmitMode() {
        String s = dna(5, 257);
        double[] reference = new Rows(new Driver(LM, EmitMode.ALL, ALL_FIELDS)
                .feed(chunks("a", s, 0, 257)).outputs, "a").surprisals();
        for (int[] sizes : new int[][] {{1}, {2, 1, 64}, {13}, {100, 1, 1, 7}}) {
            double[] other = new Rows(new Driver(LM, EmitMode.ALL, EmitFields.NONE.withSurprisal(true))
                    .feed(chunks("a", s, 0, sizes)).outputs, "a").surprisals();
            assertThat(other).isEqualTo(reference); // identical doubles
        }
        // every:n and last update the prediction at every token, emitted or not
        Rows every = new Rows(new Driver(LM, EmitMode.everyNth(5), EmitFields.NONE.withSurprisal(true))
                .feed(chunks("a", s, 0, 3, 17, 1)).outputs, "a");
        assertThat(every.size()).isEqualTo(257 / 5);
        for (int i = 0; i < every.size(); i++) {
            assertThat(every.pos.get(i)).isEqualTo(5L * i + 4);
            assertThat(every.surprisal.get(i)).isEqualTo(reference[5 * i + 4]);
        }
        List<TokenRecord> records = chunks("a", s, 0, 9, 1, 30);
        Rows last = new Rows(new Driver(LM, EmitMode.LAST, ALL_FIELDS).feed(records).outputs, "a");
        assertThat(last.size()).isEqualTo(records.size());
        for (int i = 0; i < last.size(); i++) {
            assertThat(last.surprisal.get(i)).isEqualTo(reference[(int) (long) last.pos.get(i)]);
        }
    }

    @Test
    void noSurprisalAfterAResetOrAGapAndItResumesAtTheNextToken() {
        String s = dna(6, 40);
        Driver d = new Driver(LM, EmitMode.ALL, ALL_FIELDS);
        d.feed(TokenRecord.symbols("a", 0, s.substring(0, 10), true),
                TokenRecord.reset("a"),
                TokenRecord.symbols("a", 0, s.substring(10, 20), true),
                TokenRecord.symbols("a", 15, s.substring(20, 30), true)); // gap: positions 10..14 missing
        Rows r = new Rows(d.outputs, "a");
        double[] fresh = new Rows(new Driver(LM, EmitMode.ALL, ALL_FIELDS)
                .feed(TokenRecord.symbols("b", 0, s.substring(10, 20), true)).outputs, "b").surprisals();
        assertThat(r.surprisal.get(0)).isNaN();
        assertThat(r.surprisal.get(1)).isNotNaN();
        assertThat(r.surprisal.get(10)).isNaN(); // first token after the reset
        // after the reset the sequence is a fresh one
        assertThat(r.surprisals().length).isEqualTo(30);
        assertThat(Arrays.copyOfRange(r.surprisals(), 10, 20)).isEqualTo(fresh);
        assertThat(r.pos.get(20)).isEqualTo(15L);
        assertThat(r.surprisal.get(20)).isNaN(); // first token after the gap
        int id = TestModels.VOCAB.indexOf(s.charAt(21));
        assertThat(r.surprisal.get(21)).isEqualTo(-r.logp.get(20)[id] / LN2);
    }

    @Test
    void aReplayedOverlapKeepsTheSurprisalOfTheUninterruptedRun() {
        String s = dna(7, 30);
        double[] reference = new Rows(new Driver(LM, EmitMode.ALL, ALL_FIELDS)
                .feed(TokenRecord.symbols("a", 0, s, true)).outputs, "a").surprisals();
        Driver d = new Driver(LM, EmitMode.ALL, ALL_FIELDS).feed(
                TokenRecord.symbols("a", 0, s.substring(0, 10), true),
                TokenRecord.symbols("a", 3, s.substring(3, 8), true),     // fully replayed
                TokenRecord.symbols("a", 6, s.substring(6, 30), true));   // overlaps 6..9
        assertThat(new Rows(d.outputs, "a").surprisals()).isEqualTo(reference);
    }

    @Test
    void vectorTokensHaveNoSurprisalButTheirPredictionCounts() {
        String s = dna(8, 12);
        AttentionWeights w = LM.weights();
        int dm = LM.config().dModel();
        double[] xs = new double[6 * dm];
        for (int i = 0; i < 6; i++) {
            System.arraycopy(w.embedding, TestModels.VOCAB.indexOf(s.charAt(i)) * dm, xs, i * dm, dm);
        }
        double[] reference = new Rows(new Driver(LM, EmitMode.ALL, ALL_FIELDS)
                .feed(TokenRecord.symbols("a", 0, s, true)).outputs, "a").surprisals();
        for (EmitMode mode : new EmitMode[] {EmitMode.ALL, EmitMode.everyNth(7), EmitMode.LAST}) {
            Driver d = new Driver(LM, mode, ALL_FIELDS).feed(TokenRecord.vectors("a", 0, xs, dm, true),
                    TokenRecord.symbols("a", 6, s.substring(6), true));
            Rows r = new Rows(d.outputs, "a");
            for (int i = 0; i < r.size(); i++) {
                long pos = r.pos.get(i);
                if (pos < 6) {
                    assertThat(r.surprisal.get(i)).as(mode + " at " + pos).isNaN();
                } else {
                    // from pos 6 on, scored by the prediction made at the previous token (a vector at 5)
                    assertThat(r.surprisal.get(i)).as(mode + " at " + pos)
                            .isCloseTo(reference[(int) pos], org.assertj.core.data.Offset.offset(1e-12));
                }
            }
            assertThat(r.pos).contains(mode == EmitMode.LAST ? 11L : 6L);
        }
    }

    @Test
    void thePredictionIsDroppedWhenSurprisalIsNoLongerAsked() {
        String s = dna(9, 20);
        Driver on = new Driver(LM, EmitMode.ALL, EmitFields.NONE.withSurprisal(true)).feed(
                TokenRecord.symbols("a", 0, s.substring(0, 10), true));
        SequenceState st = on.states.get("a");
        assertThat(st.prediction()).hasSize(V);
        assertThat(st.serializedBytes()).isEqualTo(
                SequenceStateSerializer.serializedBytes(LM.statePrecision(), LM.stateLength(), V));
        SequenceProcessor off = new SequenceProcessor(LM, EmitMode.ALL, EmitFields.NONE.withTopK(2), 100);
        SequenceState after = off.process(TokenRecord.symbols("a", 10, s.substring(10, 15), true), st).state;
        assertThat(after.prediction()).isNull();
        assertThat(after.serializedBytes()).isEqualTo(
                SequenceStateSerializer.serializedBytes(LM.statePrecision(), LM.stateLength()));
        // asked again later: the first token has none (the prediction was not kept up to date)
        Driver again = new Driver(LM, EmitMode.ALL, EmitFields.NONE.withSurprisal(true));
        again.states.put("a", after);
        again.feed(TokenRecord.symbols("a", 15, s.substring(15), true));
        assertThat(again.outputs.get(0).surprisals()[0]).isNaN();
        assertThat(again.outputs.get(0).surprisals()[1]).isNotNaN();
    }

    @Test
    void withoutFieldsOutputsCarryNone() {
        AttentionOutput o = new Driver(LM, EmitMode.ALL, EmitFields.NONE)
                .feed(TokenRecord.symbols("a", 0, "ACGT", true)).outputs.get(0);
        assertThat(o.hasLmFields()).isFalse();
        assertThat(o.ps()).isNull();
        assertThat(o.surprisals()).isNull();
        AttentionOutput p = new Driver(LM, EmitMode.ALL, EmitFields.NONE.withProbabilities(true))
                .feed(TokenRecord.symbols("a", 0, "ACGT", true)).outputs.get(0);
        assertThat(p.ps()).hasSize(4 * V);
        assertThat(p.logps()).isNull();
        assertThat(p.topIds()).isNull();
        assertThat(p.surprisals()).isNull();
        assertThat(p.ys()).isEqualTo(o.ys());
    }

    /**
     * Per token nothing is allocated: a record of 4096 tokens emitting its last output (with every
     * field, surprisal updating the prediction at each token) allocates only that output's arrays.
     */
    @Test
    void fieldsAllocateNothingPerToken() {
        SequenceProcessor p = new SequenceProcessor(LM, EmitMode.LAST, ALL_FIELDS, 1 << 14);
        int[] ids = new int[4096];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = (i * 7 + i / 3) % V;
        }
        TokenRecord r = TokenRecord.ids("a", TokenRecord.NO_POS, ids, true);
        SequenceState[] st = {p.process(r, null).state};
        // until the JIT has compiled the loop
        long allocated = org.flinkla.testutils.Allocations.afterWarmUp(40, 2048, () -> st[0] = p.process(r, st[0]).state);
        assertThat(allocated).as("bytes allocated by one record of 4096 tokens").isLessThan(2048);
    }

    // ------------------------------------------------------------------ the operator

    private static KeyedOneInputStreamOperatorTestHarness<String, TokenRecord, AttentionOutput> harness(
            LinearAttention op, StateBackend backend, OperatorSubtaskState restore) throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, TokenRecord, AttentionOutput> h =
                new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(op.function()),
                        LinearAttention.keySelector(), Types.STRING);
        ((org.apache.flink.api.common.serialization.SerializerConfigImpl) h.getExecutionConfig().getSerializerConfig())
                .setGenericTypes(false);
        h.setStateBackend(backend);
        if (restore != null) {
            h.initializeState(restore);
        }
        h.open();
        return h;
    }

    @ParameterizedTest
    @ValueSource(strings = {"hashmap", "rocksdb"})
    void operatorSnapshotAndRestoreMidSequenceKeepsThePrediction(String backendName) throws Exception {
        LinearAttention op = LinearAttention.builder(LM).emitFields(ALL_FIELDS).build();
        String a = dna(10, 150);
        List<TokenRecord> first = chunks("a", a.substring(0, 77), 0, 9, 1, 20);
        List<TokenRecord> second = chunks("a", a.substring(77), 77, 1, 33);
        List<AttentionOutput> uninterrupted;
        var h = harness(op, backend(backendName), null);
        try {
            for (TokenRecord r : first) {
                h.processElement(r, 0L);
            }
            for (TokenRecord r : second) {
                h.processElement(r, 0L);
            }
            uninterrupted = h.extractOutputValues();
        } finally {
            h.close();
        }
        List<AttentionOutput> restarted = new ArrayList<>();
        OperatorSubtaskState snap;
        h = harness(op, backend(backendName), null);
        try {
            for (TokenRecord r : first) {
                h.processElement(r, 0L);
            }
            snap = h.snapshot(1L, 1L);
            restarted.addAll(h.extractOutputValues());
        } finally {
            h.close();
        }
        h = harness(op, backend(backendName), snap);
        try {
            for (TokenRecord r : second) {
                h.processElement(r, 0L);
            }
            restarted.addAll(h.extractOutputValues());
        } finally {
            h.close();
        }
        assertThat(restarted).isEqualTo(uninterrupted);
        Rows r = new Rows(restarted, "a");
        assertThat(r.surprisal.get(77)).isNotNaN(); // the first token after the restore has its surprisal
        int id = TestModels.VOCAB.indexOf(a.charAt(77));
        assertThat(r.surprisal.get(77)).isEqualTo(-r.logp.get(76)[id] / LN2);
        // and the same values as the processor on one chunk
        assertThat(r.surprisals()).isEqualTo(new Rows(new Driver(LM, EmitMode.ALL, ALL_FIELDS)
                .feed(TokenRecord.symbols("a", 0, a, true)).outputs, "a").surprisals());
    }

    private static StateBackend backend(String name) {
        return name.equals("rocksdb") ? new EmbeddedRocksDBStateBackend() : new HashMapStateBackend();
    }

    // ------------------------------------------------------------------ options

    @Test
    void fieldsParseAndPrintCanonically() {
        assertThat(EmitFields.parse("")).isEqualTo(EmitFields.NONE);
        assertThat(EmitFields.parse(" p , logp,TOP-3 ,surprisal")).isEqualTo(ALL_FIELDS);
        assertThat(ALL_FIELDS.toString()).isEqualTo("probabilities, log-probabilities, top-3, surprisal");
        assertThat(EmitFields.parse(ALL_FIELDS.toString())).isEqualTo(ALL_FIELDS);
        assertThat(EmitFields.parse(List.of("top-1")).topK()).isEqualTo(1);
    }

    @Test
    void badOptionsAreRejectedWithTheirMessages() {
        assertThatThrownBy(() -> EmitFields.parse("probabilities, entropy"))
                .hasMessageContaining("unknown emit field 'entropy'").hasMessageContaining("top-K");
        assertThatThrownBy(() -> EmitFields.parse("top-0")).hasMessageContaining("between 1 and");
        assertThatThrownBy(() -> EmitFields.parse("top-x")).hasMessageContaining("unknown emit field 'top-x'");
        assertThatThrownBy(() -> EmitFields.parse("p, probabilities")).hasMessageContaining("given twice");
        assertThatThrownBy(() -> EmitFields.parse("p,,logp")).hasMessageContaining("empty entry");
        // not a language model: d_out 6 over a vocabulary of 4
        Model notLm = new Model(TestModels.config(), TestModels.weights(TestModels.config(), 1), "six outputs");
        assertThatThrownBy(() -> LinearAttention.builder(notLm).emitFields(EmitFields.parse("surprisal")).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("emit fields [surprisal]").hasMessageContaining("logits")
                .hasMessageContaining("output width 6").hasMessageContaining("4 token ids")
                .hasMessageContaining("drop the emit fields");
        // vectors only: no token ids at all
        AttentionConfig vc = AttentionConfig.builder().dModel(4).heads(1).dKey(4).dValue(4).dOut(4).build();
        Model vectors = new Model(vc, TestModels.weights(vc, 1), "vectors only");
        assertThatThrownBy(() -> LinearAttention.builder(vectors).emitFields(EmitFields.parse("p")).build())
                .hasMessageContaining("no token ids");
        assertThatThrownBy(() -> LinearAttention.builder(LM).emitFields(EmitFields.parse("top-5")).build())
                .hasMessageContaining("top-5").hasMessageContaining("K <= 4");
        assertThatThrownBy(() -> LinearAttention.builder(LM).emitFields(null).build())
                .hasMessageContaining("EmitFields.NONE");
        assertThatThrownBy(() -> new SequenceProcessor(notLm, EmitMode.ALL, ALL_FIELDS, 10))
                .hasMessageContaining("logits");
        assertThat(LinearAttention.builder(LM).emitFields(ALL_FIELDS).build().emitFields()).isEqualTo(ALL_FIELDS);
    }

    /** The logits of the model run directly, one row per token. */
    private static List<double[]> engineLogits(Model m, String s) {
        ModelStepper st = m.newStepper();
        ModelState state = m.newState();
        List<double[]> out = new ArrayList<>();
        for (int i = 0; i < s.length(); i++) {
            double[] y = new double[m.outputWidth()];
            st.stepToken(state, m.tokenId(s.charAt(i)), y, 0);
            out.add(y);
        }
        return out;
    }
}
