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
package org.flinkla.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.flinkla.engine.AttentionConfig;
import org.flinkla.engine.ModelState;
import org.flinkla.engine.ModelStepper;
import org.flinkla.engine.SequenceModel;
import org.flinkla.engine.fla.FlaConfig;
import org.flinkla.flink.EmitMode;
import org.flinkla.flink.ModelReference;
import org.flinkla.flink.SequenceProcessor;
import org.flinkla.flink.SequenceState;
import org.flinkla.flink.SequenceStateSerializer;
import org.flinkla.model.Dtype;
import org.flinkla.model.FlaModelFiles;
import org.flinkla.model.ModelFiles;
import org.flinkla.records.TokenRecord;

/**
 * The per-record cost of {@link SequenceProcessor} without Flink, for single-token records of
 * {@code --keys} sequences in turn, side by side in one run: the bare engine
 * ({@link ModelStepper#stepToken} on each key's state), the processor on states held as objects
 * (as the heap state backend hands them out: the stored object itself), and the processor on
 * states held as bytes (as RocksDB or the SQL function: each record's state deserialized, then
 * serialized back; once more with the copy of the state before each record that a heap state
 * needs for the undo of an overflow; and the heap without that copy, which is not a valid setting
 * but shows what the copy costs). The difference to the engine is what the record semantics
 * and the state's storage cost per record (validation, the overflow check and its undo, the outputs).
 *
 * <pre>{@code
 * java --add-modules jdk.incubator.vector -cp target/flink-linear-attention.jar \
 *     org.flinkla.bench.ProcessorBenchmark [--seconds 1] [--keys 64] [--rounds 3] [--large]
 * }</pre>
 * Models: the 64×4 single layer (seed 42), the demo's Gated DeltaNet and, with {@code --large},
 * the {@link FlaBenchmark} Gated DeltaNet (hidden 256, 4 layers). Prints CPU ns of the thread per
 * record, the best of the rounds, after the costs of the overflow check's pieces on one state
 * (the undo copy, the finiteness scan) (the configurations alternate, so a neighbour's load falls on all alike).
 */
public final class ProcessorBenchmark {
    private static final java.lang.management.ThreadMXBean THREADS =
            java.lang.management.ManagementFactory.getThreadMXBean();

    private ProcessorBenchmark() {}

    public static void main(String[] args) throws Exception {
        BenchArgs a = BenchArgs.parse(args, "ProcessorBenchmark [--seconds S] [--keys K] [--rounds R] [--large]",
                Set.of("--seconds", "--keys", "--rounds"), Set.of("--large"));
        double seconds = a.number("--seconds", 1);
        int keys = a.integer("--keys", 64);
        int rounds = a.integer("--rounds", 3);
        boolean large = a.has("--large");
        AttentionConfig layer = AttentionConfig.builder().dModel(64).heads(4).dKey(16).dValue(16).dOut(64)
                .vocab("ACGT").build();
        run("layer_64x4", ModelFiles.random(layer, 42L), seconds, keys, rounds);
        run("demo_gdn", ModelReference.uri("classpath:/models/dna/gdn", Map.of()).resolve(), seconds, keys, rounds);
        if (large) {
            FlaConfig cfg = FlaBenchmark.config();
            Path dir = Files.createTempDirectory("processor-bench-");
            FlaModelFiles.write(dir, cfg, FlaModelFiles.random(cfg, 2024), null, Dtype.F32, 1);
            run("gdn_256x4", ModelReference.uri(dir.toString(), Map.of("state_precision", "float32")).resolve(),
                    seconds, Math.min(keys, 16), rounds);
        }
    }

    /**
     * The two pieces of the overflow check on one state of the model, in ns per call: the copy of
     * the state kept for the undo ({@link ModelState#copyFrom}), the finiteness scan of the state
     * as {@link SequenceProcessor#allFinite} does it (eight independent sums) and as one chain of
     * sums (each add waits for the previous one).
     */
    private static void parts(String name, SequenceModel m, double seconds) {
        ModelState a = m.newState();
        ModelState b = m.newState();
        Random r = new Random(3);
        for (int i = 0; i < a.length(); i++) {
            if (a.doubles() != null) {
                a.doubles()[i] = r.nextGaussian();
            } else {
                a.floats()[i] = (float) r.nextGaussian();
            }
        }
        double[] best = {Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE};
        long sink = 0;
        for (int round = 0; round < 6; round++) {
            for (int what = 0; what < 3; what++) {
                long n = 0;
                long budget = (long) (seconds * 1e9 / 6);
                long c0 = THREADS.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                while (System.nanoTime() - t0 < budget) {
                    for (int k = 0; k < 16; k++) {
                        switch (what) {
                            case 0:
                                b.copyFrom(a);
                                break;
                            case 1:
                                sink += (a.doubles() != null ? SequenceProcessor.allFinite(a.doubles())
                                        : SequenceProcessor.allFinite(a.floats())) ? 1 : 0;
                                break;
                            default:
                                sink += oneChain(a) ? 1 : 0;
                        }
                    }
                    n += 16;
                }
                best[what] = Math.min(best[what], (THREADS.getCurrentThreadCpuTime() - c0) / (double) n);
            }
        }
        if (sink == 42) {
            System.out.println(sink);
        }
        System.out.printf(Locale.ROOT, "%-11s state %7d B  copy %8.0f ns  scan %8.0f ns  scan as one chain of sums"
                + " %8.0f ns%n", name, m.stateBytes(), best[0], best[1], best[2]);
    }

