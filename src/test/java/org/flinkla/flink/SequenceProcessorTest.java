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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.flinkla.engine.AttentionConfig;
import org.flinkla.engine.StatePrecision;
import org.flinkla.model.Model;
import org.flinkla.records.AttentionOutput;
import org.flinkla.records.TokenRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The undo of a record that overflows, in both of {@link SequenceProcessor#statesAreCopies}'s
 * modes, against a store like each kind of state backend: objects handed out as stored (heap) or
 * bytes decoded at every read (RocksDB, SQL). And the finiteness test the undo rests on.
 */
class SequenceProcessorTest {

    @Test
    void allFiniteFindsEveryNonFiniteValueAtEveryPosition() {
        double[] bad = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
        double[] fine = {0.0, -0.0, Double.MAX_VALUE, -Double.MAX_VALUE, Double.MIN_VALUE, 1e300, -1.5};
        for (int n = 0; n <= 19; n++) {
            double[] a = new double[n];
            float[] f = new float[n];
            for (int i = 0; i < n; i++) {
                a[i] = fine[i % fine.length];
                f[i] = (float) fine[(i + 2) % fine.length]; // MAX_VALUE as float is +Inf: start at finite ones
                if (!Float.isFinite(f[i])) {
                    f[i] = Float.MAX_VALUE;
                }
            }
            assertThat(SequenceProcessor.allFinite(a)).as("n %d", n).isTrue();
            assertThat(SequenceProcessor.allFinite(f)).as("n %d", n).isTrue();
            for (int i = 0; i < n; i++) {
                for (double b : bad) {
                    double[] a2 = a.clone();
                    a2[i] = b;
                    float[] f2 = f.clone();
                    f2[i] = (float) b;
                    assertThat(SequenceProcessor.allFinite(a2)).as("%s at %d of %d", b, i, n).isFalse();
                    assertThat(SequenceProcessor.allFinite(f2)).as("%s at %d of %d", b, i, n).isFalse();
                }
            }
        }
    }

    /** A key-value store of sequence states: the stored objects themselves, or bytes decoded per read. */
    static final class Store {
        final boolean bytes;
        final Map<String, SequenceState> objects = new HashMap<>();
        final Map<String, byte[]> serialized = new HashMap<>();
        final SequenceStateSerializer serializer = new SequenceStateSerializer();

        Store(boolean bytes) {
            this.bytes = bytes;
        }

        SequenceState read(String key) throws Exception {
            if (!bytes) {
                return objects.get(key);
            }
            byte[] b = serialized.get(key);
            if (b == null) {
                return null;
            }
            DataInputDeserializer in = new DataInputDeserializer(b);
            return serializer.deserialize(in);
        }

        void write(String key, SequenceState s) throws Exception {
            if (!bytes) {
                objects.put(key, s);
                return;
            }
            DataOutputSerializer out = new DataOutputSerializer(64);
            serializer.serialize(s, out);
            serialized.put(key, out.getCopyOfBuffer());
        }
    }

    /** Runs {@code in} through a processor over {@code store}; returns the outputs, collects the reject codes. */
    static List<AttentionOutput> run(SequenceProcessor p, Store store, List<TokenRecord> in, List<String> rejected)
            throws Exception {
        List<AttentionOutput> out = new ArrayList<>();
        for (TokenRecord t : in) {
            SequenceState s = store.read(t.seq());
            SequenceState before = s == null ? null : s.copy();
            SequenceProcessor.Outcome o = p.process(t, s);
            if (o.rejectReason != null) {
                rejected.add(o.rejectReason.substring(0, o.rejectReason.indexOf(':')));
                assertThat(o.stateChanged).isFalse();
                if (!store.bytes && s != null) {
                    // the stored object itself was stepped: it must hold the state before the record again
                    assertThat(s).isEqualTo(before);
                }
                continue;
            }
            if (o.stateChanged) {
                store.write(t.seq(), o.state);
            }
            if (o.output != null) {
                out.add(o.output);
            }
        }
        return out;
    }

    @ParameterizedTest(name = "{0} state, {1}, copies {2}")
    @CsvSource({"FLOAT64, all, false", "FLOAT64, all, true", "FLOAT32, last, false", "FLOAT32, last, true",
        "FLOAT64, every:3, true"})
    void aRecordThatOverflowsIsRejectedAndTheSequenceContinuesFromTheStateBeforeIt(StatePrecision precision,
            String emit, boolean copies) throws Exception {
        AttentionConfig c = TestModels.config(precision);
        Model m = new Model(c, TestModels.weights(c, 7), "test layer");
        int d = TestModels.D_MODEL;
        Random r = new Random(2);
        double[] x = new double[8 * d];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextGaussian();
        }
        double[] huge = new double[3 * d];
        Arrays.fill(huge, 1e160); // finite inputs whose products overflow (k·v ~ 1e320)
        List<TokenRecord> clean = List.of(
                TokenRecord.vectors("a", 0, Arrays.copyOfRange(x, 0, 3 * d), d, true),
                TokenRecord.vectors("b", 0, Arrays.copyOfRange(x, 0, d), d, false),
                TokenRecord.vectors("a", 3, Arrays.copyOfRange(x, 3 * d, 4 * d), d, false),
                TokenRecord.vectors("a", 4, Arrays.copyOfRange(x, 4 * d, 8 * d), d, true));
        List<TokenRecord> in = new ArrayList<>(clean);
        in.add(3, TokenRecord.vectors("a", 3, huge, d, true)); // a chunk of a key with state
        in.add(1, TokenRecord.vectors("b", 0, Arrays.copyOfRange(huge, 0, d), d, false)); // a new key
        in.add(3, TokenRecord.vectors("a", 3, Arrays.copyOfRange(huge, 0, d), d, false)); // one token
        EmitMode mode = EmitMode.parse(emit);
        List<String> none = new ArrayList<>();
        List<AttentionOutput> want = run(new SequenceProcessor(m, mode, 64), new Store(false), clean, none);
        assertThat(none).isEmpty();
        assertThat(want).isNotEmpty();
        List<String> rejected = new ArrayList<>();
        SequenceProcessor p = new SequenceProcessor(m, mode, 64).statesAreCopies(copies);
        List<AttentionOutput> got = run(p, new Store(copies), in, rejected);
        assertThat(rejected).containsExactly("non_finite_output", "non_finite_output", "non_finite_output");
        assertThat(got).isEqualTo(want);
    }
}
