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

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
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
 * <p>Every key is checked at load: an unknown key or a bad value fails with a
 * {@link JobDefinitionException} naming the file and the dotted key. See the README section
 * "Running on Kafka" for the table of keys.
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
     * 10⁶ keys ran at ~2k records/s here (BENCHMARKS.md §3). A two-level index reads one small
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
     * references in Kafka property values.
     */
    public static JobDefinition parse(String file, String yaml, Function<String, String> env) {
        // before anything can fail: an error message or a log line must not show a secret of the file
        Secrets.scanText(yaml);
        JsonNode root;
        try {
            // a key given twice would otherwise be accepted silently, the last value winning
            root = new YAMLMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).readTree(yaml);
        } catch (JsonProcessingException e) {
            String path = parserPath(e);
            if (e.getOriginalMessage() != null && e.getOriginalMessage().startsWith("Duplicate field")) {
                throw new JobDefinitionException(file + ": '" + path + "' is given twice"
                        + (e.getLocation() != null ? " (again at line " + e.getLocation().getLineNr() + ")" : "")
                        + ": keep one");
            }
            // not chained: the parser's own message quotes the offending line, which may hold a secret
            throw new JobDefinitionException(file + ": " + syntaxError(e, path));
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            throw new JobDefinitionException(file + ": the file is empty");
        }
        YamlSection top = new YamlSection(file, "", root);
        String name = top.string("name", null);
        if (!name.matches("[A-Za-z0-9._-]+")) {
            throw top.error("name", "may only contain letters, digits, '.', '_' and '-', got '" + name + "'");
        }
        int parallelism = (int) top.integer("parallelism", 1, 1, 1024);

        YamlSection src = top.section("source", true);
        Source source = new Source(
                topic(src, "topic", null),
                RecordFormat.valueOf(src.choice("format", "json", "json", "binary").toUpperCase(Locale.ROOT)),
                src.string("group-id", "flinkla-" + name),
                StartingOffsets.valueOf(src.choice("starting-offsets", "earliest", "earliest", "latest", "committed")
                        .toUpperCase(Locale.ROOT)),
                (int) src.integer("partitions", parallelism, 1, 10_000),
                (int) src.integer("max-record-bytes", 1 << 20, 64, Integer.MAX_VALUE));
        src.finish();

        YamlSection snk = top.section("sink", true);
        String sinkRecordFormat = snk.choice("format", "json", "json", "binary", "binary-f64");
        Sink sink = new Sink(
                topic(snk, "topic", null),
                sinkRecordFormat.equals("json") ? RecordFormat.JSON : RecordFormat.BINARY,
                sinkRecordFormat.equals("binary-f64"),
                topic(snk, "dead-letter-topic", null),
                snk.string("transactional-id-prefix", "flinkla-" + name));
        snk.finish();
        if (sink.topic().equals(source.topic()) || sink.deadLetterTopic().equals(source.topic())
                || sink.deadLetterTopic().equals(sink.topic())) {
            throw new JobDefinitionException(file + ": 'source.topic', 'sink.topic' and 'sink.dead-letter-topic' "
                    + "must be three different topics");
        }

        ModelSpec model = model(top.section("model", true));

        DeliveryGuarantee guarantee = top.choice("guarantee", "exactly-once", "exactly-once", "at-least-once")
                .equals("exactly-once") ? DeliveryGuarantee.EXACTLY_ONCE : DeliveryGuarantee.AT_LEAST_ONCE;
        // unset: whatever the cluster is configured with (docker-compose: rocksdb; local runs: hashmap)
        String backend = top.has("state-backend") ? top.choice("state-backend", null, "hashmap", "rocksdb") : null;
        YamlSection rocks = top.section("rocksdb", false);
        RocksDb rocksDb = new RocksDb(rocks.bool("partitioned-index-filters", true), rocks.bool("bloom-filter", true));
        rocks.finish();
        Duration checkpoint = top.duration("checkpoint-interval", Duration.ofSeconds(2));
        if (checkpoint.toMillis() < 10) {
            throw top.error("checkpoint-interval", "must be at least 10ms, got " + checkpoint.toMillis() + "ms");
        }
        boolean unaligned = top.bool("unaligned-checkpoints", false);
        Duration ttl = top.duration("state-ttl", null);
        String emit = top.string("emit", "all").toLowerCase(Locale.ROOT);
        if (!emit.matches("all|last|every:[1-9][0-9]{0,8}")) {
            throw top.error("emit", "must be all, last or every:N (N >= 1), got '" + emit + "'");
        }
        EmitFields emitFields;
        try {
            emitFields = EmitFields.parse(top.stringList("emit-fields"));
        } catch (IllegalArgumentException e) {
            throw top.error("emit-fields", e.getMessage());
        }
        int maxTokens = (int) top.integer("max-tokens-per-record", 16_384, 1, 1 << 24);
        long maxGap = top.integer("max-position-gap", LinearAttention.DEFAULT_MAX_POSITION_GAP, 0, Long.MAX_VALUE);
        YamlSection bundle = top.section("bundle", false);
        int bundleMax = (int) bundle.integer("max-records", bundle.present() ? 64 : 0, 0,
                LinearAttention.MAX_BUNDLE_RECORDS);
        Duration bundleDelay = bundle.duration("max-delay", Duration.ofMillis(5));
        if (bundleMax > 1 && bundleDelay.toMillis() < 1) {
            throw bundle.error("bundle.max-delay", "must be at least 1ms, got " + bundleDelay);
        }
        bundle.finish();

        YamlSection kafka = top.section("kafka", false);
        Map<String, String> props = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : kafka.stringMap("properties").entrySet()) {
            String value = resolveEnv(file, "kafka.properties." + e.getKey(), e.getValue(), env);
            Secrets.registerProperty(e.getKey(), value);
            props.put(e.getKey(), value);
        }
        kafka.finish();
        for (String reserved : List.of("bootstrap.servers", "key.deserializer", "value.deserializer",
                "key.serializer", "value.serializer", "transactional.id", "isolation.level", "group.id")) {
            if (props.containsKey(reserved)) {
                throw new JobDefinitionException(file + ": 'kafka.properties." + reserved + "' is set by the job "
                        + "(bootstrap servers come from --bootstrap-servers or FLINKLA_BOOTSTRAP_SERVERS)");
            }
        }
        top.finish();
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

    /**
     * A YAML syntax error without the text of the file: position, the key being read, and the
     * parser's problem with anything it quotes from the file masked. The common cause — a value
     * with quotes inside that is not quoted as a whole — gets its fix.
     */
    private static String syntaxError(JsonProcessingException e, String path) {
        StringBuilder sb = new StringBuilder("not valid YAML");
        if (e.getLocation() != null) {
            sb.append(" at line ").append(e.getLocation().getLineNr()).append(", column ")
                    .append(e.getLocation().getColumnNr());
        }
        if (!path.isEmpty()) {
            sb.append(" (in '").append(path).append("')");
        }
        String problem = null;
        if (e.getCause() instanceof org.yaml.snakeyaml.error.MarkedYAMLException) {
            problem = ((org.yaml.snakeyaml.error.MarkedYAMLException) e.getCause()).getProblem();
        } else if (e.getOriginalMessage() != null && !e.getOriginalMessage().contains("\n")) {
            problem = e.getOriginalMessage();
        }
        if (problem != null) {
            // keep the parser's token names ('<scalar>', ':'), mask longer quoted text from the file
            sb.append(": ").append(Secrets.redact(problem.replaceAll("'(?!<)[^']{2,}'", "'…'")
                    .replaceAll("\"[^\"]{2,}\"", "\"…\"")));
        }
        if (problem != null && (problem.contains("<scalar>") || problem.contains("<block end>"))) {
            sb.append(". A value with quotes inside must be quoted as a whole: '...' (write '' for a quote"
                    + " inside), or taken from the environment with ${VAR}");
        }
        return sb.toString();
    }

    /** The dotted key path the YAML parser was at when it failed ({@code kafka.properties.x}), or "". */
    private static String parserPath(JsonProcessingException e) {
        if (!(e.getProcessor() instanceof JsonParser)) {
            return "";
        }
        java.util.ArrayDeque<String> names = new java.util.ArrayDeque<>();
        for (JsonStreamContext c = ((JsonParser) e.getProcessor()).getParsingContext(); c != null && !c.inRoot();
                c = c.getParent()) {
            if (c.inArray()) {
                names.addFirst("[" + c.getCurrentIndex() + "]");
            } else if (c.getCurrentName() != null) {
                names.addFirst(c.getCurrentName());
            }
        }
        return String.join(".", names).replace(".[", "[");
    }

    private static String topic(YamlSection s, String key, String dflt) {
        String t = s.string(key, dflt);
        if (!t.matches("[A-Za-z0-9._-]{1,249}")) {
            throw s.error(s.key(key), "is not a valid Kafka topic name: '" + t + "'");
        }
        return t;
    }

    private static ModelSpec model(YamlSection m) {
        String file = m.optionalString("file");
        YamlSection seeded = m.section("seeded", false);
        String saveTo = m.optionalString("save-to");
        Map<String, String> overrides = m.stringMap("overrides");
        if ((file == null) == !seeded.present()) {
            throw m.error("model", "needs exactly one of 'file' or 'seeded'");
        }
        if (seeded.present() && !overrides.isEmpty()) {
            throw m.error("model.overrides", "applies to 'model.file' only: set the values in 'model.seeded'");
        }
        if (file != null && saveTo != null) {
            throw m.error("model.save-to", "applies to 'model.seeded' only");
        }
        AttentionConfig config = null;
        long seed = 0;
        if (seeded.present()) {
            seed = seeded.integer("seed", 42, Long.MIN_VALUE, Long.MAX_VALUE);
            AttentionConfig.Builder b = AttentionConfig.builder();
            int dModel = (int) seeded.integer("d-model", -1, 1, 1 << 16);
            if (dModel < 0) {
                throw seeded.error(seeded.key("d-model"), "is missing");
            }
            int heads = (int) seeded.integer("heads", 1, 1, 1024);
            b.dModel(dModel).heads(heads)
                    .dKey((int) seeded.integer("d-key", Math.max(1, dModel / heads), 1, 1 << 16))
                    .dValue((int) seeded.integer("d-value", Math.max(1, dModel / heads), 1, 1 << 16))
                    .dOut((int) seeded.integer("d-out", dModel, 1, 1 << 16))
                    .eps(seeded.number("eps", AttentionConfig.DEFAULT_EPS))
                    .favorFeatures((int) seeded.integer("favor-features", AttentionConfig.DEFAULT_FAVOR_FEATURES, 1, 1 << 16))
                    .favorSeed(seeded.integer("favor-seed", AttentionConfig.DEFAULT_FAVOR_SEED, Long.MIN_VALUE, Long.MAX_VALUE))
                    .vocab(seeded.optionalString("vocab"));
            try {
                b.featureMap(FeatureMapKind.parse(seeded.string("feature-map", "elu")));
                b.variant(Variant.parse(seeded.string("variant", "linear")));
                b.statePrecision(StatePrecision.parse(seeded.string("state-precision", "float64")));
                String decay = seeded.optionalString("decay");
                if (decay != null) {
                    String[] parts = decay.split(",");
                    double[] g = new double[parts.length];
                    for (int i = 0; i < parts.length; i++) {
                        g[i] = Double.parseDouble(parts[i].trim());
                    }
                    b.decay(g);
                }
                config = b.build();
            } catch (IllegalArgumentException e) {
                throw new JobDefinitionException(m.error("model.seeded", "is not a valid model: " + e.getMessage())
                        .getMessage(), e);
            }
            seeded.finish();
        }
        m.finish();
        return new ModelSpec(file, config, seed, saveTo, overrides);
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
