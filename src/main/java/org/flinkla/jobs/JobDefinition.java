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

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.flinkla.engine.AttentionConfig;
import org.flinkla.engine.FeatureMapKind;
import org.flinkla.engine.StatePrecision;
import org.flinkla.engine.Variant;
import org.flinkla.flink.EmitFields;
import org.flinkla.flink.LinearAttention;
import org.flinkla.kafka.RecordFormat;

/**
 * One runnable job, read from a {@code flink-jobs/*.yaml} file (docs/jobs.md): topics and formats, the
 * model, the delivery guarantee, state backend, parallelism and checkpointing, emit options, and
 * Kafka client properties passed through to source and sink. Bootstrap servers are not part of
 * the file: they come from the command line or the environment, so one file runs on the embedded
 * default and on any cluster.
 *
 * <pre>{@code
 * JobDefinition job = JobDefinition.load(Path.of("flink-jobs/attention.yaml"));
 * job.source().topic();   // "attention-in"
 * }</pre>
 *
 * <p>The file is bound with Jackson onto {@link JobYaml}, one record per section. Every key is
 * checked at load: an unknown key, a key given twice or a bad value fails with a
 * {@link JobDefinitionException} naming the file and the dotted key. docs/jobs.md has the table of
 * keys.
 */
public final class JobDefinition implements Serializable {
    private static final long serialVersionUID = 1L;

    public enum StartingOffsets { EARLIEST, LATEST, COMMITTED }

    /** Input topic and how to read it. */
    public static final class Source implements Serializable {
        private static final long serialVersionUID = 1L;
        private final String topic;
        private final RecordFormat format;
        private final String groupId;
        private final StartingOffsets startingOffsets;
        private final int partitions;
        private final int maxRecordBytes;

        Source(String topic, RecordFormat format, String groupId, StartingOffsets startingOffsets, int partitions,
                int maxRecordBytes) {
            this.topic = topic;
            this.format = format;
            this.groupId = groupId;
            this.startingOffsets = startingOffsets;
            this.partitions = partitions;
            this.maxRecordBytes = maxRecordBytes;
        }

        public String topic() { return topic; }
        public RecordFormat format() { return format; }
        public String groupId() { return groupId; }
        public StartingOffsets startingOffsets() { return startingOffsets; }
        /** Partitions of the topics when this job creates them. */
        public int partitions() { return partitions; }
        /** Larger record values go to the dead-letter topic as oversize. */
        public int maxRecordBytes() { return maxRecordBytes; }
    }

    /** Output and dead-letter topics. */
    public static final class Sink implements Serializable {
        private static final long serialVersionUID = 1L;
        private final String topic;
        private final RecordFormat format;
        private final boolean binaryFloat64;
        private final String deadLetterTopic;
        private final String transactionalIdPrefix;

        Sink(String topic, RecordFormat format, boolean binaryFloat64, String deadLetterTopic, String transactionalIdPrefix) {
            this.topic = topic;
            this.format = format;
            this.binaryFloat64 = binaryFloat64;
            this.deadLetterTopic = deadLetterTopic;
            this.transactionalIdPrefix = transactionalIdPrefix;
        }

        public String topic() { return topic; }
        public RecordFormat format() { return format; }
        /** Binary outputs in float64 instead of float32. */
        public boolean binaryFloat64() { return binaryFloat64; }
        public String deadLetterTopic() { return deadLetterTopic; }
        /** Stable prefix of the exactly-once sink's transactional ids (dead letters append {@code -dlq}). */
        public String transactionalIdPrefix() { return transactionalIdPrefix; }
    }

    /** The model: a safetensors file, or a configuration + seed (random init). */
    public static final class ModelSpec implements Serializable {
        private static final long serialVersionUID = 1L;
        private final String file;
        private final AttentionConfig seededConfig;
        private final long seed;
        private final String saveTo;
        private final Map<String, String> overrides;

        ModelSpec(String file, AttentionConfig seededConfig, long seed, String saveTo, Map<String, String> overrides) {
            this.file = file;
            this.seededConfig = seededConfig;
            this.seed = seed;
            this.saveTo = saveTo;
            this.overrides = Collections.unmodifiableMap(new LinkedHashMap<>(overrides));
        }

