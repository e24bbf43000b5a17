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
import org.flinkla.jobs.CommandLines;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;

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
 * Options ({@code --help} lists them): {@code --task recall} (or {@code overwrite}: every key written
 * twice, the newer value asked for); {@code --dk 16,32} key widths (d_v = d_k); {@code --pairs 1,2,4,...}
 * the P grid (default 1, 2, 4 and d_k·{1/4, 1/2, 3/4, 1, 3/2, 2, 3, 4}); {@code --trials 8};
 * {@code --seed 1}; {@code --favor-features 256}; {@code --methods softmax,elu,...}; {@code --out DIR}
 * writes {@code recall.csv} and {@code recall.svg} (or {@code overwrite.*}) there. A wrong command line
 * prints the synopsis and then {@code error: recall: <what is wrong>}, exit code 2.
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
            throw new IllegalArgumentException("expected recall or overwrite, got '" + v + "'");
        }
    }

    /** Parsed options. */
    public record Options(Task task, int[] dks, int[] pairs, int trials, long seed, int favorFeatures,
                          List<String> methods, Path out) {
    }

    /** How the benchmark is run; the synopsis starts with it. */
    static final String RUN = "java -cp target/flink-linear-attention.jar org.flinkla.bench.recall.RecallBenchmark";

    /** The command line, declared with picocli ({@link CommandLines} holds the settings shared with the CLI). */
    @Command(name = "recall", synopsisHeading = "usage: ", customSynopsis = RUN + " [options]",
            descriptionHeading = "%n", optionListHeading = "%noptions:%n", footerHeading = "%n", sortOptions = false,
            description = "Associative recall: for each key width d_k and number of pairs P, random unit"
                    + " key-value pairs are written and every key is queried; each method's accuracy and mean"
                    + " relative error are printed as tables (and written with --out).",
            footer = "The benchmark and its results: docs/variants.md")
    static final class Args {
        @Option(names = "--task", paramLabel = "TASK", converter = TaskConverter.class, description = {
            "recall (P pairs written once, every key queried) or overwrite (every key written twice, the newer"
                    + " value asked for); default: recall"})
        Task task = Task.RECALL;

        @Option(names = "--dk", paramLabel = "N", split = ",", converter = CommandLines.PositiveInt.class,
                description = "key widths d_k (d_v = d_k); default: 16,32")
        int[] dks;

        @Option(names = "--pairs", paramLabel = "P", split = ",", converter = CommandLines.PositiveInt.class,
                description = "the grid of P (default: 1, 2, 4 and d_k times 1/4, 1/2, 3/4, 1, 3/2, 2, 3, 4)")
        int[] pairs;

        @Option(names = "--trials", paramLabel = "N", converter = OnePositiveInt.class,
                description = "streams per cell; default: ${DEFAULT-VALUE}")
        int trials = 8;

        @Option(names = "--seed", paramLabel = "S", converter = WholeLong.class,
                description = "seed of the streams; default: ${DEFAULT-VALUE}")
        long seed = 1;

        @Option(names = "--favor-features", paramLabel = "N", converter = OnePositiveInt.class,
                description = "random features of the favor map; default: ${DEFAULT-VALUE}")
        int favorFeatures = 256;

        @Option(names = "--methods", paramLabel = "M", split = ",", converter = MethodConverter.class,
                completionCandidates = MethodNames.class,
                description = "the methods, of ${COMPLETION-CANDIDATES}; default: all")
        List<String> methods;

        @Option(names = "--out", paramLabel = "DIR",
                description = "write TASK.csv and TASK.svg (recall.* or overwrite.*) into DIR")
        Path out;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
        boolean help;

        Options options() {
            return new Options(task, dks != null ? dks : new int[] {16, 32}, pairs, trials, seed, favorFeatures,
                    methods != null ? List.copyOf(methods) : RecallMethods.ALL, out);
        }
    }

    /** The method names, for the help. */
    static final class MethodNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return RecallMethods.ALL.iterator();
        }
    }

    public static void main(String[] args) {
        Args a = new Args();
        CommandLine cl = commandLine(a);
        try {
            if (!CommandLines.parse(cl, args)) {
                return;
            }
        } catch (ParameterException e) {
            // the synopsis first, so that what is wrong is the last line
            System.err.println(CommandLines.synopsis(cl));
            System.err.println(RUN + " --help lists the options");
            System.err.println("error: recall: " + e.getMessage());
            System.exit(2);
            return;
        }
        Options o = a.options();
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
                System.err.println("error: recall: cannot write to " + o.out() + ": " + e.getMessage());
                System.exit(1);
            }
        }
    }

    static CommandLine commandLine(Args a) {
        return CommandLines.configure(new CommandLine(a));
    }

    /**
     * Parses the options above; {@code null} when help was asked for (printed). A wrong command line
     * is a picocli {@link ParameterException} whose message names the option.
     */
    public static Options parse(String[] args) {
        Args a = new Args();
        return CommandLines.parse(commandLine(a), args) ? a.options() : null;
    }

    /** {@code recall} or {@code overwrite}. */
    static final class TaskConverter implements ITypeConverter<Task> {
        @Override
        public Task convert(String v) {
            try {
                return Task.parse(v);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** One method name, made canonical; an unknown one with the closest known names. */
    static final class MethodConverter implements ITypeConverter<String> {
        @Override
        public String convert(String v) {
            try {
                return RecallMethods.checkName(v);
            } catch (IllegalArgumentException e) {
                String close = CommandLines.didYouMean(v.trim(), RecallMethods.ALL);
                throw new TypeConversionException(close.isEmpty() ? e.getMessage()
                        : "unknown recall method '" + v + "'" + close);
            }
        }
    }

    /** One int &gt; 0 (a list is refused rather than read as a grouped number). */
    static final class OnePositiveInt implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String v) {
            if (v.contains(",")) {
                throw new TypeConversionException("takes one value, got '" + v + "'");
            }
            return new CommandLines.PositiveInt().convert(v);
        }
    }

    /** Any long. */
    static final class WholeLong implements ITypeConverter<Long> {
        @Override
        public Long convert(String v) {
            return CommandLines.wholeNumber(v);
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
