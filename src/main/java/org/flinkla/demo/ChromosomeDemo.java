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
package org.flinkla.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.flinkla.engine.AttentionConfig;
import org.flinkla.engine.StatePrecision;
import org.flinkla.engine.Variant;
import org.flinkla.engine.VectorSupport;
import org.flinkla.flink.EmitFields;
import org.flinkla.jobs.JobDefinition;

/**
 * The chromosome demo: streams the first N bases of human chromosome 1 through a trained DNA
 * language model (by default the Gated DeltaNet shipped in the jar) on Kafka → Flink → Kafka,
 * reads back the next-base probabilities and the surprisal of every base, and compares the
 * model's bits per base with the shipped linear-attention model (in this JVM), an adaptive Markov
 * model and the shipped softmax model (in a child JVM under a small heap, as far as it gets);
 * measures the memory curves in child JVMs, and writes the report folder.
 *
 * <pre>{@code
 * ChromosomeDemo.Options opt = ChromosomeDemo.Options.defaults().withBases(5_000).withReport(Path.of("r"));
 * ChromosomeDemo.Result r = new ChromosomeDemo(opt, System.out, System.err).run();
 * double bits = r.bits().modelMean();
 * }</pre>
 */
public final class ChromosomeDemo {

    /**
     * @param bases          tokens to stream (beyond the record length the record repeats)
     * @param report         report folder
     * @param job            the job definition (its model and Kafka/Flink settings)
     * @param model          a model URI or path instead of the job's, or null
     * @param statePrecision the state precision to run the model with ({@code float32}/{@code float64}), or null
     *                       for the model's own
     * @param variant        a seeded single layer of this variant instead of the job's model, or null
     * @param seed           a seeded single layer of this seed instead of the job's model, or null
     * @param fasta          a FASTA file instead of the shipped fragment, or null
     * @param sha256         expected SHA-256 of {@code fasta}'s uncompressed text, or null
     * @param memory         whether to measure the memory curves
     * @param memoryOpt      child JVM settings for the curves (and the softmax model's child)
     * @param pipeline       {@code kafka} (the job on the embedded default) or {@code engine} (in-process)
     * @param columns        bins of the output pictures
     * @param compare        whether to run the comparisons (linear-elu, Markov, softmax)
     * @param warmUp         at most this many synthetic bases through the model while the broker and the
     *                       cluster start, so that the job runs compiled code ({@link ModelWarmUp}); 0: none
     */
    public record Options(long bases, Path report, Path job, String model, String statePrecision, Variant variant,
            Long seed, Path fasta, String sha256, boolean memory, MemoryCurves.Options memoryOpt, String pipeline,
            int columns, boolean compare, long warmUp) {

        public static final long DEFAULT_BASES = 100_000;
        public static final Path DEFAULT_JOB = Path.of("flink-jobs", "chr1-demo.yaml");
        public static final List<String> PIPELINES = List.of("kafka", "engine");

        public static Options defaults() {
            return new Options(DEFAULT_BASES, defaultReportDir(), DEFAULT_JOB, null, null, null, null, null, null,
                    true, MemoryCurves.Options.defaults(DEFAULT_BASES), "kafka", 600, true, ModelWarmUp.DEFAULT_MAX_BASES);
        }

        /** {@code reports/demo-<yyyyMMdd-HHmmss>} under the working directory. */
        public static Path defaultReportDir() {
            return Path.of("reports", "demo-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        }

        public Options withBases(long n) {
            MemoryCurves.Options m = new MemoryCurves.Options(memoryOpt.heap(), n, memoryOpt.budgetSeconds(),
                    memoryOpt.samples());
            return new Options(n, report, job, model, statePrecision, variant, seed, fasta, sha256, memory, m, pipeline,
                    columns, compare, warmUp);
        }

        public Options withReport(Path dir) {
            return new Options(bases, dir, job, model, statePrecision, variant, seed, fasta, sha256, memory, memoryOpt,
                    pipeline, columns, compare, warmUp);
        }

        public Options withJob(Path file) {
            return new Options(bases, report, file, model, statePrecision, variant, seed, fasta, sha256, memory,
                    memoryOpt, pipeline, columns, compare, warmUp);
        }

        /** A model URI or path (classpath:, file:, a directory, a safetensors file) instead of the job's. */
        public Options withModel(String uri) {
            return new Options(bases, report, job, uri, statePrecision, variant, seed, fasta, sha256, memory,
                    memoryOpt, pipeline, columns, compare, warmUp);
        }

        /** Runs the model with this state precision (float32 or float64). */
        public Options withStatePrecision(String precision) {
            String p = precision == null ? null : StatePrecision.parse(precision).name().toLowerCase(Locale.ROOT);
            return new Options(bases, report, job, model, p, variant, seed, fasta, sha256, memory, memoryOpt, pipeline,
                    columns, compare, warmUp);
        }

        public Options withVariant(Variant v) {
            return new Options(bases, report, job, model, statePrecision, v, seed, fasta, sha256, memory, memoryOpt,
                    pipeline, columns, compare, warmUp);
        }

        public Options withSeed(Long s) {
            return new Options(bases, report, job, model, statePrecision, variant, s, fasta, sha256, memory, memoryOpt,
                    pipeline, columns, compare, warmUp);
        }

        public Options withFasta(Path file, String expectedSha256) {
            return new Options(bases, report, job, model, statePrecision, variant, seed, file, expectedSha256, memory,
                    memoryOpt, pipeline, columns, compare, warmUp);
        }

        public Options withMemory(boolean on, MemoryCurves.Options opt) {
            return new Options(bases, report, job, model, statePrecision, variant, seed, fasta, sha256, on, opt,
                    pipeline, columns, compare, warmUp);
        }

        public Options withCompare(boolean on) {
            return new Options(bases, report, job, model, statePrecision, variant, seed, fasta, sha256, memory,
                    memoryOpt, pipeline, columns, on, warmUp);
        }

        /** Synthetic bases through the model before the job ({@link ModelWarmUp}); 0 turns the warm-up off. */
        public Options withWarmUp(long n) {
            if (n < 0) {
                throw new IllegalArgumentException("--warm-up must be 0 or more bases, not " + n);
            }
            return new Options(bases, report, job, model, statePrecision, variant, seed, fasta, sha256, memory,
                    memoryOpt, pipeline, columns, compare, n);
        }

        public Options withPipeline(String name) {
            if (!PIPELINES.contains(name)) {
                throw new IllegalArgumentException("unknown pipeline '" + name + "' (expected kafka or engine)");
            }
            return new Options(bases, report, job, model, statePrecision, variant, seed, fasta, sha256, memory,
                    memoryOpt, name, columns, compare, warmUp);
        }
    }

    /** What a run produced. */
    public record Result(DemoRun run, OutputSummary outputs, List<MemorySeries> curves, BitsPerBase bits,
            DemoModel model, Path report) {
        /** True when every token came out exactly once. */
        public boolean complete() {
            return outputs.outputs() == run.tokensIn() && outputs.duplicates() == 0 && outputs.missing() == 0;
        }
    }

    /** A seeded single layer is saved in the report folder under this name (the job and the children load it). */
    public static final String MODEL_FILE = "model.safetensors";
    /** First base (0-based) of the stretch whose predicted probabilities the report draws. */
    public static final int STRETCH_FROM = 100;
    /** Bases in that stretch. */
    public static final int STRETCH_LENGTH = 200;

    private final Options options;
    private final PrintStream out;
    private final PrintStream err;

    /** {@code out} gets the summary line, {@code err} the progress and notes. */
    public ChromosomeDemo(Options options, PrintStream out, PrintStream err) {
        this.options = options;
        this.out = out;
        this.err = err;
    }

    public Result run() throws Exception {
        long started = System.nanoTime();
        if (!Files.isRegularFile(options.job())) {
            throw new IOException("job file " + options.job() + " does not exist (run the demo from the repository "
                    + "root, or give the chr1 demo job with --job FILE)");
        }
        JobDefinition job = JobDefinition.load(options.job());
        try (AttentionPipeline pipeline = options.pipeline().equals("engine")
                ? new EnginePipeline(options.warmUp()) : new KafkaDemoPipeline(job, options.warmUp())) {
            // the broker and the cluster start while the data is read and the model loaded
            pipeline.prepare();
            return run(job, pipeline, started);
        }
    }

    private Result run(JobDefinition job, AttentionPipeline pipelineIn, long started) throws Exception {
        Chromosome chr = options.fasta() == null ? Chromosome.shipped()
                : Chromosome.read(options.fasta(), options.sha256());
        Chromosome.Slice bases = chr.slice(options.bases());
        DemoModel model = model(job);
        if (model.singleLayer() != null && model.seed() >= 0) {
            model = model.saveTo(options.report().resolve(MODEL_FILE));
        }
        boolean lm = model.isLanguageModel();
        AttentionPipeline pipeline = pipelineIn;
        if (!lm && !job.emitFields().isEmpty()) {
            err.println("note:     " + model.path() + " is not a language model: the job runs without its emit fields ["
                    + job.emitFields() + "]");
        }

        boolean checked = options.fasta() == null || options.sha256() != null;
        err.println("data:     " + bases.describe() + " from " + chr.source() + " (sha256 " + chr.sha256().substring(0, 12)
                + (checked ? "… verified)" : "…, not checked: no --sha256 given)"));
        err.println("model:    " + describe(model));
        err.println("pipeline: " + pipeline.describe() + " [" + options.job() + "]"
                + (lm && !job.emitFields().isEmpty() ? ", emit-fields " + job.emitFields() : ""));
        if (!VectorSupport.enabled()) {
            err.println("note:     " + VectorSupport.describe() + " (about 3 times slower for the DNA models)");
        }

        int[] ids = lm ? tokenIds(model, bases) : null;
        OutputSummary outputs = lm
                ? OutputSummary.forLanguageModel(bases.length(), model.model().outputWidth(), options.columns(), ids,
                        // the outputs one position before the stretch's bases: their predictions
                        bases.length() > STRETCH_FROM + STRETCH_LENGTH ? STRETCH_FROM - 1 : 0, STRETCH_LENGTH)
                : new OutputSummary(bases.length(), model.model().outputWidth(), options.columns());
        ProgressBar bar = new ProgressBar(err, "tokens", bases.length(), ProgressBar.isTerminal());
        bar.startTicker();
        DemoRun run;
        try {
            run = pipeline.run(bases, model, outputs, bar);
        } finally {
            bar.finish();
        }
        // the broker and the cluster are not needed any more: stop them while the comparisons run
        AttentionPipeline done = pipeline;
        CompletableFuture<Void> closed = CompletableFuture.runAsync(() -> {
            try {
                done.close();
            } catch (Exception e) {
                err.println("note:     stopping the pipeline: " + e);
            }
        });

        // the comparisons: linear-elu and Markov in this JVM, next to the children
        long phase = System.nanoTime();
        CompletableFuture<double[][]> inProcess = options.compare()
                ? CompletableFuture.supplyAsync(() -> inProcess(bases)) : CompletableFuture.completedFuture(null);
        List<MemorySeries> curves = new ArrayList<>();
        MemoryCurves memoryCurves = new MemoryCurves(options.memoryOpt());
        if (options.memory()) {
            err.println(String.format(Locale.ROOT, "memory:   %,d tokens through each method in a child JVM (-Xmx%s, "
                    + "%.0f s budget each)", options.memoryOpt().tokens(), options.memoryOpt().heap(),
                    options.memoryOpt().budgetSeconds()));
            curves.addAll(memoryCurves.run(model, options.fasta(), err::println));
        }
        MemorySeries softmax = null;
        String softmaxReason = null;
        if (!options.compare()) {
            softmaxReason = "comparisons skipped (--no-compare)";
        } else if (!MemoryCurves.softmaxAvailable()) {
            softmaxReason = "this build has no trained softmax model (" + DemoModel.SOFTMAX_RESOURCE
                    + " is not on the classpath)";
            err.println("softmax:  not run: " + softmaxReason);
        } else {
            softmax = memoryCurves.softmax(model, bases.length(), options.fasta());
            err.println("softmax:  " + softmax.describe());
            if (options.memory()) {
                curves.add(softmax);
            }
        }
        double[][] local = inProcess.get();
        double comparisonsSeconds = (System.nanoTime() - phase) / 1e9;

        BitsPerBase bits = bits(model, outputs, local, softmax, softmaxReason);
        Map<String, Double> phases = new LinkedHashMap<>();
        phases.put("startup", run.startupSeconds());
        phases.put("job", run.jobSeconds());
        phases.put("comparisons_and_memory", comparisonsSeconds);
        DemoReport.write(options.report(), new DemoReport.Inputs(bases, model, run, outputs, curves,
                options.memoryOpt(), bits, phases));
        closed.get();
        err.println("report:   " + options.report().resolve(DemoReport.HTML));
        if (outputs.outputs() != run.tokensIn() || outputs.missing() != 0 || outputs.duplicates() != 0) {
            err.println(String.format(Locale.ROOT, "warning:  %,d tokens in but %,d outputs out (%,d missing, %,d duplicates)",
                    run.tokensIn(), outputs.outputs(), outputs.missing(), outputs.duplicates()));
        }
        out.println(DemoReport.summaryLine(run, bits, model));
        err.println(String.format(Locale.ROOT, "demo:     %.1f s in the demo (start-up %.1f s, job %.2f s, "
                        + "comparisons and memory %.1f s)", (System.nanoTime() - started) / 1e9, run.startupSeconds(),
                run.jobSeconds(), comparisonsSeconds));
        return new Result(run, outputs, curves, bits, model, options.report());
    }

    /** The bits of linear-elu and of the Markov baseline on the same bases: {linear, markov}. */
    private double[][] inProcess(Chromosome.Slice bases) {
        double[] linear;
        try {
            linear = LanguageModelBits.perBase(DemoModel.load(DemoModel.LINEAR_URI, Map.of()).model(), bases);
        } catch (RuntimeException e) {
            err.println("linear:   not run: " + e.getMessage());
            linear = null;
        }
        MarkovBaseline markov = new MarkovBaseline(MarkovBaseline.DEFAULT_ORDER, MarkovBaseline.DEFAULT_ALPHABET);
        double[] m = new double[(int) bases.length()];
        for (long t = 0; t < bases.length(); t++) {
            m[(int) t] = markov.accept(bases.baseAt(t));
        }
        return new double[][] {linear, m};
    }

    private static BitsPerBase bits(DemoModel model, OutputSummary outputs, double[][] local, MemorySeries softmax,
            String softmaxReason) {
        double[] m = null;
        String modelReason = null;
        if (!model.isLanguageModel()) {
            modelReason = model.path() + " is not a language model (no next-base probabilities)";
        } else if (outputs.surprisalCount() == 0) {
            modelReason = "the job's outputs carry no surprisal (add surprisal to the job's emit-fields)";
        } else {
            m = outputs.surprisals().clone();
        }
        double[] linear = local == null ? null : local[0];
        double[] markov = local == null ? null : local[1];
        String linearReason = local == null ? "comparisons skipped (--no-compare)"
                : linear == null ? "the linear-elu model could not run (see the log)" : null;
        double[] s = null;
        long sBases = 0;
        String reason = softmaxReason;
        if (softmax != null) {
            sBases = softmax.tokens();
            if (softmax.bits() == null) {
                reason = "the softmax child gave no bits: " + softmax.describe();
            } else {
                s = softmax.bits();
                reason = softmax.outcome() == MemorySeries.Outcome.COMPLETED ? null : softmax.describe();
            }
        }
        return new BitsPerBase(m, modelReason, linear, linearReason, markov, s, sBases, reason);
    }

    private static int[] tokenIds(DemoModel model, Chromosome.Slice bases) {
        int[] ids = new int[(int) bases.length()];
        for (int t = 0; t < ids.length; t++) {
            char b = bases.baseAt(t);
            ids[t] = model.model().tokenId(b);
            if (ids[t] < 0) {
                throw new IllegalArgumentException("base '" + b + "' at position " + t + " is not a symbol of "
                        + model.path() + " (vocab " + model.model().vocab() + ")");
            }
        }
        return ids;
    }

    private static String describe(DemoModel m) {
        String arch = m.model().architecture();
        return String.format(Locale.ROOT, "%s: %s; state %,d bytes per key", m.path(), arch,
                m.stateBytesPerKey(m.isLanguageModel()));
    }

    /**
     * The model: {@code --seed}/{@code --variant} give a seeded single layer; else {@code --model}
     * or the job's model file, with the job's overrides and {@code --state-precision}; a job with a
     * seeded model gives that layer.
     */
    private DemoModel model(JobDefinition job) {
        JobDefinition.ModelSpec spec = job.model();
        if (options.seed() != null || options.variant() != null || (spec.isSeeded() && options.model() == null)) {
            if (options.model() != null) {
                throw new IllegalArgumentException("--seed and --variant make a seeded single layer; they do not go "
                        + "with --model " + options.model());
            }
            AttentionConfig config = spec.isSeeded() ? spec.seededConfig() : DemoModel.config(Variant.LINEAR);
            if (options.variant() != null) {
                config = config.toBuilder().variant(options.variant()).build();
            }
            if (options.statePrecision() != null) {
                config = config.toBuilder().statePrecision(StatePrecision.parse(options.statePrecision())).build();
            }
            long seed = options.seed() != null ? options.seed() : spec.isSeeded() ? spec.seed() : DemoModel.DEFAULT_SEED;
            return DemoModel.create(config, seed);
        }
        String uri = options.model() != null ? options.model() : spec.file();
        Map<String, String> overrides = new LinkedHashMap<>(spec.overrides());
        if (options.statePrecision() != null) {
            overrides.put("state_precision", options.statePrecision());
        }
        return DemoModel.load(uri, overrides);
    }
}
