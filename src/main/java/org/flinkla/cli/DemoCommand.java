package org.flinkla.cli;

import java.nio.file.Path;
import java.util.Locale;
import org.flinkla.demo.ChromosomeDemo;
import org.flinkla.demo.MemoryCurves;
import org.flinkla.engine.Variant;

/**
 * {@code demo}: the chromosome demo (DESIGN §7).
 *
 * <pre>{@code
 * java -jar target/flink-linear-attention.jar demo --bases 100000 --report reports/run1
 * }</pre>
 */
final class DemoCommand {
    private DemoCommand() {}

    static final String USAGE = String.join("\n",
            "usage: java -jar target/flink-linear-attention.jar demo [options]",
            "",
            "Streams the first N bases of human chromosome 1 (>humanchr1_frag, 330,000 bp, shipped with the jar)",
            "through the linear-attention job on an in-process Kafka broker and Flink MiniCluster, then measures",
            "memory against tokens for linear attention, KV-cache softmax and naive softmax in child JVMs, and",
            "writes a report folder (summary.json, memory.csv, report.html, model.safetensors).",
            "",
            "options:",
            "  --bases N            bases to stream (default 100000; beyond 330,000 the fragment repeats)",
            "  --report DIR         report folder (default reports/demo-<yyyyMMdd-HHmmss>)",
            "  --job FILE           the job definition (default flink-jobs/chr1-demo.yaml: its model, topics,",
            "                       guarantee, checkpointing)",
            "  --variant V          linear | decay | gated | delta (default: the job's, linear)",
            "  --seed S             seed of the random model (default: the job's, 42)",
            "  --fasta FILE         another one-record FASTA file (.gz allowed) instead of the shipped one",
            "  --sha256 HEX         expected SHA-256 of FILE's uncompressed text (checked when given)",
            "  --pipeline P         kafka (default: in-process Kafka broker + Flink MiniCluster, the job as written)",
            "                       or engine (the same bases and model straight through the engine, no Kafka/Flink)",
            "  --no-memory          skip the memory curves",
            "  --memory-heap SIZE   -Xmx of each memory child JVM (default 24m)",
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
