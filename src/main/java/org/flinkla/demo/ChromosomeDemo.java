package org.flinkla.demo;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import org.flinkla.engine.Variant;

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
     * @param variant     model variant
     * @param seed        model seed
     * @param fasta       a FASTA file instead of the shipped fragment, or null
     * @param sha256      expected SHA-256 of {@code fasta}'s uncompressed text, or null
     * @param memory      whether to measure the memory curves
     * @param memoryOpt   child JVM settings for the curves
     * @param pipeline    where the job runs
     * @param columns     bins of the output picture
     */
    public record Options(long bases, Path report, Variant variant, long seed, Path fasta, String sha256,
            boolean memory, MemoryCurves.Options memoryOpt, AttentionPipeline pipeline, int columns) {

        public static final long DEFAULT_BASES = 100_000;

        public static Options defaults() {
            return new Options(DEFAULT_BASES, defaultReportDir(), Variant.LINEAR, DemoModel.DEFAULT_SEED, null, null,
                    true, MemoryCurves.Options.defaults(DEFAULT_BASES), DemoPipelines.defaultPipeline(), 600);
        }

        /** {@code reports/demo-<yyyyMMdd-HHmmss>} under the working directory. */
        public static Path defaultReportDir() {
            return Path.of("reports", "demo-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        }

        public Options withBases(long n) {
            MemoryCurves.Options m = new MemoryCurves.Options(memoryOpt.heap(), n, memoryOpt.budgetSeconds(),
                    memoryOpt.samples());
            return new Options(n, report, variant, seed, fasta, sha256, memory, m, pipeline, columns);
        }

        public Options withReport(Path dir) {
            return new Options(bases, dir, variant, seed, fasta, sha256, memory, memoryOpt, pipeline, columns);
        }

        public Options withVariant(Variant v) {
            return new Options(bases, report, v, seed, fasta, sha256, memory, memoryOpt, pipeline, columns);
        }

        public Options withSeed(long s) {
            return new Options(bases, report, variant, s, fasta, sha256, memory, memoryOpt, pipeline, columns);
        }

        public Options withFasta(Path file, String expectedSha256) {
            return new Options(bases, report, variant, seed, file, expectedSha256, memory, memoryOpt, pipeline, columns);
        }

        public Options withMemory(boolean on, MemoryCurves.Options opt) {
            return new Options(bases, report, variant, seed, fasta, sha256, on, opt, pipeline, columns);
        }

        public Options withPipeline(AttentionPipeline p) {
            return new Options(bases, report, variant, seed, fasta, sha256, memory, memoryOpt, p, columns);
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
        DemoModel model = DemoModel.create(options.seed(), options.variant())
                .saveTo(options.report().resolve(MODEL_FILE));

        err.println("data:     " + bases.describe() + " from " + chr.source() + " (sha256 " + chr.sha256().substring(0, 12)
                + "… verified" + (options.fasta() != null && options.sha256() == null ? ": no expected value given" : "")
                + ")");
        err.println(String.format(Locale.ROOT, "model:    seeded (seed %d), d_model %d, %d heads × %d, φ = %s, variant %s, vocab %s",
                model.seed(), model.config().dModel(), model.config().heads(), model.config().dKey(),
                model.config().featureMap().metadataName(), model.config().variant().metadataName(),
                model.config().vocab()));
        err.println("pipeline: " + options.pipeline().describe());

        OutputSummary outputs = new OutputSummary(bases.length(), model.config().dOut(), options.columns());
        ProgressBar bar = new ProgressBar(err, "tokens", bases.length(), ProgressBar.isTerminal());
        DemoRun run = options.pipeline().run(bases, model, outputs, bar);

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
}
