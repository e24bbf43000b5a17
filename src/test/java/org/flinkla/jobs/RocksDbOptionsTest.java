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

import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.StateBackendLoader;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.state.rocksdb.PredefinedOptions;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
import org.apache.flink.state.rocksdb.RocksDBOptions;
import org.apache.flink.state.rocksdb.RocksDBResourceContainer;
import org.junit.jupiter.api.Test;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.RocksDB;

/**
 * The job definition's {@code rocksdb} section: defaults, parsing, and that the settings reach the
 * RocksDB state backend Flink builds from the job's configuration (not just a map entry).
 */
class RocksDbOptionsTest {

    private static final String JOB = String.join("\n",
            "name: t",
            "source: {topic: in}",
            "sink: {topic: out, dead-letter-topic: dlq}",
            "model: {file: m.safetensors}",
            "state-backend: rocksdb",
            "");

    private static JobDefinition parse(String yaml) {
        return JobDefinition.parse("job.yaml", yaml, Map.<String, String>of()::get);
    }

    /** The backend a TaskManager would build: job configuration merged over an empty cluster configuration. */
    private static EmbeddedRocksDBStateBackend backend(Configuration job) throws Exception {
        StateBackend b = StateBackendLoader.fromApplicationOrConfigOrDefault(null, job, new Configuration(),
                RocksDbOptionsTest.class.getClassLoader(), null);
        assertThat(b).isInstanceOf(EmbeddedRocksDBStateBackend.class);
        return (EmbeddedRocksDBStateBackend) b;
    }

    @Test
    void defaultsAreOnAndReachTheFlinkConfiguration() {
        JobDefinition job = parse(JOB);
        assertThat(job.rocksDb().partitionedIndexFilters()).isTrue();
        assertThat(job.rocksDb().bloomFilter()).isTrue();
        Configuration c = AttentionJob.flinkConfiguration(job);
        assertThat(c.get(RocksDBOptions.USE_PARTITIONED_INDEX_FILTERS)).isTrue();
        assertThat(c.get(RocksDBConfigurableOptions.USE_BLOOM_FILTER)).isTrue();
        // Flink's own defaults are off: the job really changes something
        assertThat(RocksDBOptions.USE_PARTITIONED_INDEX_FILTERS.defaultValue()).isFalse();
        assertThat(RocksDBConfigurableOptions.USE_BLOOM_FILTER.defaultValue()).isFalse();
    }

    @Test
    void offWhenTheFileSaysSo() {
        JobDefinition job = parse(JOB + "rocksdb: {partitioned-index-filters: false, bloom-filter: false}\n");
        Configuration c = AttentionJob.flinkConfiguration(job);
        assertThat(c.get(RocksDBOptions.USE_PARTITIONED_INDEX_FILTERS)).isFalse();
        assertThat(c.get(RocksDBConfigurableOptions.USE_BLOOM_FILTER)).isFalse();
    }

    @Test
    void badValuesNameTheKey() {
        assertThatThrownBy(() -> parse(JOB + "rocksdb: {bloom-filter: maybe}\n"))
                .isInstanceOf(JobDefinitionException.class)
                .hasMessageContaining("job.yaml")
                .hasMessageContaining("rocksdb.bloom-filter")
                .hasMessageContaining("maybe");
        assertThatThrownBy(() -> parse(JOB + "rocksdb: {partitioned-index: true}\n"))
                .isInstanceOf(JobDefinitionException.class)
                .hasMessageContaining("rocksdb.partitioned-index");
    }

    @Test
    void partitionedIndexFiltersReachTheStateBackend() throws Exception {
        assertThat(backend(AttentionJob.flinkConfiguration(parse(JOB))).getMemoryConfiguration()
                .isUsingPartitionedIndexFilters()).isTrue();
        assertThat(backend(AttentionJob.flinkConfiguration(
                parse(JOB + "rocksdb: {partitioned-index-filters: false}\n"))).getMemoryConfiguration()
                .isUsingPartitionedIndexFilters()).isFalse();
    }

    @Test
    void bloomFilterReachesTheColumnFamilyOptions() throws Exception {
        RocksDB.loadLibrary();
        assertThat(filterPolicy(AttentionJob.flinkConfiguration(parse(JOB)))).isInstanceOf(BloomFilter.class);
        assertThat(filterPolicy(AttentionJob.flinkConfiguration(parse(JOB + "rocksdb: {bloom-filter: false}\n"))))
                .isNull();
    }

    /** The table filter of the column-family options Flink's RocksDB backend derives from this configuration. */
    private static Object filterPolicy(Configuration c) throws Exception {
        try (RocksDBResourceContainer container = new RocksDBResourceContainer(c, PredefinedOptions.DEFAULT, null,
                null, null, false)) {
            ColumnFamilyOptions cf = container.getColumnOptions();
            return ((BlockBasedTableConfig) cf.tableFormatConfig()).filterPolicy();
        }
    }
}
