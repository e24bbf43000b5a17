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
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
import org.apache.flink.state.rocksdb.RocksDBOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.flinkla.flink.EmitMode;
import org.flinkla.engine.SequenceModel;
import org.flinkla.flink.LinearAttention;
import org.flinkla.flink.ModelReference;
import org.flinkla.kafka.KafkaAttentionPipeline;
import org.flinkla.model.Model;
import org.flinkla.model.ModelFiles;

/**
 * Turns a {@link JobDefinition} into a Flink job: loads (or seeds) the model, builds the
 * {@link LinearAttention} operator and the {@link KafkaAttentionPipeline}, and the Flink
 * configuration (parallelism, state backend, checkpointing, no generic types).
 *
 * <pre>{@code
 * JobDefinition job = JobDefinition.load(Path.of("flink-jobs/attention.yaml"));
 * StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(AttentionJob.flinkConfiguration(job));
 * AttentionJob.pipeline(job, "localhost:9092", false).addTo(env);
 * env.execute(job.name());
 * }</pre>
 */
public final class AttentionJob {
    private AttentionJob() {}

    /**
     * How the job's tasks find the model: a model file or directory by URI (each TaskManager loads
     * it once), or the seeded model itself (created here, and saved when the job asks).
     */
    public static ModelReference modelReference(JobDefinition job) {
        JobDefinition.ModelSpec spec = job.model();
        if (spec.isSeeded()) {
            Model m = ModelFiles.random(spec.seededConfig(), spec.seed());
            if (spec.saveTo() != null) {
                ModelFiles.save(m, Path.of(spec.saveTo()));
            }
            return ModelReference.of(m);
        }
        return ModelReference.uri(spec.file(), spec.overrides());
    }

    /** The job's model, loaded (or seeded) in this JVM: what its tasks will run. */
    public static SequenceModel loadModel(JobDefinition job) {
        return modelReference(job).resolve();
    }

    /** The operator for the job's model (by reference), emit mode, state TTL and record limit. */
    public static LinearAttention attention(JobDefinition job) {
        return attention(job, modelReference(job));
    }

    /** The attention operator for the given model, with the job's emit mode and fields, state TTL and record limit. */
    public static LinearAttention attention(JobDefinition job, SequenceModel model) {
        return attention(job, ModelReference.of(model));
    }

    /**
     * The attention operator for a model reference (e.g. a model file chosen on the command line
     * instead of the job's), with the job's emit mode and fields, state TTL and record limit.
     */
    public static LinearAttention attention(JobDefinition job, ModelReference model) {
        EmitMode emit;
        try {
            emit = EmitMode.parse(job.emit());
        } catch (IllegalArgumentException e) {
            throw new JobDefinitionException(job.file() + ": 'emit' " + e.getMessage(), e);
        }
        LinearAttention.Builder b = LinearAttention.builder(model)
                .emit(emit)
                .stateTtl(job.stateTtl())
                .maxTokensPerRecord(job.maxTokensPerRecord())
                .maxPositionGap(job.maxPositionGap())
                .bundle(job.bundleMaxRecords(), job.bundleMaxDelay());
        if (!job.emitFields().isEmpty()) {
            SequenceModel resolved = model.resolve(); // load errors name the file
            try {
                job.emitFields().check(resolved);
            } catch (IllegalArgumentException e) {
                throw new JobDefinitionException(job.file() + ": 'emit-fields' " + e.getMessage(), e);
            }
            b.emitFields(job.emitFields());
        }
        return b.build();
    }

    /** The Kafka pipeline of the job, with its model loaded. */
    public static KafkaAttentionPipeline pipeline(JobDefinition job, String bootstrapServers, boolean bounded) {
        return pipeline(job, bootstrapServers, bounded, attention(job));
    }

    /** The Kafka pipeline of the job around a given operator. */
    public static KafkaAttentionPipeline pipeline(JobDefinition job, String bootstrapServers, boolean bounded,
            LinearAttention attention) {
        return builder(job, bootstrapServers, bounded, attention).build();
    }

    /** The pipeline's builder, for callers that add to it (e.g. progress tracking). */
    public static KafkaAttentionPipeline.Builder builder(JobDefinition job, String bootstrapServers, boolean bounded,
            LinearAttention attention) {
        return KafkaAttentionPipeline.builder()
                .bootstrapServers(bootstrapServers)
                .kafkaProperties(job.kafkaClientProperties())
                .source(job.source().topic(), job.source().format(), job.source().groupId())
                .startingOffsets(startingOffsets(job.source().startingOffsets()))
                .maxRecordBytes(job.source().maxRecordBytes())
                .bounded(bounded)
                .sink(job.sink().topic(), job.sink().format(), job.sink().deadLetterTopic())
                .sinkFloat64(job.sink().binaryFloat64())
                .guarantee(job.guarantee())
                .transactionalIdPrefix(job.sink().transactionalIdPrefix())
                .attention(attention);
    }

    private static OffsetsInitializer startingOffsets(JobDefinition.StartingOffsets s) {
        switch (s) {
            case LATEST:
                return OffsetsInitializer.latest();
            case COMMITTED:
                return OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
            default:
                return OffsetsInitializer.earliest();
        }
    }

    /**
     * Flink settings of the job: default parallelism, {@code state.backend.type} (when the job sets it), checkpoint
     * interval (checkpointing is always on: the exactly-once sink commits on checkpoints, and
     * restarts resume from them), unaligned checkpoints when the job asks for them, {@code pipeline.generic-types: false} so nothing falls back
     * to Kryo, and the RocksDB table options of {@link JobDefinition.RocksDb} (partitioned index and
     * filters, Bloom filters; read by the RocksDB backend from the job's configuration, which
     * Flink merges over the cluster's, and ignored by the heap backend).
     */
    public static Configuration flinkConfiguration(JobDefinition job) {
        Configuration c = new Configuration();
        c.set(CoreOptions.DEFAULT_PARALLELISM, job.parallelism());
        if (job.stateBackend() != null) {
            c.set(StateBackendOptions.STATE_BACKEND, job.stateBackend());
        }
        c.set(RocksDBOptions.USE_PARTITIONED_INDEX_FILTERS, job.rocksDb().partitionedIndexFilters());
        c.set(RocksDBConfigurableOptions.USE_BLOOM_FILTER, job.rocksDb().bloomFilter());
        c.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, job.checkpointInterval());
        if (job.unalignedCheckpoints()) {
            c.set(CheckpointingOptions.ENABLE_UNALIGNED, true);
        }
        c.set(PipelineOptions.GENERIC_TYPES, false);
        c.set(PipelineOptions.NAME, job.name());
        return c;
    }

    /** An environment (local or the cluster's, as Flink decides) configured for the job. */
    public static StreamExecutionEnvironment environment(JobDefinition job) {
        return StreamExecutionEnvironment.getExecutionEnvironment(flinkConfiguration(job));
    }
}
