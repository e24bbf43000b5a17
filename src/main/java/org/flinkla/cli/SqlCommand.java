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

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.flinkla.jobs.ClusterJob;
import org.flinkla.jobs.CommandLines;
import org.flinkla.jobs.SqlJobFile;
import org.flinkla.jobs.SqlJobRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help.Visibility;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code sql flink-jobs/JOB.sql [options]}: runs a SQL job file on a local Flink MiniCluster, against
 * the given Kafka or an in-process broker, like {@code run} runs a YAML job. See {@link SqlJobRunner}.
 */
@Command(name = "sql", header = "Run a SQL job file from flink-jobs/ (embedded Kafka+Flink by default).",
        synopsisHeading = "%nusage: ", customSynopsis = Cli.JAR + " sql flink-jobs/JOB.sql [options]",
        descriptionHeading = "%n", parameterListHeading = "%narguments:%n", optionListHeading = "%noptions:%n",
        footerHeading = "%n", sortOptions = false,
        description = {
            "Runs a SQL job file on a local Flink MiniCluster. Without --bootstrap-servers (and without $"
                    + ClusterJob.BOOTSTRAP_ENV + ") an in-process Kafka broker is started for the run. The topics"
                    + " of the file's Kafka tables are created when missing. $${bootstrap.servers} in the file is"
                    + " the Kafka of the run, $${job.dir} the file's directory; --define sets others."},
        footer = "SQL job files: docs/sql.md")
public final class SqlCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..1", paramLabel = "JOB.sql", description = "the SQL job file, e.g."
            + " flink-jobs/attention.sql")
    String jobFile;

    @Mixin
    Cli.JobOptions jobOptions;

    @Option(names = "--input-file", paramLabel = "FILE", description = {
        "JSON lines (each with a \"seq\" field; .gz allowed) produced to the source table's topic first;"
                + " the run then ends when they are consumed"})
    Path inputFile;

    @Option(names = "--output-file", paramLabel = "FILE",
            description = "write the committed outputs of the run there (JSON lines: seq, pos, y)")
    Path outputFile;

    // a value may be a secret (a password for the file's Kafka tables): never shown, never echoed
    @Option(names = "--define", paramLabel = "NAME=VALUE", converter = CommandLines.Define.class,
            showDefaultValue = Visibility.NEVER,
            description = "value of placeholder $${NAME} in the file (repeatable). The value of a secret NAME"
                    + " (containing password, secret, token, jaas, credential, ...: docs/failures.md) is masked in"
                    + " all output")
    List<String[]> defines = new ArrayList<>();

    @Option(names = "--parallelism", paramLabel = "N", converter = Cli.PositiveInt.class,
            description = "override the file's parallelism.default")
    Integer parallelism;

    @Option(names = "--partitions", paramLabel = "N", converter = Cli.PositiveInt.class,
            description = "partitions of the topics this run creates (default: the parallelism)")
    Integer partitions;

    @Option(names = "--from-savepoint", paramLabel = "PATH",
            description = "resume from a savepoint (or retained checkpoint) of this job")
    String fromSavepoint;

    @Mixin
    Cli.Common common;

    SqlCommand() {}

    /** Parses {@code args} and runs the command: the exit code (0 ok); a bad command line throws {@link UsageException}. */
    public static int run(String[] args) throws Exception {
        return Cli.run(Cli.commandLine(new SqlCommand()), args);
    }

    @Override
    public Integer call() throws Exception {
        if (jobFile == null) {
            throw Cli.usageError(spec.commandLine(), "which job? give a SQL job file, e.g."
                    + " flink-jobs/attention.sql");
        }
        SqlJobRunner.Options o = new SqlJobRunner.Options().bootstrapServers(jobOptions.bootstrapServers).inputFile(inputFile)
                .outputFile(outputFile).parallelism(parallelism).partitions(partitions).fromSavepoint(fromSavepoint)
                .timeout(jobOptions.timeoutDuration()).webUi(jobOptions.webUi);
        for (String[] d : defines) {
            o.define(d[0], d[1]);
        }
        return run(Path.of(jobFile), o);
    }

    /** What the command does once its options are read: runs the file with {@code o}; returns the exit code. */
    static int run(Path jobFile, SqlJobRunner.Options o) throws Exception {
        SqlJobRunner.run(SqlJobFile.load(jobFile), o);
        return 0;
    }
}
