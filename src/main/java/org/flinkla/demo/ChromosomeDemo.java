package org.flinkla.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import org.flinkla.engine.AttentionConfig;
import org.flinkla.engine.Variant;
import org.flinkla.jobs.AttentionJob;
import org.flinkla.jobs.JobDefinition;

/**
 * The chromosome demo (DESIGN §7): streams the first N bases of human chromosome 1 through the
 * attention pipeline, measures the memory curves of linear attention against softmax in child
 * JVMs, and writes the report folder.
 *
 * <pre>{@code
 * ChromosomeDemo.Options opt = ChromosomeDemo.Options.defaults().withBases(5_000).withReport(Path.of("r"));
 * ChromosomeDemo.Result r = new ChromosomeDemo(opt, System.out, System.err).run();
 * }</pre>
 */
public final class ChromosomeDemo {

    /**
     * @param bases       tokens to stream (beyond the record length the record repeats)
     * @param report      report folder
     * @param job         the job definition (its model and Kafka/Flink settings)
     * @param variant     replaces the job's seeded model variant, or null
     * @param seed        replaces the job's seeded model seed, or null
     * @param fasta       a FASTA file instead of the shipped fragment, or null
     * @param sha256      expected SHA-256 of {@code fasta}'s uncompressed text, or null
     * @param memory      whether to measure the memory curves
     * @param memoryOpt   child JVM settings for the curves
     * @param pipeline    {@code kafka} (the job on the embedded default) or {@code engine} (in-process)
     * @param columns     bins of the output picture
     */
    public record Options(long bases, Path report, Path job, Variant variant, Long seed, Path fasta, String sha256,
            boolean memory, MemoryCurves.Options memoryOpt, String pipeline, int columns) {

        public static final long DEFAULT_BASES = 100_000;
        public static final Path DEFAULT_JOB = Path.of("flink-jobs", "chr1-demo.yaml");
        public static final List<String> PIPELINES = List.of("kafka", "engine");

        public static Options defaults() {
            return new Options(DEFAULT_BASES, defaultReportDir(), DEFAULT_JOB, null, null, null, null,
                    true, MemoryCurves.Options.defaults(DEFAULT_BASES), "kafka", 600);
        }

        /** {@code reports/demo-<yyyyMMdd-HHmmss>} under the working directory. */
        public static Path defaultReportDir() {
            return Path.of("reports", "demo-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        }

        public Options withBases(long n) {
            MemoryCurves.Options m = new MemoryCurves.Options(memoryOpt.heap(), n, memoryOpt.budgetSeconds(),
                    memoryOpt.samples());
            return new Options(n, report, job, variant, seed, fasta, sha256, memory, m, pipeline, columns);
        }

        public Options withReport(Path dir) {
            return new Options(bases, dir, job, variant, seed, fasta, sha256, memory, memoryOpt, pipeline, columns);
        }

        public Options withJob(Path file) {
            return new Options(bases, report, file, variant, seed, fasta, sha256, memory, memoryOpt, pipeline, columns);
        }

        public Options withVariant(Variant v) {
            return new Options(bases, report, job, v, seed, fasta, sha256, memory, memoryOpt, pipeline, columns);
        }

        public Options withSeed(Long s) {
            return new Options(bases, report, job, variant, s, fasta, sha256, memory, memoryOpt, pipeline, columns);
        }

        public Options withFasta(Path file, String expectedSha256) {
            return new Options(bases, report, job, variant, seed, file, expectedSha256, memory, memoryOpt, pipeline,
                    columns);
        }

        public Options withMemory(boolean on, MemoryCurves.Options opt) {
            return new Options(bases, report, job, variant, seed, fasta, sha256, on, opt, pipeline, columns);
        }

        public Options withPipeline(String name) {
            if (!PIPELINES.contains(name)) {
                throw new IllegalArgumentException("unknown pipeline '" + name + "' (expected kafka or engine)");
            }
            return new Options(bases, report, job, variant, seed, fasta, sha256, memory, memoryOpt, name, columns);
        }
    }

    /** What a run produced. */
    public record Result(DemoRun run, OutputSummary outputs, List<MemorySeries> curves, Path report) {
        /** True when every token came out exactly once. */
        public boolean complete() {
            return outputs.outputs() == run.tokensIn() && outputs.duplicates() == 0 && outputs.missing() == 0;
        }
    }

    /** The seeded model is saved in the report folder under this name (the job and the children load it). */
    public static final String MODEL_FILE = "model.safetensors";

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
        Chromosome chr = options.fasta() == null ? Chromosome.shipped()
                : Chromosome.read(options.fasta(), options.sha256());
        Chromosome.Slice bases = chr.slice(options.bases());
        if (!Files.isRegularFile(options.job())) {
            throw new IOException("job file " + options.job() + " does not exist (run the demo from the repository "
                    + "root, or give the chr1 demo job with --job FILE)");
        }
        JobDefinition job = JobDefinition.load(options.job());
        DemoModel model = model(job).saveTo(options.report().resolve(MODEL_FILE));
        AttentionPipeline pipeline = options.pipeline().equals("engine") ? new EnginePipeline()
                : new KafkaDemoPipeline(job);

        boolean checked = options.fasta() == null || options.sha256() != null;
        err.println("data:     " + bases.describe() + " from " + chr.source() + " (sha256 " + chr.sha256().substring(0, 12)
                + (checked ? "… verified)" : "…, not checked: no --sha256 given)"));
        err.println(String.format(Locale.ROOT, "model:    %s, d_model %d, %d heads × %d, φ = %s, variant %s, vocab %s",
                model.seed() >= 0 ? "seeded (seed " + model.seed() + ")" : job.model().file(), model.config().dModel(), model.config().heads(), model.config().dKey(),
                model.config().featureMap().metadataName(), model.config().variant().metadataName(),
                model.config().vocab()));
        err.println("pipeline: " + pipeline.describe() + " [" + options.job() + "]");

        OutputSummary outputs = new OutputSummary(bases.length(), model.config().dOut(), options.columns());
        ProgressBar bar = new ProgressBar(err, "tokens", bases.length(), ProgressBar.isTerminal());
        DemoRun run = pipeline.run(bases, model, outputs, bar);

        List<MemorySeries> curves = List.of();
        if (options.memory()) {
            err.println(String.format(Locale.ROOT, "memory:   %,d tokens through each method in a child JVM (-Xmx%s, "
                    + "%.0f s budget each)", options.memoryOpt().tokens(), options.memoryOpt().heap(),
                    options.memoryOpt().budgetSeconds()));
            curves = new MemoryCurves(options.memoryOpt()).run(model.spec(), options.fasta(), err::println);
        }
        DemoReport.write(options.report(), new DemoReport.Inputs(bases, model, run, outputs, curves,
                options.memoryOpt()));
        err.println("report:   " + options.report().resolve(DemoReport.HTML));
        if (outputs.outputs() != run.tokensIn() || outputs.missing() != 0 || outputs.duplicates() != 0) {
            err.println(String.format(Locale.ROOT, "warning:  %,d tokens in but %,d outputs out (%,d missing, %,d duplicates)",
                    run.tokensIn(), outputs.outputs(), outputs.missing(), outputs.duplicates()));
        }
        out.println(DemoReport.summaryLine(run));
        return new Result(run, outputs, curves, options.report());
    }

    /** The job's model, with --seed/--variant applied to a seeded one. */
    private DemoModel model(JobDefinition job) {
        JobDefinition.ModelSpec spec = job.model();
        if (!spec.isSeeded()) {
            if (options.seed() != null || options.variant() != null) {
                throw new IllegalArgumentException("--seed and --variant apply to a seeded model; " + options.job()
                        + " loads the model file " + spec.file());
            }
            org.flinkla.engine.SequenceModel loaded = AttentionJob.loadModel(job);
            if (!(loaded instanceof org.flinkla.model.Model)) {
                throw new IllegalArgumentException(options.job() + ": the demo's job runs a single attention layer; "
                        + spec.file() + " is " + loaded.architecture());
            }
            return DemoModel.of((org.flinkla.model.Model) loaded, Path.of(spec.file()));
        }
        AttentionConfig config = spec.seededConfig();
        if (options.variant() != null) {
            config = config.toBuilder().variant(options.variant()).build();
        }
        return DemoModel.create(config, options.seed() != null ? options.seed() : spec.seed());
    }
}
