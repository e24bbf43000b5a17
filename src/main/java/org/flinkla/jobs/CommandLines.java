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
package org.flinkla.jobs;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Help.Ansi;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.TypeConversionException;

/**
 * The picocli settings of every entry point with options: the command line ({@code org.flinkla.cli}),
 * the cluster job ({@link ClusterJob}, whose jar carries neither the command line's logging nor its
 * in-process broker) and the stand-alone benchmarks. It holds what they share: the help layout, the
 * check for unknown options with "Did you mean" suggestions, the synopsis of a usage error and the
 * converters that name the option in their errors.
 */
public final class CommandLines {
    private CommandLines() {}

    /** Applies the settings to {@code cl} and its sub-commands (call after adding them): plain text, 100 columns, unknown options reported by us. */
    public static CommandLine configure(CommandLine cl) {
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
     * Parses {@code args} into the command of {@code cl} (one without sub-commands). Returns false
     * when help was asked for (it is printed to stdout), true when the command is to run. Every
     * problem of the command line, an unknown option first, is thrown as picocli's
     * {@link ParameterException}, whose message names the option.
     */
    public static boolean parse(CommandLine cl, String[] args) {
        ParseResult r;
        try {
            r = cl.parseArgs(args);
        } catch (ParameterException e) {
            // an unknown option explains a "missing" value (e.g. a misspelt option before it)
            checkUnmatched(cl);
            throw e;
        }
        checkUnmatched(cl);
        return CommandLine.executeHelpRequest(r) == null;
    }

    private static void checkUnmatched(CommandLine cl) {
        String problem = unmatched(cl);
        if (problem != null) {
            throw new ParameterException(cl, problem);
        }
    }

    /**
     * What is wrong with the first argument of {@code cl} that matched nothing ({@code null} when
     * all matched): an unknown option with the closest known names, or an unexpected argument.
     * Only an option's name is repeated, never a value glued on with '=' (it may be a secret).
     */
    public static String unmatched(CommandLine cl) {
        List<String> unmatched = cl.getUnmatchedArguments();
        if (unmatched.isEmpty()) {
            return null;
        }
        String arg = unmatched.get(0);
        if (arg.startsWith("-") && arg.length() > 1) {
            String name = arg.indexOf('=') > 0 ? arg.substring(0, arg.indexOf('=')) : arg;
            List<String> names = new ArrayList<>();
            for (OptionSpec o : cl.getCommandSpec().options()) {
                if (!o.hidden()) {
                    names.add(o.longestName());
                }
            }
            return "Unknown option: '" + name + "'" + didYouMean(name, names);
        }
        return "unexpected argument '" + arg + "'";
    }

    /** {@code "usage: <synopsis>"} of the command of {@code cl}, on as many lines as the help width needs. */
    public static String synopsis(CommandLine cl) {
        return "usage: " + cl.getHelp().synopsis("usage: ".length()).strip();
    }

    /** A usage error for option {@code option} of the command of {@code spec}, named as picocli names bad values. */
    public static ParameterException invalid(CommandSpec spec, String option, String reason) {
        return new ParameterException(spec.commandLine(), "Invalid value for option '" + option + "': " + reason);
    }

    /**
     * " Did you mean: X?" with the names closest to {@code typed}: within an edit distance of about a
     * third of its length, or starting with it; "" when none is close.
     */
    public static String didYouMean(String typed, List<String> names) {
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
    public static int distance(String a, String b) {
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
    public static long wholeNumber(String v) {
        try {
            return Long.parseLong(v.strip().replace("_", "").replace(",", ""));
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + v + "' is not a whole number");
        }
    }

    /** An int &gt; 0 (digits may be grouped, see {@link #wholeNumber}). */
    public static class PositiveInt implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String v) {
            long n = wholeNumber(v);
            if (n <= 0 || n > Integer.MAX_VALUE) {
                throw new TypeConversionException("needs a positive integer, got '" + v + "'");
            }
            return (int) n;
        }
    }

    /**
     * {@code NAME=VALUE} of a placeholder, as {@code {NAME, VALUE}}. The value of a secret-looking
     * NAME ({@link Secrets#isSecretKey}) is registered with {@link Secrets} at once, so that nothing
     * printed afterwards shows it; a malformed one is not echoed (it may be a secret given without its name).
     */
    public static final class Define implements ITypeConverter<String[]> {
        @Override
        public String[] convert(String d) {
            int eq = d.indexOf('=');
            if (eq <= 0) {
                throw new TypeConversionException("needs NAME=VALUE (a name, '=', then the value)");
            }
            String name = d.substring(0, eq);
            String value = d.substring(eq + 1);
            Secrets.registerProperty(name, value);
            return new String[] {name, value};
        }
    }
}
