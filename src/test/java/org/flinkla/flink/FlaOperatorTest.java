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

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.flinkla.engine.ModelState;
import org.flinkla.engine.ModelStepper;
import org.flinkla.engine.SequenceModel;
import org.flinkla.model.FlaFixtures;
import org.flinkla.records.AttentionOutput;
import org.flinkla.records.TokenRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * FLA model directories in the keyed operator (Flink's test harness): a snapshot taken
 * mid-sequence (recurrent states and short-convolution windows in keyed state) and restored into a
 * new operator continues bit for bit like an uninterrupted run, which equals the engine run
 * directly and the fixture's reference logits.
 */
class FlaOperatorTest {

    private static KeyedOneInputStreamOperatorTestHarness<String, TokenRecord, AttentionOutput> harness(
            LinearAttention op, StateBackend backend, OperatorSubtaskState restore) throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, TokenRecord, AttentionOutput> h =
                new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(op.function()),
                        LinearAttention.keySelector(), Types.STRING);
        h.setStateBackend(backend);
        if (restore != null) {
            h.initializeState(restore);
        }
        h.open();
        return h;
    }

    /** ids[from, to) as records of the given sizes (cycled), positions from {@code from}. */
    private static List<TokenRecord> records(String seq, int[] ids, int from, int to, int... sizes) {
        List<TokenRecord> out = new ArrayList<>();
        for (int p = from, k = 0; p < to; k++) {
            int n = Math.min(sizes[k % sizes.length], to - p);
            out.add(TokenRecord.ids(seq, p, Arrays.copyOfRange(ids, p, p + n), n > 1 || k % 2 == 0));
            p += n;
        }
        return out;
    }

    private static double[] flatten(List<AttentionOutput> outs, String seq) {
        List<Double> ys = new ArrayList<>();
        long expect = 0;
        for (AttentionOutput o : outs) {
            if (o.seq().equals(seq)) {
                assertThat(o.pos()).isEqualTo(expect);
                expect += o.count();
                for (double y : o.ys()) {
                    ys.add(y);
                }
            }
        }
        return ys.stream().mapToDouble(Double::doubleValue).toArray();
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource({
        "gated_deltanet_default, float64, hashmap",
        "gated_deltanet_default, float32, rocksdb",
        "delta_net_elu_sum_nobeta, float64, rocksdb",
        "gla_kv_conv_unfused, float32, hashmap",
        "gla_kv_conv_unfused, float64, rocksdb",
        "retnet_default, float64, hashmap",
    })
    void snapshotAndRestoreMidSequenceEqualsAnUninterruptedRun(String fixture, String precision, String backendName)
            throws Exception {
        FlaFixtures.Case c = FlaFixtures.get(fixture);
        ModelReference ref = ModelReference.uri(c.dir.toString(), Map.of("state_precision", precision));
        SequenceModel model = ref.resolve();
        int n = c.ids.length;
        int cut = 11;
        // key a: the fixture's ids; key b: the same ids reversed
        int[] rev = new int[n];
        for (int i = 0; i < n; i++) {
            rev[i] = c.ids[n - 1 - i];
        }
        List<TokenRecord> first = new ArrayList<>(records("a", c.ids, 0, cut, 1, 4, 2));
        first.addAll(records("b", rev, 0, cut + 3, 5, 1));
        List<TokenRecord> second = new ArrayList<>(records("a", c.ids, cut, n, 3, 1, 64));
        second.addAll(records("b", rev, cut + 3, n, 1, 7));

        StateBackend backend = backendName.equals("rocksdb") ? new EmbeddedRocksDBStateBackend() : new HashMapStateBackend();
        LinearAttention op = LinearAttention.builder(ref).build();
        List<AttentionOutput> uninterrupted;
        var h = harness(op, backend, null);
        for (TokenRecord r : first) {
            h.processElement(r, 0L);
        }
        for (TokenRecord r : second) {
            h.processElement(r, 0L);
        }
        uninterrupted = new ArrayList<>(h.extractOutputValues());
        h.close();

        List<AttentionOutput> restarted = new ArrayList<>();
        h = harness(LinearAttention.builder(ref).build(), backend, null);
        for (TokenRecord r : first) {
            h.processElement(r, 0L);
        }
        OperatorSubtaskState snapshot = h.snapshot(1L, 1L);
        restarted.addAll(h.extractOutputValues());
        h.close();
        h = harness(LinearAttention.builder(ref).build(), backend, snapshot);
        for (TokenRecord r : second) {
            h.processElement(r, 0L);
        }
        restarted.addAll(h.extractOutputValues());
        h.close();

        assertThat(restarted).isEqualTo(uninterrupted);
        // bit for bit the engine fed the same records (the chunk form makes a float32 state depend on
        // how the sequence is cut into records); float64 within 1e-12 of token-by-token stepping
        List<TokenRecord> all = new ArrayList<>(first);
        all.addAll(second);
        assertThat(flatten(restarted, "a")).isEqualTo(engine(model, all, "a"));
        assertThat(flatten(restarted, "b")).isEqualTo(engine(model, all, "b"));
        double[] a = flatten(restarted, "a");
        if (precision.equals("float64")) {
            double[] step = engine(model, c.ids);
            for (int t = 0; t < n; t++) {
                double diff = 0;
                double mag = 0;
                for (int v = 0; v < model.outputWidth(); v++) {
                    int i = t * model.outputWidth() + v;
                    diff = Math.max(diff, Math.abs(a[i] - step[i]));
                    mag = Math.max(mag, Math.abs(step[i]));
                }
                assertThat(diff).as("token " + t + " vs token stepping").isLessThanOrEqualTo(1e-12 * mag);
            }
        }
        double tol = precision.equals("float64") ? 1e-9 : 1e-4;
        double floor = precision.equals("float64") ? 1e-12 : 1e-6;
        for (int t = 0; t < n; t++) {
            double[] row = Arrays.copyOfRange(a, t * model.outputWidth(), (t + 1) * model.outputWidth());
            assertThat(FlaFixtures.errorRatio(row, c.logits[t], tol, floor)).as("token " + t).isLessThanOrEqualTo(1.0);
        }
    }

    /** The records of key {@code seq}, each as one stepTokens call, as the operator runs them. */
    private static double[] engine(SequenceModel m, List<TokenRecord> records, String seq) {
        ModelStepper st = m.newStepper();
        ModelState s = m.newState();
        int n = 0;
        for (TokenRecord r : records) {
            n += r.seq().equals(seq) ? r.ids().length : 0;
        }
        double[] ys = new double[n * m.outputWidth()];
        int done = 0;
        for (TokenRecord r : records) {
            if (r.seq().equals(seq)) {
                st.stepTokens(s, r.ids(), 0, r.ids().length, ys, done * m.outputWidth());
                done += r.ids().length;
            }
        }
        return ys;
    }

    private static double[] engine(SequenceModel m, int[] ids) {
        ModelStepper st = m.newStepper();
        ModelState s = m.newState();
        double[] ys = new double[ids.length * m.outputWidth()];
        for (int t = 0; t < ids.length; t++) {
            st.stepToken(s, ids[t], ys, t * m.outputWidth());
        }
        return ys;
    }
}
