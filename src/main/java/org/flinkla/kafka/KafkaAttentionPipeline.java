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
package org.flinkla.kafka;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.flinkla.flink.LinearAttention;
import org.flinkla.records.AttentionOutput;
import org.flinkla.records.RejectedRecord;
import org.flinkla.records.TokenRecord;

/**
 * The Kafka pipeline around the attention operator (docs/records.md, docs/guarantees.md):
 *
 * <pre>
 * KafkaSource (raw bytes + topic/partition/offset)            uid kafka-source
 *   → parse + validate (JSON or binary; bad → dead letters)  uid parse-validate
 *   → keyBy(seq) → linear attention                           uid linear-attention
 *   → KafkaSink outputs (key = seq)                           uid kafka-sink-outputs
 * dead letters (parser + operator rejects) → KafkaSink        uid kafka-sink-dead-letters
 * </pre>
 *
 * Exactly-once by default: both sinks are transactional (stable transactional-id prefixes
 * {@code P} and {@code P-dlq}, {@code transaction.timeout.ms} within the broker's maximum) and
 * commit on checkpoints, so the environment must have checkpointing on; consumers read
 * {@code read_committed}. At-least-once flushes on checkpoints instead.
 *
 * <pre>{@code
 * KafkaAttentionPipeline pipeline = KafkaAttentionPipeline.builder()
 *     .bootstrapServers("localhost:9092")
 *     .source("attention-in", RecordFormat.JSON, "my-group")
 *     .sink("attention-out", RecordFormat.JSON, "attention-dead-letters")
 *     .attention(LinearAttention.builder(model.config(), model.weights()).build())
 *     .build();
 * pipeline.addTo(env);
 * env.execute("attention");
 * }</pre>
 *
 * <p>The stages are public so that a job (or a test) can put its own step between them:
 * {@code sink(attend(parse(source(env))))} is what {@link #addTo} does.
 */
@org.apache.flink.annotation.PublicEvolving
public final class KafkaAttentionPipeline {
    public static final String UID_SOURCE = "kafka-source";
    public static final String UID_PARSE = "parse-validate";
    public static final String UID_SINK_OUTPUTS = "kafka-sink-outputs";
    public static final String UID_SINK_DEAD_LETTERS = "kafka-sink-dead-letters";
    public static final String UID_REJECTS = "operator-rejects";

    private final Builder b;

