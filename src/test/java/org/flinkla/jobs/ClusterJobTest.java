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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import org.apache.flink.client.program.ProgramParametrizationException;
import org.junit.jupiter.api.Test;

/**
 * The cluster entry point refuses bad command lines with a usage error before touching Flink:
 * thrown (never exiting the Flink client's JVM) as the exception {@code flink run} prints as its
 * message alone, whose last line says what is wrong.
 */
class ClusterJobTest {

    /** What {@code main(args)} prints on stdout. */
    private static String stdout(String... args) throws Exception {
        PrintStream saved = System.out;
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        System.setOut(new PrintStream(b, true, StandardCharsets.UTF_8));
        try {
            ClusterJob.main(args);
        } finally {
            System.setOut(saved);
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    /** The usage error of {@code args}: its last line, after checking the synopsis comes first. */
    private static String usageError(String... args) {
        Throwable t = catchThrowable(() -> ClusterJob.main(args));
        assertThat(t).isInstanceOf(ClusterJob.UsageError.class).isInstanceOf(ProgramParametrizationException.class);
        String[] lines = t.getMessage().split("\n");
        assertThat(lines[0]).startsWith("usage: flink run target/flink-linear-attention-cluster.jar --job");
        assertThat(lines[lines.length - 2]).isEqualTo(ClusterJob.RUN + " --help lists the options");
        assertThat(lines[lines.length - 1]).startsWith("error: ");
        return lines[lines.length - 1];
    }

    @Test
    void helpListsEveryOption() throws Exception {
        String help = stdout("--help");
        assertThat(help).startsWith("usage: flink run target/flink-linear-attention-cluster.jar --job flink-jobs/JOB.yaml")
                .contains("--sql flink-jobs/JOB.sql");
        for (String o : new String[] {"--job=JOB.yaml", "--sql=JOB.sql", "--define=NAME=VALUE", "--bootstrap-servers=H:P",
            "--parallelism=N", "-h, --help"}) {
            assertThat(help).as(o).containsPattern("\n +" + Pattern.quote(o) + " ");
        }
        assertThat(help).contains("(default: $" + ClusterJob.BOOTSTRAP_ENV + ")").contains("${bootstrap.servers}");
        assertThat(stdout("-h")).isEqualTo(help);
    }

    @Test
    void theClusterJarCarriesPicocliRelocated() throws Exception {
        // the cluster provides Flink, not picocli: the "cluster" shade execution must include it (its
        // include list is explicit) and relocate it, so that it cannot clash with another on the class path
        String pom = java.nio.file.Files.readString(java.nio.file.Path.of("pom.xml"));
        java.util.regex.Matcher m = Pattern.compile("<id>cluster</id>(.*?)</execution>", Pattern.DOTALL).matcher(pom);
        assertThat(m.find()).isTrue();
        assertThat(m.group(1)).contains("<include>info.picocli:picocli</include>")
                .containsPattern("<pattern>picocli</pattern>\\s*<shadedPattern>org.flinkla.shaded.picocli</shadedPattern>");
    }

    @Test
    void unknownOptionsGetSuggestions() {
        assertThat(usageError("--jobs", "x.yaml")).isEqualTo("error: Unknown option: '--jobs'. Did you mean: --job?");
        assertThat(usageError("--sql", "a.sql", "--paralelism", "2"))
                .isEqualTo("error: Unknown option: '--paralelism'. Did you mean: --parallelism?");
        assertThat(usageError("--job", "a.yaml", "--bootstrap-server=k:9092"))
                .isEqualTo("error: Unknown option: '--bootstrap-server'. Did you mean: --bootstrap-servers?");
        assertThat(usageError("--job", "a.yaml", "--frobnicate")).isEqualTo("error: Unknown option: '--frobnicate'");
        assertThat(usageError("--job", "a.yaml", "stray")).isEqualTo("error: unexpected argument 'stray'");
        // the unknown option is what is wrong, not the value it left missing
        assertThat(usageError("--jbo", "--parallelism")).startsWith("error: Unknown option: '--jbo'");
    }

    @Test
    void badValuesNameTheOption() {
        assertThat(usageError("--job", "x.yaml", "--parallelism", "two"))
                .isEqualTo("error: Invalid value for option '--parallelism': 'two' is not a whole number");
        assertThat(usageError("--job", "x.yaml", "--parallelism", "0")).contains("'--parallelism'").contains("positive");
        assertThat(usageError("--job")).contains("'--job'").contains("Missing required parameter");
        assertThat(usageError("--sql", "a.sql", "--define", "model")).contains("'--define'").contains("needs NAME=VALUE");
    }

    @Test
    void missingOrConflictingChoicesAreNamed() {
        assertThat(usageError("--bootstrap-servers", "k:9092")).isEqualTo("error: give one of --job or --sql");
        assertThat(usageError("--job", "a.yaml", "--sql", "a.sql")).isEqualTo("error: give one of --job or --sql");
        assertThat(usageError("--job", "a.yaml", "--define", "a=b", "--bootstrap-servers", "k:9092"))
                .contains("--define").contains("--sql");
    }

    @Test
    void filesThatCannotBeReadAreNamedAsBefore() {
        assertThatThrownBy(() -> ClusterJob.main(new String[] {"--job", "flink-jobs/missing.yaml",
                "--bootstrap-servers", "k:9092"}))
                .isInstanceOf(JobDefinitionException.class).hasMessageContaining("flink-jobs/missing.yaml does not exist");
        assertThatThrownBy(() -> ClusterJob.main(new String[] {"--sql", "flink-jobs/missing.sql",
                "--bootstrap-servers", "k:9092"}))
                .isInstanceOf(JobDefinitionException.class).hasMessageContaining("flink-jobs/missing.sql does not exist");
    }

    @Test
    void secretDefinesAreNeverPrinted() throws Exception {
        String secret = "s3cr3t-cluster-define-Value";
        // a usage error after the secret, a malformed define, an unknown option with a glued-on value
        String e1 = usageError("--sql", "a.sql", "--define", "kafka.sasl.password=" + secret, "--parralelism", "2");
        Throwable e2 = catchThrowable(() -> ClusterJob.main(
                new String[] {"--sql", "a.sql", "--define", secret}));
        Throwable e3 = catchThrowable(() -> ClusterJob.main(
                new String[] {"--sql", "a.sql", "--pasword=" + secret}));
        assertThat(e1).doesNotContain(secret);
        assertThat(e2.getMessage()).contains("needs NAME=VALUE").doesNotContain(secret);
        assertThat(e3.getMessage()).contains("Unknown option: '--pasword'").doesNotContain(secret);
        // the value of the secret NAME is registered: whatever prints it later (the plan, an error) masks it
        assertThat(Secrets.redact("password " + secret)).isEqualTo("password " + Secrets.MASK);
        // a planner error quoting the resolved SQL is rethrown masked, its whole chain
        RuntimeException planning = new IllegalStateException("cannot plan",
                new RuntimeException("SQL: 'properties.sasl.jaas.config' = '" + secret + "'"));
        RuntimeException shown = ClusterJob.redacted(planning);
        StringBuilder chain = new StringBuilder();
        for (Throwable t = shown; t != null; t = t.getCause()) {
            chain.append(t).append('\n');
        }
        assertThat(chain.toString()).doesNotContain(secret).contains(Secrets.MASK)
                .contains("java.lang.IllegalStateException: cannot plan");
        assertThat(shown.getStackTrace()).isEqualTo(planning.getStackTrace());
        RuntimeException clean = new IllegalStateException("nothing secret here");
        assertThat(ClusterJob.redacted(clean)).isSameAs(clean);
    }
}
