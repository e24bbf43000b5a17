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

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.flinkla.engine.SequenceModel;
import org.flinkla.model.FlaFixtures;
import org.flinkla.records.AttentionOutput;
import org.flinkla.records.RejectedRecord;
import org.flinkla.records.TokenRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The bundling operator against the keyed process function on Flink's test harness, fed the same
 * random interleaving of many keys — single tokens (ids and vectors), chunks, replays, gaps,
 * resets, bad records — with an FLA model (whose stepper runs the bundle as one product per weight
 * matrix): the same outputs bit for bit in the same order, the same dead letters, the same
 * counters; flushes on size, timer, watermark, barrier and end of input; a snapshot taken at a
 * barrier holds no buffered record.
 */
class BundledAttentionOperatorTest {
    static final int KEYS = 40;
    static final int RECORDS = 1500;

    static ModelReference model(String precision) {
        return ModelReference.uri(FlaFixtures.ROOT.resolve("gated_deltanet_default").toString(),
                Map.of("state_precision", precision));
    }

    static final class Run implements AutoCloseable {
        final LinearAttentionFunction fn;
        final KeyedOneInputStreamOperatorTestHarness<String, TokenRecord, AttentionOutput> h;

        Run(LinearAttention op, int bundle, StateBackend backend, OperatorSubtaskState restore) throws Exception {
            fn = op.function();
            OneInputStreamOperator<TokenRecord, AttentionOutput> operator = bundle > 1
                    ? new BundledAttentionOperator(fn, bundle, 5) : new KeyedProcessOperator<>(fn);
            h = new KeyedOneInputStreamOperatorTestHarness<>(operator, LinearAttention.keySelector(), Types.STRING);
            h.setStateBackend(backend);
            if (restore != null) {
                h.initializeState(restore);
            }
            h.open();
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

        long[] counters() {
            return new long[] {fn.recordsIn.getCount(), fn.tokensIn.getCount(), fn.outputsOut.getCount(),
                    fn.rejected.getCount(), fn.replayedTokens.getCount(), fn.gaps.getCount(),
                    fn.gapTokens.getCount(), fn.resets.getCount()};
        }

        @Override
        public void close() throws Exception {
            h.close();
        }
    }

    /**
     * A random interleaving over {@link #KEYS} keys: mostly one token at the key's next position
     * (half of them without pos), and replays, gaps, too-far positions, chunks, chunks of replays
     * plus one new token, vectors, resets and bad records (unknown id, wrong dimension).
     */
    static List<TokenRecord> stream(SequenceModel m, long seed, int n) {
        Random r = new Random(seed);
        int v = m.vocabSize();
        int d = m.inputWidth();
        long[] next = new long[KEYS];
        List<TokenRecord> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            // a skewed choice of key: some keys send often, so bundles hold repeated keys too
            int k = r.nextInt(4) == 0 ? r.nextInt(3) : r.nextInt(KEYS);
            String key = "key-" + k;
            int c = r.nextInt(100);
            if (c < 60) {
                long pos = r.nextBoolean() ? next[k] : TokenRecord.NO_POS;
                out.add(TokenRecord.ids(key, pos, new int[] {r.nextInt(v)}, false));
                next[k]++;
            } else if (c < 66 && next[k] > 0) {
                long pos = Math.max(0, next[k] - 1 - r.nextInt(3)); // a replay
                out.add(TokenRecord.ids(key, pos, new int[] {r.nextInt(v)}, false));
            } else if (c < 70) {
                next[k] += 1 + r.nextInt(3); // a gap
                out.add(TokenRecord.ids(key, next[k], new int[] {r.nextInt(v)}, false));
                next[k]++;
            } else if (c < 72) {
                out.add(TokenRecord.ids(key, next[k] + 1000, new int[] {r.nextInt(v)}, false)); // bad_pos
            } else if (c < 78) {
                int len = 2 + r.nextInt(6);
                out.add(TokenRecord.ids(key, next[k], r.ints(len, 0, v).toArray(), true));
                next[k] += len;
            } else if (c < 82 && next[k] >= 2) {
                // a chunk whose first tokens are replays: one new token
                out.add(TokenRecord.ids(key, next[k] - 2, r.ints(3, 0, v).toArray(), true));
                next[k]++;
            } else if (c < 90) {
                double[] x = new double[d];
                for (int j = 0; j < d; j++) {
                    x[j] = r.nextGaussian();
                }
                out.add(TokenRecord.vectors(key, next[k], x, d, false));
                next[k]++;
            } else if (c < 92) {
                out.add(TokenRecord.reset(key));
                next[k] = 0;
            } else if (c < 95) {
                out.add(TokenRecord.ids(key, next[k], new int[] {v + 3}, false)); // bad_id
            } else if (c < 97) {
                out.add(TokenRecord.vectors(key, next[k], new double[d + 1], d + 1, false)); // wrong dimension
            } else {
                out.add(TokenRecord.ids(key, TokenRecord.NO_POS, new int[] {r.nextInt(v)}, false));
                next[k]++;
            }
        }
        return out;
    }