    private KafkaAttentionPipeline(Builder b) {
        this.b = b;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Source + parse + operator + both sinks. */
    public void addTo(StreamExecutionEnvironment env) {
        SingleOutputStreamOperator<TokenRecord> parsed = parse(source(env));
        LinearAttention.Result result = attend(parsed);
        sink(result, deadLetters(parsed));
    }

    /** The Kafka source of raw records. */
    public DataStream<RawKafkaRecord> source(StreamExecutionEnvironment env) {
        KafkaSourceBuilder<RawKafkaRecord> sb = KafkaSource.<RawKafkaRecord>builder()
                .setBootstrapServers(b.bootstrapServers)
                .setProperties(b.kafkaProperties)
                .setTopics(b.sourceTopic)
                .setGroupId(b.groupId)
                .setClientIdPrefix(b.groupId)
                .setStartingOffsets(b.startingOffsets)
                .setDeserializer(new RawRecordDeserializer())
                // inputs written by transactional producers: never read what they abort
                .setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        if (b.bounded) {
            sb.setBounded(OffsetsInitializer.latest());
        }
        return env.fromSource(sb.build(), WatermarkStrategy.noWatermarks(), "Kafka source: " + b.sourceTopic)
                .uid(UID_SOURCE);
    }

    /** Parse and validate; dead letters on {@link #deadLetters}. */
    public SingleOutputStreamOperator<TokenRecord> parse(DataStream<RawKafkaRecord> raw) {
        return raw.process(new RecordParser(b.sourceFormat, b.maxRecordBytes, b.attention.validator(), b.progress),
                        org.flinkla.records.RecordTypes.TOKEN_RECORD)
                .uid(UID_PARSE)
                .name("Parse + validate");
    }

    /** The records {@link #parse} could not use. */
    public static DataStream<DeadLetter> deadLetters(SingleOutputStreamOperator<TokenRecord> parsed) {
        return parsed.getSideOutput(RecordParser.DEAD_LETTERS);
    }

    /** keyBy(seq) and the attention operator. */
    public LinearAttention.Result attend(DataStream<TokenRecord> records) {
        return b.attention.apply(records);
    }

    /** Outputs to the output topic; parser dead letters and operator rejects to the dead-letter topic. */
    public void sink(LinearAttention.Result result, DataStream<DeadLetter> parserDeadLetters) {
        result.outputs().sinkTo(outputSink()).uid(UID_SINK_OUTPUTS).name("Kafka sink: " + b.sinkTopic);
        DataStream<DeadLetter> rejects = result.rejected()
                .map(new RejectToDeadLetter(b.sourceTopic), DeadLetter.typeInfo())
                .uid(UID_REJECTS)
                .name("Operator rejects");
        parserDeadLetters.union(rejects).sinkTo(deadLetterSink()).uid(UID_SINK_DEAD_LETTERS)
                .name("Kafka sink: " + b.deadLetterTopic);
    }

    KafkaSink<AttentionOutput> outputSink() {
        return KafkaSink.<AttentionOutput>builder()
                .setBootstrapServers(b.bootstrapServers)
                .setKafkaProducerConfig(producerProperties())
                .setRecordSerializer(new OutputSerializer(b.sinkTopic, b.sinkFormat, b.sinkFloat64))
                .setDeliveryGuarantee(b.guarantee)
                .setTransactionalIdPrefix(b.transactionalIdPrefix)
                .build();
    }

    KafkaSink<DeadLetter> deadLetterSink() {
        return KafkaSink.<DeadLetter>builder()
                .setBootstrapServers(b.bootstrapServers)
                .setKafkaProducerConfig(producerProperties())
                .setRecordSerializer(new DeadLetterSerializer(b.deadLetterTopic))
                .setDeliveryGuarantee(b.guarantee)
                .setTransactionalIdPrefix(b.transactionalIdPrefix + "-dlq")
                .build();
    }

    private Properties producerProperties() {
        Properties p = new Properties();
        p.putAll(b.kafkaProperties);
        // the sink's default (1 h) exceeds the broker's transaction.max.timeout.ms (15 min)
        p.putIfAbsent(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, String.valueOf(KafkaSettings.SINK_TRANSACTION_TIMEOUT_MS));
        // chunk outputs can exceed the 1 MB default (the broker/topic limit must allow them too)
        p.putIfAbsent(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(KafkaSettings.MAX_RECORD_BYTES));
        // one output record of a chunk is ~15 KB (60 tokens x 64 float32) to 256 KB (1024 tokens): the 16 KB
        // default batch holds one, so each record became its own produce request and the sink's flush at a
        // checkpoint waited for thousands of round trips. Larger batches carry many records per request.
        p.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(KafkaSettings.SINK_BATCH_BYTES));
        return p;
    }

    public String sourceTopic() { return b.sourceTopic; }
    public String sinkTopic() { return b.sinkTopic; }
    public String deadLetterTopic() { return b.deadLetterTopic; }

    /**
     * Records the operator itself rejected become dead letters too: those that only the sequence's
     * state can judge (a position gap beyond the bound, non-finite outputs), and defensively anything
     * the parser let through. The value is the record's JSON form; partition and offset are the
     * original Kafka record's.
     */
    private static final class RejectToDeadLetter implements MapFunction<RejectedRecord, DeadLetter> {
        private static final long serialVersionUID = 1L;
        private final String sourceTopic;

        RejectToDeadLetter(String sourceTopic) {
            this.sourceTopic = sourceTopic;
        }

