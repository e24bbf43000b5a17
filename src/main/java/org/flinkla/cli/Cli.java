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

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Help.Ansi;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The command line's picocli settings, shared by every command: parsing, the usage error a bad
 * command line becomes ({@link UsageException}: the synopsis, then one line naming the option and
 * what is wrong, with "Did you mean" suggestions for a mistyped option or command), and the value
 * converters that name the option in their errors.
 */
final class Cli {
    /** How the jar is run; every synopsis starts with it. */
    static final String JAR = "java -jar target/flink-linear-attention.jar";

    private Cli() {}

    /** Options every command takes. */
    static final class Common {
        @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
        boolean help;

        /** Read by {@link Main#execute} before parsing (logging is set up first); listed here for the help. */
        @Option(names = "--verbose", description = "also print Flink's and Kafka's warnings and the trace of a failure")
        boolean verbose;
    }

    /** A command's parser with the project's settings: plain text, 100 columns, unknown options reported by us. */
    static CommandLine commandLine(Object command) {
        CommandLine cl = new CommandLine(command);
        configure(cl);
        return cl;
    }

    /** Applies the settings to {@code cl} and its sub-commands (call after adding them). */
    static CommandLine configure(CommandLine cl) {
        cl.setColorScheme(CommandLine.Help.defaultColorScheme(Ansi.OFF));
        cl.setUsageHelpWidth(100);
        cl.setUsageHelpLongOptionsMaxWidth(30);
        // collected rather than thrown, so that an unknown option is reported before a missing one
        cl.setUnmatchedArgumentsAllowed(true);
        cl.setOut(new PrintWriter(System.out, true));
        cl.setErr(new PrintWriter(System.err, true));
        for (CommandLine sub : cl.getSubcommands().values()) {
            configure(sub);
        }
        return cl;
    }

    /**
     * Parses {@code args} with {@code cl} and runs the command they select (a sub-command or
     * {@code cl} itself): its help when asked for (exit code 0), else its {@code call()}. A bad
     * command line, found while parsing or by the command, is thrown as a {@link UsageException}.
     */
    static int run(CommandLine cl, String[] args) throws Exception {
        CommandLine target = cl;
        try {
            ParseResult r = cl.parseArgs(args);
            while (r.hasSubcommand()) {
                r = r.subcommand();
            }
            target = r.commandSpec().commandLine();
            checkUnmatched(target);
            Integer help = CommandLine.executeHelpRequest(r);
            if (help != null) {
                return help;
            }
            Object command = target.getCommand();
            if (command instanceof Callable<?> c) {
                return (Integer) c.call();
            }
            ((Runnable) command).run();
            return 0;
        } catch (ParameterException e) {
            CommandLine where = e.getCommandLine() != null ? e.getCommandLine() : target;
            // an unknown option explains a "missing" one (e.g. a misspelt --model)
            checkUnmatched(where);
            throw usageError(where, e.getMessage());
        }
    }

    /** The usage error for {@code cl}'s first unmatched argument, if any. */
    private static void checkUnmatched(CommandLine cl) {
        List<String> unmatched = cl.getUnmatchedArguments();
        if (unmatched.isEmpty()) {
            return;
        }
        String arg = unmatched.get(0);
        CommandSpec spec = cl.getCommandSpec();
        if (arg.startsWith("-") && arg.length() > 1) {
            // the name only: a value glued on with '=' may be a secret
            String name = arg.indexOf('=') > 0 ? arg.substring(0, arg.indexOf('=')) : arg;
            List<String> names = new ArrayList<>();
            for (OptionSpec o : spec.options()) {
                if (!o.hidden()) {
                    names.add(o.longestName());
                }
            }
            throw usageError(cl, "Unknown option: '" + name + "'" + didYouMean(name, names));
        }
        if (!spec.subcommands().isEmpty() && cl.getParent() == null) {
            throw usageError(cl, "unknown command '" + arg + "'"
                    + didYouMean(arg, new ArrayList<>(spec.subcommands().keySet())));
        }
        throw usageError(cl, "unexpected argument '" + arg + "'");
    }

    /**
     * The usage error of command {@code cl}: {@code "<command>: <message>"}, the synopsis and where
     * the options are listed before it (printed first, so that the error is the last line).
     */
    static UsageException usageError(CommandLine cl, String message) {
        String name = cl.getParent() == null ? "" : cl.getCommandName() + ": ";
        CommandLine.Help help = cl.getHelp();
        String synopsis = "usage: " + help.synopsis("usage: ".length()).strip();
        String more = cl.getParent() == null ? JAR + " --help lists the commands"
                : JAR + " " + cl.getCommandName() + " --help lists the options";
        return new UsageException(name + message + "\n" + synopsis + "\n" + more);
    }

