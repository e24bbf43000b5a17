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

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.flinkla.engine.VectorSupport;

/**
 * Writes the demo's report folder: {@code summary.json}, {@code memory.csv}
 * ({@code method,tokens,heap_used_bytes}), {@code bits.csv} (the bits of every base per
 * predictor) and {@code report.html} with inline SVG pictures.
 *
 * <pre>{@code
 * DemoReport.write(dir, new DemoReport.Inputs(slice, model, run, outputs, curves, memoryOptions, bits, phases));
 * }</pre>
 */
public final class DemoReport {
    public static final String SUMMARY = "summary.json";
    public static final String MEMORY = "memory.csv";
    public static final String BITS = "bits.csv";
    public static final String HTML = "report.html";

    static final String[] COLORS = {"#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e"};
    /** Colours of the predictors in the bits pictures: model, linear, markov, softmax. */
    static final String[] PREDICTOR_COLORS = {"#1b9e77", "#7570b3", "#999999", "#d95f02"};

    /**
     * Everything a report shows. {@code curves} may be empty (memory part skipped); {@code phases}
     * are the demo's wall-time phases in seconds, by name.
     */
    public record Inputs(Chromosome.Slice bases, DemoModel model, DemoRun run, OutputSummary outputs,
            List<MemorySeries> curves, MemoryCurves.Options memory, BitsPerBase bits, Map<String, Double> phases) {}

    private DemoReport() {}

    public static void write(Path dir, Inputs in) throws IOException {
        Files.createDirectories(dir);
        writeCsv(dir.resolve(MEMORY), in.curves());
        writeBits(dir.resolve(BITS), in.bases(), in.bits());
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        json.writeValue(dir.resolve(SUMMARY).toFile(), summary(json, in));
        Files.writeString(dir.resolve(HTML), html(in), StandardCharsets.UTF_8);
    }

