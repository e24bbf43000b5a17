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

/**
 * Writes the demo's report folder (DESIGN §7): {@code summary.json}, {@code memory.csv}
 * ({@code method,tokens,heap_used_bytes}) and {@code report.html} with inline SVG pictures.
 *
 * <pre>{@code
 * DemoReport.write(dir, new DemoReport.Inputs(slice, model, run, outputs, curves, memoryOptions));
 * }</pre>
 */
public final class DemoReport {
    public static final String SUMMARY = "summary.json";
    public static final String MEMORY = "memory.csv";
    public static final String HTML = "report.html";

    static final String[] COLORS = {"#1b9e77", "#d95f02", "#7570b3"};

    /** Everything a report shows. {@code curves} may be empty (memory part skipped). */
    public record Inputs(Chromosome.Slice bases, DemoModel model, DemoRun run, OutputSummary outputs,
            List<MemorySeries> curves, MemoryCurves.Options memory) {}

    private DemoReport() {}

    public static void write(Path dir, Inputs in) throws IOException {
        Files.createDirectories(dir);
        writeCsv(dir.resolve(MEMORY), in.curves());
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

    static ObjectNode summary(ObjectMapper json, Inputs in) {
        DemoRun run = in.run();
        Chromosome chr = in.bases().chromosome();
        ObjectNode s = json.createObjectNode();
        s.put("tokens", run.tokensIn());
        s.put("outputs", in.outputs().outputs());
        s.put("records", run.records());
        s.put("job_seconds", round(run.jobSeconds(), 4));
        s.put("tokens_per_second", Math.round(run.tokensPerSecond()));
        s.put("steady_tokens_per_second", Math.round(run.steadyTokensPerSecond()));
        s.put("first_output_seconds", round(run.firstOutputSeconds(), 4));
        s.put("startup_seconds", round(run.startupSeconds(), 4));
        ObjectNode parts = s.putObject("startup");
        run.startup().forEach((k, v) -> parts.put(k + "_seconds", round(v, 4)));
        s.put("peak_heap_bytes", run.peakHeapBytes());
        s.put("state_bytes_per_key", run.stateBytesPerKey());
        s.put("pipeline", run.pipeline());
        s.put("created", Instant.now().toString());

        ObjectNode check = s.putObject("outputs_check");
        check.put("outputs", in.outputs().outputs());
        check.put("distinct_positions", in.outputs().distinct());
        check.put("duplicates", in.outputs().duplicates());
        check.put("missing", in.outputs().missing());
        check.put("non_finite_values", in.outputs().nonFinite());

        DemoModel m = in.model();
        ObjectNode model = s.putObject("model");
        model.put("d_model", m.config().dModel());
        model.put("heads", m.config().heads());
        model.put("d_k", m.config().dKey());
        model.put("d_v", m.config().dValue());
        model.put("d_out", m.config().dOut());
        model.put("feature_map", m.config().featureMap().metadataName());
        model.put("variant", m.config().variant().metadataName());
        model.put("vocab", m.config().vocab());
        model.put("seed", m.seed());
        model.put("file", m.file() == null ? null : m.file().getFileName().toString());

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
            ObjectNode o = methods.addObject();
            o.put("method", c.method());
            o.put("name", MemorySeries.displayName(c.method()));
            o.put("outcome", c.outcome().label());
            o.put("tokens", c.tokens());
            o.put("seconds", round(c.seconds(), 3));
            o.put("heap_limit_bytes", c.heapLimitBytes());
            o.put("min_heap_used_bytes", c.minSampleBytes());
            o.put("max_heap_used_bytes", c.maxSampleBytes());
            o.put("samples", c.samples().size());
            if (c.detail() != null && !c.detail().isEmpty()) {
                o.put("detail", c.detail());
            }
        }
        return s;
    }

