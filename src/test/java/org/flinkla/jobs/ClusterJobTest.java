package org.flinkla.jobs;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The cluster entry point refuses bad command lines with a usage message before touching Flink. */
class ClusterJobTest {

    @Test
    void helpPrintsUsage() {
        assertThatCode(() -> ClusterJob.main(new String[] {"--help"})).doesNotThrowAnyException();
    }

    @Test
    void badCommandLinesAreNamed() {
        assertThatThrownBy(() -> ClusterJob.main(new String[] {"--bootstrap-servers", "k:9092"}))
                .hasMessageContaining("give one of --job or --sql").hasMessageContaining("usage:");
        assertThatThrownBy(() -> ClusterJob.main(new String[] {"--jobs", "x.yaml"}))
                .hasMessageContaining("unknown option '--jobs'");
        assertThatThrownBy(() -> ClusterJob.main(new String[] {"--job"}))
                .hasMessageContaining("--job needs a value");
        assertThatThrownBy(() -> ClusterJob.main(new String[] {"--job", "x.yaml", "--parallelism", "two"}))
                .hasMessageContaining("--parallelism needs an integer");
        assertThatThrownBy(() -> ClusterJob.main(new String[] {"--job", "flink-jobs/missing.yaml",
                "--bootstrap-servers", "k:9092"}))
                .isInstanceOf(JobDefinitionException.class).hasMessageContaining("flink-jobs/missing.yaml does not exist");
        assertThatThrownBy(() -> ClusterJob.main(new String[] {"--job", "a.yaml", "--sql", "a.sql"}))
                .hasMessageContaining("give one of --job or --sql");
        assertThatThrownBy(() -> ClusterJob.main(new String[] {"--sql", "a.sql", "--define", "model"}))
                .hasMessageContaining("--define needs NAME=VALUE");
        assertThatThrownBy(() -> ClusterJob.main(new String[] {"--sql", "flink-jobs/missing.sql",
                "--bootstrap-servers", "k:9092"}))
                .isInstanceOf(JobDefinitionException.class).hasMessageContaining("flink-jobs/missing.sql does not exist");
    }
}
