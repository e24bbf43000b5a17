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
package org.flinkla.bench.recall;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.TreeSet;

/**
 * Associative-recall benchmark (the sharpness measure): for each key width d_k and number of pairs
 * P, {@code trials} streams of P random unit key→value pairs are written and every key is queried;
 * each method's accuracy (nearest stored value by cosine is the right one) and mean relative error
 * ‖y − v‖/‖v‖ are reported. See {@link RecallStream}, {@link RecallLayers}, {@link RecallMethods}.
 *
 * <pre>{@code
 * java -cp target/flink-linear-attention.jar org.flinkla.bench.recall.RecallBenchmark --out docs/recall
 * }</pre>
 *
 * Options: {@code --task recall} (or {@code overwrite}: every key written twice, the newer value
 * asked for); {@code --dk 16,32} key widths (d_v = d_k); {@code --pairs 1,2,4,...} the P grid (default
 * 1, 2, 4 and d_k·{1/4, 1/2, 3/4, 1, 3/2, 2, 3, 4}); {@code --trials 8}; {@code --seed 1};
 * {@code --favor-features 256}; {@code --methods softmax,elu,...}; {@code --out DIR} writes
 * {@code recall.csv} and {@code recall.svg} (or {@code overwrite.*}) there.
 */
public final class RecallBenchmark {
    private RecallBenchmark() {
    }

    /** What the stream asks (see {@link RecallStream}). */
    public enum Task {
        /** P pairs written once, every key queried. */
        RECALL,
        /** P pairs written, then rewritten with new values; every key queried for its new value. */
        OVERWRITE;

        public String fileName() {
            return name().toLowerCase(Locale.ROOT);
        }

        RecallStream stream(int dk, int dv, int pairs, Random rnd) {
            return this == RECALL ? RecallStream.random(dk, dv, pairs, rnd) : RecallStream.overwrite(dk, dv, pairs, rnd);
        }

        static Task parse(String v) {
            for (Task t : values()) {
                if (t.fileName().equals(v.trim().toLowerCase(Locale.ROOT))) {
                    return t;
                }
            }
            throw new IllegalArgumentException("--task: expected recall or overwrite, got '" + v + "'");
        }
    }

    /** Parsed options. */
    public record Options(Task task, int[] dks, int[] pairs, int trials, long seed, int favorFeatures,
                          List<String> methods, Path out) {
    }