    static void writeCsv(Path file, List<MemorySeries> curves) throws IOException {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("method,tokens,heap_used_bytes\n");
            for (MemorySeries s : curves) {
                for (MemorySeries.Sample p : s.samples()) {
                    w.write(s.method() + "," + p.tokens() + "," + p.heapUsedBytes() + "\n");
                }
            }
        }
    }

    /** {@code position,base,model,linear,markov,softmax}: bits of each base (empty: none), position 1-based. */
    static void writeBits(Path file, Chromosome.Slice bases, BitsPerBase b) throws IOException {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("position,base,model,linear,markov,softmax\n");
            StringBuilder sb = new StringBuilder();
            for (int t = 0; t < bases.length(); t++) {
                sb.setLength(0);
                sb.append(t + 1).append(',').append(bases.baseAt(t));
                for (double[] a : new double[][] {b.model(), b.linear(), b.markov(), b.softmax()}) {
                    sb.append(',');
                    if (a != null && t < a.length && !Double.isNaN(a[t])) {
                        sb.append(a[t]);
                    }
                }
                w.write(sb.append('\n').toString());
            }
        }
    }

    /** A JSON number, or null for NaN. */
    private static void putBits(ObjectNode o, String key, double v) {
        if (Double.isNaN(v)) {
            o.putNull(key);
        } else {
            o.put(key, v);
        }
    }

    static ObjectNode summary(ObjectMapper json, Inputs in) {
        DemoRun run = in.run();
        Chromosome chr = in.bases().chromosome();
        BitsPerBase b = in.bits();
        ObjectNode s = json.createObjectNode();
        s.put("tokens", run.tokensIn());
        s.put("outputs", in.outputs().outputs());
        s.put("records", run.records());
        s.put("model_path", in.model().path());
        ObjectNode bits = s.putObject("bits_per_base");
        putBits(bits, "model", b.modelMean());
        putBits(bits, "linear", b.linearMean());
        putBits(bits, "markov", b.markovMean());
        putBits(bits, "softmax", b.softmaxMean());
        s.put("softmax_bases", b.softmaxBases());
        if (b.modelReason() != null) {
            s.put("model_reason", b.modelReason());
        }
        if (b.linearReason() != null) {
            s.put("linear_reason", b.linearReason());
        }
        if (b.softmaxReason() != null) {
            s.put("softmax_reason", b.softmaxReason());
        }
        if (b.softmaxBases() > 1) {
            // the fair comparison with softmax: every predictor on the bases softmax got to
            ObjectNode same = s.putObject("bits_per_base_on_softmax_bases");
            int n = (int) Math.min(Integer.MAX_VALUE, b.softmaxBases());
            putBits(same, "model", BitsPerBase.mean(b.model(), n));
            putBits(same, "linear", BitsPerBase.mean(b.linear(), n));
            putBits(same, "markov", BitsPerBase.mean(b.markov(), n));
            putBits(same, "softmax", b.softmaxMean());
        }
        s.put("markov_order", MarkovBaseline.DEFAULT_ORDER);
        s.put("markov_alphabet", MarkovBaseline.DEFAULT_ALPHABET);

        s.put("job_seconds", round(run.jobSeconds(), 4));
        s.put("tokens_per_second", Math.round(run.tokensPerSecond()));
        s.put("steady_tokens_per_second", Math.round(run.steadyTokensPerSecond()));
        s.put("first_output_seconds", round(run.firstOutputSeconds(), 4));
        putRounded(s, "first_processed_seconds", run.firstProcessedSeconds());
        putRounded(s, "last_processed_seconds", run.lastProcessedSeconds());
        putRounded(s, "operator_cpu_seconds", run.operatorCpuSeconds());
        if (Double.isFinite(run.operatorCpuSeconds()) && run.tokensIn() > 0) {
            s.put("operator_cpu_microseconds_per_token", round(run.operatorCpuSeconds() * 1e6 / run.tokensIn(), 2));
        }
        s.put("startup_seconds", round(run.startupSeconds(), 4));
        ObjectNode parts = s.putObject("startup");
        run.startup().forEach((k, v) -> parts.put(k + "_seconds", round(v, 4)));
        ObjectNode phases = s.putObject("phases");
        in.phases().forEach((k, v) -> phases.put(k + "_seconds", round(v, 3)));
        s.put("peak_heap_bytes", run.peakHeapBytes());
        s.put("state_bytes_per_key", run.stateBytesPerKey());
        s.put("pipeline", run.pipeline());
        s.put("kernels", VectorSupport.describe());
        s.put("created", Instant.now().toString());

        OutputSummary o = in.outputs();
        ObjectNode check = s.putObject("outputs_check");
        check.put("outputs", o.outputs());
        check.put("distinct_positions", o.distinct());
        check.put("duplicates", o.duplicates());
        check.put("missing", o.missing());
        check.put("non_finite_values", o.nonFinite());
        if (o.isLanguageModel()) {
            check.put("surprisals", o.surprisalCount());
            check.put("first_position_has_surprisal", o.firstHasSurprisal());
            check.put("outputs_without_probabilities", o.withoutProbabilities());
            check.put("probability_sum_max_error", o.probabilitySumError());
            check.put("surprisals_checked_against_probabilities", o.surprisalsChecked());
            check.put("surprisal_vs_probability_max_relative_error", o.surprisalConsistencyError());
        }

        DemoModel m = in.model();
        ObjectNode model = s.putObject("model");
        model.put("path", m.path());
        model.put("architecture", m.model().architecture());
        model.put("language_model", m.isLanguageModel());
        model.put("vocab", m.model().vocab());
        model.put("state_precision", m.model().statePrecision().name().toLowerCase(Locale.ROOT));
        model.put("state_bytes", m.model().stateBytes());
        if (!m.overrides().isEmpty()) {
            ObjectNode ov = model.putObject("overrides");
            m.overrides().forEach(ov::put);
        }
        if (m.singleLayer() != null) {
            org.flinkla.engine.AttentionConfig c = m.singleLayer().config();
            model.put("d_model", c.dModel());
            model.put("heads", c.heads());
            model.put("d_k", c.dKey());
            model.put("d_v", c.dValue());
            model.put("d_out", c.dOut());
            model.put("feature_map", c.featureMap().metadataName());
            model.put("variant", c.variant().metadataName());
            model.put("seed", m.seed());
            model.put("file", m.file() == null ? null : m.file().getFileName().toString());
        }

        ObjectNode data = s.putObject("data");
        data.put("sequence", chr.name());
        data.put("source", chr.source());
        if (Chromosome.SHIPPED_SHA256.equals(chr.sha256())) {
            data.put("provenance", Chromosome.SHIPPED_PROVENANCE);
        }
        data.put("sha256", chr.sha256());
        data.put("record_bases", chr.length());
        data.put("bases_used", in.bases().length());
        data.put("repeated", in.bases().repeated());
        data.put("chunk_bases", AttentionPipeline.FASTA_LINE);

        ObjectNode mem = s.putObject("memory");
        mem.put("heap_limit", in.memory().heap());
        mem.put("time_budget_seconds", in.memory().budgetSeconds());
        ArrayNode methods = mem.putArray("methods");
        for (MemorySeries c : in.curves()) {
            ObjectNode x = methods.addObject();
            x.put("method", c.method());
            x.put("name", c.label());
            x.put("outcome", c.outcome().label());
            x.put("tokens", c.tokens());
            x.put("seconds", round(c.seconds(), 3));
            x.put("heap_limit_bytes", c.heapLimitBytes());
            x.put("min_heap_used_bytes", c.minSampleBytes());
            x.put("max_heap_used_bytes", c.maxSampleBytes());
            x.put("samples", c.samples().size());
            if (c.detail() != null && !c.detail().isEmpty()) {
                x.put("detail", c.detail());
            }
        }
        return s;
    }

    private static void putRounded(ObjectNode o, String key, double v) {
        if (Double.isFinite(v)) {
            o.put(key, round(v, 4));
        } else {
            o.putNull(key);
        }
    }

    private static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }

    // ---------------------------------------------------------------- html

    static String html(Inputs in) {
        DemoRun run = in.run();
        DemoModel m = in.model();
        BitsPerBase b = in.bits();
        Chromosome chr = in.bases().chromosome();
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n")
                .append("<title>Chromosome demo: ").append(Svg.esc(m.shortName())).append(" over ")
                .append(Svg.esc(chr.name())).append("</title>\n")
                .append("<style>body{font-family:sans-serif;max-width:900px;margin:24px auto;color:#222;line-height:1.4}"
                        + "h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd}"
                        + "table{border-collapse:collapse;font-size:14px}td,th{padding:3px 10px;border-bottom:1px solid #eee;"
                        + "text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}"
                        + ".note{color:#555;font-size:13px}.big{font-size:15px;background:#f6f8fa;padding:10px 14px;"
                        + "border-left:4px solid #1b9e77}</style>\n</head><body>\n");
        h.append("<h1>").append(Svg.esc(MemoryCurves.label(m))).append(" over human chromosome 1: "
                + "next-base predictions from a fixed-size state</h1>\n");
        h.append("<p class=\"big\">").append(Svg.esc(summaryLine(run, b, m))).append("</p>\n");
        h.append("<p>").append(Svg.esc(in.bases().describe())).append(", streamed as ")
                .append(String.format(Locale.ROOT, "%,d", run.records())).append(" records of up to ")
                .append(AttentionPipeline.FASTA_LINE).append(" bases (one FASTA line each) through ")
                .append(Svg.esc(run.pipeline())).append(" with the model ").append(Svg.esc(m.path()))
                .append(".</p>\n");

        h.append("<h2>How well each model predicts the next base</h2>\n");
        h.append(bitsTable(in));
        h.append(bitsCharts(in)).append('\n');
        h.append("<p class=\"note\">Bits per base = the mean over bases 2..N of \u2212log\u2082 p(base | the bases before "
                + "it); fewer is better; 2 bits is a uniform guess among A, C, G, T (log\u2082 5 = 2.32 among ACGTN). "
                + "The model's figure is the surprisal its job emitted for every base, read back from Kafka. "
                + "linear-elu is the shipped linear-attention (elu+1) model run in this JVM through the engine; "
                + "Markov is an adaptive order-" + MarkovBaseline.DEFAULT_ORDER + " model over "
                + MarkovBaseline.DEFAULT_ALPHABET + " that learns its counts as it streams (add-\u00bd); the softmax "
                + "model runs in a child JVM under the memory curves' heap limit and stops where its KV caches no longer "
                + "fit. Curves: the mean over a window of the previous bases; raw bits per base are in bits.csv.</p>\n");
        if (in.outputs().isLanguageModel()) {
            h.append(probabilityPicture(in)).append('\n');
            h.append("<p class=\"note\">Each column is one base; the bar is the model's prediction for it, made after "
                    + "the base before it (the probabilities its job emitted at the previous position), stacked A, C, "
                    + "G, T, N from the bottom; the outlined segment and the letter under the column are the base that "
                    + "came.</p>\n");
        }

        h.append("<h2>Memory against sequence length</h2>\n");
        if (in.curves().isEmpty()) {
            h.append("<p class=\"note\">Memory curves were skipped (--no-memory).</p>\n");
        } else {
            h.append(memoryChart(in.curves(), 0, in.memory().heap())).append('\n');
            long zoom = zoomTokens(in.curves());
            if (zoom > 0) {
                h.append(memoryChart(in.curves(), zoom, in.memory().heap())).append('\n');
            }
            h.append("<table><tr><th>method</th><th>outcome</th><th>tokens</th><th>seconds</th>"
                    + "<th>heap after GC (min–max)</th></tr>\n");
            for (MemorySeries c : in.curves()) {
                h.append("<tr><td>").append(Svg.esc(c.label())).append("</td><td>")
                        .append(c.outcome() == MemorySeries.Outcome.OUT_OF_MEMORY ? "<b>OutOfMemoryError</b>"
                                : Svg.esc(c.outcome().label().replace('_', ' ')))
                        .append("</td><td class=\"n\">").append(String.format(Locale.ROOT, "%,d", c.tokens()))
                        .append("</td><td class=\"n\">").append(String.format(Locale.ROOT, "%.1f", c.seconds()))
                        .append("</td><td class=\"n\">").append(String.format(Locale.ROOT, "%.1f – %.1f MiB",
                                c.minSampleBytes() / MemorySeries.MIB, c.maxSampleBytes() / MemorySeries.MIB))
                        .append("</td></tr>\n");
            }
            h.append("</table>\n");
            h.append("<p class=\"note\">Each method runs in its own child JVM with the same heap limit (")
                    .append(Svg.esc(in.memory().heap()))
                    .append(", serial GC), streaming the same bases one token at a time. A sample is the heap in use "
                            + "right after a full GC, i.e. what the method keeps alive. The model keeps a fixed state "
                            + "per sequence (")
                    .append(String.format(Locale.ROOT, "%,d", m.model().stateBytes()))
                    .append(" bytes here); a KV cache keeps every key and value, so memory and time per token grow "
                            + "with N; the naive form materialises the causal score matrix (N\u00b2) until the heap is "
                            + "exhausted. The two softmax forms of one attention layer run on ")
                    .append(m.singleLayer() != null ? "the demo's own layer"
                            : "a seeded layer (d_model 64, 4 heads of 16): they show the shape of softmax memory, "
                                    + "not a trained model")
                    .append("; the trained softmax encoder keeps a KV cache in each of its layers. A child stops at ")
                    .append(String.format(Locale.ROOT, "%.0f", in.memory().budgetSeconds()))
                    .append(" s; raw samples are in memory.csv. For the naive form a sample is the peak heap in use "
                            + "during one forward pass over the first n tokens (the form cannot stream). The heap limit is "
                            + "small so that the softmax forms fail within seconds; with a larger heap they fail the "
                            + "same way, later.</p>\n");
        }

        h.append("<h2>Throughput</h2>\n").append(throughputChart(run)).append('\n');
        h.append(String.format(Locale.ROOT, "<p class=\"note\">First output written by the job %.2f s after submit, "
                + "first committed %.2f s, last written %.2f s, last committed %.2f s; the model's task thread used "
                + "%.2f s of CPU (%.1f µs per token). ", run.firstProcessedSeconds(), run.firstOutputSeconds(),
                run.lastProcessedSeconds(), run.jobSeconds(), run.operatorCpuSeconds(),
                run.operatorCpuSeconds() * 1e6 / Math.max(1, run.tokensIn())));
        h.append("Outputs read back against time since the job was submitted: written by the job "
                + "(read_uncommitted, inside its open transaction) and committed (read_committed, what a downstream "
                + "consumer sees; exactly-once commits at each checkpoint). Job time (submit → last output committed "
                + "and read) excludes start-up");
        if (run.startupSeconds() > 0) {
            h.append(String.format(Locale.ROOT, " (%.2f s here: broker and cluster start in parallel)",
                    run.startupSeconds()));
        }
        h.append(". Steady state = the rate between 10% and 90% of the outputs.</p>\n");

        if (!in.outputs().isLanguageModel()) {
            h.append("<h2>Outputs along the sequence</h2>\n");
            double[][] strip = in.outputs().binMeans();
            double[][] first = in.outputs().firstOutputs();
            double scale = robustMax(first);
            long n = in.bases().length();
            h.append(Svg.heatStrip(String.format(Locale.ROOT, "The first %,d outputs, one column per token (colour ±%.2g)",
                    first.length, scale), first, scale, 0, first.length, "position", 860, 260)).append('\n');
            h.append(Svg.heatStrip(String.format(Locale.ROOT, "Mean output vector per bin (%d bins of ~%,d tokens; colour ±%.2g)",
                    strip.length, Math.max(1, n / strip.length), scale), strip, scale, 0, n, "position", 860, 260))
                    .append('\n');
            h.append(profileChart(in)).append('\n');
            h.append("<p class=\"note\">Each column is the mean of the outputs y_t over one bin of positions "
                    + "(blue negative, red positive); the top strip shows single outputs of the first tokens.</p>\n");
        }

        h.append("<h2>Run</h2>\n<table>\n");
        row(h, "tokens in / outputs out", String.format(Locale.ROOT, "%,d / %,d (distinct %,d, duplicates %,d, missing %,d)",
                run.tokensIn(), in.outputs().outputs(), in.outputs().distinct(), in.outputs().duplicates(),
                in.outputs().missing()));
        if (in.outputs().isLanguageModel()) {
            row(h, "checks of the outputs", String.format(Locale.ROOT, "probabilities sum to 1 within %.1e; surprisal = "
                            + "\u2212log\u2082 of the previous output's probability of the base within %.1e (relative, %,d bases)",
                    in.outputs().probabilitySumError(), in.outputs().surprisalConsistencyError(),
                    in.outputs().surprisalsChecked()));
        }
        row(h, "job seconds", String.format(Locale.ROOT, "%.3f", run.jobSeconds()));
        row(h, "first output written / committed after submit (s)", String.format(Locale.ROOT, "%.3f / %.3f",
                run.firstProcessedSeconds(), run.firstOutputSeconds()));
        row(h, "last output written after submit (s)", String.format(Locale.ROOT, "%.3f", run.lastProcessedSeconds()));
        row(h, "CPU of the model's task thread", String.format(Locale.ROOT, "%.2f s = %.1f µs per token",
                run.operatorCpuSeconds(), run.operatorCpuSeconds() * 1e6 / Math.max(1, run.tokensIn())));
        StringBuilder parts = new StringBuilder();
        run.startup().forEach((k, v) -> parts.append(parts.length() > 0 ? ", " : " (").append(k)
                .append(String.format(Locale.ROOT, " %.2f", v)));
        row(h, "start-up seconds, not in job time", String.format(Locale.ROOT, "%.3f", run.startupSeconds())
                + (parts.length() > 0 ? parts + ")" : ""));
        row(h, "tokens/s (job)", String.format(Locale.ROOT, "%,.0f", run.tokensPerSecond()));
        row(h, "tokens/s (steady state)", String.format(Locale.ROOT, "%,.0f", run.steadyTokensPerSecond()));
        row(h, "peak heap (this JVM)", String.format(Locale.ROOT, "%.1f MiB", run.peakHeapBytes() / MemorySeries.MIB));
        row(h, "state bytes per key", String.format(Locale.ROOT, "%,d", run.stateBytesPerKey()));
        row(h, "model", m.path() + ": " + m.model().architecture());
        row(h, "kernels", VectorSupport.describe());
        row(h, "data", chr.name() + " from " + chr.source()
                + (Chromosome.SHIPPED_SHA256.equals(chr.sha256()) ? " — " + Chromosome.SHIPPED_PROVENANCE : ""));
        row(h, "sha256 (uncompressed FASTA)", chr.sha256());
        h.append("</table>\n</body></html>\n");
        return h.toString();
    }

    private static String fmtBits(double v) {
        return Double.isNaN(v) ? "null" : String.format(Locale.ROOT, "%.4f", v);
    }

    /** The one summary line of the terminal and the report. */
    public static String summaryLine(DemoRun run, BitsPerBase b, DemoModel m) {
        String softmax = fmtBits(b.softmaxMean());
        if (!Double.isNaN(b.softmaxMean())) {
            softmax += String.format(Locale.ROOT, " (first %,d bases)", b.softmaxBases());
        }
        return String.format(Locale.ROOT,
                "%,d tokens in %.2f s = %,.0f tokens/s (steady %,.0f/s; start-up %.2f s not included), "
                        + "peak heap %.0f MiB, state %,d bytes per key; bits/base: model (%s) %s, linear %s, "
                        + "markov %s, softmax %s",
                run.tokensIn(), run.jobSeconds(), run.tokensPerSecond(), run.steadyTokensPerSecond(),
                run.startupSeconds(), run.peakHeapBytes() / MemorySeries.MIB, run.stateBytesPerKey(), m.shortName(),
                fmtBits(b.modelMean()), fmtBits(b.linearMean()), fmtBits(b.markovMean()), softmax);
    }

    private static void row(StringBuilder h, String k, String v) {
        h.append("<tr><th>").append(Svg.esc(k)).append("</th><td>").append(Svg.esc(v)).append("</td></tr>\n");
    }

    private static final String[] PREDICTORS = {"model", "linear", "markov", "softmax"};

    private static double[][] predictorBits(BitsPerBase b) {
        return new double[][] {b.model(), b.linear(), b.markov(), b.softmax()};
    }

    private static String predictorName(Inputs in, int i) {
        switch (i) {
            case 0: return MemoryCurves.label(in.model());
            case 1: return "linear-elu (in-process)";
            case 2: return "Markov, order " + MarkovBaseline.DEFAULT_ORDER;
            default: return "softmax (child JVM, -Xmx" + in.memory().heap() + ")";
        }
    }

    static String bitsTable(Inputs in) {
        BitsPerBase b = in.bits();
        double[] means = {b.modelMean(), b.linearMean(), b.markovMean(), b.softmaxMean()};
        String[] reasons = {b.modelReason(), b.linearReason(), null, b.softmaxReason()};
        double[][] all = predictorBits(b);
        int n = (int) Math.min(Integer.MAX_VALUE, in.bases().length());
        int sn = (int) Math.min(Integer.MAX_VALUE, b.softmaxBases());
        boolean same = b.softmax() != null && sn > 1 && sn < n;
        StringBuilder h = new StringBuilder("<table><tr><th>predictor</th><th>bits per base, "
                + String.format(Locale.ROOT, "%,d", n) + " bases</th>");
        if (same) {
            h.append("<th>on the first ").append(String.format(Locale.ROOT, "%,d", sn)).append(" (softmax's)</th>");
        }
        h.append("<th>note</th></tr>\n");
        for (int i = 0; i < PREDICTORS.length; i++) {
            h.append("<tr><td>").append(Svg.esc(predictorName(in, i))).append("</td><td class=\"n\">");
            h.append(i == 3 && b.softmax() != null && sn < n ? "—" : Svg.esc(fmtBits(means[i])));
            h.append("</td>");
            if (same) {
                h.append("<td class=\"n\">").append(Svg.esc(fmtBits(BitsPerBase.mean(all[i], sn)))).append("</td>");
            }
            h.append("<td class=\"note\">").append(reasons[i] == null ? "" : Svg.esc(reasons[i])).append("</td></tr>\n");
        }
        return h.append("</table>\n").toString();
    }

    /**
     * Rolling bits per base along the sequence, one curve per predictor that ran; when the softmax
     * model stopped early, a second chart of the stretch it covered.
     */
    static String bitsCharts(Inputs in) {
        int n = (int) Math.min(Integer.MAX_VALUE, in.bases().length());
        String all = bitsChart(in, n, "Bits per base along the sequence");
        long sn = in.bits().softmax() == null ? 0 : in.bits().softmaxBases();
        if (sn > 100 && sn * 5 < n) {
            int zoom = (int) Math.min(n, Math.max(sn * 2, 1000));
            return all + "\n" + bitsChart(in, zoom, String.format(Locale.ROOT, "The first %,d bases (the softmax model "
                    + "stopped at %,d)", zoom, sn));
        }
        return all;
    }

    /** The rolling curves over the first {@code n} bases. */
    static String bitsChart(Inputs in, int n, String title) {
        BitsPerBase b = in.bits();
        // about a twentieth of the stretch, rounded to 50, 100, 200, 500 or 1,000 bases
        int window = 50;
        for (int w : new int[] {100, 200, 500, 1000}) {
            if (w <= n / 20) {
                window = w;
            }
        }
        Svg.LineChart chart = new Svg.LineChart(String.format(Locale.ROOT,
                "%s (mean of the previous %,d bases)", title, window), "position (bases)", "bits per base");
        double[][] all = predictorBits(b);
        double lo = Double.POSITIVE_INFINITY;
        double hi = 0;
        for (int i = 0; i < all.length; i++) {
            if (all[i] == null) {
                continue;
            }
            int upTo = i == 3 ? (int) Math.min(n, b.softmaxBases()) : n;
            // the first point where a whole window is behind it (softmax: as far as it got)
            double[][] r = LanguageModelBits.rolling(all[i], upTo, window, 600, Math.min(window, upTo));
            if (r[0].length == 0) {
                continue;
            }
            Svg.Series s = new Svg.Series(predictorName(in, i), PREDICTOR_COLORS[i], r[0], r[1]);
            chart.series(i == 2 ? s.dashed() : s);
            for (double v : r[1]) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
            if (i == 3 && upTo < n && r[0].length > 0) {
                chart.marker(new Svg.Marker(r[0][r[0].length - 1], r[1][r[1].length - 1],
                        String.format(Locale.ROOT, "softmax stops at %,d bases", upTo), PREDICTOR_COLORS[3]));
            }
        }
        chart.xMax(n);
        if (hi > 0) {
            chart.yRange(Math.max(0, Math.floor((lo - 0.05) * 10) / 10), Math.ceil((hi + 0.05) * 10) / 10);
        }
        chart.hline(new Svg.HLine(2.0, "2 bits: uniform over ACGT", "#b2182b"));
        return chart.render(860, 380);
    }

    /** The predicted next-base probabilities over the stretch, the actual base marked. */
    static String probabilityPicture(Inputs in) {
        OutputSummary o = in.outputs();
        double[][] ps = o.stretchProbabilities();
        long from = o.stretchFrom();
        // column j: base at position from + j + 1, predicted by the output at from + j
        int cols = (int) Math.max(0, Math.min(ps.length, in.bases().length() - from - 1));
        double[][] p = new double[cols][];
        char[] actual = new char[cols];
        for (int j = 0; j < cols; j++) {
            p[j] = ps[j];
            actual[j] = in.bases().baseAt(from + j + 1);
        }
        String vocab = in.model().model().vocab();
        return Svg.probabilityBars(String.format(Locale.ROOT,
                        "Predicted next-base probabilities, bases %,d–%,d (%s)", from + 2, from + 1 + cols,
                        in.model().shortName()), p, actual, vocab, from + 2, 860, 300);
    }

    /** A zoom window that shows the naive curve's shape: 1.5 × where it stopped, if that is small. */
    static long zoomTokens(List<MemorySeries> curves) {
        long full = curves.stream().mapToLong(MemorySeries::tokens).max().orElse(0);
        for (MemorySeries c : curves) {
            if (c.method().equals("naive") && c.tokens() > 0 && c.tokens() * 5 < full) {
                return (long) (c.tokens() * 1.5);
            }
        }
        return 0;
    }

    static String memoryChart(List<MemorySeries> curves, long zoom, String heapOption) {
        long limit = curves.stream().mapToLong(MemorySeries::heapLimitBytes).max().orElse(0);
        // the zoom window ends on a round number; every sample inside it is drawn
        double[] zoomTicks = Svg.ticks(zoom, 6);
        double window = zoom > 0 ? zoomTicks[zoomTicks.length - 1] : 0;
        Svg.LineChart chart = new Svg.LineChart(zoom > 0
                ? String.format(Locale.ROOT, "Zoom: the first %,.0f tokens", window)
                : "Heap in use after GC against tokens streamed (same heap limit for all)",
                "tokens streamed", "heap used after GC (MiB)");
        long xMax = 0;
        for (int i = 0; i < curves.size(); i++) {
            MemorySeries c = curves.get(i);
            String color = COLORS[i % COLORS.length];
            List<MemorySeries.Sample> pts = c.samples().stream()
                    .filter(p -> zoom == 0 || p.tokens() <= window).toList();
            double[] x = new double[pts.size()];
            double[] y = new double[pts.size()];
            for (int j = 0; j < x.length; j++) {
                x[j] = pts.get(j).tokens();
                y[j] = pts.get(j).heapUsedBytes() / MemorySeries.MIB;
            }
            chart.series(new Svg.Series(c.label(), color, x, y));
            xMax = Math.max(xMax, c.tokens());
            if (x.length > 0 && (zoom == 0 || c.tokens() <= window)) {
                double endY = c.outcome() == MemorySeries.Outcome.OUT_OF_MEMORY ? limit / MemorySeries.MIB : y[y.length - 1];
                switch (c.outcome()) {
                    case OUT_OF_MEMORY:
                        chart.marker(new Svg.Marker(c.tokens(), endY,
                                String.format(Locale.ROOT, "OutOfMemoryError at %,d tokens", c.tokens()), color));
                        break;
                    case TIME_BUDGET:
                        chart.marker(new Svg.Marker(c.tokens(), endY, String.format(Locale.ROOT,
                                "stopped at %.0f s (%,d tokens)", c.seconds(), c.tokens()), color));
                        break;
                    case FAILED:
                        chart.marker(new Svg.Marker(c.tokens(), endY, "failed", color));
                        break;
                    default:
                        break;
                }
            }
        }
        chart.xMax(zoom > 0 ? window : xMax);
        if (limit > 0) {
            chart.hline(new Svg.HLine(limit / MemorySeries.MIB,
                    "usable heap (-Xmx" + heapOption + ")", "#b2182b"));
        }
        return chart.render(860, zoom > 0 ? 300 : 380);
    }

    static String throughputChart(DemoRun run) {
        double[] t = run.timeline().seconds();
        long[] c = run.timeline().counts();
        // outputs arrive in committed batches: draw the wait before the first batch flat, not as a ramp
        java.util.List<double[]> pts = new java.util.ArrayList<>();
        for (int i = 0; i < c.length; i++) {
            if (i > 0 && c[i - 1] == 0 && c[i] > 0) {
                pts.add(new double[] {t[i], 0});
            }
            pts.add(new double[] {t[i], c[i]});
        }
        double[] x = pts.stream().mapToDouble(p -> p[0]).toArray();
        double[] y = pts.stream().mapToDouble(p -> p[1]).toArray();
        Svg.LineChart chart = new Svg.LineChart(String.format(Locale.ROOT, "Outputs over time: %,.0f tokens/s over the job, "
                        + "%,.0f/s steady", run.tokensPerSecond(), run.steadyTokensPerSecond()),
                "seconds since job submit", "outputs read")
                .series(new Svg.Series("committed (read_committed)", COLORS[0], x, y))
                .xFormat(v -> String.format(Locale.ROOT, "%.2g", v));
        if (run.processed() != null) {
            double[] pt = run.processed().seconds();
            long[] pc = run.processed().counts();
            double[] py = new double[pc.length];
            for (int i = 0; i < pc.length; i++) {
                py[i] = pc[i];
            }
            chart.series(new Svg.Series("written by the job (read_uncommitted)", COLORS[1], pt, py).dashed());
        }
        return chart.render(860, 300);
    }

    static String profileChart(Inputs in) {
        OutputSummary o = in.outputs();
        int w = o.columns();
        double[] x = new double[w];
        double[] norm = o.binNorms();
        double[] gc = new double[w];
        double maxNorm = 0;
        for (int c = 0; c < w; c++) {
            maxNorm = Math.max(maxNorm, norm[c]);
        }
        Chromosome.Slice s = in.bases();
        for (int c = 0; c < w; c++) {
            long from = o.binStart(c);
            long to = c + 1 < w ? o.binStart(c + 1) : s.length();
            x[c] = from;
            long g = 0;
            for (long p = from; p < to; p++) {
                char b = s.baseAt(p);
                if (b == 'G' || b == 'C') {
                    g++;
                }
            }
            gc[c] = to > from ? (double) g / (to - from) : 0;
        }
        return new Svg.LineChart("Per bin: mean ‖y‖ (scaled to 1 = max " + String.format(Locale.ROOT, "%.3g", maxNorm)
                        + ") and the GC fraction of the bases", "position", "value")
                .series(new Svg.Series("mean ‖y‖ / max", COLORS[0], x, scaleBy(norm, maxNorm)))
                .series(new Svg.Series("GC fraction of the bin", "#999999", x, gc).dashed())
                .xMax(s.length()).yMax(1.0)
                .render(860, 260);
    }

    private static double[] scaleBy(double[] v, double by) {
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            r[i] = by > 0 ? v[i] / by : 0;
        }
        return r;
    }

    /** The 99th percentile of |values| (so a few outliers do not wash out the picture). */
    static double robustMax(double[][] m) {
        int n = 0;
        for (double[] r : m) {
            n += r.length;
        }
        double[] a = new double[n];
        int k = 0;
        for (double[] r : m) {
            for (double v : r) {
                a[k++] = Math.abs(v);
            }
        }
        if (n == 0) {
            return 1;
        }
        java.util.Arrays.sort(a);
        double v = a[Math.min(n - 1, (int) (n * 0.99))];
        return v > 0 ? v : 1;
    }
}
