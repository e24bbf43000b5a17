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

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * {@code bench --curves DIR}: the scaling curves as CSV and hand-written SVG.
 * <ul>
 *   <li>{@code seq-length.csv}, {@code seq-time.svg}, {@code seq-memory.svg}: time per token and
 *   heap against sequence length (10²…10⁷) for linear attention, KV-cache softmax and naive softmax
 *   ({@link SequenceLengthCurves}, one child JVM each, same {@code -Xmx});
 *   <li>{@code keys.csv}, {@code keys-throughput.svg}: operator tokens/s against number of keys
 *   (1…10⁶), heap and RocksDB ({@link KeyScaling}, one child JVM per backend);
 *   <li>{@code curves.json}: machine, settings, how each child ended.
 * </ul>
 *
 * <pre>{@code
 * new ScalingCurves(ScalingCurves.Settings.full()).run(Path.of("docs/bench"), System.err::println);
 * }</pre>
 */
public final class ScalingCurves {
    private static final String[] COLORS = {"#1b9e77", "#d95f02", "#7570b3", "#e7298a"};

    /** Sizes and limits of one run. */
    public record Settings(String mode, String seqXmx, long seqTokens, double seqBudgetSeconds, int[] keys,
            int[] rocksKeys, int[] bloomKeys, int[] tunedKeys, int keyChunk, long keyMinRecords, String heapXmx, String rocksXmx,
            long keyTimeoutSeconds) {
        /**
         * RocksDB with Flink's default options, and with Bloom filters alone, only up to 10⁵ keys:
         * at 10⁶ keys (and the local cluster's 128 MiB of managed memory) every lookup re-reads and
         * decompresses an SST file's whole index block, which no longer stays in the block cache,
         * and neither finished 2M records in 8 minutes (BENCHMARKS.md, "Throughput against the number of keys"). {@code rocksdb-tuned}
         * (partitioned index and filters + Bloom filters, what a job definition sets) runs to 10⁶.
         */
        public static Settings full() {
            return new Settings("full", "32m", 10_000_000, 90,
                    new int[] {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000},
                    new int[] {1, 10, 100, 1_000, 10_000, 100_000}, new int[] {10_000, 100_000},
                    new int[] {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000},
                    16, 65_536, "2g", "512m", 480);
        }

        public static Settings quick() {
            return new Settings("quick", "32m", 1_000_000, 20, new int[] {1, 100, 10_000, 100_000},
                    new int[] {1, 100, 10_000}, new int[] {10_000, 100_000}, new int[] {1, 100, 10_000, 100_000},
                    16, 32_768, "1g", "512m", 300);
        }
    }

    private final Settings s;

    public ScalingCurves(Settings settings) {
        this.s = settings;
    }

