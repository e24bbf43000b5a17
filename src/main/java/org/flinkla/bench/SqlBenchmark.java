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
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.data.RowData;
import org.apache.flink.types.Row;
import org.flinkla.flink.LinearAttention;
import org.flinkla.flink.ModelReference;
import org.flinkla.model.Model;
import org.flinkla.model.ModelFiles;
import org.flinkla.sql.LinearAttentionSql;

/**
 * The SQL path next to the DataStream path, in one JVM, without Kafka: the same in-memory DNA chunks
 * (over {@code --keys} sequences) through {@code LINEAR_ATTENTION} (the process table function, one
 * output row per token) and through the keyed DataStream operator ({@link LinearAttention}, one
 * output record per input record), to discarding sinks, parallelism 1, both reading the bench model
 * from the same file. Rates are measured at the sink from the first output to the last (job start
 * and shutdown excluded); SQL and DataStream runs alternate and the best of each is kept.
 *
 * <pre>{@code
 * java --add-modules jdk.incubator.vector -cp target/flink-linear-attention.jar org.flinkla.bench.SqlBenchmark \
 *     [--tokens 1000000] [--chunks 1,64,1024] [--backends hashmap,rocksdb] [--keys 16] [--repeats 3]
 * }</pre>
 */
public final class SqlBenchmark {
    private SqlBenchmark() {}

    static final TypeInformation<Row> ROW = Types.ROW_NAMED(new String[] {"seq", "pos", "tokens"}, Types.STRING,
            Types.LONG, Types.STRING);

    /** The rows (seq, pos, tokens) of the records {@link OperatorBenchmark.Generate} makes. */
    static final class GenerateRows extends OperatorBenchmark.Chunks<Row> {
        private static final long serialVersionUID = 1L;

        GenerateRows(int keys, int chunk) {
            super(keys, chunk);
        }

        @Override
        Row record(String seq, long pos, String symbols) {
            return Row.of(seq, pos, symbols);
        }
    }

    /** Counts rows (Flink's internal form: no conversion), remembering when the first and the last arrived. */
    static final class CountingSink implements Sink<RowData> {
        private static final long serialVersionUID = 1L;
        static volatile long first;
        static volatile long last;
        static volatile long rows;

        static void reset() {
            first = 0;
            last = 0;
            rows = 0;
        }

        @Override
        public SinkWriter<RowData> createWriter(WriterInitContext context) {
            return new SinkWriter<>() {
                @Override
                public void write(RowData r, Context c) {
                    long now = System.nanoTime();
                    if (first == 0) {
                        first = now;
                    }
                    last = now;
                    rows++;
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }

    static Configuration conf(String backend) {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(StateBackendOptions.STATE_BACKEND, backend);
        return conf;
    }

    /** LINEAR_ATTENTION's steady rate: output rows (one per token) after the first record's over the elapsed time. */
    static double sqlTokensPerSecond(String modelUri, String backend, int keys, int chunk, long tokens) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf(backend));
        env.setParallelism(1);
        StreamTableEnvironment tEnv = StreamTableEnvironment.create(env);
        LinearAttentionSql.register(tEnv);
        long records = Math.max(2, tokens / chunk);
        DataStream<Row> in = env.fromSequence(0, records - 1).map(new GenerateRows(keys, chunk), ROW);
        tEnv.createTemporaryView("tokens", tEnv.fromDataStream(in));
        Table out = tEnv.sqlQuery("SELECT * FROM LINEAR_ATTENTION(input => TABLE tokens PARTITION BY seq, model => '"
                + modelUri + "', uid => 'bench')");
        CountingSink.reset();
        // internal rows to the sink, as a table sink gets them (no conversion to Row and boxed Double[])
        DataStream<RowData> rows = tEnv.toDataStream(out,
                out.getResolvedSchema().toPhysicalRowDataType().bridgedTo(RowData.class));
        rows.sinkTo(new CountingSink());
        env.execute("sql benchmark " + backend + " chunk " + chunk);
        if (CountingSink.rows != records * chunk) {
            throw new IllegalStateException("expected " + records * chunk + " output rows, got " + CountingSink.rows);
        }
        return (CountingSink.rows - chunk) / ((CountingSink.last - CountingSink.first) / 1e9);
    }

    public static void main(String[] args) throws Exception {
        long tokens = 1_000_000;
        int[] chunks = {1, 64, 1024};
        String[] backends = {"hashmap", "rocksdb"};
        int keys = 16;
        int repeats = 3;
        for (int i = 0; i < args.length; i += 2) {
            String v = i + 1 < args.length ? args[i + 1] : "";
            switch (args[i]) {
                case "--tokens": tokens = Long.parseLong(v); break;
                case "--chunks": chunks = java.util.Arrays.stream(v.split(",")).mapToInt(Integer::parseInt).toArray(); break;
                case "--backends": backends = v.split(","); break;
                case "--keys": keys = Integer.parseInt(v); break;
                case "--repeats": repeats = Integer.parseInt(v); break;
                default:
                    System.err.println("usage: SqlBenchmark [--tokens N] [--chunks 1,64,1024] "
                            + "[--backends hashmap,rocksdb] [--keys K] [--repeats R]");
                    System.exit(2);
            }
        }
        Model model = OperatorThroughput.benchModel();
        Path dir = Files.createTempDirectory("flinkla-sql-bench");
        Path file = dir.resolve("bench.safetensors");
        ModelFiles.save(model, file);
        file.toFile().deleteOnExit();
        dir.toFile().deleteOnExit();
        String uri = file.toUri().toString();
        // both paths load the model by reference from the same file
        LinearAttention attention = LinearAttention.builder(ModelReference.uri(uri, java.util.Map.of())).build();
        System.out.println("machine: " + MachineInfo.capture().describe());
        System.out.printf(Locale.ROOT, "model: %s, %d keys, parallelism 1%n", model.architecture(), keys);
        sqlTokensPerSecond(uri, "hashmap", keys, 64, 100_000); // warm-up: planner, class loading, JIT
        OperatorBenchmark.operatorTokensPerSecond(attention, "hashmap", keys, 64, 100_000);

        List<String> rows = new ArrayList<>();
        rows.add("| backend | tokens/record | SQL tokens/s | DataStream tokens/s | SQL / DataStream |");
        rows.add("|---|---|---|---|---|");
        for (String backend : backends) {
            for (int chunk : chunks) {
                long n = chunk == 1 ? tokens / 10 : tokens;
                double sql = 0;
                double ds = 0;
                for (int rep = 0; rep < repeats; rep++) { // best of: the machine may be shared
                    sql = Math.max(sql, sqlTokensPerSecond(uri, backend, keys, chunk, n));
                    ds = Math.max(ds, OperatorBenchmark.operatorTokensPerSecond(attention, backend, keys, chunk, n));
                }
                String row = String.format(Locale.ROOT, "| %s | %d | %,.0f | %,.0f | %.2f |", backend, chunk, sql, ds,
                        sql / ds);
                rows.add(row);
                System.out.println(row);
            }
        }
        System.out.println();
        System.out.println("load average after: " + MachineInfo.readLoadAverage());
        rows.forEach(System.out::println);
    }
}