        /** Path of the safetensors file (relative paths resolve against the working directory), or null. */
        public String file() { return file; }
        public boolean isSeeded() { return seededConfig != null; }
        /** Configuration of a seeded model, or null. */
        public AttentionConfig seededConfig() { return seededConfig; }
        public long seed() { return seed; }
        /** Where a seeded model is written (safetensors) so runs are repeatable, or null. */
        public String saveTo() { return saveTo; }
        /** Model metadata overrides (docs/models.md keys, e.g. {@code eps}, {@code feature_map}). */
        public Map<String, String> overrides() { return overrides; }
    }

    /**
     * RocksDB table options the job sets (job-level Flink settings: they override the cluster's
     * and are ignored on the heap backend). Both default to on: with many keys per TaskManager and
     * little managed memory, each SST file's single index block (about 1 MB per 64 MB file at 1 KB
     * per key) no longer stays in the block cache and every lookup re-reads and decompresses it —
     * 10⁶ keys ran at ~2k records/s here (BENCHMARKS.md, "10⁶ keys on RocksDB"). A two-level index reads one small
     * partition per lookup; Bloom filters let a lookup of a new key skip files.
     */
    public static final class RocksDb implements Serializable {
        private static final long serialVersionUID = 1L;
        private final boolean partitionedIndexFilters;
        private final boolean bloomFilter;

        RocksDb(boolean partitionedIndexFilters, boolean bloomFilter) {
            this.partitionedIndexFilters = partitionedIndexFilters;
            this.bloomFilter = bloomFilter;
        }

        /** Flink's {@code state.backend.rocksdb.memory.partitioned-index-filters}. */
        public boolean partitionedIndexFilters() { return partitionedIndexFilters; }
        /** Flink's {@code state.backend.rocksdb.use-bloom-filter}. */
        public boolean bloomFilter() { return bloomFilter; }
    }

    private static final Pattern ENV_REF = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

    private final String file;
    private final String name;
    private final Source source;
    private final Sink sink;
    private final ModelSpec model;
    private final DeliveryGuarantee guarantee;
    private final String stateBackend;
    private final int parallelism;
    private final Duration checkpointInterval;
    private final boolean unalignedCheckpoints;
    private final Duration stateTtl;
    private final String emit;
    private final EmitFields emitFields;
    private final int maxTokensPerRecord;
    private final long maxPositionGap;
    private final Map<String, String> kafkaProperties;
    private final RocksDb rocksDb;
    /** {@code bundle.max-records} (0: off) and {@code bundle.max-delay}; set by parse, kept by the copies. */
    private int bundleMaxRecords;
    private Duration bundleMaxDelay;

    private JobDefinition(String file, String name, Source source, Sink sink, ModelSpec model, DeliveryGuarantee guarantee,
            String stateBackend, RocksDb rocksDb, int parallelism, Duration checkpointInterval,
            boolean unalignedCheckpoints, Duration stateTtl, String emit, EmitFields emitFields, int maxTokensPerRecord,
            long maxPositionGap,
            Map<String, String> kafkaProperties) {
        this.file = file;
        this.name = name;
        this.source = source;
        this.sink = sink;
        this.model = model;
        this.guarantee = guarantee;
        this.stateBackend = stateBackend;
        this.rocksDb = rocksDb;
        this.parallelism = parallelism;
        this.checkpointInterval = checkpointInterval;
        this.unalignedCheckpoints = unalignedCheckpoints;
        this.stateTtl = stateTtl;
        this.emit = emit;
        this.emitFields = emitFields;
        this.maxTokensPerRecord = maxTokensPerRecord;
        this.maxPositionGap = maxPositionGap;
        this.kafkaProperties = Collections.unmodifiableMap(new LinkedHashMap<>(kafkaProperties));
    }

    /** Reads and checks a job file; {@code ${VAR}} in Kafka property values is read from the environment. */
    public static JobDefinition load(Path path) {
        String text;
        try {
            text = Files.readString(path);
        } catch (NoSuchFileException e) {
            throw new JobDefinitionException("job file " + path + " does not exist");
        } catch (IOException e) {
            throw new JobDefinitionException("cannot read job file " + path + ": " + e.getMessage(), e);
        }
        return parse(path.toString(), text, System::getenv);
    }

