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

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.flinkla.flink.LinearAttention;
import org.flinkla.records.RecordValidator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line as a person meets it: generated help for every command, usage errors that end
 * with one line naming the option (and suggesting the one meant), exit code 2, and no secret given
 * on the command line in any output.
 */
class CommandLineTest {
    /** The options each command has had since before picocli: names users and scripts rely on. */
    private static final Map<String, List<String>> OPTIONS = new LinkedHashMap<>();

    static {
        OPTIONS.put("run", List.of("--bootstrap-servers", "--input-file", "--output-file", "--parallelism", "--timeout",
                "--state-dir", "--fresh", "--web-ui"));
        OPTIONS.put("sql", List.of("--bootstrap-servers", "--input-file", "--output-file", "--define", "--parallelism",
                "--partitions", "--from-savepoint", "--timeout", "--web-ui"));
        OPTIONS.put("replay", List.of("--model", "--input", "--output", "--emit", "--emit-fields", "--max-tokens",
                "--max-position-gap", "--max-record-bytes", "--parallelism", "--state-backend", "--feature-map",
                "--state-precision", "--heads", "--vocab", "--variant"));
        OPTIONS.put("produce", List.of("--input", "--input-format", "--topic", "--job", "--format", "--chunk", "--seq",
                "--max-tokens", "--partitions", "--max-record-bytes", "--timeout", "--bootstrap-servers"));
        OPTIONS.put("tail", List.of("--topic", "--job", "--dead-letters", "--headers", "--from-end", "--max-records",
                "--timeout", "--output", "--bootstrap-servers"));
        OPTIONS.put("bench", List.of("--quick", "--out", "--only", "--e2e-tokens", "--e2e-parallelism", "--e2e-keys",
                "--e2e-guarantee", "--e2e-backend", "--e2e-format", "--e2e-chunk", "--curves", "--fla", "--fla-seconds"));
        OPTIONS.put("demo", List.of("--bases", "--report", "--variant", "--seed", "--model", "--state-precision",
                "--no-compare", "--fasta", "--sha256", "--pipeline", "--job", "--no-memory", "--memory-heap",
                "--memory-tokens", "--memory-budget", "--warm-up"));
    }

    private static final Pattern DOC = Pattern.compile("(docs/[a-z0-9-]+\\.md|[A-Z]+\\.md)");
    private static final Pattern TRACE_FILE = Pattern.compile("\\(full trace: (\\S+\\.log)");

    @TempDir
    Path dir;

    private record Outcome(int code, String out, String err) {
        String all() {
            return out + err;
        }

        String last() {
            List<String> lines = err.lines().filter(l -> !l.isBlank()).toList();
            return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
        }
    }

    private static Outcome main(String... args) {
        PrintStream out0 = System.out;
        PrintStream err0 = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Main.execute(args);
        } finally {
            System.setOut(out0);
            System.setErr(err0);
        }
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void everyCommandsHelpListsItsOptions() {
        for (Map.Entry<String, List<String>> c : OPTIONS.entrySet()) {
            for (String flag : new String[] {"--help", "-h"}) {
                Outcome o = main(c.getKey(), flag);
                assertThat(o.code()).as(c.getKey() + " " + flag + ": " + o.err()).isZero();
                assertThat(o.out()).as(c.getKey()).contains("usage: java").contains(c.getKey() + " ")
                        .contains("--help").contains("--verbose");
                for (String option : c.getValue()) {
                    assertThat(o.out()).as(c.getKey() + " --help").containsPattern("(?m)^ +" + Pattern.quote(option) + "[= ]");
                }
                assertOnlyRepositoryDocs(o.out());
            }
        }
        // defaults shown are the code's
        assertThat(main("replay", "--help").out())
                .contains("(default " + RecordValidator.DEFAULT_MAX_TOKENS_PER_RECORD + ")")
                .contains("(default " + LinearAttention.DEFAULT_MAX_POSITION_GAP + ";");
    }

    @Test
    void theTopLevelHelpListsTheCommands() {
        for (String[] args : new String[][] {{"--help"}, {"-h"}, {"help"}}) {
            Outcome o = main(args);
            assertThat(o.code()).isZero();
            for (String c : OPTIONS.keySet()) {
                assertThat(o.out()).containsPattern("(?m)^  " + c + " ");
            }
            assertOnlyRepositoryDocs(o.out());
        }
        Outcome help = main("help", "tail");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("--dead-letters");
        Outcome none = main();
        assertThat(none.code()).isEqualTo(2);
        assertThat(none.out()).contains("commands:");
    }

    /** Help points to pages of this repository only, and they exist. */
    private static void assertOnlyRepositoryDocs(String help) {
        assertThat(help).doesNotContain("DESIGN").doesNotContain("§");
        Matcher m = DOC.matcher(help);
        while (m.find()) {
            assertThat(Path.of(m.group(1))).as("a page the help names").exists();
        }
    }