    public static void main(String[] args) {
        if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
            System.out.println(usage());
            return;
        }
        Options o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("recall: " + e.getMessage());
            System.err.println(usage());
            System.exit(2);
            return;
        }
        List<RecallResult> results = new ArrayList<>();
        for (int dk : o.dks()) {
            int[] grid = o.pairs() != null ? o.pairs() : defaultGrid(dk);
            List<RecallResult> part = run(o.task(), dk, dk, grid, o.trials(), o.seed(), o.favorFeatures(),
                    o.methods());
            printTables(System.out, o.task(), part, o.methods());
            results.addAll(part);
        }
        if (o.out() != null) {
            try {
                Files.createDirectories(o.out());
                Path csv = o.out().resolve(o.task().fileName() + ".csv");
                Path svg = o.out().resolve(o.task().fileName() + ".svg");
                Files.writeString(csv, csv(results), StandardCharsets.UTF_8);
                Files.writeString(svg, RecallPlot.svg(o.task(), results, o.methods(), o.trials()),
                        StandardCharsets.UTF_8);
                System.out.println("wrote " + csv + " and " + svg);
            } catch (IOException e) {
                System.err.println("recall: cannot write to " + o.out() + ": " + e.getMessage());
                System.exit(1);
            }
        }
    }

    static String usage() {
        return "usage: RecallBenchmark [--task recall|overwrite] [--dk 16,32] [--pairs 1,2,4,...] [--trials 8] [--seed 1]"
                + " [--favor-features 256] [--methods " + String.join(",", RecallMethods.ALL) + "] [--out DIR]";
    }

    /** Parses the options above; a wrong one gives an IllegalArgumentException that names it. */
    public static Options parse(String[] args) {
        Task task = Task.RECALL;
        int[] dks = {16, 32};
        int[] pairs = null;
        int trials = 8;
        long seed = 1;
        int favor = 256;
        List<String> methods = RecallMethods.ALL;
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + a + " needs a value");
            }
            String v = args[++i];
            switch (a) {
                case "--task":
                    task = Task.parse(v);
                    break;
                case "--dk":
                    dks = positiveInts(a, v);
                    break;
                case "--pairs":
                    pairs = positiveInts(a, v);
                    break;
                case "--trials":
                    trials = positiveInt(a, v);
                    break;
                case "--seed":
                    seed = parseLong(a, v);
                    break;
                case "--favor-features":
                    favor = positiveInt(a, v);
                    break;
                case "--methods":
                    methods = new ArrayList<>();
                    for (String m : v.split(",")) {
                        methods.add(RecallMethods.checkName(m));
                    }
                    break;
                case "--out":
                    out = Path.of(v);
                    break;
                default:
                    throw new IllegalArgumentException("unknown option " + a);
            }
        }
        return new Options(task, dks, pairs, trials, seed, favor, methods, out);
    }

    private static int[] positiveInts(String option, String v) {
        String[] parts = v.split(",");
        int[] out = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                out[i] = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + ": '" + parts[i] + "' is not an integer");
            }
            if (out[i] <= 0) {
                throw new IllegalArgumentException(option + ": values must be positive, got " + out[i]);
            }
        }
        return out;
    }

    private static int positiveInt(String option, String v) {
        if (v.contains(",")) {
            throw new IllegalArgumentException(option + " takes one value, got '" + v + "'");
        }
        return positiveInts(option, v)[0];
    }

    private static long parseLong(String option, String v) {
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": '" + v + "' is not an integer");
        }
    }

    /** 1, 2, 4 and d_k·{1/4, 1/2, 3/4, 1, 3/2, 2, 3, 4}, sorted, without duplicates or zeros. */
    public static int[] defaultGrid(int dk) {
        TreeSet<Integer> g = new TreeSet<>(List.of(1, 2, 4));
        for (int[] f : new int[][] {{1, 4}, {1, 2}, {3, 4}, {1, 1}, {3, 2}, {2, 1}, {3, 1}, {4, 1}}) {
            int p = dk * f[0] / f[1];
            if (p > 0) {
                g.add(p);
            }
        }
        return g.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Runs every method on the same streams: for each P in {@code grid} and each trial, one stream
     * drawn from a Random seeded by (seed, d_k, d_v, P, trial), so a cell does not depend on the
     * rest of the grid.
     */
    public static List<RecallResult> run(Task task, int dk, int dv, int[] grid, int trials, long seed,
                                         int favorFeatures, List<String> methodNames) {
        List<RecallMethod> methods = RecallMethods.create(methodNames, dk, dv, favorFeatures);
        List<RecallResult> out = new ArrayList<>();
        for (int p : grid) {
            RecallScore[] scores = new RecallScore[methods.size()];
            Arrays.setAll(scores, i -> new RecallScore());
            for (int t = 0; t < trials; t++) {
                RecallStream s = task.stream(dk, dv, p, new Random(streamSeed(seed, dk, dv, p, t)));
                for (int m = 0; m < methods.size(); m++) {
                    scores[m].add(s, methods.get(m).recall(s));
                }
            }
            for (int m = 0; m < methods.size(); m++) {
                out.add(new RecallResult(dk, dv, p, methods.get(m).name(), trials, scores[m].queries(),
                        scores[m].accuracy(), scores[m].meanError(), scores[m].olderHalfAccuracy(),
                        scores[m].newerHalfAccuracy()));
            }
        }
        return out;
    }

    static long streamSeed(long seed, int dk, int dv, int p, int trial) {
        long z = seed;
        for (long part : new long[] {dk, dv, p, trial}) {
            z = (z ^ part) * 0x9E3779B97F4A7C15L;
            z ^= z >>> 29;
        }
        return z;
    }

    public static String csv(List<RecallResult> results) {
        StringBuilder b = new StringBuilder(RecallResult.CSV_HEADER).append('\n');
        for (RecallResult r : results) {
            b.append(r.csvLine()).append('\n');
        }
        return b.toString();
    }

    /** Two tables (accuracy, mean error) of one d_k: rows P, columns the methods. */
    static void printTables(PrintStream out, Task task, List<RecallResult> results, List<String> methods) {
        if (results.isEmpty()) {
            return;
        }
        RecallResult first = results.get(0);
        for (boolean accuracy : new boolean[] {true, false}) {
            out.printf(Locale.ROOT, "%n%s: %s, d_k = %d, d_v = %d, %d trials%n", task.fileName(),
                    accuracy ? "accuracy" : "mean relative error ||y - v||/||v||",
                    first.dKey(), first.dValue(), first.trials());
            out.print(markdownTable(results, methods, accuracy));
        }
    }

    /** A Markdown table: | P | method… | with accuracy or mean error per cell. */
    public static String markdownTable(List<RecallResult> results, List<String> methods, boolean accuracy) {
        StringBuilder b = new StringBuilder("|    P |");
        StringBuilder rule = new StringBuilder("|-----:|");
        for (String m : methods) {
            b.append(String.format(Locale.ROOT, " %13s |", m));
            rule.append("--------------:|");
        }
        b.append('\n').append(rule).append('\n');
        TreeSet<Integer> ps = new TreeSet<>();
        results.forEach(r -> ps.add(r.pairs()));
        for (int p : ps) {
            b.append(String.format(Locale.ROOT, "| %4d |", p));
            for (String m : methods) {
                RecallResult r = results.stream().filter(x -> x.pairs() == p && x.method().equals(m))
                        .findFirst().orElse(null);
                b.append(r == null ? String.format(Locale.ROOT, " %13s |", "")
                        : String.format(Locale.ROOT, " %13.3f |", accuracy ? r.accuracy() : r.meanError()));
            }
            b.append('\n');
        }
        return b.toString();
    }
}
