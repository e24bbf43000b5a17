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
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Main class of {@code target/flink-linear-attention-cluster.jar}, for {@code flink run} on a
 * Flink cluster (the cluster provides Flink; the jar carries the Kafka connector and client
 * and this project):
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
 */
public final class ClusterJob {
    /** Environment variable with the Kafka bootstrap servers, used when the option is absent. */
    public static final String BOOTSTRAP_ENV = "FLINKLA_BOOTSTRAP_SERVERS";

    private static final String USAGE = "usage: flink run flink-linear-attention-cluster.jar (--job flink-jobs/JOB.yaml "
            + "| --sql flink-jobs/JOB.sql [--define NAME=VALUE]...) [--bootstrap-servers HOST:PORT] [--parallelism N]\n"
            + "  --job                the job definition (YAML, see README 'Running on Kafka')\n"
            + "  --sql                a SQL job file (docs/sql.md); ${bootstrap.servers} in it is the option below\n"
            + "  --define             value of placeholder ${NAME} in the SQL job file\n"
            + "  --bootstrap-servers  Kafka bootstrap servers (default: $" + BOOTSTRAP_ENV + ")\n"
            + "  --parallelism        overrides the job file's parallelism";

    private ClusterJob() {}

    public static void main(String[] args) throws Exception {
        String jobFile = null;
        String sqlFile = null;
        java.util.Map<String, String> defines = new java.util.LinkedHashMap<>();
        String bootstrap = System.getenv(BOOTSTRAP_ENV);
        Integer parallelism = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--job":
                    jobFile = value(args, ++i);
                    break;
                case "--sql":
                    sqlFile = value(args, ++i);
                    break;
                case "--define": {
                    String d = value(args, ++i);
                    int eq = d.indexOf('=');
                    if (eq <= 0) {
                        throw new IllegalArgumentException("--define needs NAME=VALUE, got '" + d + "'\n" + USAGE);
                    }
                    defines.put(d.substring(0, eq), d.substring(eq + 1));
                    break;
                }
                case "--bootstrap-servers":
                    bootstrap = value(args, ++i);
                    break;
                case "--parallelism":
                    try {
                        parallelism = Integer.parseInt(value(args, ++i));
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--parallelism needs an integer, got '" + args[i] + "'\n" + USAGE);
                    }
                    break;
                case "--help":
                case "-h":
                    System.out.println(USAGE);
                    return;
                default:
                    throw new IllegalArgumentException("unknown option '" + args[i] + "'\n" + USAGE);
            }
        }
        if ((jobFile == null) == (sqlFile == null)) {
            throw new IllegalArgumentException("give one of --job or --sql\n" + USAGE);
        }
        if (bootstrap == null || bootstrap.isBlank()) {
            throw new IllegalArgumentException("no Kafka: give --bootstrap-servers or set " + BOOTSTRAP_ENV + "\n" + USAGE);
        }
        if (sqlFile != null) {
            submitSql(Path.of(sqlFile), defines, bootstrap, parallelism);
            return;
        }
        JobDefinition job = JobDefinition.load(Path.of(jobFile));
        if (parallelism != null) {
            job = job.withParallelism(parallelism);
        }
        System.out.println("Submitting " + job + ", bootstrap servers " + bootstrap);
        StreamExecutionEnvironment env = AttentionJob.environment(job);
        AttentionJob.pipeline(job, bootstrap, false).addTo(env);
        env.execute(job.name());
    }

    /** Plans the SQL job file against {@code bootstrap} and submits its INSERTs as one job. */
    static void submitSql(Path file, java.util.Map<String, String> defines, String bootstrap, Integer parallelism) {
        java.util.List<SqlJobFile.Statement> statements = SqlJobRunner.resolve(SqlJobFile.load(file), defines, bootstrap);
        org.apache.flink.configuration.Configuration conf = SqlPipeline.configuration(statements);
        if (parallelism != null) {
            conf.set(org.apache.flink.configuration.CoreOptions.DEFAULT_PARALLELISM, parallelism);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        SqlPipeline p = SqlPipeline.plan(org.apache.flink.table.api.bridge.java.StreamTableEnvironment.create(env),
                statements, false);
        System.out.println("Submitting " + file + ": " + p + ", bootstrap servers " + bootstrap);
        p.execute();
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException("option " + args[i - 1] + " needs a value\n" + USAGE);
        }
        return args[i];
    }
}
