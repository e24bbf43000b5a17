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

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.flinkla.engine.AttentionConfig;
import org.flinkla.engine.ModelState;
import org.flinkla.engine.ModelStepper;
import org.flinkla.engine.SequenceModel;
import org.flinkla.flink.LinearAttention;
import org.flinkla.model.Model;
import org.flinkla.model.ModelFiles;
import org.flinkla.records.AttentionOutput;
import org.flinkla.records.RecordTypes;
import org.flinkla.records.TokenRecord;

/**
 * Throughput of the keyed operator without Kafka: an in-memory generator
 * (DNA chunks over {@code --keys} sequences) → {@link LinearAttention} → discarding sink, at
 * parallelism 1, for each state backend and chunk size, next to the bare engine stepping the same
 * tokens on one thread in the same JVM.
 *
 * <pre>{@code
 * java -cp target/flink-linear-attention.jar org.flinkla.bench.OperatorBenchmark \
 *     [--tokens 1000000] [--chunks 1,64,1024] [--backends hashmap,rocksdb] [--keys 16] [--repeats 3]
 * }</pre>
 *
 * <p>The operator's rate is measured at the sink, from the first output to the last, so job start
 * and shutdown are excluded. Each configuration and the engine run {@code --repeats} times
 * alternately and the best of each is kept (a shared machine only ever slows a run down). Chunk
 * size 1 uses N/10 tokens (Flink's cost is per record).
 */
public final class OperatorBenchmark {
    private OperatorBenchmark() {}

    /**
     * Record i: sequence i % keys, its (i / keys)-th chunk of {@code chunk} symbols from a fixed
     * random DNA text, made into a {@code T} by {@link #record}.
     */
    abstract static class Chunks<T> extends RichMapFunction<Long, T> {
        private static final long serialVersionUID = 1L;
        final int keys;
        final int chunk;
        private transient String dna;
        private transient String[] names;

        Chunks(int keys, int chunk) {
            this.keys = keys;
            this.chunk = chunk;
        }

        @Override
        public void open(OpenContext ctx) {
            Random r = new Random(1);
            StringBuilder sb = new StringBuilder(1 << 16);
            for (int i = 0; i < (1 << 16); i++) {
                sb.append("ACGT".charAt(r.nextInt(4)));
            }
            dna = sb.toString();
            names = new String[keys];
            for (int k = 0; k < keys; k++) {
                names[k] = "seq-" + k;
            }
        }

        @Override
        public T map(Long i) {
            int k = (int) (i % keys);
            long c = i / keys;
            int off = (int) ((c * chunk) % (dna.length() - chunk));
            return record(names[k], c * chunk, dna.substring(off, off + chunk));
        }

        /** The record of sequence {@code seq} whose first token is at {@code pos}. */
        abstract T record(String seq, long pos, String symbols);
    }

    /** The token records of {@link Chunks}. */
    static final class Generate extends Chunks<TokenRecord> {
        private static final long serialVersionUID = 1L;

        Generate(int keys, int chunk) {
            super(keys, chunk);
        }

        @Override
        TokenRecord record(String seq, long pos, String symbols) {
            return TokenRecord.symbols(seq, pos, symbols, chunk > 1);
        }
    }

    /**
     * Record i: sequence i % keys, its (i / keys)-th chunk of {@code chunk} token ids, taken from a
     * fixed random sequence of ids in [0, vocab) (for models without a vocabulary of symbols).
     */
    static final class IdChunks extends RichMapFunction<Long, TokenRecord> {
        private static final long serialVersionUID = 1L;
        private final int keys;
        private final int chunk;
        private final int vocab;
        private transient int[] ids;
        private transient String[] names;

        IdChunks(int keys, int chunk, int vocab) {
            this.keys = keys;
            this.chunk = chunk;
            this.vocab = vocab;
        }

        @Override
        public void open(OpenContext ctx) {
            ids = new Random(1).ints(1 << 16, 0, vocab).toArray();
            names = new String[keys];
            for (int k = 0; k < keys; k++) {
                names[k] = "seq-" + k;
            }
        }

        @Override
        public TokenRecord map(Long i) {
            long c = i / keys;
            int off = (int) ((c * chunk) % (ids.length - chunk));
            return TokenRecord.ids(names[(int) (i % keys)], c * chunk,
                    java.util.Arrays.copyOfRange(ids, off, off + chunk), chunk > 1);
        }
    }

    /** Steady rate of one job: tokens / (time of last output − time of first output), measured at the sink. */
    static double operatorTokensPerSecond(LinearAttention attention, String backend, int keys, int chunk,
            long tokens) throws Exception {
        return operatorTokensPerSecond(attention, backend, keys, chunk, tokens, new Configuration());
    }

    /** The same with extra Flink settings (e.g. RocksDB options) under the benchmark's own. */
    static double operatorTokensPerSecond(LinearAttention attention, String backend, int keys, int chunk,
            long tokens, Configuration extra) throws Exception {
        return operatorTokensPerSecond(attention, backend, new Generate(keys, chunk), chunk, tokens, extra);
    }