    @Test
    void aMistypedOptionOrCommandIsSuggested() {
        Outcome o = main("run", "flink-jobs/attention.yaml", "--bootstrap-server", "localhost:9092");
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.last()).isEqualTo("error: run: Unknown option: '--bootstrap-server'. Did you mean:"
                + " --bootstrap-servers?");
        assertThat(o.err()).contains("usage: java -jar target/flink-linear-attention.jar run ")
                .contains("run --help lists the options");
        // reported before the required options it makes look missing
        assertThat(main("replay", "--modle", "m.safetensors", "--input", "i", "--output", "o").last())
                .isEqualTo("error: replay: Unknown option: '--modle'. Did you mean: --model?");
        assertThat(main("tail", "--outptu", "x").last()).isEqualTo("error: tail: Unknown option: '--outptu'. Did you"
                + " mean: --output?");
        assertThat(main("produce", "--input=x", "--max-token=5").last())
                .isEqualTo("error: produce: Unknown option: '--max-token'. Did you mean: --max-tokens?");
        // nothing close: no guess
        assertThat(main("run", "--bogus").last()).isEqualTo("error: run: Unknown option: '--bogus'");
        Outcome command = main("rn", "flink-jobs/attention.yaml");
        assertThat(command.code()).isEqualTo(2);
        assertThat(command.last()).isEqualTo("error: unknown command 'rn'. Did you mean: run?");
    }

    @Test
    void aBadValueNamesItsOption() {
        String[][] cases = {
            {"run", "flink-jobs/attention.yaml", "--parallelism", "two"},
            {"run", "flink-jobs/attention.yaml", "--timeout", "0"},
            {"sql", "flink-jobs/attention.sql", "--partitions", "-1"},
            {"replay", "--model", "m", "--input", "i", "--output", "o", "--max-tokens", "1.5"},
            {"replay", "--model", "m", "--input", "i", "--output", "o", "--emit", "often"},
            {"produce", "--input", "x", "--chunk", "abc"},
            {"tail", "--topic", "t", "--max-records", "0"},
            {"bench", "--e2e-tokens", "lots"},
            {"bench", "--e2e-guarantee", "exactly-twice"},
            {"demo", "--bases", "many"},
            {"demo", "--memory-budget", "-3"},
            {"demo", "--warm-up", "-1"},
        };
        for (String[] args : cases) {
            Outcome o = main(args);
            String option = args[args.length - 2];
            String value = args[args.length - 1];
            assertThat(o.code()).as(String.join(" ", args) + ": " + o.err()).isEqualTo(2);
            assertThat(o.last()).as(String.join(" ", args)).startsWith("error: " + args[0] + ": Invalid value for option '"
                    + option + "': ").contains("'" + value + "'");
            assertThat(o.err().lines().count()).as(o.err()).isLessThanOrEqualTo(4);
        }
        assertThat(main("run", "flink-jobs/attention.yaml", "--timeout").last())
                .isEqualTo("error: run: Missing required parameter for option '--timeout' (S)");
        assertThat(main("replay", "--input", "i").last()).isEqualTo("error: replay: Missing required options:"
                + " '--model=PATH', '--output=FILE'");
        assertThat(main("run", "a.yaml", "b.yaml").last()).isEqualTo("error: run: unexpected argument 'b.yaml'");
        assertThat(main("run").last()).isEqualTo("error: run: which job? give a job file, e.g. flink-jobs/attention.yaml");
    }

    @Test
    void aSecretDefinedOnTheCommandLineIsNeverPrinted() throws Exception {
        // the SQL file's setting echoes its value in Flink's parse error: the value must come out masked
        String secret = "hunter2-cli-define";
        Path sql = dir.resolve("secret.sql");
        Files.writeString(sql, "SET 'parallelism.default' = '${db.password}';\n");
        Outcome o = main("sql", sql.toString(), "--bootstrap-servers", "localhost:1", "--define", "db.password=" + secret);
        assertThat(o.code()).as(o.err()).isEqualTo(1);
        assertThat(o.last()).contains("parallelism.default").contains(org.flinkla.jobs.Secrets.MASK);
        assertThat(o.all()).doesNotContain(secret);
        Matcher m = TRACE_FILE.matcher(o.last());
        assertThat(m.find()).as(o.last()).isTrue();
        assertThat(Files.readString(Path.of(m.group(1)))).contains("parallelism.default").doesNotContain(secret);

        // usage errors do not echo it either: without its name, glued to a mistyped option, next to help
        String unnamed = "hunter2-unnamed-value";
        Outcome u = main("sql", sql.toString(), "--define", unnamed);
        assertThat(u.code()).isEqualTo(2);
        assertThat(u.last()).isEqualTo("error: sql: Invalid value for option '--define' (NAME=VALUE): needs"
                + " NAME=VALUE (a name, '=', then the value)");
        assertThat(u.all()).doesNotContain(unnamed);
        String glued = "hunter2-glued-value";
        Outcome g = main("sql", sql.toString(), "--defien=db.password=" + glued);
        assertThat(g.last()).isEqualTo("error: sql: Unknown option: '--defien'. Did you mean: --define?");
        assertThat(g.all()).doesNotContain(glued);
        Outcome h = main("sql", "--define", "db.password=" + secret, "--help");
        assertThat(h.code()).isZero();
        assertThat(h.all()).contains("--define").doesNotContain(secret);
    }
}
