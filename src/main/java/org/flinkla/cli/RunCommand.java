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
import java.time.Duration;
import org.flinkla.jobs.ClusterJob;
import org.flinkla.jobs.JobDefinition;
import org.flinkla.jobs.JobRunner;

/**
 * {@code run flink-jobs/JOB.yaml [options]}: runs a job definition on a local Flink MiniCluster,
 * against the given Kafka or an in-process broker (the embedded default). See {@link JobRunner}.
 */
public final class RunCommand {
    static final String USAGE = String.join("\n",
            "usage: java -jar target/flink-linear-attention.jar run flink-jobs/JOB.yaml [options]",
            "",
            "Runs the job on a local Flink MiniCluster. Without --bootstrap-servers (and without",
            "$" + ClusterJob.BOOTSTRAP_ENV + ") an in-process Kafka broker is started for the run.",
            "The job's topics are created when missing.",
            "",
            "options:",
            "  --bootstrap-servers H:P  use this Kafka instead of the in-process broker",
            "  --input-file FILE        JSON lines (each with a \"seq\" field; .gz allowed) produced to the",
            "                           input topic first; the run then ends when they are all consumed",
            "  --output-file FILE       write the committed output records of the run there (JSON lines)",
            "  --parallelism N          override the job file's parallelism",
            "  --timeout S              stop after S seconds (a finite run fails if not done by then;",
            "                           an open-ended run is stopped with a savepoint, committing its outputs)",
            "  --state-dir DIR          with --bootstrap-servers: the job's state directory (default",
            "                           ./.flinkla-state/<job name>). A run that stops (end of --input-file,",
            "                           --timeout, Ctrl-C, SIGTERM) saves a savepoint there; the next run of",
            "                           the job resumes from it",
            "  --fresh                  discard the saved state and start over",
            "  --web-ui                 serve the Flink web UI of the local cluster on port 8081",
            "  --help                   this text");

    private RunCommand() {}

    /** Runs the command; returns the exit code (0 ok, 2 usage error). */
    public static int run(String[] args) throws Exception {
        String jobFile = null;
        JobRunner.Options o = new JobRunner.Options().bootstrapServers(System.getenv(ClusterJob.BOOTSTRAP_ENV));
        Integer parallelism = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--help":
                case "-h":
                    System.out.println(USAGE);
                    return 0;
                case "--bootstrap-servers":
                    o.bootstrapServers(Args.value(args, ++i));
                    break;
                case "--input-file":
                    o.inputFile(Path.of(Args.value(args, ++i)));
                    break;
                case "--output-file":
                    o.outputFile(Path.of(Args.value(args, ++i)));
                    break;
                case "--parallelism":
                    parallelism = Args.positiveInt(args, ++i);
                    break;
                case "--timeout":
                    o.timeout(Duration.ofSeconds(Args.positiveInt(args, ++i)));
                    break;
                case "--web-ui":
                    o.webUi(true);
                    break;
                case "--state-dir":
                    o.stateDir(Path.of(Args.value(args, ++i)));
                    break;
                case "--fresh":
                    o.fresh(true);
                    break;
                default:
                    if (a.startsWith("-")) {
                        throw new UsageException("run: unknown option '" + a + "'\n" + USAGE);
                    }
                    if (jobFile != null) {
                        throw new UsageException("run: one job file only, got '" + jobFile + "' and '" + a + "'");
                    }
                    jobFile = a;
            }
        }
        if (jobFile == null) {
            throw new UsageException("run: which job? give a job file, e.g. flink-jobs/attention.yaml\n" + USAGE);
        }
        JobDefinition job = JobDefinition.load(Path.of(jobFile));
        if (parallelism != null) {
            job = job.withParallelism(parallelism);
        }
        JobRunner.run(job, o);
        return 0;
    }
}
