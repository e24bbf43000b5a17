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

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.flinkla.jobs.ClusterJob;
import org.flinkla.jobs.CommandLines;
import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The command line's picocli settings, shared by every command: parsing, the usage error a bad
 * command line becomes ({@link UsageException}: the synopsis, then one line naming the option and
 * what is wrong, with "Did you mean" suggestions for a mistyped option or command), and the value
 * converters that name the option in their errors. What the cluster job and the stand-alone
 * benchmarks share with it is in {@link CommandLines}.
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

    /**
     * The options of the commands that run a job ({@code run}, {@code sql}): which Kafka, how long,
     * whether to serve the web UI.
     */
    static final class JobOptions {
        @Option(names = "--bootstrap-servers", paramLabel = "H:P",
                description = "use this Kafka instead of the in-process broker (default: $"
                        + ClusterJob.BOOTSTRAP_ENV + ")")
        String bootstrapServers = System.getenv(ClusterJob.BOOTSTRAP_ENV);

        @Option(names = "--timeout", paramLabel = "S", converter = PositiveInt.class, description = {
            "stop after S seconds (a finite run fails if not done by then; an open-ended run is stopped with"
                    + " a savepoint, committing its outputs)"})
        Integer timeout;

        @Option(names = "--web-ui", description = "serve the Flink web UI of the local cluster on port 8081")
        boolean webUi;

        /** {@link #timeout} as a duration, null without one. */
        Duration timeoutDuration() {
            return timeout == null ? null : Duration.ofSeconds(timeout);
        }
    }

    /** A command's parser with the project's settings: plain text, 100 columns, unknown options reported by us. */
    static CommandLine commandLine(Object command) {
        CommandLine cl = new CommandLine(command);
        configure(cl);
        return cl;
    }

    /** Applies the settings to {@code cl} and its sub-commands (call after adding them); see {@link CommandLines#configure}. */
    static CommandLine configure(CommandLine cl) {
        return CommandLines.configure(cl);
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
        boolean option = arg.startsWith("-") && arg.length() > 1;
        if (!option && !spec.subcommands().isEmpty() && cl.getParent() == null) {
            throw usageError(cl, "unknown command '" + arg + "'"
                    + didYouMean(arg, new ArrayList<>(spec.subcommands().keySet())));
        }
        throw usageError(cl, CommandLines.unmatched(cl));
    }

    /**
     * The usage error of command {@code cl}: {@code "<command>: <message>"}, the synopsis and where
     * the options are listed before it (printed first, so that the error is the last line).
     */
    static UsageException usageError(CommandLine cl, String message) {
        String name = cl.getParent() == null ? "" : cl.getCommandName() + ": ";
        String synopsis = CommandLines.synopsis(cl);
        String more = cl.getParent() == null ? JAR + " --help lists the commands"
                : JAR + " " + cl.getCommandName() + " --help lists the options";
        return new UsageException(name + message + "\n" + synopsis + "\n" + more);
    }

    /** A usage error for option {@code option} of the command of {@code spec}, named as picocli names bad values. */
    static ParameterException invalid(CommandSpec spec, String option, String reason) {
        return CommandLines.invalid(spec, option, reason);
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

    /** " Did you mean: X?" with the names closest to {@code typed}; see {@link CommandLines#didYouMean}. */
    static String didYouMean(String typed, List<String> names) {
        return CommandLines.didYouMean(typed, names);
    }

    /** A whole number; {@code _} and {@code ,} may group digits (100_000, 100,000). */
    static long wholeNumber(String v) {
        return CommandLines.wholeNumber(v);
    }

    /** An int &gt; 0. */
    static final class PositiveInt extends CommandLines.PositiveInt {
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
