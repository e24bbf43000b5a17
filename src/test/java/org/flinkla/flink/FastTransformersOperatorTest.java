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
import org.flinkla.model.FtFixtures;
import org.flinkla.records.AttentionOutput;
import org.flinkla.records.TokenRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A fast-transformers encoder stack in the keyed operator (Flink's test harness): its outputs are
 * the fixtures' (PyTorch's) to 1e-9, and a snapshot mid-sequence restored into a new harness
 * continues bit-identically to an uninterrupted run, on heap and RocksDB.
 */
class FastTransformersOperatorTest {
    private static final String LM = "lm_elu_2layer_gelu_norm_acgtn";
    private static final String VEC = "favor16_2layer_gelu_norm";

    private static final class Run implements AutoCloseable {
        final KeyedOneInputStreamOperatorTestHarness<String, TokenRecord, AttentionOutput> h;

        Run(LinearAttention op, StateBackend backend, OperatorSubtaskState restore) throws Exception {
            h = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(op.function()),
                    LinearAttention.keySelector(), Types.STRING);
            h.setStateBackend(backend);
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

        @Override
        public void close() throws Exception {
            h.close();
        }
    }

    private static StateBackend backend(String name) {
        return name.equals("rocksdb") ? new EmbeddedRocksDBStateBackend() : new HashMapStateBackend();
    }

    private static LinearAttention operator(String fixture) {
        return LinearAttention.builder(ModelReference.uri(FtFixtures.file(fixture).toString(), Map.of())).build();
    }

    /** The LM case as records: symbols chunks, single ids, an ids chunk (positions from→to). */
    private static List<TokenRecord> lmRecords(FtFixtures.Case c, String seq, int from, int to) {
        List<TokenRecord> out = new ArrayList<>();
        int t = from;
        int form = 0;
        while (t < to) {
            int n = Math.min(to - t, 1 + (form * 5) % 7);
            switch (form++ % 3) {
                case 0: {
                    StringBuilder sb = new StringBuilder();
                    for (int i = t; i < t + n; i++) {
                        sb.append("ACGTN".charAt(c.tokenIds[i]));
                    }
                    out.add(TokenRecord.symbols(seq, t, sb.toString(), true));
                    break;
                }
                case 1:
                    out.add(TokenRecord.ids(seq, t, new int[] {c.tokenIds[t]}, false));
                    n = 1;
                    break;
                default:
                    out.add(TokenRecord.ids(seq, t, Arrays.copyOfRange(c.tokenIds, t, t + n), true));
            }
            t += n;
        }
        return out;
    }

    /** The vector case as records: vector chunks of varying size (positions from→to). */
    private static List<TokenRecord> vectorRecords(FtFixtures.Case c, String seq, int from, int to) {
        List<TokenRecord> out = new ArrayList<>();
        double[] flat = c.flatVectors();
        int d = c.vectors[0].length;
        int t = from;
        for (int k = 0; t < to; k++) {
            int n = Math.min(to - t, k % 2 == 0 ? 1 : 6);
            out.add(TokenRecord.vectors(seq, t, Arrays.copyOfRange(flat, t * d, (t + n) * d), d, n > 1));
            t += n;
        }
        return out;
    }

    private static double[] outputsOf(List<AttentionOutput> outs, String seq) {
        return TestModels.flatten(outs, seq).ys;
    }

    /** Outputs of {@code seq}: an uninterrupted run over both parts, and a run restored from a snapshot between them. */
    private static double[][] uninterruptedAndRestored(String fixture, String backend, List<TokenRecord> part1,
                                                       List<TokenRecord> part2, String seq) throws Exception {
        List<AttentionOutput> uninterrupted;
        try (Run run = new Run(operator(fixture), backend(backend), null)) {
            uninterrupted = run.feed(part1).feed(part2).h.extractOutputValues();
        }
        List<AttentionOutput> restarted = new ArrayList<>();
        OperatorSubtaskState snap;
        try (Run run = new Run(operator(fixture), backend(backend), null)) {
            run.feed(part1);
            snap = run.h.snapshot(1L, 1L);
            restarted.addAll(run.h.extractOutputValues());
        }
        try (Run run = new Run(operator(fixture), backend(backend), snap)) {
            restarted.addAll(run.feed(part2).h.extractOutputValues());
        }
        assertThat(restarted).isEqualTo(uninterrupted);
        return new double[][] {outputsOf(uninterrupted, seq), outputsOf(restarted, seq)};
    }

    @ParameterizedTest
    @ValueSource(strings = {"hashmap", "rocksdb"})
    void languageModelRestoresMidSequenceBitIdenticallyAndMatchesFastTransformers(String backend) throws Exception {
        FtFixtures.Case lm = FtFixtures.load(LM);
        double[][] r = uninterruptedAndRestored(LM, backend, lmRecords(lm, "lm", 0, 13),
                lmRecords(lm, "lm", 13, lm.tokens()), "lm");
        assertThat(r[1]).isEqualTo(r[0]);
        FtFixtures.assertOutputs(lm, r[1], 5, LM + " through the operator");
    }

    @ParameterizedTest
    @ValueSource(strings = {"hashmap", "rocksdb"})
    void vectorStackRestoresMidSequenceBitIdenticallyAndMatchesFastTransformers(String backend) throws Exception {
        FtFixtures.Case vec = FtFixtures.load(VEC);
        double[][] r = uninterruptedAndRestored(VEC, backend, vectorRecords(vec, "vec", 0, 11),
                vectorRecords(vec, "vec", 11, vec.tokens()), "vec");
        assertThat(r[1]).isEqualTo(r[0]);
        FtFixtures.assertOutputs(vec, r[1], 16, VEC + " through the operator");
    }
}
