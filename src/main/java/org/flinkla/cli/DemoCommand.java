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
import java.util.concurrent.Callable;
import org.flinkla.demo.ChromosomeDemo;
import org.flinkla.demo.DemoModel;
import org.flinkla.demo.MemoryCurves;
import org.flinkla.engine.Variant;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code demo}: the chromosome demo.
 *
 * <pre>{@code
 * java --add-modules jdk.incubator.vector -jar target/flink-linear-attention.jar demo --bases 100000 --report reports/run1
 * }</pre>
 */
@Command(name = "demo", header = "The chromosome demo on the embedded default.",
        synopsisHeading = "%nusage: ",
        customSynopsis = "java [--add-modules jdk.incubator.vector] -jar"
                + " target/flink-linear-attention.jar demo [options]",
        descriptionHeading = "%n", parameterListHeading = "%narguments:%n", optionListHeading = "%noptions:%n",
        footerHeading = "%n", sortOptions = false,
        description = {
            "Streams the first N bases of human chromosome 1 (>humanchr1_frag, 330,000 bp, shipped with"
                    + " the jar) through a trained DNA language model (by default the Gated DeltaNet"
                    + " shipped in the jar) on an in-process Kafka broker and Flink MiniCluster; every"
                    + " output carries the next-base probabilities and the surprisal of the base."
                    + " Compares its bits per base with the shipped linear-attention model, an adaptive"
                    + " order-3 Markov model and the shipped softmax model (in a child JVM under the"
                    + " memory heap, as far as it gets), measures memory against tokens in child JVMs,"
                    + " and writes a report folder (summary.json, bits.csv, memory.csv, report.html)."},
        footer = "The demo, its report and its numbers: docs/demo.md")
final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--bases", paramLabel = "N", converter = Cli.PositiveLong.class,
            description = "bases to stream (default ${DEFAULT-VALUE}; beyond 330,000 the fragment repeats)")
    long bases = ChromosomeDemo.Options.defaults().bases();

    @Option(names = "--model", paramLabel = "URI|PATH", description = {
        "the model instead of the job's (default " + DemoModel.DEFAULT_URI + "), for example "
                + DemoModel.LINEAR_URI + ", a model directory or a safetensors file"})
    String model;

    @Option(names = "--state-precision", paramLabel = "P", description = {
        "float32 | float64: the model's state precision (default: the model's own; float32 for FLA"
                + " models, float64 for the others)"})
    String statePrecision;

    @Option(names = "--report", paramLabel = "DIR", description = "report folder (default"
            + " reports/demo-<yyyyMMdd-HHmmss>)")
    Path report;

    @Option(names = "--job", paramLabel = "FILE", description = {
        "the job definition (default flink-jobs/chr1-demo.yaml: its model, topics, emit fields,"
                + " guarantee, checkpointing)"})
    Path job;

    @Option(names = "--seed", paramLabel = "S", converter = Cli.WholeLong.class, description = {
        "instead of a trained model, a seeded random single attention layer (no next-base predictions:"
                + " its outputs are hidden vectors) with this seed"})
    Long seed;

    @Option(names = "--variant", paramLabel = "V",
            description = "linear | decay | gated | delta: the seeded layer's variant (default linear)")
    String variant;

    @Option(names = "--fasta", paramLabel = "FILE",
            description = "another one-record FASTA file (.gz allowed) instead of the shipped one")
    Path fasta;

    @Option(names = "--sha256", paramLabel = "HEX", converter = Cli.Lower.class,
            description = "expected SHA-256 of FILE's uncompressed text (checked when given)")
    String sha256;

    @Option(names = "--pipeline", paramLabel = "P", description = {
        "kafka (default: in-process Kafka broker + Flink MiniCluster, the job as written) or engine (the"
                + " same bases and model straight through the engine, no Kafka/Flink)"})
    String pipeline;

    @Option(names = "--no-compare", description = "skip the comparisons (linear-elu, Markov, softmax)")
    boolean noCompare;

    @Option(names = "--warm-up", paramLabel = "N", converter = Cli.NonNegativeLong.class, description = {
        "at most N synthetic bases through the model while the broker and cluster start, so that the short"
                + " job runs JIT-compiled code as a long-running one would (default ${DEFAULT-VALUE}; 0: none)"})
    long warmUp = ChromosomeDemo.Options.defaults().warmUp();

    @Option(names = "--no-memory", description = "skip the memory curves")
    boolean noMemory;

    @Option(names = "--memory-heap", paramLabel = "SIZE",
            description = "-Xmx of each memory child JVM and of the softmax child (default ${DEFAULT-VALUE})")
    String heap = ChromosomeDemo.Options.defaults().memoryOpt().heap();

    @Option(names = "--memory-tokens", paramLabel = "N", converter = Cli.PositiveLong.class,
            description = "tokens per memory child (default: --bases)")
    Long memoryTokens;

    @Option(names = "--memory-budget", paramLabel = "S", converter = Cli.PositiveDouble.class,
            description = "seconds per memory child before it stops (default ${DEFAULT-VALUE})")
    double budget = ChromosomeDemo.Options.defaults().memoryOpt().budgetSeconds();

    @Mixin
    Cli.Common common;

    DemoCommand() {}

    @Override
    public Integer call() throws Exception {
        ChromosomeDemo.Options o = ChromosomeDemo.Options.defaults().withBases(bases).withCompare(!noCompare)
                .withWarmUp(warmUp);
        if (report != null) {
            o = o.withReport(report);
        }
        if (job != null) {
            o = o.withJob(job);
        }
        if (model != null) {
            o = o.withModel(model);
        }
        if (seed != null) {
            o = o.withSeed(seed);
        }
        if (variant != null) {
            o = o.withVariant(Cli.option(spec, "--variant", () -> Variant.parse(variant)));
        }
        if (statePrecision != null) {
            ChromosomeDemo.Options current = o;
            o = Cli.option(spec, "--state-precision", () -> current.withStatePrecision(statePrecision));
        }
        if (pipeline != null) {
            ChromosomeDemo.Options current = o;
            o = Cli.option(spec, "--pipeline", () -> current.withPipeline(pipeline));
        }
        if (!heap.matches("[0-9]+[kKmMgG]?")) {
            throw Cli.invalid(spec, "--memory-heap", "'" + heap + "' is not a heap size like 64m");
        }
        if (sha256 != null && fasta == null) {
            throw Cli.usageError(spec.commandLine(), "--sha256 needs --fasta (the shipped data is always"
                    + " checked)");
        }
        if (fasta != null) {
            o = o.withFasta(fasta, sha256);
        }
        o = o.withMemory(!noMemory, new MemoryCurves.Options(heap, memoryTokens != null ? memoryTokens : o.bases(),
                budget, o.memoryOpt().samples()));
        ChromosomeDemo.Result r = new ChromosomeDemo(o, System.out, System.err).run();
        // the whole command, as a person waits for it: from the start of this JVM
        long jvmStart = java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime();
        System.err.println(String.format(Locale.ROOT, "wall time: %.1f s (the whole demo command, from"
                + " JVM start)",
                (System.currentTimeMillis() - jvmStart) / 1e3));
        return r.complete() ? 0 : 1;
    }
}
