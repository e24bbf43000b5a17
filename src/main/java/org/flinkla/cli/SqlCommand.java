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
import org.flinkla.jobs.SqlJobFile;
import org.flinkla.jobs.SqlJobRunner;

/**
 * {@code sql flink-jobs/JOB.sql [options]}: runs a SQL job file on a local Flink MiniCluster, against
 * the given Kafka or an in-process broker, like {@code run} runs a YAML job. See {@link SqlJobRunner}.
 */
public final class SqlCommand {
    static final String USAGE = String.join("\n",
            "usage: java -jar target/flink-linear-attention.jar sql flink-jobs/JOB.sql [options]",
            "",
            "Runs the SQL job file on a local Flink MiniCluster. Without --bootstrap-servers (and without",
            "$" + ClusterJob.BOOTSTRAP_ENV + ") an in-process Kafka broker is started for the run. The topics",
            "of the file's Kafka tables are created when missing. ${bootstrap.servers} in the file is the",
            "Kafka of the run, ${job.dir} the file's directory; --define sets others.",
            "",
            "options:",
            "  --bootstrap-servers H:P  use this Kafka instead of the in-process broker",
            "  --input-file FILE        JSON lines (each with a \"seq\" field; .gz allowed) produced to the",
            "                           source table's topic first; the run then ends when they are consumed",
            "  --output-file FILE       write the committed outputs of the run there (JSON lines: seq, pos, y)",
            "  --define NAME=VALUE      value of placeholder ${NAME} in the file (repeatable)",
            "  --parallelism N          override the file's parallelism.default",
            "  --partitions N           partitions of the topics this run creates (default: the parallelism)",
            "  --from-savepoint PATH    resume from a savepoint (or retained checkpoint) of this job",
            "  --timeout S              stop after S seconds (a finite run fails if not done by then;",
            "                           an open-ended run is stopped with a savepoint, committing its outputs)",
            "  --web-ui                 serve the Flink web UI of the local cluster on port 8081",
            "  --help                   this text");

    private SqlCommand() {}

    public static int run(String[] args) throws Exception {
        String jobFile = null;
        SqlJobRunner.Options o = new SqlJobRunner.Options().bootstrapServers(System.getenv(ClusterJob.BOOTSTRAP_ENV));
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
                case "--define": {
                    String d = Args.value(args, ++i);
                    int eq = d.indexOf('=');
                    if (eq <= 0) {
                        throw new UsageException("--define needs NAME=VALUE, got '" + d + "'");
                    }
                    o.define(d.substring(0, eq), d.substring(eq + 1));
                    break;
                }
                case "--parallelism":
                    o.parallelism(Args.positiveInt(args, ++i));
                    break;
                case "--partitions":
                    o.partitions(Args.positiveInt(args, ++i));
                    break;
                case "--from-savepoint":
                    o.fromSavepoint(Args.value(args, ++i));
                    break;
                case "--timeout":
                    o.timeout(Duration.ofSeconds(Args.positiveInt(args, ++i)));
                    break;
                case "--web-ui":
                    o.webUi(true);
                    break;
                default:
                    if (a.startsWith("-")) {
                        throw new UsageException("sql: unknown option '" + a + "'\n" + USAGE);
                    }
                    if (jobFile != null) {
                        throw new UsageException("sql: one job file only, got '" + jobFile + "' and '" + a + "'");
                    }
                    jobFile = a;
            }
        }
        if (jobFile == null) {
            throw new UsageException("sql: which job? give a SQL job file, e.g. flink-jobs/attention.sql\n" + USAGE);
        }
        SqlJobRunner.run(SqlJobFile.load(Path.of(jobFile)), o);
        return 0;
    }
}
