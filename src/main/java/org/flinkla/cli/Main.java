package org.flinkla.cli;

import java.util.Arrays;
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
        int code;
        try {
            code = dispatch(args);
        } catch (UsageException e) {
            System.err.println("error: " + e.getMessage());
            code = 2;
        } catch (Exception e) {
            System.err.println("error: " + e.getMessage());
            if (System.getenv("FLA_DEBUG") != null) {
                e.printStackTrace();
            }
            code = 1;
        }
        System.exit(code);
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
        sb.append("\n<command> --help shows the options of a command.");
        return sb.toString();
    }
}
