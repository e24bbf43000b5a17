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