    private static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }

    // ---------------------------------------------------------------- html

    static String html(Inputs in) {
        DemoRun run = in.run();
        DemoModel m = in.model();
        Chromosome chr = in.bases().chromosome();
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n")
                .append("<title>Chromosome demo: linear attention over ").append(Svg.esc(chr.name())).append("</title>\n")
                .append("<style>body{font-family:sans-serif;max-width:900px;margin:24px auto;color:#222;line-height:1.4}"
                        + "h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd}"
                        + "table{border-collapse:collapse;font-size:14px}td,th{padding:3px 10px;border-bottom:1px solid #eee;"
                        + "text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}"
                        + ".note{color:#555;font-size:13px}.big{font-size:15px;background:#f6f8fa;padding:10px 14px;"
                        + "border-left:4px solid #1b9e77}</style>\n</head><body>\n");
        h.append("<h1>Linear attention over human chromosome 1: flat memory, softmax runs out</h1>\n");
        h.append("<p class=\"big\">").append(Svg.esc(summaryLine(run))).append("</p>\n");
        h.append("<p>").append(Svg.esc(in.bases().describe())).append(", streamed as ")
                .append(String.format(Locale.ROOT, "%,d", run.records())).append(" records of up to ")
                .append(AttentionPipeline.FASTA_LINE).append(" bases (one FASTA line each) through ")
                .append(Svg.esc(run.pipeline())).append(".</p>\n");

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
                h.append("<tr><td>").append(Svg.esc(MemorySeries.displayName(c.method()))).append("</td><td>")
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
                    .append(", serial GC) and the same model, streaming the same bases one token at a time. "
                            + "A sample is the heap in use right after a full GC, i.e. what the method keeps alive. "
                            + "Linear attention keeps a fixed state per sequence; the KV cache keeps every key and "
                            + "value (memory grows with N, time per token too); the naive form materialises the "
                            + "causal score matrix (N\u00b2) until the heap is exhausted. A child stops at ")
                    .append(String.format(Locale.ROOT, "%.0f", in.memory().budgetSeconds()))
                    .append(" s; raw samples are in memory.csv. For the naive form a sample is the peak heap in use "
                            + "during one forward pass over the first n tokens (the form cannot stream). The heap limit is "
                            + "small so that the softmax forms fail within seconds; with a larger heap they fail the "
                            + "same way, later: the KV cache holds H·(d_k+d_v)·8 = 1 KiB per token here (1 GiB at a million "
                            + "tokens), the score matrix 8·N² bytes (8 GB at 32k tokens), while the linear state stays at "
                            + String.format(Locale.ROOT, "%,d", in.run().stateBytesPerKey()) + " bytes.</p>\n");
        }

        h.append("<h2>Throughput</h2>\n").append(throughputChart(run)).append('\n');
        h.append("<p class=\"note\">Outputs read back against time since the job was submitted. Job time (submit → last "
                + "output committed and read) excludes start-up");
        if (run.startupSeconds() > 0) {
            h.append(String.format(Locale.ROOT, " (%.2f s here)", run.startupSeconds()));
        }
        h.append(". Steady state = the rate between 10% and 90% of the outputs.</p>\n");

        h.append("<h2>Attention outputs along the sequence</h2>\n");
        double[][] strip = in.outputs().binMeans();
        double[][] first = in.outputs().firstOutputs();
        double scale = robustMax(first);
        long n = in.bases().length();
        h.append(Svg.heatStrip(String.format(Locale.ROOT, "The first %,d outputs, one column per token (colour ±%.2g)",
                first.length, scale), first, scale, 0, first.length, "position", 860, 260)).append('\n');
        h.append(Svg.heatStrip(String.format(Locale.ROOT, "Mean output vector per bin (%d bins of ~%,d tokens; colour ±%.2g)",
                strip.length, Math.max(1, n / strip.length), scale), strip, scale, 0, n, "position", 860, 260)).append('\n');
        h.append(profileChart(in)).append('\n');
        h.append("<p class=\"note\">Each column is the mean of the attention outputs y_t over one bin of positions "
                + "(blue negative, red positive); the top strip shows single outputs of the first tokens, where the "
                + "attention state is still young. With the plain linear variant every output is an average over the "
                + "whole prefix, so the picture settles as the sequence grows (the blurriness of linear attention); "
                + "the decay, gated and delta variants (--variant) keep local detail.</p>\n");

        h.append("<h2>Run</h2>\n<table>\n");
        row(h, "tokens in / outputs out", String.format(Locale.ROOT, "%,d / %,d (distinct %,d, duplicates %,d, missing %,d)",
                run.tokensIn(), in.outputs().outputs(), in.outputs().distinct(), in.outputs().duplicates(),
                in.outputs().missing()));
        row(h, "job seconds", String.format(Locale.ROOT, "%.3f", run.jobSeconds()));
        row(h, "first output after submit (s)", String.format(Locale.ROOT, "%.3f", run.firstOutputSeconds()));
        StringBuilder parts = new StringBuilder();
        run.startup().forEach((k, v) -> parts.append(parts.length() > 0 ? ", " : " (").append(k)
                .append(String.format(Locale.ROOT, " %.2f", v)));
        row(h, "start-up seconds, not in job time", String.format(Locale.ROOT, "%.3f", run.startupSeconds())
                + (parts.length() > 0 ? parts + ")" : ""));
        row(h, "tokens/s (job)", String.format(Locale.ROOT, "%,.0f", run.tokensPerSecond()));
        row(h, "tokens/s (steady state)", String.format(Locale.ROOT, "%,.0f", run.steadyTokensPerSecond()));
        row(h, "peak heap (this JVM)", String.format(Locale.ROOT, "%.1f MiB", run.peakHeapBytes() / MemorySeries.MIB));
        row(h, "state bytes per key", String.format(Locale.ROOT, "%,d", run.stateBytesPerKey()));
        row(h, "model", String.format(Locale.ROOT, "d_model %d, %d heads × d_k %d / d_v %d, d_out %d, φ = %s, variant %s, "
                        + "vocab %s, seed %d", m.config().dModel(), m.config().heads(), m.config().dKey(),
                m.config().dValue(), m.config().dOut(), m.config().featureMap().metadataName(),
                m.config().variant().metadataName(), m.config().vocab(), m.seed()));
        row(h, "data", chr.name() + " from " + chr.source()
                + (Chromosome.SHIPPED_SHA256.equals(chr.sha256()) ? " — " + Chromosome.SHIPPED_PROVENANCE : ""));
        row(h, "sha256 (uncompressed FASTA)", chr.sha256());
        h.append("</table>\n</body></html>\n");
        return h.toString();
    }

    /** The one summary line of the terminal and the report. */
    public static String summaryLine(DemoRun run) {
        return String.format(Locale.ROOT,
                "%,d tokens in %.2f s = %,.0f tokens/s (steady %,.0f/s; start-up %.2f s not included), "
                        + "peak heap %.0f MiB, state %,d bytes per key",
                run.tokensIn(), run.jobSeconds(), run.tokensPerSecond(), run.steadyTokensPerSecond(),
                run.startupSeconds(), run.peakHeapBytes() / MemorySeries.MIB, run.stateBytesPerKey());
    }

    private static void row(StringBuilder h, String k, String v) {
        h.append("<tr><th>").append(Svg.esc(k)).append("</th><td>").append(Svg.esc(v)).append("</td></tr>\n");
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
                : "Heap in use after GC against tokens streamed (same heap limit for all three)",
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
            chart.series(new Svg.Series(MemorySeries.displayName(c.method()), color, x, y));
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
        Svg.LineChart chart = new Svg.LineChart(String.format(Locale.ROOT, "Outputs committed over time: %,.0f tokens/s over the job, "
                        + "%,.0f tokens/s steady", run.tokensPerSecond(), run.steadyTokensPerSecond()),
                "seconds since job submit", "outputs read")
                .series(new Svg.Series("outputs (cumulative)", COLORS[0], x, y))
                .xFormat(v -> String.format(Locale.ROOT, "%.2g", v));
        double first = run.firstOutputSeconds();
        if (Double.isFinite(first)) {
            chart.marker(new Svg.Marker(first, 0, String.format(Locale.ROOT, "first output at %.2f s", first), "#555555"));
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