    /**
     * Parses job YAML; {@code file} is only used in messages, {@code env} resolves {@code ${VAR}}
     * references in Kafka property values. The file is bound onto {@link JobYaml} (one record per
     * section: unknown keys, keys given twice and values of the wrong type fail there, naming the
     * dotted key), then the defaults are applied and the values checked here.
     */
    public static JobDefinition parse(String file, String yaml, Function<String, String> env) {
        // before anything can fail: an error message or a log line must not show a secret of the file
        Secrets.scanText(yaml);
        JobYaml top = JobYaml.read(file, yaml);
        String name = string(file, "name", top.name(), null);
        if (!name.matches("[A-Za-z0-9._-]+")) {
            throw error(file, "name", "may only contain letters, digits, '.', '_' and '-', got '" + name + "'");
        }
        int parallelism = (int) integer(file, "parallelism", top.parallelism(), 1, 1, 1024);

        JobYaml.Source src = required(file, "source", top.source());
        Source source = new Source(
                topic(file, "source.topic", src.topic()),
                src.format() == JobYaml.SourceFormat.BINARY ? RecordFormat.BINARY : RecordFormat.JSON,
                string(file, "source.group-id", src.groupId(), "flinkla-" + name),
                src.startingOffsets() == null ? StartingOffsets.EARLIEST : src.startingOffsets(),
                (int) integer(file, "source.partitions", src.partitions(), parallelism, 1, 10_000),
                (int) integer(file, "source.max-record-bytes", src.maxRecordBytes(), 1 << 20, 64, Integer.MAX_VALUE));

        JobYaml.Sink snk = required(file, "sink", top.sink());
        JobYaml.SinkFormat sinkFormat = snk.format() == null ? JobYaml.SinkFormat.JSON : snk.format();
        Sink sink = new Sink(
                topic(file, "sink.topic", snk.topic()),
                sinkFormat == JobYaml.SinkFormat.JSON ? RecordFormat.JSON : RecordFormat.BINARY,
                sinkFormat == JobYaml.SinkFormat.BINARY_F64,
                topic(file, "sink.dead-letter-topic", snk.deadLetterTopic()),
                string(file, "sink.transactional-id-prefix", snk.transactionalIdPrefix(), "flinkla-" + name));
        if (sink.topic().equals(source.topic()) || sink.deadLetterTopic().equals(source.topic())
                || sink.deadLetterTopic().equals(sink.topic())) {
            throw new JobDefinitionException(file + ": 'source.topic', 'sink.topic' and 'sink.dead-letter-topic' "
                    + "must be three different topics");
        }

        ModelSpec model = model(file, required(file, "model", top.model()));

        DeliveryGuarantee guarantee = top.guarantee() == JobYaml.Guarantee.AT_LEAST_ONCE
                ? DeliveryGuarantee.AT_LEAST_ONCE : DeliveryGuarantee.EXACTLY_ONCE;
        // unset: whatever the cluster is configured with (docker-compose: rocksdb; local runs: hashmap)
        String backend = top.stateBackend() == null ? null : top.stateBackend().name().toLowerCase(Locale.ROOT);
        JobYaml.RocksDb rocks = top.rocksdb() == null ? new JobYaml.RocksDb(null, null) : top.rocksdb();
        RocksDb rocksDb = new RocksDb(!Boolean.FALSE.equals(rocks.partitionedIndexFilters()),
                !Boolean.FALSE.equals(rocks.bloomFilter()));
        Duration checkpoint = top.checkpointInterval() == null ? Duration.ofSeconds(2) : top.checkpointInterval();
        if (checkpoint.toMillis() < 10) {
            throw error(file, "checkpoint-interval", "must be at least 10ms, got " + checkpoint.toMillis() + "ms");
        }
        boolean unaligned = Boolean.TRUE.equals(top.unalignedCheckpoints());
        Duration ttl = top.stateTtl();
        String emit = string(file, "emit", top.emit(), "all").toLowerCase(Locale.ROOT);
        if (!emit.matches("all|last|every:[1-9][0-9]{0,8}")) {
            throw error(file, "emit", "must be all, last or every:N (N >= 1), got '" + emit + "'");
        }
        EmitFields emitFields;
        try {
            emitFields = EmitFields.parse(top.emitFields() == null ? List.of() : top.emitFields());
        } catch (IllegalArgumentException e) {
            throw error(file, "emit-fields", e.getMessage());
        }
        int maxTokens = (int) integer(file, "max-tokens-per-record", top.maxTokensPerRecord(), 16_384, 1, 1 << 24);
        long maxGap = integer(file, "max-position-gap", top.maxPositionGap(), LinearAttention.DEFAULT_MAX_POSITION_GAP,
                0, Long.MAX_VALUE);
        JobYaml.Bundle bundle = top.bundle();
        int bundleMax = bundle == null ? 0 : (int) integer(file, "bundle.max-records", bundle.maxRecords(), 64, 0,
                LinearAttention.MAX_BUNDLE_RECORDS);
        Duration bundleDelay = bundle == null || bundle.maxDelay() == null ? Duration.ofMillis(5) : bundle.maxDelay();
        if (bundleMax > 1 && bundleDelay.toMillis() < 1) {
            throw error(file, "bundle.max-delay", "must be at least 1ms, got " + bundleDelay.toMillis() + "ms");
        }

        Map<String, String> props = new LinkedHashMap<>();
        Map<String, String> given = top.kafka() == null ? null : top.kafka().properties();
        for (Map.Entry<String, String> e : scalars(file, "kafka.properties", given).entrySet()) {
            String value = resolveEnv(file, "kafka.properties." + e.getKey(), e.getValue(), env);
            Secrets.registerProperty(e.getKey(), value);
            props.put(e.getKey(), value);
        }
        for (String reserved : List.of("bootstrap.servers", "key.deserializer", "value.deserializer",
                "key.serializer", "value.serializer", "transactional.id", "isolation.level", "group.id")) {
            if (props.containsKey(reserved)) {
                throw new JobDefinitionException(file + ": 'kafka.properties." + reserved + "' is set by the job "
                        + "(bootstrap servers come from --bootstrap-servers or FLINKLA_BOOTSTRAP_SERVERS)");
            }
        }
        JobDefinition job = new JobDefinition(file, name, source, sink, model, guarantee, backend, rocksDb, parallelism,
                checkpoint, unaligned, ttl, emit, emitFields, maxTokens, maxGap, props);
        job.bundleMaxRecords = bundleMax > 1 ? bundleMax : 0;
        job.bundleMaxDelay = bundleMax > 1 ? bundleDelay : null;
        return job;
    }

