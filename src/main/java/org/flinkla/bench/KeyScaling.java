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

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
import org.apache.flink.state.rocksdb.RocksDBOptions;
import org.flinkla.engine.AttentionConfig;
import org.flinkla.flink.LinearAttention;
import org.flinkla.flink.SequenceStateSerializer;
import org.flinkla.model.Model;
import org.flinkla.model.ModelFiles;

/**
 * Operator throughput against the number of keys (sequences), heap and RocksDB: for each backend a
 * child JVM (one local TaskManager with a bounded {@code -Xmx}) runs {@link OperatorBenchmark}'s job
 * (in-memory chunks, round-robin over the keys → operator → discarding sink, parallelism 1) once
 * per key count (after three warm-up jobs; best of two runs where a point has at most 4M tokens).
 * Every key gets at least two records, so most records read a state that exists.
 *
 * <p>Smaller model than the other benchmarks, so that 10⁶ states fit a bounded heap on the heap
 * backend: d_model 16, 2 heads of 8, elu, float64 — {@value #STATE_BYTES} bytes of state per key.
 *
 * <pre>{@code
 * java -Xmx512m -cp target/flink-linear-attention.jar org.flinkla.bench.KeyScaling rocksdb-tuned 1,1000,1000000 16 131072
 * # extra Flink settings after the four arguments, e.g. taskmanager.memory.managed.size=512m
 * }</pre>
 */
public final class KeyScaling {
    /** Serialized state per key of {@link #model()}: 35 + 2·(8·8 + 8)·8. */
    public static final long STATE_BYTES = 35 + 2 * (8 * 8 + 8) * 8;

    /** One point: key count, records, tokens, operator tokens/s. */
    public record Point(String backend, int keys, long records, long tokens, double tokensPerSecond) {}

    private KeyScaling() {}

    /** d_model 16, 2 heads of 8, d_out 16, elu, float64 state, vocabulary ACGT, seed 42. */
    public static Model model() {
        return ModelFiles.random(AttentionConfig.builder().dModel(16).heads(2).dKey(8).dValue(8).dOut(16)
                .vocab("ACGT").build(), 42L);
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: KeyScaling <hashmap|rocksdb|rocksdb-bloom|rocksdb-tuned> <keys,keys,...> <chunk> "
                    + "<min-records> [flink.key=value ...]");
            System.exit(2);
        }
        String series = args[0];
        String backend = series.startsWith("rocksdb") ? "rocksdb" : series;
        Configuration flink = seriesConfiguration(series);
        for (int i = 4; i < args.length; i++) { // extra settings, for trying options by hand
            int eq = args[i].indexOf('=');
            if (eq < 1) {
                throw new IllegalArgumentException("extra setting '" + args[i] + "' is not key=value");
            }
            flink.setString(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        int[] keys = Arrays.stream(args[1].split(",")).mapToInt(Integer::parseInt).toArray();
        int chunk = Integer.parseInt(args[2]);
        long minRecords = Long.parseLong(args[3]);
        Model model = model();
        long bytes = SequenceStateSerializer.serializedBytes(model.config().statePrecision(),
                new org.flinkla.engine.RecurrentLinearAttention(model.config(), model.weights()).stateLength());
        if (bytes != STATE_BYTES) {
            throw new IllegalStateException("state bytes per key " + bytes + ", expected " + STATE_BYTES);
        }
        LinearAttention attention = LinearAttention.builder(model).build();
        // warm-up: the first jobs of a JVM run partly interpreted (C2 compiles on a shared core), which
        // would make the small key counts look slow
        for (int i = 0; i < 3; i++) {
            OperatorBenchmark.operatorTokensPerSecond(attention, backend, 1000, chunk, 1_000_000, flink);
        }
        for (int k : keys) {
            long records = Math.max(2L * k, minRecords);
            // best of two where that is cheap (a shared machine only ever slows a run down)
            int repeats = records * chunk <= 4_000_000 ? 2 : 1;
            double rate = 0;
            for (int r = 0; r < repeats; r++) {
                rate = Math.max(rate, OperatorBenchmark.operatorTokensPerSecond(attention, backend, k, chunk,
                        records * chunk, flink));
            }
            System.out.println(String.format(Locale.ROOT, "%s,%d,%d,%d,%.0f", series, k, records, records * chunk, rate));
            System.out.flush();
        }
    }

    /**
     * Flink settings of a series: {@code hashmap} and {@code rocksdb} use Flink's defaults;
     * {@code rocksdb-bloom} adds Bloom filters to the SST files (Flink's default is without), so a
     * lookup of a key that is not stored yet skips files instead of searching each one;
     * {@code rocksdb-tuned} adds partitioned index and filters as well — what a job definition sets
     * by default — without which 10⁶ keys with the local cluster's 128 MiB of managed memory re-read
     * an SST file's whole index block on every lookup (BENCHMARKS.md, "Throughput against the number of keys").
     */
    static Configuration seriesConfiguration(String series) {
        Configuration flink = new Configuration();
        switch (series) {
            case "hashmap":
            case "rocksdb":
                break;
            case "rocksdb-bloom":
                flink.set(RocksDBConfigurableOptions.USE_BLOOM_FILTER, true);
                break;
            case "rocksdb-tuned":
                // what a job definition sets for RocksDB by default (AttentionJob.flinkConfiguration):
                // a two-level index (and filter) per SST file, so a lookup reads one small index
                // partition instead of the file's whole index block, plus Bloom filters
                flink.set(RocksDBOptions.USE_PARTITIONED_INDEX_FILTERS, true);
                flink.set(RocksDBConfigurableOptions.USE_BLOOM_FILTER, true);
                break;
            default:
                throw new IllegalArgumentException("unknown series '" + series
                        + "': hashmap, rocksdb, rocksdb-bloom or rocksdb-tuned");
        }
        return flink;
    }

    /** Runs the child for one backend; points in key order (fewer if the child failed: see the log). */
    static List<Point> run(String backend, String xmx, int[] keys, int chunk, long minRecords, long timeoutSeconds,
            Consumer<String> log) throws IOException {
        String list = Arrays.stream(keys).mapToObj(Integer::toString).collect(Collectors.joining(","));
        ChildJvm.Output o = ChildJvm.run(xmx, List.of(), KeyScaling.class,
                List.of(backend, list, Integer.toString(chunk), Long.toString(minRecords)), timeoutSeconds);
        List<Point> points = new ArrayList<>();
        for (String l : o.lines()) {
            if (l.startsWith(backend + ",")) {
                String[] f = l.split(",");
                points.add(new Point(backend, Integer.parseInt(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]),
                        Double.parseDouble(f[4])));
                log.accept(String.format(Locale.ROOT, "  keys: %s %,d keys: %,.0f tokens/s", backend,
                        points.get(points.size() - 1).keys(), points.get(points.size() - 1).tokensPerSecond()));
            }
        }
        if (points.size() < keys.length) {
            String tail = o.stderrTail();
            log.accept("  keys: " + backend + " child ended early (exit " + o.exitCode()
                    + (o.timedOut() ? ", killed at its time limit" : "") + "): "
                    + tail.substring(Math.max(0, tail.length() - 400)));
        }
        return points;
    }
}