    public void run(Path dir, Consumer<String> log) throws IOException {
        Files.createDirectories(dir);
        MachineInfo machine = MachineInfo.capture();
        log.accept("curves (" + s.mode() + ") into " + dir + " on " + machine.describe());
        long t0 = System.nanoTime();
        ObjectNode summary = JsonNodeFactory.instance.objectNode();
        summary.put("command", "java -jar target/flink-linear-attention.jar bench --curves " + dir
                + (s.mode().equals("quick") ? " --quick" : ""));
        summary.set("machine", machine.toJson());

        log.accept("sequence length: linear / kv / naive, -Xmx" + s.seqXmx() + ", up to " + s.seqTokens()
                + " tokens, " + s.seqBudgetSeconds() + " s budget each ...");
        List<SequenceLengthCurves.Series> seq = new SequenceLengthCurves(s.seqXmx(), s.seqTokens(),
                s.seqBudgetSeconds()).run(log);
        writeSequenceLength(dir, seq);
        ObjectNode sj = summary.putObject("sequence_length");
        sj.put("xmx", s.seqXmx()).put("max_tokens", s.seqTokens()).put("budget_seconds", s.seqBudgetSeconds())
                .put("model", "d_model 64, 4 heads of 16, d_out 64, elu, float64, seed 42");
        ArrayNode ends = sj.putArray("methods");
        for (SequenceLengthCurves.Series x : seq) {
            ends.addObject().put("method", x.method()).put("outcome", x.outcome()).put("tokens", x.tokens())
                    .put("seconds", x.seconds()).put("detail", x.detail());
        }

        List<KeyScaling.Point> keys = new ArrayList<>();
        long keyTimeout = s.keyTimeoutSeconds();
        log.accept("keys: heap (-Xmx" + s.heapXmx() + ") ...");
        keys.addAll(KeyScaling.run("hashmap", s.heapXmx(), s.keys(), s.keyChunk(), s.keyMinRecords(), keyTimeout, log));
        log.accept("keys: RocksDB (-Xmx" + s.rocksXmx() + ") ...");
        keys.addAll(KeyScaling.run("rocksdb", s.rocksXmx(), s.rocksKeys(), s.keyChunk(), s.keyMinRecords(), keyTimeout,
                log));
        log.accept("keys: RocksDB with Bloom filters (-Xmx" + s.rocksXmx() + ") ...");
        keys.addAll(KeyScaling.run("rocksdb-bloom", s.rocksXmx(), s.bloomKeys(), s.keyChunk(), s.keyMinRecords(),
                keyTimeout, log));
        log.accept("keys: RocksDB with partitioned index/filters and Bloom filters (-Xmx" + s.rocksXmx() + ") ...");
        keys.addAll(KeyScaling.run("rocksdb-tuned", s.rocksXmx(), s.tunedKeys(), s.keyChunk(), s.keyMinRecords(),
                keyTimeout, log));
        writeKeys(dir, keys, java.util.Map.of("hashmap", s.keys(), "rocksdb", s.rocksKeys(), "rocksdb-bloom",
                s.bloomKeys(), "rocksdb-tuned", s.tunedKeys()), keyTimeout);
        ObjectNode kj = summary.putObject("keys");
        kj.put("model", "d_model 16, 2 heads of 8, d_out 16, elu, float64, seed 42")
                .put("state_bytes_per_key", KeyScaling.STATE_BYTES).put("chunk", s.keyChunk())
                .put("min_records", s.keyMinRecords()).put("hashmap_xmx", s.heapXmx())
                .put("rocksdb_xmx", s.rocksXmx()).put("parallelism", 1).put("checkpointing", "off")
                .put("timeout_seconds_per_backend", keyTimeout)
                .put("rocksdb_bloom", "state.backend.rocksdb.use-bloom-filter: true")
                .put("rocksdb_tuned", "state.backend.rocksdb.memory.partitioned-index-filters: true, "
                        + "state.backend.rocksdb.use-bloom-filter: true")
                .put("managed_memory", "local cluster default (128 MiB)");
        ArrayNode kp = kj.putArray("points");
        for (KeyScaling.Point p : keys) {
            kp.addObject().put("backend", p.backend()).put("keys", p.keys()).put("tokens", p.tokens())
                    .put("tokens_per_second", Math.rint(p.tokensPerSecond()));
        }
        summary.put("load_average_after", MachineInfo.readLoadAverage());
        summary.put("seconds", Math.rint((System.nanoTime() - t0) / 1e6) / 1e3);
        Files.writeString(dir.resolve("curves.json"),
                new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(summary) + "\n");
        log.accept(String.format(Locale.ROOT, "curves written to %s in %.0f s", dir, (System.nanoTime() - t0) / 1e9));
    }

    static void writeSequenceLength(Path dir, List<SequenceLengthCurves.Series> seq) throws IOException {
        StringBuilder csv = new StringBuilder("method,tokens,ns_per_token,heap_bytes\n");
        for (SequenceLengthCurves.Series x : seq) {
            for (SequenceLengthCurves.Point p : x.points()) {
                csv.append(String.format(Locale.ROOT, "%s,%d,%.1f,%d%n", x.method(), p.tokens(), p.nsPerToken(),
                        p.heapBytes()));
            }
        }
        Files.writeString(dir.resolve("seq-length.csv"), csv, StandardCharsets.UTF_8);

        LogChart time = new LogChart("Time per token against sequence length", "tokens in the sequence",
                "µs per token", true).subtitle("one child JVM per method, same -Xmx; ○ = where the run stopped");
        LogChart mem = new LogChart("Memory against sequence length", "tokens in the sequence", "MiB", true)
                .subtitle("linear, KV cache: heap after full GC; naive: peak heap during the pass");
        long maxHeap = 0;
        for (int i = 0; i < seq.size(); i++) {
            SequenceLengthCurves.Series x = seq.get(i);
            double[] n = x.points().stream().mapToDouble(SequenceLengthCurves.Point::tokens).toArray();
            double[] us = x.points().stream().mapToDouble(p -> p.nsPerToken() / 1e3).toArray();
            double[] mib = x.points().stream().mapToDouble(p -> p.heapBytes() / 1048576.0).toArray();
            String note = endNote(x);
            time.series(displayName(x.method()), COLORS[i % COLORS.length], n, us, note);
            mem.series(displayName(x.method()), COLORS[i % COLORS.length], n, mib, note);
            maxHeap = Math.max(maxHeap, x.maxHeapBytes());
        }
        if (maxHeap > 0) {
            mem.hline(maxHeap / 1048576.0, String.format(Locale.ROOT, "heap limit (-Xmx) %.0f MiB", maxHeap / 1048576.0));
        }
        Files.writeString(dir.resolve("seq-time.svg"), time.render(820, 460), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("seq-memory.svg"), mem.render(820, 460), StandardCharsets.UTF_8);
    }

