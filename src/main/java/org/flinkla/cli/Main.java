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

import java.io.PrintStream;
import java.nio.charset.Charset;
import java.util.Arrays;
import java.util.concurrent.Callable;
import org.flinkla.jobs.ShutdownActions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/**
 * Entry point of {@code target/flink-linear-attention.jar}: {@code java -jar ... <command> [options]}.
 * The commands and their options are declared with picocli; {@link Cli} holds the shared settings.
 */
@Command(name = Cli.JAR, synopsisHeading = "usage: ", customSynopsis = Cli.JAR + " <command> [options]",
        descriptionHeading = "%n", description = "Runs causal linear-attention models per Kafka key in Flink keyed"
                + " state: job definitions, SQL jobs, offline replays, the demo and the benchmarks.",
        commandListHeading = "%ncommands:%n", optionListHeading = "%noptions:%n",
        footerHeading = "%n", footer = {"<command> --help lists the options of a command; --verbose works with every"
                + " command. Docs: docs/jobs.md (commands, job files), docs/failures.md (errors, exit codes)."})
public final class Main implements Callable<Integer> {
    @Mixin
    Cli.Common common;

    @Spec
    CommandLine.Model.CommandSpec spec;

    private Main() {}

    /** The parser of the whole command line: this command with every sub-command. */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.addSubcommand("demo", new DemoCommand());
        cl.addSubcommand("run", new RunCommand());
        cl.addSubcommand("sql", new SqlCommand());
        cl.addSubcommand("replay", ReplayCommand.commandLine());
        cl.addSubcommand("produce", new ProduceCommand());
        cl.addSubcommand("tail", new TailCommand());
        cl.addSubcommand("bench", new BenchCommand());
        cl.addSubcommand("help", new CommandLine.HelpCommand());
        return Cli.configure(cl);
    }

    /** No command given: the overview, exit code 2. */
    @Override
    public Integer call() {
        spec.commandLine().usage(System.out);
        return 2;
    }

    public static void main(String[] args) {
        int code = execute(args);
        // shutdown hooks (Flink, Kafka) may still log: nothing may follow the command's last line
        CliLogging.silence();
        System.exit(code);
    }

    /**
     * Runs a command as {@code main} does, without exiting, and returns the exit code (0 ok, 1
     * failed, 2 usage error). For the whole command stdout and stderr (and so the console log,
     * which follows System.err) go through {@link RedactingOutputStream}, so no secret of a job file
     * or of a {@code --define} reaches them, and logging goes to a log file ({@link CliLogging}). A
     * failed command ends with one line on stderr: {@code error: <root cause>. <what to do> (full
     * trace: <log file>)}; a wrong command line with its synopsis and {@code error: <command>: <what>};
     * {@code --verbose} also prints Flink's and Kafka's warnings and the trace.
     */
    public static int execute(String[] args) {
        boolean verbose = Arrays.asList(args).contains("--verbose");
        String[] rest = Arrays.stream(args).filter(a -> !a.equals("--verbose")).toArray(String[]::new);
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        PrintStream out = new PrintStream(new RedactingOutputStream(stdout), false, Charset.defaultCharset());
        PrintStream err = new PrintStream(new RedactingOutputStream(stderr), true, Charset.defaultCharset());
        System.setOut(out);
        System.setErr(err);
        CliLogging log = CliLogging.install(rest.length == 0 ? "flinkla" : rest[0], verbose);
        // stopped by Ctrl-C / SIGTERM: not a failure, so no log file is kept (registered first: runs last)
        ShutdownActions.Action dropLog = ShutdownActions.add(() -> log.close(false));
        int code;
        try {
            code = dispatch(rest);
        } catch (UsageException e) {
            // the usage text a message may carry first, so that the error is the last line
            String m = String.valueOf(e.getMessage());
            int nl = m.indexOf('\n');
            if (nl >= 0) {
                err.println(m.substring(nl + 1).strip());
                m = m.substring(0, nl);
            }
            err.println("error: " + m);
            code = 2;
        } catch (Exception | Error e) {
            if (ShutdownActions.stopping()) {
                // Ctrl-C / SIGTERM cancelled the job underneath the command: a stop, not a failure;
                // the signal handler runs the clean-up (log file included) and exits
                out.flush();
                ShutdownActions.awaitExit();
            }
            log.trace("the command failed", e);
            if (verbose) {
                e.printStackTrace(err);
            }
            out.flush();
            String where = log.file() != null ? " (full trace: " + log.file() + (verbose ? "" : "; or run with --verbose") + ")"
                    : verbose ? "" : " (run with --verbose for the full trace)";
            err.println("error: " + Failures.describe(e) + where);
            code = 1;
        } finally {
            out.flush();
            err.flush();
        }
        dropLog.close();
        log.close(code == 1);
        System.setOut(stdout);
        System.setErr(stderr);
        return code;
    }

    static int dispatch(String[] args) throws Exception {
        return Cli.run(commandLine(), args);
    }
}