    private JobDefinition withBundleOf(JobDefinition other) {
        bundleMaxRecords = other.bundleMaxRecords;
        bundleMaxDelay = other.bundleMaxDelay;
        return this;
    }

    private static JobDefinitionException error(String file, String key, String problem) {
        return new JobDefinitionException(file + ": '" + key + "' " + problem);
    }

    private static <T> T required(String file, String key, T section) {
        if (section == null) {
            throw error(file, key, "is missing");
        }
        return section;
    }

    /** A string value, trimmed and not empty; {@code dflt} when absent ({@code null}: the key is required). */
    private static String string(String file, String key, String value, String dflt) {
        if (value == null) {
            if (dflt == null) {
                throw error(file, key, "is missing");
            }
            return dflt;
        }
        String s = value.trim();
        if (s.isEmpty()) {
            throw error(file, key, "must not be empty");
        }
        return s;
    }

    /** A string that may be absent (null). */
    private static String optionalString(String file, String key, String value) {
        return value == null ? null : string(file, key, value, null);
    }

    private static long integer(String file, String key, Long value, long dflt, long min, long max) {
        long v = value == null ? dflt : value;
        if (v < min || v > max) {
            throw error(file, key, "must be between " + min + " and " + max + ", got " + v);
        }
        return v;
    }

    /** A flat mapping of keys to scalar values, in file order; empty when absent. */
    private static Map<String, String> scalars(String file, String key, Map<String, String> given) {
        Map<String, String> out = new LinkedHashMap<>();
        if (given == null) {
            return out;
        }
        for (Map.Entry<String, String> e : given.entrySet()) {
            if (e.getValue() == null) {
                throw error(file, key + "." + e.getKey(), "must be a single value, got nothing");
            }
            out.put(e.getKey(), e.getValue());
        }
        return out;
    }

    private static String topic(String file, String key, String value) {
        String t = string(file, key, value, null);
        if (!t.matches("[A-Za-z0-9._-]{1,249}")) {
            throw error(file, key, "is not a valid Kafka topic name: '" + t + "'");
        }
        return t;
    }

