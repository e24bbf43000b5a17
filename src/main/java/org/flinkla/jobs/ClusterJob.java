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

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.client.program.ProgramParametrizationException;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help.Visibility;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * Main class of {@code target/flink-linear-attention-cluster.jar}, for {@code flink run} on a
 * Flink cluster (the cluster provides Flink; the jar carries the Kafka connector and client,
 * picocli and this project):
 *
 * <pre>{@code
 * flink run -d target/flink-linear-attention-cluster.jar \
 *     --job flink-jobs/attention.yaml --bootstrap-servers kafka:9092 [--parallelism N]
 * flink run -d target/flink-linear-attention-cluster.jar \
 *     --sql flink-jobs/attention.sql --bootstrap-servers kafka:9092 [--define NAME=VALUE] [--parallelism N]
 * }</pre>
 *
 * A SQL job file is planned by the submitting client (it loads the model once to check the call; the
 * TaskManagers load it again from the same URI, so a {@code file:} model must be at that path on them
 * too) and needs the cluster's Table jars and {@code flink-json} (both in a Flink distribution's
 * {@code lib/}).
 *
 * Bootstrap servers come from {@code --bootstrap-servers} or the environment variable
 * {@value #BOOTSTRAP_ENV}. The job file (and a model file it names) is read by the client that
 * submits the job; the model travels inside the job graph.
 *
 * <p>The options are declared with picocli ({@link CommandLines} holds the settings shared with the
 * command line). {@code main} never exits the JVM, since it runs inside the Flink client: a wrong
 * command line is thrown as a {@link UsageError}, which {@code flink run} prints as its message alone
 * (the synopsis, then {@code error: <what is wrong>}) and exits with 1; a job that cannot be
 * built or submitted is thrown as it is.
 */
@Command(name = ClusterJob.RUN, synopsisHeading = "usage: ",
        customSynopsis = {ClusterJob.RUN + " --job flink-jobs/JOB.yaml [options]",
            "   or: " + ClusterJob.RUN + " --sql flink-jobs/JOB.sql [options]"},
        descriptionHeading = "%n", optionListHeading = "%noptions:%n", footerHeading = "%n", sortOptions = false,
        description = "Submits a job definition (YAML) or a SQL job file to the Flink cluster of `flink run`."
                + " The submitting client reads the file (and a model file it names).",
        footer = "Job files: docs/jobs.md (YAML), docs/sql.md (SQL); on a cluster: docs/jobs.md#on-a-flink-cluster")
public final class ClusterJob {
    /** Environment variable with the Kafka bootstrap servers, used when the option is absent. */
    public static final String BOOTSTRAP_ENV = "FLINKLA_BOOTSTRAP_SERVERS";

    /** How the jar is run; the synopsis starts with it. */
    static final String RUN = "flink run target/flink-linear-attention-cluster.jar";

    @Option(names = "--job", paramLabel = "JOB.yaml", description = "the job definition (YAML, docs/jobs.md)")
    String jobFile;

    @Option(names = "--sql", paramLabel = "JOB.sql", description = "a SQL job file (docs/sql.md); $${bootstrap.servers}"
            + " in it is --bootstrap-servers")
    String sqlFile;

    // a value may be a secret (a password for the file's Kafka tables): never shown, never echoed
    @Option(names = "--define", paramLabel = "NAME=VALUE", converter = CommandLines.Define.class,
            showDefaultValue = Visibility.NEVER,
            description = "value of placeholder $${NAME} in the SQL job file (repeatable). The value of a secret NAME"
                    + " (containing password, secret, token, jaas, credential, ...: docs/failures.md) is masked in"
                    + " what this prints")
    List<String[]> defines = new ArrayList<>();

    @Option(names = "--bootstrap-servers", paramLabel = "H:P", showDefaultValue = Visibility.NEVER,
            description = "Kafka bootstrap servers (default: $" + BOOTSTRAP_ENV + ")")
    String bootstrapServers = System.getenv(BOOTSTRAP_ENV);

    @Option(names = "--parallelism", paramLabel = "N", converter = CommandLines.PositiveInt.class,
            description = "overrides the job file's parallelism")
    Integer parallelism;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
    boolean help;

    private ClusterJob() {}

    /**
     * A command line that cannot be run as given. {@code flink run} prints the message of this
     * exception alone, without a trace: the synopsis, where the options are listed, and last
     * {@code error: <what is wrong>}.
     */
    public static final class UsageError extends ProgramParametrizationException {
        private static final long serialVersionUID = 1L;

        UsageError(CommandLine cl, String problem) {
            super(CommandLines.synopsis(cl) + "\n" + RUN + " --help lists the options\nerror: " + problem);
        }
    }

    public static void main(String[] args) throws Exception {
        ClusterJob job = new ClusterJob();
        CommandLine cl = CommandLines.configure(new CommandLine(job));
        try {
            if (!CommandLines.parse(cl, args)) {
                return;
            }
            job.check(cl);
        } catch (ParameterException e) {
            throw new UsageError(cl, e.getMessage());
        }
        job.submit();
    }

    private void check(CommandLine cl) {
        if ((jobFile == null) == (sqlFile == null)) {
            throw new ParameterException(cl, "give one of --job or --sql");
        }
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new ParameterException(cl, "no Kafka: give --bootstrap-servers or set " + BOOTSTRAP_ENV);
        }
        if (jobFile != null && !defines.isEmpty()) {
            throw new ParameterException(cl, "--define sets placeholders of a SQL job file: use it with --sql");
        }
    }

    private void submit() throws Exception {
        if (sqlFile != null) {
            Map<String, String> d = new LinkedHashMap<>();
            for (String[] kv : defines) {
                d.put(kv[0], kv[1]);
            }
            try {
                submitSql(Path.of(sqlFile), d, bootstrapServers, parallelism);
            } catch (RuntimeException e) {
                throw redacted(e);
            }
            return;
        }
        JobDefinition job = JobDefinition.load(Path.of(jobFile));
        if (parallelism != null) {
            job = job.withParallelism(parallelism);
        }
        System.out.println(Secrets.redact("Submitting " + job + ", bootstrap servers " + bootstrapServers));
        StreamExecutionEnvironment env = AttentionJob.environment(job);
        AttentionJob.pipeline(job, bootstrapServers, false).addTo(env);
        env.execute(job.name());
    }

    /** Plans the SQL job file against {@code bootstrap} and submits its INSERTs as one job. */
    static void submitSql(Path file, Map<String, String> defines, String bootstrap, Integer parallelism) {
        List<SqlJobFile.Statement> statements = SqlJobRunner.resolve(SqlJobFile.load(file), defines, bootstrap);
        Configuration conf = SqlPipeline.configuration(statements);
        if (parallelism != null) {
            conf.set(CoreOptions.DEFAULT_PARALLELISM, parallelism);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        SqlPipeline p = SqlPipeline.plan(StreamTableEnvironment.create(env), statements, false);
        System.out.println(Secrets.redact("Submitting " + file + ": " + p + ", bootstrap servers " + bootstrap));
        p.execute();
    }

    /**
     * {@code e} itself when no message of its causes shows a registered secret, else a copy of the
     * chain with the secrets masked: the Flink client prints it whole, and a planner error may quote
     * the SQL with a {@code --define} value in it.
     */
    static RuntimeException redacted(RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && !m.equals(Secrets.redact(m))) {
                return copy(e);
            }
        }
        return e;
    }

    private static RuntimeException copy(Throwable t) {
        String m = t.getMessage();
        RuntimeException c = new RuntimeException(t.getClass().getName() + (m == null ? "" : ": " + Secrets.redact(m)),
                t.getCause() == null || t.getCause() == t ? null : copy(t.getCause()));
        c.setStackTrace(t.getStackTrace());
        return c;
    }
}