    static StateBackend backend(String name) {
        return name.equals("rocksdb") ? new EmbeddedRocksDBStateBackend() : new HashMapStateBackend();
    }

    static LinearAttention op(String precision, String emit, String fields) {
        return LinearAttention.builder(model(precision)).emit(EmitMode.parse(emit))
                .emitFields(fields.isEmpty() ? EmitFields.NONE : EmitFields.parse(fields))
                .maxPositionGap(100).stateTtl(Duration.ofHours(1)).build();
    }

    @ParameterizedTest(name = "{0} {1} [{2}] {3} bundle {4}")
    @CsvSource({
        "float64, all, '', hashmap, 16",
        "float32, every:2, 'probabilities, top-2, surprisal', rocksdb, 64",
        "float64, last, 'log-probabilities, surprisal', hashmap, 7",
        "float64, all, 'top-3, surprisal', rocksdb, 2",
    })
    void bundledEqualsUnbundledRecordForRecord(String precision, String emit, String fields, String backend,
                                              int bundle) throws Exception {
        LinearAttention op = op(precision, emit, fields);
        List<TokenRecord> in = stream(op.model(), 17 + bundle, RECORDS);
        try (Run plain = new Run(op, 1, backend(backend), null);
             Run bundled = new Run(op, bundle, backend(backend), null)) {
            Random r = new Random(5);
            long clock = 0;
            for (int i = 0; i < in.size(); i++) {
                plain.h.processElement(in.get(i), i);
                bundled.h.processElement(in.get(i), i);
                if (r.nextInt(50) == 0) {
                    clock += 5;
                    bundled.h.setProcessingTime(clock); // the max-delay timer
                }
                if (r.nextInt(200) == 0) {
                    plain.h.processWatermark(new Watermark(i));
                    bundled.h.processWatermark(new Watermark(i));
                }
            }
            bundled.h.endInput();
            List<AttentionOutput> want = plain.h.extractOutputValues();
            List<AttentionOutput> got = bundled.h.extractOutputValues();
            assertThat(want).hasSizeGreaterThan(RECORDS / 4);
            assertThat(got).hasSameSizeAs(want);
            for (int i = 0; i < want.size(); i++) {
                assertThat(got.get(i)).as("output %d", i).isEqualTo(want.get(i));
            }
            assertThat(bundled.rejected()).isEqualTo(plain.rejected()).isNotEmpty();
            assertThat(bundled.counters()).isEqualTo(plain.counters());
            // timestamps and watermarks: the same elements in the same order (outputs before each watermark)
            assertThat(bundled.h.getOutput()).containsExactlyElementsOf(plain.h.getOutput());
        }
    }

    @Test
    void aFullBundleFlushesAtOnceAndAPartialOneOnItsTimer() throws Exception {
        LinearAttention op = op("float64", "all", "");
        try (Run b = new Run(op, 4, new HashMapStateBackend(), null)) {
            b.h.setProcessingTime(0);
            for (int k = 0; k < 3; k++) {
                b.h.processElement(TokenRecord.ids("k" + k, 0, new int[] {1}, false), 0);
            }
            assertThat(b.h.extractOutputValues()).isEmpty();
            b.h.processElement(TokenRecord.ids("k3", 0, new int[] {1}, false), 0);
            assertThat(b.h.extractOutputValues()).hasSize(4); // full: flushed with the fourth
            b.h.processElement(TokenRecord.ids("k0", 1, new int[] {2}, false), 0);
            b.h.setProcessingTime(4);
            assertThat(b.h.extractOutputValues()).hasSize(4);
            b.h.setProcessingTime(5); // the first record of the bundle has waited max-delay
            assertThat(b.h.extractOutputValues()).hasSize(5);
        }
    }