    /** The rate of a job whose records {@code generator} makes ({@code chunk} tokens each). */
    static double operatorTokensPerSecond(LinearAttention attention, String backend,
            RichMapFunction<Long, TokenRecord> generator, int chunk, long tokens, Configuration extra) throws Exception {
        Configuration conf = new Configuration(extra);
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(StateBackendOptions.STATE_BACKEND, backend);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        long records = Math.max(2, tokens / chunk);
        DataStream<TokenRecord> in = env.fromSequence(0, records - 1)
                .map(generator, RecordTypes.TOKEN_RECORD);
        TimingSink.reset();
        attention.apply(in).outputs().sinkTo(new TimingSink());
        env.execute("operator benchmark " + backend + " chunk " + chunk);
        // the first record's outputs mark the start: the remaining records' tokens over the elapsed time
        return (records - 1) * (double) chunk / ((TimingSink.last - TimingSink.first) / 1e9);
    }

    /** Discards outputs, remembering when the first and the last arrived (same JVM: local cluster). */
    static final class TimingSink implements Sink<AttentionOutput> {
        private static final long serialVersionUID = 1L;
        static volatile long first;
        static volatile long last;

        static void reset() {
            first = 0;
            last = 0;
        }

        @Override
        public SinkWriter<AttentionOutput> createWriter(WriterInitContext context) {
            return new SinkWriter<>() {
                @Override
                public void write(AttentionOutput o, Context c) {
                    long now = System.nanoTime();
                    if (first == 0) {
                        first = now;
                    }
                    last = now;
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }

    /**
     * Bare engine of any model: chunks of {@code chunk} ids (as {@link IdChunks}) round-robin over
     * the keys' states, {@code tokens} in all, on this thread.
     */
    static double engineTokensPerSecond(SequenceModel model, int keys, int chunk, long tokens) {
        ModelStepper st = model.newStepper();
        ModelState[] states = new ModelState[keys];
        for (int k = 0; k < keys; k++) {
            states[k] = model.newState();
        }
        int[] ids = new Random(1).ints(1 << 16, 0, model.vocabSize()).toArray();
        double[] ys = new double[chunk * model.outputWidth()];
        long done = 0;
        long t0 = System.nanoTime();
        for (long rec = 0; done < tokens; rec++) {
            int off = (int) (((rec / keys) * chunk) % (ids.length - chunk));
            st.stepTokens(states[(int) (rec % keys)], ids, off, chunk, ys, 0);
            done += chunk;
        }
        return done / ((System.nanoTime() - t0) / 1e9);
    }

    public static void main(String[] args) throws Exception {
        BenchArgs a = BenchArgs.parse(args, "OperatorBenchmark [--tokens N] [--chunks 1,64,1024] "
                + "[--backends hashmap,rocksdb] [--keys K] [--repeats R]",
                Set.of("--tokens", "--chunks", "--backends", "--keys", "--repeats"), Set.of());
        long tokens = (long) a.number("--tokens", 1_000_000);
        int[] chunks = java.util.Arrays.stream(a.text("--chunks", "1,64,1024").split(","))
                .mapToInt(Integer::parseInt).toArray();
        String[] backends = a.text("--backends", "hashmap,rocksdb").split(",");
        int keys = a.integer("--keys", 16);
        int repeats = a.integer("--repeats", 3);
        AttentionConfig cfg = AttentionConfig.builder().dModel(64).heads(4).dKey(16).dValue(16).dOut(64)
                .vocab("ACGT").build();
        Model model = ModelFiles.random(cfg, 42L);
        LinearAttention attention = LinearAttention.builder(model).build();
        System.out.printf(Locale.ROOT, "model: %s, %d keys, parallelism 1, %d cores%n", cfg, keys,
                Runtime.getRuntime().availableProcessors());
        operatorTokensPerSecond(attention, "hashmap", keys, 64, 100_000); // warm-up: class loading, JIT
        engineTokensPerSecond(model, keys, 64, 500_000);    // warm-up of the engine's loops

        List<String> rows = new ArrayList<>();
        rows.add("| backend | tokens/record | operator tokens/s | engine tokens/s | operator / engine |");
        rows.add("|---|---|---|---|---|");
        for (String backend : backends) {
            for (int chunk : chunks) {
                long n = chunk == 1 ? tokens / 10 : tokens;
                double op = 0;
                double eng = 0;
                for (int rep = 0; rep < repeats; rep++) { // best of: the machine may be shared
                    op = Math.max(op, operatorTokensPerSecond(attention, backend, keys, chunk, n));
                    eng = Math.max(eng, engineTokensPerSecond(model, keys, chunk, n));
                }
                String row = String.format(Locale.ROOT, "| %s | %d | %,.0f | %,.0f | %.2f |", backend, chunk, op, eng,
                        op / eng);
                rows.add(row);
                System.out.println(row);
            }
        }
        System.out.println();
        rows.forEach(System.out::println);
    }
}
