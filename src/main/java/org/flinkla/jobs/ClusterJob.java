package org.flinkla.jobs;

import java.nio.file.Path;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Main class of {@code target/flink-linear-attention-cluster.jar}, for {@code flink run} on a
 * Flink cluster (the cluster provides Flink; the jar carries the Kafka connector and client, EJML
 * and this project):
 *
 * <pre>{@code
 * flink run -d target/flink-linear-attention-cluster.jar \
 *     --job flink-jobs/attention.yaml --bootstrap-servers kafka:9092 [--parallelism N]
 * }</pre>
 *
 * Bootstrap servers come from {@code --bootstrap-servers} or the environment variable
 * {@value #BOOTSTRAP_ENV}. The job file (and a model file it names) is read by the client that
 * submits the job; the model travels inside the job graph.
 */
public final class ClusterJob {
    /** Environment variable with the Kafka bootstrap servers, used when the option is absent. */
    public static final String BOOTSTRAP_ENV = "FLINKLA_BOOTSTRAP_SERVERS";

    private static final String USAGE = "usage: flink run flink-linear-attention-cluster.jar --job flink-jobs/JOB.yaml "
            + "[--bootstrap-servers HOST:PORT] [--parallelism N]\n"
            + "  --job                the job definition (YAML, see README 'Running on Kafka')\n"
            + "  --bootstrap-servers  Kafka bootstrap servers (default: $" + BOOTSTRAP_ENV + ")\n"
            + "  --parallelism        overrides the job file's parallelism";

    private ClusterJob() {}

    public static void main(String[] args) throws Exception {
        String jobFile = null;
        String bootstrap = System.getenv(BOOTSTRAP_ENV);
        Integer parallelism = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--job":
                    jobFile = value(args, ++i);
                    break;
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
        if (jobFile == null) {
            throw new IllegalArgumentException("--job is required\n" + USAGE);
        }
        if (bootstrap == null || bootstrap.isBlank()) {
            throw new IllegalArgumentException("no Kafka: give --bootstrap-servers or set " + BOOTSTRAP_ENV + "\n" + USAGE);
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

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException("option " + args[i - 1] + " needs a value\n" + USAGE);
        }
        return args[i];
    }
}
