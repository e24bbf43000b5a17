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
import java.util.concurrent.Callable;
import org.flinkla.bench.BenchSuite;
import org.flinkla.bench.ScalingCurves;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench [--quick] [--out FILE.json]}: engine, operator and end-to-end throughput side by side
 * in one run, printed as JSON ({@link BenchSuite}); {@code bench --curves DIR}: the scaling curves
 * as CSV + SVG ({@link ScalingCurves}).
 */
@Command(name = "bench", header = "Benchmarks: engine, operator, end to end.",
        synopsisHeading = "%nusage: ", customSynopsis = Cli.JAR + " bench [options]",
        descriptionHeading = "%n", parameterListHeading = "%narguments:%n", optionListHeading = "%noptions:%n",
        footerHeading = "%n", sortOptions = false,
        description = {
            "Measures, one after the other in one run, and prints one JSON document on stdout",
            "(progress on stderr):",
            "  engine      tokens/s of one layer (d_model 64, 4 heads, elu, float64), JMH EngineBenchmark,",
            "              vector step and token step",
            "  operator    in-memory source -> keyed operator -> discarding sink, heap and RocksDB,",
            "              chunks of 1024 tokens, next to the bare engine in the same JVM",
            "  e2e         Kafka -> Flink -> Kafka on the embedded default (in-process broker +"
                    + " MiniCluster),",
            "              binary chunks of 1024, exactly-once",
            "%nThe document also holds the ratios (operator/engine, rocksdb/heap, e2e/engine), the"
                    + " performance targets and the machine (cores, os.arch, CPU model, JVM, load"
                    + " average). A full run takes about 5-10 minutes."},
        footer = "Method and current numbers: BENCHMARKS.md")
final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--quick", description = "shorter runs (about a minute)")
    boolean quick;

    @Option(names = "--out", paramLabel = "FILE.json", description = "also write the JSON there")
    Path out;

    @Option(names = "--only", paramLabel = "PARTS", split = ",", description = "comma-separated subset of"
            + " engine,operator,e2e")
    List<String> only;

    @Option(names = "--e2e-tokens", paramLabel = "N", converter = Cli.PositiveLong.class,
            description = "tokens of the end-to-end run (default 5000000, quick 1000000)")
    Long e2eTokens;

    @Option(names = "--e2e-parallelism", paramLabel = "N", converter = Cli.PositiveInt.class,
            description = "parallelism of the end-to-end job (default 2)")
    Integer e2eParallelism;

    @Option(names = "--e2e-keys", paramLabel = "N", converter = Cli.PositiveInt.class,
            description = "sequences of the end-to-end input (default 64)")
    Integer e2eKeys;

    @Option(names = "--e2e-guarantee", paramLabel = "G", description = "exactly-once (default) or"
            + " at-least-once")
    String e2eGuarantee;

    @Option(names = "--e2e-backend", paramLabel = "B", description = "hashmap (default) or rocksdb")
    String e2eBackend;

    @Option(names = "--e2e-format", paramLabel = "F", description = "binary (default) or json")
    String e2eFormat;

    @Option(names = "--e2e-chunk", paramLabel = "N", converter = Cli.PositiveInt.class,
            description = "tokens per input record of the end-to-end run (default 1024; 1 = single tokens)")
    Integer e2eChunk;

    @Option(names = "--curves", paramLabel = "DIR", description = {
        "instead: write the scaling curves (CSV + SVG) into DIR: time and heap against sequence length"
                + " for linear / KV-cache / naive softmax (child JVMs), and operator throughput against"
                + " number of keys (heap, RocksDB, RocksDB with Bloom filters, RocksDB with partitioned"
                + " index/filters + Bloom; each series in a child JVM with a bounded heap); ~6-15 min,"
                + " with --quick ~3 min (shorter sequences, fewer keys)"})
    Path curves;

    @Option(names = "--fla", description = {
        "instead: tokens/s per core of a Gated DeltaNet LM (FLA model directory, hidden 256, 4 layers, 4"
                + " heads of 64, vocab 16): single tokens, chunks of 64/256/1024, bundles of 1/16/64 keys, the"
                + " operator at chunks of 256 next to the bare engine, GFLOP/s next to the measured FMA peak,"
                + " and scripts/bench/gdn_step_bench.py (PyTorch CPU, one thread) run as a child process when"
                + " /usr/bin/python3 has torch (run from the repository root); ends with the targets, met or"
                + " not"})
    boolean fla;

    @Option(names = "--fla-seconds", paramLabel = "S", converter = Cli.PositiveDouble.class,
            description = "seconds per measurement of --fla (default ${DEFAULT-VALUE})")
    double flaSeconds = 10;

    @Mixin
    Cli.Common common;

    BenchCommand() {}

    @Override
    public Integer call() throws Exception {
        if (only != null) {
            for (String p : only) {
                Cli.choice(spec, "--only", p, "engine", "operator", "e2e");
            }
        }
        if (e2eGuarantee != null) {
            Cli.choice(spec, "--e2e-guarantee", e2eGuarantee, "exactly-once", "at-least-once");
        }
        if (e2eBackend != null) {
            Cli.choice(spec, "--e2e-backend", e2eBackend, "hashmap", "rocksdb");
        }
        if (e2eFormat != null) {
            Cli.choice(spec, "--e2e-format", e2eFormat, "binary", "json");
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
                s = s.only(new LinkedHashSet<>(only));
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
            // the whole command line when run from Main: the arguments after "bench"
            List<String> given = spec.commandLine().getParseResult().originalArgs();
            if (spec.parent() != null) {
                given = given.subList(given.indexOf(spec.name()) + 1, given.size());
            }
            report.put("command", Cli.JAR + " bench " + String.join(" ", given));
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
}
