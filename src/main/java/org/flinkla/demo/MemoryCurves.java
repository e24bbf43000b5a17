package org.flinkla.demo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Measures memory against sequence length for the three attention methods, each in its own child
 * JVM (same java binary, same classpath, same {@code -Xmx}), so that the naive softmax can run out
 * of memory without taking the demo with it. The child is {@link MemoryProbe}.
 *
 * <pre>{@code
 * MemoryCurves.Options opt = MemoryCurves.Options.defaults(100_000);
 * List<MemorySeries> curves = new MemoryCurves(opt).run(model.spec(), dataFile, line -> System.err.println(line));
 * }</pre>
 */
public final class MemoryCurves {
    /** The methods, in the order they are run and drawn. */
    public static final List<String> METHODS = List.of("linear", "kv", "naive");

    /**
     * @param heap          the {@code -Xmx} of every child, e.g. {@code 64m}
     * @param tokens        tokens to stream through each method
     * @param budgetSeconds wall-time budget of each child's streaming loop
     * @param samples       target number of samples per curve over {@code tokens}
     */
    public record Options(String heap, long tokens, double budgetSeconds, int samples) {
        public static Options defaults(long tokens) {
            return new Options("24m", tokens, 30, 200);
        }

        /** Tokens between samples for a method (naive dies early: sample it finer). */
        long every(String method) {
            long e = Math.max(1, tokens / samples);
            return method.equals("naive") ? Math.max(1, Math.min(e, 100)) : e;
        }
    }

    private final Options options;

    public MemoryCurves(Options options) {
        this.options = options;
    }

    /**
     * Runs the children one after another (they share 2 cores with nothing else then) and returns
     * one series per method. {@code modelSpec} is {@link DemoModel#spec()}; {@code dataFile} null means
     * the shipped sequence.
     */
    public List<MemorySeries> run(String modelSpec, Path dataFile, Consumer<String> log) throws IOException {
        List<MemorySeries> out = new ArrayList<>();
        for (String m : METHODS) {
            MemorySeries s = runOne(m, modelSpec, dataFile);
            log.accept("  memory: " + s.describe());
            out.add(s);
        }
        return out;
    }

    MemorySeries runOne(String method, String modelSpec, Path dataFile) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBinary());
        cmd.add("-Xmx" + options.heap());
        cmd.add("-Xms" + options.heap());
        // Serial GC: deterministic, single-threaded, and System.gc() is a full compacting GC, so
        // "heap used after GC" is what the method keeps alive.
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(MemoryProbe.class.getName());
        cmd.add(method);
        cmd.add(Long.toString(options.tokens()));
        cmd.add(Long.toString(options.every(method)));
        cmd.add(Double.toString(options.budgetSeconds()));
        cmd.add(modelSpec);
        cmd.add(dataFile == null ? MemoryProbe.SHIPPED : dataFile.toAbsolutePath().toString());

        Path err = Files.createTempFile("memory-probe-" + method, ".err");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(err.toFile());
        Process p = pb.start();
        List<MemorySeries.Sample> samples = new ArrayList<>();
        String end = null;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith(MemoryProbe.END)) {
                    end = line;
                } else if (line.startsWith(method + ",")) {
                    String[] f = line.split(",");
                    samples.add(new MemorySeries.Sample(Long.parseLong(f[1]), Long.parseLong(f[2])));
                }
            }
        }
        try {
            if (!p.waitFor((long) options.budgetSeconds() + 120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new MemorySeries(method, samples, MemorySeries.Outcome.FAILED, lastTokens(samples),
                        options.budgetSeconds(), 0, "the child JVM did not exit");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while measuring " + method, e);
        }
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        Files.deleteIfExists(err);
        return parseEnd(method, samples, end, p.exitValue(), stderr);
    }

    /** Interprets the child's final marker line (or, without one, its exit and stderr). */
    static MemorySeries parseEnd(String method, List<MemorySeries.Sample> samples, String end, int exit, String stderr) {
        if (end == null) {
            String why = stderr.contains("OutOfMemoryError")
                    ? "OutOfMemoryError outside the measured loop" : firstLine(stderr);
            MemorySeries.Outcome o = stderr.contains("OutOfMemoryError")
                    ? MemorySeries.Outcome.OUT_OF_MEMORY : MemorySeries.Outcome.FAILED;
            return new MemorySeries(method, samples, o, lastTokens(samples), 0, 0,
                    "child exited with code " + exit + ": " + why);
        }
        // "#end <outcome> tokens=<n> seconds=<s> max_heap=<bytes> [detail...]"
        String[] f = end.split(" ", 6);
        MemorySeries.Outcome outcome = MemorySeries.Outcome.valueOf(f[1].toUpperCase(Locale.ROOT));
        long tokens = Long.parseLong(f[2].substring("tokens=".length()));
        double seconds = Double.parseDouble(f[3].substring("seconds=".length()));
        long maxHeap = Long.parseLong(f[4].substring("max_heap=".length()));
        String detail = f.length > 5 ? f[5] : "";
        return new MemorySeries(method, samples, outcome, tokens, seconds, maxHeap, detail);
    }

    private static long lastTokens(List<MemorySeries.Sample> samples) {
        return samples.isEmpty() ? 0 : samples.get(samples.size() - 1).tokens();
    }

    private static String firstLine(String s) {
        String t = s.strip();
        int nl = t.indexOf('\n');
        return t.isEmpty() ? "(no error output)" : nl < 0 ? t : t.substring(0, nl);
    }

    /** The java binary running this JVM. */
    static String javaBinary() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }
}