    private static ModelSpec model(String file, JobYaml.Model m) {
        String modelFile = optionalString(file, "model.file", m.file());
        JobYaml.Seeded seeded = m.seeded();
        String saveTo = optionalString(file, "model.save-to", m.saveTo());
        Map<String, String> overrides = scalars(file, "model.overrides", m.overrides());
        if ((modelFile == null) == (seeded == null)) {
            throw error(file, "model", "needs exactly one of 'file' or 'seeded'");
        }
        if (seeded != null && !overrides.isEmpty()) {
            throw error(file, "model.overrides", "applies to 'model.file' only: set the values in 'model.seeded'");
        }
        if (modelFile != null && saveTo != null) {
            throw error(file, "model.save-to", "applies to 'model.seeded' only");
        }
        AttentionConfig config = null;
        long seed = 0;
        if (seeded != null) {
            String k = "model.seeded.";
            seed = integer(file, k + "seed", seeded.seed(), 42, Long.MIN_VALUE, Long.MAX_VALUE);
            if (seeded.dModel() == null) {
                throw error(file, k + "d-model", "is missing");
            }
            int dModel = (int) integer(file, k + "d-model", seeded.dModel(), -1, 1, 1 << 16);
            int heads = (int) integer(file, k + "heads", seeded.heads(), 1, 1, 1024);
            if (seeded.eps() != null && !Double.isFinite(seeded.eps())) {
                throw error(file, k + "eps", "must be finite, got " + seeded.eps());
            }
            AttentionConfig.Builder b = AttentionConfig.builder();
            b.dModel(dModel).heads(heads)
                    .dKey((int) integer(file, k + "d-key", seeded.dKey(), Math.max(1, dModel / heads), 1, 1 << 16))
                    .dValue((int) integer(file, k + "d-value", seeded.dValue(), Math.max(1, dModel / heads), 1, 1 << 16))
                    .dOut((int) integer(file, k + "d-out", seeded.dOut(), dModel, 1, 1 << 16))
                    .eps(seeded.eps() == null ? AttentionConfig.DEFAULT_EPS : seeded.eps())
                    .favorFeatures((int) integer(file, k + "favor-features", seeded.favorFeatures(),
                            AttentionConfig.DEFAULT_FAVOR_FEATURES, 1, 1 << 16))
                    .favorSeed(integer(file, k + "favor-seed", seeded.favorSeed(), AttentionConfig.DEFAULT_FAVOR_SEED,
                            Long.MIN_VALUE, Long.MAX_VALUE))
                    .vocab(optionalString(file, k + "vocab", seeded.vocab()));
            try {
                b.featureMap(FeatureMapKind.parse(string(file, k + "feature-map", seeded.featureMap(), "elu")));
                b.variant(Variant.parse(string(file, k + "variant", seeded.variant(), "linear")));
                b.statePrecision(StatePrecision.parse(string(file, k + "state-precision", seeded.statePrecision(),
                        "float64")));
                String decay = optionalString(file, k + "decay", seeded.decay());
                if (decay != null) {
                    String[] parts = decay.split(",");
                    double[] g = new double[parts.length];
                    for (int i = 0; i < parts.length; i++) {
                        g[i] = Double.parseDouble(parts[i].trim());
                    }
                    b.decay(g);
                }
                config = b.build();
            } catch (JobDefinitionException e) {
                throw e;
            } catch (IllegalArgumentException e) {
                throw new JobDefinitionException(error(file, "model.seeded", "is not a valid model: " + e.getMessage())
                        .getMessage(), e);
            }
        }
        return new ModelSpec(modelFile, config, seed, saveTo, overrides);
    }

    private static String resolveEnv(String file, String key, String value, Function<String, String> env) {
        Matcher mm = ENV_REF.matcher(value);
        StringBuilder sb = new StringBuilder();
        while (mm.find()) {
            String v = env.apply(mm.group(1));
            if (v == null) {
                throw new JobDefinitionException(file + ": '" + key + "' refers to the environment variable "
                        + mm.group(1) + ", which is not set");
            }
            mm.appendReplacement(sb, Matcher.quoteReplacement(v));
        }
        mm.appendTail(sb);
        return sb.toString();
    }

    /** True when a Kafka property holds a secret (its value is never printed or logged): see {@link Secrets}. */
    public static boolean isSecretKey(String key) {
        return Secrets.isSecretKey(key);
    }