    /**
     * A barrier in the middle of a bundle: its records are processed before the snapshot, so a
     * restore from it (into either operator) continues exactly like an uninterrupted run.
     */
    @ParameterizedTest(name = "{0}, snapshot {1}, restored {2}")
    @CsvSource({"hashmap, bundled, bundled", "rocksdb, bundled, unbundled", "rocksdb, bundled, bundled",
        "hashmap, unbundled, bundled", "rocksdb, unbundled, bundled"})
    void aSnapshotAtABarrierHoldsEveryBufferedRecord(String backend, String snapshotOf, String restoredAs)
            throws Exception {
        LinearAttention op = op("float64", "all", "surprisal");
        List<TokenRecord> in = stream(op.model(), 99, 600);
        List<AttentionOutput> want;
        try (Run plain = new Run(op, 1, backend(backend), null)) {
            for (TokenRecord t : in) {
                plain.h.processElement(t, 0);
            }
            want = plain.h.extractOutputValues();
        }
        int cut = 301;
        List<AttentionOutput> got = new ArrayList<>();
        OperatorSubtaskState snapshot;
        try (Run first = new Run(op, snapshotOf.equals("bundled") ? 64 : 1, backend(backend), null)) {
            for (TokenRecord t : in.subList(0, cut)) {
                first.h.processElement(t, 0);
            }
            first.h.prepareSnapshotPreBarrier(1);
            got.addAll(first.h.extractOutputValues());
            snapshot = first.h.snapshot(1, 1);
            // what a failure after the checkpoint loses is replayed from the source: nothing else is needed
            for (TokenRecord t : in.subList(cut, cut + 40)) {
                first.h.processElement(t, 0);
            }
        }
        try (Run second = new Run(op, restoredAs.equals("bundled") ? 64 : 1, backend(backend), snapshot)) {
            for (TokenRecord t : in.subList(cut, in.size())) {
                second.h.processElement(t, 0);
            }
            second.h.endInput();
            got.addAll(second.h.extractOutputValues());
        }
        assertThat(got).hasSameSizeAs(want);
        for (int i = 0; i < want.size(); i++) {
            assertThat(got.get(i)).as("output %d", i).isEqualTo(want.get(i));
        }
    }

    /**
     * Overflowing records inside a bundle — one of a key with state, one of a new key — are rejected
     * {@code non_finite_output} and their sequences continue from the state before them (heap: from
     * the copy kept per slot; RocksDB: the stored bytes, no copy), like the unbundled operator, while
     * the other records of the bundle are unaffected.
     */
    @ParameterizedTest
    @CsvSource({"hashmap, float64", "rocksdb, float64", "hashmap, float32", "rocksdb, float32"})
    void anOverflowInABundleIsRejectedAndItsSequenceContinuesAsBefore(String backend, String precision)
            throws Exception {
        // a single layer (the FLA model's input norm keeps any finite input finite): an LM over ACGT
        org.flinkla.engine.AttentionConfig c = org.flinkla.engine.AttentionConfig.builder().dModel(8).heads(2)
                .dKey(4).dValue(4).dOut(4).featureMap(org.flinkla.engine.FeatureMapKind.ELU).vocab("ACGT")
                .statePrecision(org.flinkla.engine.StatePrecision.valueOf(precision.toUpperCase(java.util.Locale.ROOT)))
                .build();
        LinearAttention op = LinearAttention.builder(ModelReference.of(
                new org.flinkla.model.Model(c, TestModels.weights(c, 3), "test LM"))).emit(EmitMode.ALL)
                .emitFields(EmitFields.parse("surprisal"))
                .stateTtl(Duration.ofHours(1)) // the values wrapped for TTL: the backend probe sees through it
                .build();
        int d = op.model().inputWidth();
        Random r = new Random(11);
        double[] huge = new double[d];
        java.util.Arrays.fill(huge, 1e160); // finite inputs whose products overflow (k·v ~ 1e320)
        List<TokenRecord> clean = new ArrayList<>();
        List<TokenRecord> in = new ArrayList<>();
        for (int pos = 0; pos < 3; pos++) {
            for (int k = 0; k < 6; k++) {
                double[] x = new double[d];
                for (int j = 0; j < d; j++) {
                    x[j] = r.nextGaussian();
                }
                TokenRecord t = TokenRecord.vectors("k" + k, pos, x, d, false);
                if (pos == 1 && k == 2) {
                    in.add(TokenRecord.vectors("k2", 1, huge, d, false)); // the key has a state
                }
                if (pos == 0 && k == 5) {
                    in.add(TokenRecord.vectors("k5", 0, huge, d, false)); // a new key
                }
                clean.add(t);
                in.add(t);
            }
            in.add(TokenRecord.ids("k9", pos, new int[] {pos % op.model().vocabSize()}, false));
            clean.add(in.get(in.size() - 1));
        }
        List<AttentionOutput> want;
        try (Run plain = new Run(op, 1, backend(backend), null)) {
            for (TokenRecord t : clean) {
                plain.h.processElement(t, 0);
            }
            want = plain.h.extractOutputValues();
        }
        for (int bundle : new int[] {1, 16}) {
            try (Run run = new Run(op, bundle, backend(backend), null)) {
                for (TokenRecord t : in) {
                    run.h.processElement(t, 0);
                }
                run.h.endInput();
                assertThat(run.rejected()).as("bundle %d", bundle).extracting(RejectedRecord::reasonCode)
                        .containsExactly("non_finite_output", "non_finite_output");
                assertThat(run.h.extractOutputValues()).as("bundle %d", bundle).isEqualTo(want);
                assertThat(run.fn.processor().statesAreCopies()).isEqualTo(backend.equals("rocksdb"));
            }
        }
    }
}