    /** A usage error for option {@code option} of the command of {@code spec}, named as picocli names bad values. */
    static ParameterException invalid(CommandSpec spec, String option, String reason) {
        return new ParameterException(spec.commandLine(), "Invalid value for option '" + option + "': " + reason);
    }

    /** {@code f}'s value, its IllegalArgumentException turned into a usage error naming {@code option}. */
    static <T> T option(CommandSpec spec, String option, Supplier<T> f) {
        try {
            return f.get();
        } catch (IllegalArgumentException e) {
            throw invalid(spec, option, e.getMessage());
        }
    }

    /** {@code value} when it is one of {@code allowed}, else a usage error naming the option. */
    static String choice(CommandSpec spec, String option, String value, String... allowed) {
        for (String a : allowed) {
            if (a.equals(value)) {
                return value;
            }
        }
        throw invalid(spec, option, "expected " + String.join(" or ", allowed) + ", got '" + value + "'");
    }

    /**
     * " Did you mean: X?" with the names closest to {@code typed}: within an edit distance of about a
     * third of its length, or starting with it; "" when none is close.
     */
    static String didYouMean(String typed, List<String> names) {
        String t = strip(typed).toLowerCase(Locale.ROOT);
        int limit = Math.max(1, Math.min(3, t.length() / 3));
        List<String> close = new ArrayList<>();
        List<Integer> distance = new ArrayList<>();
        for (String n : names) {
            String s = strip(n).toLowerCase(Locale.ROOT);
            int d = distance(t, s);
            if (d <= limit || (t.length() >= 3 && s.startsWith(t))) {
                close.add(n);
                distance.add(d);
            }
        }
        if (close.isEmpty()) {
            return "";
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < close.size(); i++) {
            order.add(i);
        }
        order.sort(Comparator.comparingInt(distance::get));
        List<String> best = new ArrayList<>();
        for (int i = 0; i < Math.min(3, order.size()); i++) {
            best.add(close.get(order.get(i)));
        }
        return ". Did you mean: " + String.join(" or ", best) + "?";
    }

    private static String strip(String name) {
        int i = 0;
        while (i < name.length() && name.charAt(i) == '-') {
            i++;
        }
        return name.substring(i);
    }

    /**
     * Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
     * neighbours each cost 1 (d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+[a_i != b_j],
     * d[i-2][j-2]+1 when a_i a_{i-1} = b_{j-1} b_j)).
     */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    /** A whole number; {@code _} and {@code ,} may group digits (100_000, 100,000). */
    static long wholeNumber(String v) {
        try {
            return Long.parseLong(v.strip().replace("_", "").replace(",", ""));
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + v + "' is not a whole number");
        }
    }

    /** An int &gt; 0. */
    static final class PositiveInt implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String v) {
            long n = wholeNumber(v);
            if (n <= 0 || n > Integer.MAX_VALUE) {
                throw new TypeConversionException("needs a positive integer, got '" + v + "'");
            }
            return (int) n;
        }
    }

    /** A long &gt; 0. */
    static final class PositiveLong implements ITypeConverter<Long> {
        @Override
        public Long convert(String v) {
            long n = wholeNumber(v);
            if (n <= 0) {
                throw new TypeConversionException("needs a positive integer, got '" + v + "'");
            }
            return n;
        }
    }

    /** A long &gt;= 0. */
    static final class NonNegativeLong implements ITypeConverter<Long> {
        @Override
        public Long convert(String v) {
            long n = wholeNumber(v);
            if (n < 0) {
                throw new TypeConversionException("needs a whole number >= 0, got '" + v + "'");
            }
            return n;
        }
    }

    /** Any long. */
    static final class WholeLong implements ITypeConverter<Long> {
        @Override
        public Long convert(String v) {
            return wholeNumber(v);
        }
    }

    /** A finite double &gt; 0. */
    static final class PositiveDouble implements ITypeConverter<Double> {
        @Override
        public Double convert(String v) {
            double x;
            try {
                x = Double.parseDouble(v.strip());
            } catch (NumberFormatException e) {
                x = Double.NaN;
            }
            if (!(x > 0) || Double.isInfinite(x)) {
                throw new TypeConversionException("needs a positive number, got '" + v + "'");
            }
            return x;
        }
    }

    /** A value made lower-case (choices are checked by the command, naming the option). */
    static final class Lower implements ITypeConverter<String> {
        @Override
        public String convert(String v) {
            return v.strip().toLowerCase(Locale.ROOT);
        }
    }
}
