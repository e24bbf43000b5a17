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
 * Measures memory against sequence length, each method in its own child JVM (same java binary,
 * same classpath, same {@code -Xmx}), so that a method can run out of memory without taking the
 * demo with it. The child is {@link MemoryProbe}. The methods:
 *
 * <ul>
 *   <li>{@code linear}: the demo's model with its fixed-size recurrent state (by default the
 *       trained Gated DeltaNet);
 *   <li>{@code kv} and {@code naive}: softmax attention of one attention layer, with a KV cache
 *       and as the naive N×N form: the demo's model when it is a single layer, else the seeded
 *       reference layer ({@link DemoModel#referenceLayer()});
 *   <li>{@code softmax}: the trained softmax encoder ({@value DemoModel#SOFTMAX_URI}) with its KV
 *       caches, which also gives its bits per base as far as it gets; skipped when this build has
 *       no such model.
 * </ul>
 *
 * <pre>{@code
 * MemoryCurves.Options opt = MemoryCurves.Options.defaults(100_000);
 * List<MemorySeries> curves = new MemoryCurves(opt).run(model, dataFile, line -> System.err.println(line));
 * }</pre>
 */
public final class MemoryCurves {
    /** The methods, in the order they are run and drawn ({@code softmax} by {@link #softmax}). */
    public static final List<String> METHODS = List.of("linear", "kv", "naive", "softmax");

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

        /** Tokens between samples for a method (naive and the softmax encoder die early: sample them finer). */
        long every(String method) {
            long e = Math.max(1, tokens / samples);
            return method.equals("naive") || method.equals("softmax") ? Math.max(1, Math.min(e, 100)) : e;
        }
    }

    private final Options options;

    public MemoryCurves(Options options) {
        this.options = options;
    }

    /**
     * Runs the children (the model's next to the two softmax forms) and returns one series per
     * method in {@link #METHODS} order; {@code dataFile} null means the shipped sequence.
     */
    public List<MemorySeries> run(DemoModel model, Path dataFile, Consumer<String> log) throws IOException {
        preload = model;
        // The model streams every token (the longest child) while the softmax forms of the layer run
        // one after the other next to it: two children at a time. Heap samples do not depend on it.
        java.util.concurrent.CompletableFuture<MemorySeries> linear = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> {
                    try {
                        MemorySeries s = runOne("linear", model.spec(), model.overrideArgs(), dataFile, options.tokens())
                                .withLabel(label(model) + ", recurrent state");
                        log.accept("  memory: " + s.describe());
                        return s;
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
        List<MemorySeries> softmaxForms = new ArrayList<>();
        boolean own = model.singleLayer() != null;
        DemoModel layer = own ? model : DemoModel.referenceLayer();
        String which = own ? "" : " (one seeded layer, d_model " + DemoModel.D_MODEL + ")";
        for (String m : List.of("kv", "naive")) {
            MemorySeries s = runOne(m, layer.spec(), layer.overrideArgs(), dataFile, options.tokens());
            s = s.withLabel(MemorySeries.displayName(m) + which);
            log.accept("  memory: " + s.describe());
            softmaxForms.add(s);
        }
        List<MemorySeries> out = new ArrayList<>();
        try {
            out.add(linear.join());
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof java.io.UncheckedIOException u) {
                throw u.getCause();
            }
            throw e;
        }
        out.addAll(softmaxForms);
        return out;
    }

    /**
     * The trained softmax model over the first {@code tokens} bases in a child JVM under the same
     * heap limit, with the bits of every base it got to ({@link MemorySeries#bits()}); see
     * {@link #softmaxAvailable()}.
     */
    public MemorySeries softmax(DemoModel model, long tokens, Path dataFile) throws IOException {
        preload = model;
        return runOne("softmax", DemoModel.SOFTMAX_URI, List.of(), dataFile, tokens);
    }

    /** True when this build ships the trained softmax model. */
    public static boolean softmaxAvailable() {
        return MemoryCurves.class.getResource(DemoModel.SOFTMAX_RESOURCE) != null;
    }

    /** The model's name for the curves: e.g. "gdn (Gated DeltaNet)". */
    static String label(DemoModel model) {
        return model.shortName() + " (" + family(model.model().architecture()) + ")";
    }

    /** A family name from a model's architecture string. */
    static String family(String architecture) {
        String a = architecture;
        if (a.startsWith("fla-gated_deltanet")) {
            return "Gated DeltaNet";
        }
        if (a.startsWith("fla-")) {
            return "FLA " + a.substring(4, a.indexOf('(') > 0 ? a.indexOf('(') : a.length());
        }
        if (a.startsWith("fast-transformers-encoder")) {
            java.util.regex.Matcher l = java.util.regex.Pattern.compile("layers=(\\d+)").matcher(a);
            java.util.regex.Matcher f = java.util.regex.Pattern.compile("feature_map=(\\w+)").matcher(a);
            return "linear-attention encoder" + (f.find() ? ", " + f.group(1) : "")
                    + (l.find() ? ", " + l.group(1) + " layers" : "");
        }
        return "one attention layer";
    }

    /** The model every child loads first (see {@link MemoryProbe}), or null. */
    private DemoModel preload;

    MemorySeries runOne(String method, String modelSpec, List<String> modelOptions, Path dataFile, long tokens)
            throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBinary());
        cmd.add("-Xmx" + options.heap());
        cmd.add("-Xms" + options.heap());
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
            // the same kernels as the demo's JVM (same results either way, the speed differs)
            cmd.add("--add-modules");
            cmd.add("jdk.incubator.vector");
        }
        // Serial GC: deterministic, single-threaded, and System.gc() is a full compacting GC, so
        // "heap used after GC" is what the method keeps alive.
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"));
        if (preload != null) {
            cmd.add("-D" + MemoryProbe.PRELOAD + "=" + preload.spec());
            cmd.add("-D" + MemoryProbe.PRELOAD_OPTIONS + "=" + String.join(",", preload.overrideArgs()));
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(MemoryProbe.class.getName());
        cmd.add(method);
        cmd.add(Long.toString(tokens));
        cmd.add(Long.toString(options.every(method)));
        cmd.add(Double.toString(options.budgetSeconds()));
        cmd.add(modelSpec);
        cmd.add(dataFile == null ? MemoryProbe.SHIPPED : dataFile.toAbsolutePath().toString());
        cmd.addAll(modelOptions);

        Path err = Files.createTempFile("memory-probe-" + method, ".err");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(err.toFile());
        Process p = pb.start();
        List<MemorySeries.Sample> samples = new ArrayList<>();
        double[] bits = null;
        String end = null;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith(MemoryProbe.END)) {
                    end = line;
                } else if (line.startsWith(MemoryProbe.BITS + ",")) {
                    String[] f = line.split(",");
                    int t = Integer.parseInt(f[1]);
                    if (bits == null) {
                        bits = new double[(int) tokens];
                        java.util.Arrays.fill(bits, Double.NaN);
                    }
                    if (t >= 0 && t < bits.length) {
                        bits[t] = Double.parseDouble(f[2]);
                    }
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
        MemorySeries s = parseEnd(method, samples, end, p.exitValue(), stderr);
        return bits == null ? s : s.withBits(bits);
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
