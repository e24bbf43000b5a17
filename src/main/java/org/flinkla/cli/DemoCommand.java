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

import java.nio.file.Path;
import java.util.Locale;
import org.flinkla.demo.ChromosomeDemo;
import org.flinkla.demo.DemoModel;
import org.flinkla.demo.MemoryCurves;
import org.flinkla.engine.Variant;

/**
 * {@code demo}: the chromosome demo.
 *
 * <pre>{@code
 * java --add-modules jdk.incubator.vector -jar target/flink-linear-attention.jar demo --bases 100000 --report reports/run1
 * }</pre>
 */
final class DemoCommand {
    private DemoCommand() {}

    static final String USAGE = String.join("\n",
            "usage: java [--add-modules jdk.incubator.vector] -jar target/flink-linear-attention.jar demo [options]",
            "",
            "Streams the first N bases of human chromosome 1 (>humanchr1_frag, 330,000 bp, shipped with the jar)",
            "through a trained DNA language model (by default the Gated DeltaNet shipped in the jar) on an",
            "in-process Kafka broker and Flink MiniCluster; every output carries the next-base probabilities and",
            "the surprisal of the base. Compares its bits per base with the shipped linear-attention model, an",
            "adaptive order-3 Markov model and the shipped softmax model (in a child JVM under the memory heap,",
            "as far as it gets), measures memory against tokens in child JVMs, and writes a report folder",
            "(summary.json, bits.csv, memory.csv, report.html).",
            "",
            "options:",
            "  --bases N            bases to stream (default 100000; beyond 330,000 the fragment repeats)",
            "  --model URI|PATH     the model instead of the job's (default " + DemoModel.DEFAULT_URI + "),",
            "                       e.g. " + DemoModel.LINEAR_URI + ", a model directory or a .safetensors file",
            "  --state-precision P  float32 | float64: the model's state precision (default: the model's own;",
            "                       float32 for FLA models, float64 for the others)",
            "  --report DIR         report folder (default reports/demo-<yyyyMMdd-HHmmss>)",
            "  --job FILE           the job definition (default flink-jobs/chr1-demo.yaml: its model, topics,",
            "                       emit fields, guarantee, checkpointing)",
            "  --seed S             instead of a trained model, a seeded random single attention layer (no",
            "                       next-base predictions: its outputs are hidden vectors) with this seed",
            "  --variant V          linear | decay | gated | delta: the seeded layer's variant (default linear)",
            "  --fasta FILE         another one-record FASTA file (.gz allowed) instead of the shipped one",
            "  --sha256 HEX         expected SHA-256 of FILE's uncompressed text (checked when given)",
            "  --pipeline P         kafka (default: in-process Kafka broker + Flink MiniCluster, the job as written)",
            "                       or engine (the same bases and model straight through the engine, no Kafka/Flink)",
            "  --no-compare         skip the comparisons (linear-elu, Markov, softmax)",
            "  --no-memory          skip the memory curves",
            "  --memory-heap SIZE   -Xmx of each memory child JVM and of the softmax child (default 24m)",
            "  --memory-tokens N    tokens per memory child (default: --bases)",
            "  --memory-budget S    seconds per memory child before it stops (default 30)",
            "  --help               this text");

    static int run(String[] args) throws Exception {
        ChromosomeDemo.Options o = ChromosomeDemo.Options.defaults();
        String heap = o.memoryOpt().heap();
        double budget = o.memoryOpt().budgetSeconds();
        long memoryTokens = -1;
        boolean memory = true;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--help":
                case "-h":
                    System.out.println(USAGE);
                    return 0;
                case "--bases":
                    o = o.withBases(Args.positiveLong(a, Args.value(args, ++i)));
                    break;
                case "--report":
                    o = o.withReport(Path.of(Args.value(args, ++i)));
                    break;
                case "--variant": {
                    String name = Args.value(args, ++i);
                    o = o.withVariant(parse(a, () -> Variant.parse(name)));
                    break;
                }
                case "--seed":
                    o = o.withSeed(Args.longValue(a, Args.value(args, ++i)));
                    break;
                case "--model":
                    o = o.withModel(Args.value(args, ++i));
                    break;
                case "--state-precision": {
                    String p = Args.value(args, ++i);
                    ChromosomeDemo.Options current = o;
                    o = parse(a, () -> current.withStatePrecision(p));
                    break;
                }
                case "--no-compare":
                    o = o.withCompare(false);
                    break;
                case "--fasta":
                    o = o.withFasta(Path.of(Args.value(args, ++i)), o.sha256());
                    break;
                case "--sha256":
                    o = o.withFasta(o.fasta(), Args.value(args, ++i).toLowerCase(Locale.ROOT));
                    break;
                case "--pipeline": {
                    String name = Args.value(args, ++i);
                    ChromosomeDemo.Options current = o;
                    o = parse(a, () -> current.withPipeline(name));
                    break;
                }
                case "--job":
                    o = o.withJob(Path.of(Args.value(args, ++i)));
                    break;
                case "--no-memory":
                    memory = false;
                    break;
                case "--memory-heap":
                    heap = Args.value(args, ++i);
                    if (!heap.matches("[0-9]+[kKmMgG]?")) {
                        throw new UsageException("--memory-heap: '" + heap + "' is not a heap size like 64m");
                    }
                    break;
                case "--memory-tokens":
                    memoryTokens = Args.positiveLong(a, Args.value(args, ++i));
                    break;
                case "--memory-budget":
                    budget = Double.parseDouble(Args.value(args, ++i));
                    if (!(budget > 0)) {
                        throw new UsageException("--memory-budget must be positive");
                    }
                    break;
                default:
                    throw new UsageException("demo: unknown option '" + a + "'\n" + USAGE);
            }
        }
        if (o.sha256() != null && o.fasta() == null) {
            throw new UsageException("--sha256 needs --fasta (the shipped data is always checked)");
        }
        o = o.withMemory(memory, new MemoryCurves.Options(heap, memoryTokens > 0 ? memoryTokens : o.bases(), budget,
                o.memoryOpt().samples()));
        ChromosomeDemo.Result r = new ChromosomeDemo(o, System.out, System.err).run();
        // the whole command, as a person waits for it: from the start of this JVM
        long jvmStart = java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime();
        System.err.println(String.format(Locale.ROOT, "wall time: %.1f s (the whole demo command, from JVM start)",
                (System.currentTimeMillis() - jvmStart) / 1e3));
        return r.complete() ? 0 : 1;
    }

    private static <T> T parse(String option, java.util.function.Supplier<T> f) {
        try {
            return f.get();
        } catch (IllegalArgumentException e) {
            throw new UsageException(option + ": " + e.getMessage());
        }
    }
}