    static void writeKeys(Path dir, List<KeyScaling.Point> keys, java.util.Map<String, int[]> requestedKeys,
            long timeoutSeconds) throws IOException {
        StringBuilder csv = new StringBuilder("backend,keys,records,tokens,tokens_per_second\n");
        for (KeyScaling.Point p : keys) {
            csv.append(String.format(Locale.ROOT, "%s,%d,%d,%d,%.0f%n", p.backend(), p.keys(), p.records(), p.tokens(),
                    p.tokensPerSecond()));
        }
        Files.writeString(dir.resolve("keys.csv"), csv, StandardCharsets.UTF_8);
        LogChart chart = new LogChart("Operator throughput against number of keys", "keys (sequences)",
                "tokens/s", false).subtitle("d_model 16, 2 heads, " + KeyScaling.STATE_BYTES
                        + " B state per key; chunks of 16 tokens, round-robin over the keys, parallelism 1");
        int maxRequested = requestedKeys.values().stream().flatMapToInt(java.util.Arrays::stream).max().orElse(0);
        int i = 0;
        boolean shortNoted = false;
        for (String backend : new String[] {"hashmap", "rocksdb", "rocksdb-bloom", "rocksdb-tuned"}) {
            List<KeyScaling.Point> ps = keys.stream().filter(p -> p.backend().equals(backend)).toList();
            int[] requested = requestedKeys.getOrDefault(backend, new int[0]);
            if (ps.isEmpty() && requested.length == 0) {
                continue;
            }
            // a backend that did not reach every key count gets a note where it stopped
            String note = ps.size() < requested.length && !ps.isEmpty()
                    ? String.format(Locale.ROOT, "%s keys not done within %d s", LogChart.compact(requested[ps.size()]),
                            timeoutSeconds)
                    : null;
            // the first series deliberately run to fewer keys than the others says so, once (the notes
            // of two such series would overlap; why they stop: BENCHMARKS.md, "10⁶ keys on RocksDB")
            if (note == null && !shortNoted && ps.size() == requested.length && requested.length > 0
                    && requested[requested.length - 1] < maxRequested) {
                note = String.format(Locale.ROOT, "not run at %s keys (see BENCHMARKS.md)", LogChart.compact(maxRequested));
                shortNoted = true;
            }
            chart.series(seriesName(backend), COLORS[i++ % COLORS.length],
                    ps.stream().mapToDouble(KeyScaling.Point::keys).toArray(),
                    ps.stream().mapToDouble(KeyScaling.Point::tokensPerSecond).toArray(), note);
        }
        Files.writeString(dir.resolve("keys-throughput.svg"), chart.render(820, 440), StandardCharsets.UTF_8);
    }

    static String seriesName(String backend) {
        switch (backend) {
            case "hashmap": return "heap (hashmap)";
            case "rocksdb": return "RocksDB (Flink's default options)";
            case "rocksdb-bloom": return "RocksDB with Bloom filters";
            case "rocksdb-tuned": return "RocksDB, partitioned index/filters + Bloom";
            default: return backend;
        }
    }

    static String displayName(String method) {
        switch (method) {
            case "linear": return "linear attention (recurrent state)";
            case "kv": return "softmax with KV cache";
            case "naive": return "softmax, naive (N×N scores)";
            default: return method;
        }
    }

    /** Where and why a curve stops, e.g. "OutOfMemoryError at 16,384 tokens". */
    static String endNote(SequenceLengthCurves.Series x) {
        long n = x.points().isEmpty() ? 0 : x.points().get(x.points().size() - 1).tokens();
        switch (x.outcome()) {
            case "completed": return String.format(Locale.ROOT, "completed %s tokens", LogChart.compact(x.tokens()));
            case "out_of_memory": return String.format(Locale.ROOT, "OutOfMemoryError after %s", LogChart.compact(n));
            case "time_budget": return String.format(Locale.ROOT, "time budget (%.0f s) at %s", x.seconds(),
                    LogChart.compact(n));
            default: return x.outcome() + " at " + LogChart.compact(n);
        }
    }
}