    /** Σ v·0 in one chain of adds (NaN when a value is not finite). */
    private static boolean oneChain(ModelState a) {
        double acc = 0;
        if (a.doubles() != null) {
            for (double v : a.doubles()) {
                acc += v * 0;
            }
        } else {
            for (float v : a.floats()) {
                acc += v * 0f;
            }
        }
        return !Double.isNaN(acc);
    }

    private static void run(String name, SequenceModel m, double seconds, int keys, int rounds) throws Exception {
        parts(name, m, seconds);
        String[] modes = {"engine", "heap", "bytes", "bytes+copy", "heap-copy"};
        double[] best = new double[modes.length];
        java.util.Arrays.fill(best, Double.MAX_VALUE);
        for (int r = 0; r < rounds; r++) {
            for (int c = 0; c < modes.length; c++) {
                best[c] = Math.min(best[c], nsPerRecord(m, modes[c], keys, seconds));
            }
        }
        System.out.printf(Locale.ROOT, "%-11s state %7d B  engine %9.0f ns  heap %9.0f ns (+%.0f)  bytes %9.0f ns"
                + " (+%.0f)  bytes with the undo copy %9.0f ns (+%.0f)  heap without it %9.0f ns (+%.0f)%n", name,
                m.stateBytes(), best[0], best[1], best[1] - best[0], best[2], best[2] - best[0], best[3],
                best[3] - best[0], best[4], best[4] - best[0]);
    }

    /** ns per single-token record in {@code mode}, after a warm-up as long as the measurement. */
    static double nsPerRecord(SequenceModel m, String mode, int keys, double seconds) throws Exception {
        // as the heap backend: the state is the stored object; as RocksDB: a new object per read
        // ("bytes+copy": the same, but with the copy per record kept for the undo as on the heap;
        // "heap-copy": the heap without that copy, not a valid setting (an overflow would corrupt the
        // stored state), only to show what the copy costs there)
        SequenceProcessor p = new SequenceProcessor(m, EmitMode.ALL, 1)
                .statesAreCopies(mode.equals("bytes") || mode.equals("heap-copy"));
        ModelStepper st = m.newStepper();
        SequenceStateSerializer ser = new SequenceStateSerializer();
        DataOutputSerializer out = new DataOutputSerializer(1 << 16);
        DataInputDeserializer in = new DataInputDeserializer();
        int n = 1024;
        Random rnd = new Random(1);
        TokenRecord[][] records = new TokenRecord[keys][n];
        int[][] ids = new int[keys][n];
        String[] names = new String[keys];
        for (int k = 0; k < keys; k++) {
            names[k] = "key-" + k;
            for (int i = 0; i < n; i++) {
                ids[k][i] = rnd.nextInt(m.vocabSize());
                records[k][i] = TokenRecord.ids(names[k], TokenRecord.NO_POS, new int[] {ids[k][i]}, false);
            }
        }
        ModelState[] states = new ModelState[keys];
        SequenceState[] objects = new SequenceState[keys];
        byte[][] bytes = new byte[keys][];
        double[] y = new double[m.outputWidth()];
        long budget = (long) (seconds * 1e9);
        long sink = 0;
        for (int pass = 0; pass < 2; pass++) {
            for (int k = 0; k < keys; k++) {
                states[k] = m.newState();
                objects[k] = null;
                bytes[k] = null;
            }
            long t0 = System.nanoTime();
            long c0 = THREADS.getCurrentThreadCpuTime();
            long done = 0;
            int i = 0;
            while (System.nanoTime() - t0 < budget) {
                for (int k = 0; k < keys; k++) {
                    switch (mode) {
                        case "engine":
                            st.stepToken(states[k], ids[k][i], y, 0);
                            break;
                        case "heap":
                        case "heap-copy": {
                            SequenceProcessor.Outcome o = p.process(records[k][i], objects[k]);
                            if (o.stateChanged) {
                                objects[k] = o.state; // the same object after the first record
                            }
                            sink += o.output.count();
                            break;
                        }
                        default: {
                            SequenceState s = null;
                            if (bytes[k] != null) {
                                in.setBuffer(bytes[k]);
                                s = ser.deserialize(in);
                            }
                            SequenceProcessor.Outcome o = p.process(records[k][i], s);
                            if (o.stateChanged) {
                                out.clear();
                                ser.serialize(o.state, out);
                                bytes[k] = out.getCopyOfBuffer();
                            }
                            sink += o.output.count();
                        }
                    }
                }
                done += keys;
                if (++i == n) {
                    i = 0; // the positions go on: records without pos continue each sequence
                }
            }
            if (pass == 1) {
                if (sink < 0) {
                    System.out.println(sink);
                }
                return (THREADS.getCurrentThreadCpuTime() - c0) / (double) done;
            }
        }
        throw new AssertionError();
    }
}