        @Override
        public DeadLetter map(RejectedRecord r) {
            byte[] key = r.seq() == null ? null : r.seq().getBytes(StandardCharsets.UTF_8);
            byte[] value = r.original() == null ? null : r.original().getBytes(StandardCharsets.UTF_8);
            return new DeadLetter(new RawKafkaRecord(key, value, sourceTopic, r.partition(), r.offset()), r.reason());
        }
    }

    /** Builder; {@link #build()} checks that every required part is set. */
    public static final class Builder {
        private String bootstrapServers;
        private Properties kafkaProperties = new Properties();
        private String sourceTopic;
        private RecordFormat sourceFormat = RecordFormat.JSON;
        private String groupId;
        private OffsetsInitializer startingOffsets = OffsetsInitializer.earliest();
        private boolean bounded;
        private int maxRecordBytes = KafkaSettings.DEFAULT_MAX_RECORD_BYTES;
        private String sinkTopic;
        private RecordFormat sinkFormat = RecordFormat.JSON;
        private boolean sinkFloat64;
        private String deadLetterTopic;
        private DeliveryGuarantee guarantee = DeliveryGuarantee.EXACTLY_ONCE;
        private String transactionalIdPrefix;
        private LinearAttention attention;
        private SourceProgress progress;

        public Builder bootstrapServers(String servers) { this.bootstrapServers = servers; return this; }

        /** Client properties (security, tuning) for the source and both sinks. */
        public Builder kafkaProperties(Properties p) {
            this.kafkaProperties = new Properties();
            this.kafkaProperties.putAll(p);
            return this;
        }

        public Builder source(String topic, RecordFormat format, String groupId) {
            this.sourceTopic = topic;
            this.sourceFormat = format;
            this.groupId = groupId;
            return this;
        }

        public Builder startingOffsets(OffsetsInitializer offsets) { this.startingOffsets = offsets; return this; }

        /** Stop at the input's end offsets as of job start (a finite run), instead of running forever. */
        public Builder bounded(boolean bounded) { this.bounded = bounded; return this; }

        public Builder maxRecordBytes(int n) { this.maxRecordBytes = n; return this; }

        /** Report the offsets read to {@code progress} (local runs: see {@link SourceProgress}). */
        public Builder trackProgress(SourceProgress progress) { this.progress = progress; return this; }

        public Builder sink(String topic, RecordFormat format, String deadLetterTopic) {
            this.sinkTopic = topic;
            this.sinkFormat = format;
            this.deadLetterTopic = deadLetterTopic;
            return this;
        }

        /** Binary outputs as float64 instead of float32. */
        public Builder sinkFloat64(boolean f64) { this.sinkFloat64 = f64; return this; }

        public Builder guarantee(DeliveryGuarantee g) { this.guarantee = g; return this; }

        /** Stable prefix of the sinks' transactional ids (default: the group id). */
        public Builder transactionalIdPrefix(String prefix) { this.transactionalIdPrefix = prefix; return this; }

        public Builder attention(LinearAttention attention) { this.attention = attention; return this; }

        public KafkaAttentionPipeline build() {
            require(bootstrapServers != null && !bootstrapServers.isBlank(), "bootstrap servers are missing");
            require(sourceTopic != null && groupId != null, "source topic and group id are missing");
            require(sinkTopic != null && deadLetterTopic != null, "sink topic and dead-letter topic are missing");
            require(!sinkTopic.equals(sourceTopic) && !deadLetterTopic.equals(sourceTopic)
                    && !deadLetterTopic.equals(sinkTopic), "source, sink and dead-letter topics must differ");
            require(attention != null, "the attention operator is missing (attention(LinearAttention...))");
            require(maxRecordBytes > 0, "maxRecordBytes must be positive");
            Objects.requireNonNull(guarantee, "guarantee");
            if (transactionalIdPrefix == null) {
                transactionalIdPrefix = groupId;
            }
            return new KafkaAttentionPipeline(this);
        }

        private static void require(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException(message);
            }
        }
    }
}
