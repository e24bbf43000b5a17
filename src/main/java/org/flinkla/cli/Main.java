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
import org.flinkla.jobs.ShutdownActions;
import java.util.LinkedHashMap;
import java.util.Map;

/** Entry point of {@code target/flink-linear-attention.jar}: {@code java -jar ... <command> [options]}. */
public final class Main {

    /** A sub-command: takes its own arguments, returns the process exit code. */
    public interface Command {
        int run(String[] args) throws Exception;
    }

    private static final Map<String, String> SUMMARIES = new LinkedHashMap<>();
    private static final Map<String, Command> COMMANDS = new LinkedHashMap<>();

    static {
        register("demo", "the chromosome demo on the embedded default", DemoCommand::run);
        register("run", "run a job definition from flink-jobs/ (embedded Kafka+Flink by default)", RunCommand::run);
        register("sql", "run a SQL job file from flink-jobs/ (embedded Kafka+Flink by default)", SqlCommand::run);
        register("replay", "run the attention operator over a JSON-lines file", ReplayCommand::run);
        register("produce", "write FASTA, text or JSON lines to a Kafka topic", ProduceCommand::run);
        register("tail", "print or save the committed records of a Kafka topic", TailCommand::run);
        register("bench", "benchmarks: engine, operator, end to end", BenchCommand::run);
    }

    private static void register(String name, String summary, Command command) {
        SUMMARIES.put(name, summary);
        COMMANDS.put(name, command);
    }

    private Main() {}

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
     * reaches them, and logging goes to a log file ({@link CliLogging}). A failed command ends with
     * one line on stderr: {@code error: <root cause>. <what to do> (full trace: <log file>)};
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
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            System.out.println(usage());
            return args.length == 0 ? 2 : 0;
        }
        Command command = COMMANDS.get(args[0]);
        if (command == null) {
            throw new UsageException("unknown command '" + args[0] + "'\n" + usage());
        }
        return command.run(Arrays.copyOfRange(args, 1, args.length));
    }

    static String usage() {
        StringBuilder sb = new StringBuilder("usage: java -jar target/flink-linear-attention.jar <command> [options]\n\ncommands:\n");
        SUMMARIES.forEach((name, summary) -> sb.append(String.format("  %-8s %s%n", name, summary)));
        sb.append("\n<command> --help shows the options of a command; --verbose (any command) also prints Flink's and"
                + " Kafka's warnings and the trace of a failure.");
        return sb.toString();
    }
}
