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
package org.flinkla.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.flinkla.bench.BenchSuite;
import org.flinkla.bench.ScalingCurves;

/**
 * {@code bench [--quick] [--out FILE.json]}: engine, operator and end-to-end throughput side by side
 * in one run, printed as JSON ({@link BenchSuite}); {@code bench --curves DIR}: the scaling curves
 * as CSV + SVG ({@link ScalingCurves}).
 */
final class BenchCommand {
    static final String USAGE = String.join("\n",
            "usage: java -jar target/flink-linear-attention.jar bench [options]",
            "",
            "Measures, one after the other in one run, and prints one JSON document on stdout",
            "(progress on stderr):",
            "  engine      tokens/s of one layer (d_model 64, 4 heads, elu, float64), JMH EngineBenchmark,",
            "              vector step and token step",
            "  operator    in-memory source -> keyed operator -> discarding sink, heap and RocksDB,",
            "              chunks of 1024 tokens, next to the bare engine in the same JVM",
            "  e2e         Kafka -> Flink -> Kafka on the embedded default (in-process broker + MiniCluster),",
            "              binary chunks of 1024, exactly-once",
            "with the ratios (operator/engine, rocksdb/heap, e2e/engine), the performance targets and the",
            "machine (cores, os.arch, CPU model, JVM, load average). A full run takes about 5-10 minutes.",
            "",
            "options:",
            "  --quick             shorter runs (about a minute)",
            "  --out FILE.json     also write the JSON there",
            "  --only PARTS        comma-separated subset of engine,operator,e2e",
            "  --e2e-tokens N      tokens of the end-to-end run (default 5000000, quick 1000000)",
            "  --e2e-parallelism N parallelism of the end-to-end job (default 2)",
            "  --e2e-keys N        sequences of the end-to-end input (default 64)",
            "  --e2e-guarantee G   exactly-once (default) or at-least-once",
            "  --e2e-backend B     hashmap (default) or rocksdb",
            "  --e2e-format F      binary (default) or json",
            "  --e2e-chunk N       tokens per input record of the end-to-end run (default 1024; 1 = single tokens)",
            "  --curves DIR        instead: write the scaling curves (CSV + SVG) into DIR: time and heap",
            "                      against sequence length for linear / KV-cache / naive softmax (child JVMs),",
            "                      and operator throughput against number of keys (heap, RocksDB, RocksDB with",
            "                      Bloom filters, RocksDB with partitioned index/filters + Bloom; each series in",
            "                      a child JVM with a bounded heap); ~6-15 min,",
            "                      with --quick ~3 min (shorter sequences, fewer keys)",
            "  --fla               instead: tokens/s per core of a Gated DeltaNet LM (FLA model directory,",
            "                      hidden 256, 4 layers, 4 heads of 64, vocab 16), single tokens and chunks of",
            "                      256, next to scripts/bench/gdn_step_bench.py (PyTorch CPU, one thread) run",
            "                      as a child process when /usr/bin/python3 has torch (run from the repository root)",
            "  --fla-seconds S     seconds per measurement of --fla (default 10)",
            "  --help              this text");

    private BenchCommand() {}

    static int run(String[] args) throws Exception {
        boolean quick = false;
        Path out = null;
        Path curves = null;
        Set<String> only = null;
        Long e2eTokens = null;
        Integer e2eParallelism = null;
        Integer e2eKeys = null;
        String e2eGuarantee = null;
        String e2eBackend = null;
        String e2eFormat = null;
        Integer e2eChunk = null;
        boolean fla = false;
        double flaSeconds = 10;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--help":
                case "-h":
                    System.out.println(USAGE);
                    return 0;
                case "--quick":
                    quick = true;
                    break;
                case "--out":
                    out = Path.of(Args.value(args, ++i));
                    break;
                case "--curves":
                    curves = Path.of(Args.value(args, ++i));
                    break;
                case "--fla":
                    fla = true;
                    break;
                case "--fla-seconds":
                    flaSeconds = Args.positiveInt(args, ++i);
                    break;
                case "--only":
                    only = new LinkedHashSet<>(List.of(Args.value(args, ++i).split(",")));
                    for (String p : only) {
                        if (!Set.of("engine", "operator", "e2e").contains(p)) {
                            throw new UsageException("bench: --only takes engine, operator, e2e; got '" + p + "'");
                        }
                    }
                    break;
                case "--e2e-tokens":
                    e2eTokens = (long) Args.positiveInt(args, ++i);
                    break;
                case "--e2e-parallelism":
                    e2eParallelism = Args.positiveInt(args, ++i);
                    break;
                case "--e2e-keys":
                    e2eKeys = Args.positiveInt(args, ++i);
                    break;
                case "--e2e-guarantee":
                    e2eGuarantee = choice(args, ++i, "exactly-once", "at-least-once");
                    break;
                case "--e2e-backend":
                    e2eBackend = choice(args, ++i, "hashmap", "rocksdb");
                    break;
                case "--e2e-format":
                    e2eFormat = choice(args, ++i, "binary", "json");
                    break;
                case "--e2e-chunk":
                    e2eChunk = Args.positiveInt(args, ++i);
                    break;
                default:
                    throw new UsageException("bench: unknown option '" + args[i] + "'\n" + USAGE);
            }
        }
        PrintStream stdout = System.out;
        // Flink, Kafka and JMH may print to stdout; only the JSON document goes there.
        System.setOut(System.err);
        try {
            if (fla) {
                String doc = org.flinkla.bench.FlaBenchmark.run(flaSeconds, null).toPrettyString();
                stdout.println(doc);
                if (out != null) {
                    Files.writeString(out, doc + "\n");
                }
                return 0;
            }
            if (curves != null) {
                new ScalingCurves(quick ? ScalingCurves.Settings.quick() : ScalingCurves.Settings.full())
                        .run(curves, System.err::println);
                return 0;
            }
            BenchSuite.Settings s = quick ? BenchSuite.Settings.quick() : BenchSuite.Settings.full();
            if (only != null) {
                s = s.only(only);
            }
            if (e2eTokens != null) {
                s.e2e().tokens(e2eTokens);
            }
            if (e2eParallelism != null) {
                s.e2e().parallelism(e2eParallelism);
            }
            if (e2eKeys != null) {
                s.e2e().keys(e2eKeys);
            }
            if (e2eGuarantee != null) {
                s.e2e().guarantee(e2eGuarantee);
            }
            if (e2eBackend != null) {
                s.e2e().backend(e2eBackend);
            }
            if (e2eFormat != null) {
                s.e2e().format(e2eFormat);
            }
            if (e2eChunk != null) {
                s.e2e().chunk(e2eChunk);
            }
            ObjectNode report = new BenchSuite(s).run(System.err::println);
            report.put("command", "java -jar target/flink-linear-attention.jar bench " + String.join(" ", args));
            String json = new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(report);
            if (out != null) {
                if (out.toAbsolutePath().getParent() != null) {
                    Files.createDirectories(out.toAbsolutePath().getParent());
                }
                Files.writeString(out, json + "\n", StandardCharsets.UTF_8);
            }
            stdout.println(json);
            return 0;
        } finally {
            System.out.flush();
            System.setOut(stdout);
        }
    }

    private static String choice(String[] args, int i, String... allowed) {
        String v = Args.value(args, i);
        for (String a : allowed) {
            if (a.equals(v)) {
                return v;
            }
        }
        throw new UsageException("option " + args[i - 1] + " takes " + String.join(" or ", allowed) + ", got '" + v + "'");
    }
}
