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
import java.util.concurrent.Callable;
import org.flinkla.jobs.ClusterJob;
import org.flinkla.jobs.JobDefinition;
import org.flinkla.jobs.JobRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code run flink-jobs/JOB.yaml [options]}: runs a job definition on a local Flink MiniCluster,
 * against the given Kafka or an in-process broker (the embedded default). See {@link JobRunner}.
 */
@Command(name = "run", header = "Run a job definition from flink-jobs/ (embedded Kafka+Flink by default).",
        synopsisHeading = "%nusage: ", customSynopsis = Cli.JAR + " run flink-jobs/JOB.yaml [options]",
        descriptionHeading = "%n", parameterListHeading = "%narguments:%n", optionListHeading = "%noptions:%n",
        footerHeading = "%n", sortOptions = false,
        description = {
            "Runs a job definition on a local Flink MiniCluster. Without --bootstrap-servers (and without $"
                    + ClusterJob.BOOTSTRAP_ENV + ") an in-process Kafka broker is started for the run. The job's"
                    + " topics are created when missing."},
        footer = "Job files and the run's steps: docs/jobs.md")
public final class RunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..1", paramLabel = "JOB.yaml", description = "the job definition, e.g."
            + " flink-jobs/attention.yaml")
    String jobFile;

    @Mixin
    Cli.JobOptions jobOptions;

    @Option(names = "--input-file", paramLabel = "FILE", description = {
        "JSON lines (each with a \"seq\" field; .gz allowed) produced to the input topic first; the run"
                + " then ends when they are all consumed"})
    Path inputFile;

    @Option(names = "--output-file", paramLabel = "FILE",
            description = "write the committed output records of the run there (JSON lines)")
    Path outputFile;

    @Option(names = "--parallelism", paramLabel = "N", converter = Cli.PositiveInt.class,
            description = "override the job file's parallelism")
    Integer parallelism;

    @Option(names = "--state-dir", paramLabel = "DIR", description = {
        "with --bootstrap-servers: the job's state directory (default: <working directory>/.flinkla-state/<job name>). A run"
                + " that stops (end of --input-file, --timeout, Ctrl-C, SIGTERM) saves a savepoint there;"
                + " the next run of the job resumes from it"})
    Path stateDir;

    @Option(names = "--fresh", description = "discard the saved state and start over")
    boolean fresh;

    @Mixin
    Cli.Common common;

    RunCommand() {}

    /** Parses {@code args} and runs the command: the exit code (0 ok); a bad command line throws {@link UsageException}. */
    public static int run(String[] args) throws Exception {
        return Cli.run(Cli.commandLine(new RunCommand()), args);
    }

    @Override
    public Integer call() throws Exception {
        if (jobFile == null) {
            throw Cli.usageError(spec.commandLine(), "which job? give a job file, e.g."
                    + " flink-jobs/attention.yaml");
        }
        JobRunner.Options o = new JobRunner.Options().bootstrapServers(jobOptions.bootstrapServers).inputFile(inputFile)
                .outputFile(outputFile).timeout(jobOptions.timeoutDuration()).stateDir(stateDir)
                .fresh(fresh).webUi(jobOptions.webUi);
        JobDefinition job = JobDefinition.load(Path.of(jobFile));
        if (parallelism != null) {
            job = job.withParallelism(parallelism);
        }
        JobRunner.run(job, o);
        return 0;
    }
}