    public String file() { return file; }
    public String name() { return name; }
    public Source source() { return source; }
    public Sink sink() { return sink; }
    public ModelSpec model() { return model; }
    public DeliveryGuarantee guarantee() { return guarantee; }
    /** {@code hashmap} or {@code rocksdb} (Flink's {@code state.backend.type}), or null for the cluster's default. */
    public String stateBackend() { return stateBackend; }
    /** RocksDB table options (used when the state backend is RocksDB). */
    public RocksDb rocksDb() { return rocksDb; }
    public int parallelism() { return parallelism; }
    public Duration checkpointInterval() { return checkpointInterval; }
    /**
     * {@code unaligned-checkpoints} (default false): checkpoint barriers overtake the records
     * queued in front of a slow operator, so that checkpoints, and the exactly-once commits with
     * them, keep coming while a backlog is worked off; the queued records go into the checkpoint.
     */
    public boolean unalignedCheckpoints() { return unalignedCheckpoints; }
    /** Idle time after which a sequence's state is dropped, or null (kept until a reset). */
    public Duration stateTtl() { return stateTtl; }
    /** Which outputs the operator emits: {@code all}, {@code last} or {@code every:N}. */
    public String emit() { return emit; }
    /** Language-model fields added to each output ({@code emit-fields}; none by default). */
    public EmitFields emitFields() { return emitFields; }
    /** Largest number of tokens in one record (larger records are dead letters, {@code oversize}). */
    public int maxTokensPerRecord() { return maxTokensPerRecord; }
    /** Largest position gap a record may make (larger: dead letter {@code bad_pos}). */
    public long maxPositionGap() { return maxPositionGap; }
    /**
     * {@code bundle.max-records}: most records the operator bundles across keys, or 0 when
     * bundling is off (no {@code bundle} section; see {@code LinearAttention.Builder#bundle}).
     */
    public int bundleMaxRecords() { return bundleMaxRecords; }
    /** {@code bundle.max-delay} (default 5ms): longest a record waits in a bundle; null when off. */
    public Duration bundleMaxDelay() { return bundleMaxDelay; }
    /** Kafka client properties for source and sinks (may hold secrets: see {@link #maskedKafkaProperties()}). */
    public Map<String, String> kafkaProperties() { return kafkaProperties; }

    /** Kafka properties as {@link Properties}, for clients. */
    public Properties kafkaClientProperties() {
        Properties p = new Properties();
        p.putAll(kafkaProperties);
        return p;
    }

    /** Kafka properties with secret values replaced by {@code ******}: safe to print. */
    public Map<String, String> maskedKafkaProperties() {
        Map<String, String> out = new LinkedHashMap<>();
        kafkaProperties.forEach((k, v) -> out.put(k, isSecretKey(k) ? "******" : v));
        return out;
    }

    /** All topics the job reads or writes: input, output, dead letters. */
    public List<String> topics() {
        return List.of(source.topic, sink.topic, sink.deadLetterTopic);
    }

    /** Copy with another parallelism (command-line override). */
    public JobDefinition withParallelism(int p) {
        if (p < 1) {
            throw new JobDefinitionException("--parallelism must be positive, got " + p);
        }
        return new JobDefinition(file, name, source, sink, model, guarantee, stateBackend, rocksDb, p, checkpointInterval,
                unalignedCheckpoints, stateTtl, emit, emitFields, maxTokensPerRecord, maxPositionGap, kafkaProperties).withBundleOf(this);
    }

    /** Copy with another guarantee (used by benchmarks). */
    /** The same job with other language-model output fields (e.g. none, for a model without an LM head). */
    public JobDefinition withEmitFields(EmitFields fields) {
        return new JobDefinition(file, name, source, sink, model, guarantee, stateBackend, rocksDb, parallelism,
                checkpointInterval, unalignedCheckpoints, stateTtl, emit, java.util.Objects.requireNonNull(fields, "fields"),
                maxTokensPerRecord, maxPositionGap, kafkaProperties).withBundleOf(this);
    }

    public JobDefinition withDeliveryGuarantee(DeliveryGuarantee g) {
        return new JobDefinition(file, name, source, sink, model, g, stateBackend, rocksDb, parallelism, checkpointInterval,
                unalignedCheckpoints, stateTtl, emit, emitFields, maxTokensPerRecord, maxPositionGap, kafkaProperties).withBundleOf(this);
    }

    /** One-line summary, secrets masked. */
    @Override
    public String toString() {
        return "job " + name + " (" + file + "): " + source.topic + " [" + source.format.name().toLowerCase(Locale.ROOT)
                + "] -> " + sink.topic + " [" + sink.format.name().toLowerCase(Locale.ROOT) + "], dead letters -> "
                + sink.deadLetterTopic + ", " + guarantee.name().toLowerCase(Locale.ROOT).replace('_', '-')
                + ", state " + (stateBackend == null ? "cluster default" : stateBackend) + ", parallelism " + parallelism + ", checkpoint every "
                + checkpointInterval.toMillis() + "ms" + (unalignedCheckpoints ? " (unaligned)" : "") + ", model " + (model.isSeeded() ? "seeded(" + model.seed + ") "
                + model.seededConfig : model.file) + (emitFields.isEmpty() ? "" : ", emit-fields [" + emitFields + "]")
                + (kafkaProperties.isEmpty() ? "" : ", kafka " + maskedKafkaProperties());
    }
}
