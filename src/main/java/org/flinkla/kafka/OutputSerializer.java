package org.flinkla.kafka;

import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.flinkla.records.AttentionOutput;
import org.flinkla.records.BinaryRecords;
import org.flinkla.records.JsonRecords;

/** Writes attention outputs: key = sequence id (UTF-8), value JSON or binary (docs/records.md). */
final class OutputSerializer implements KafkaRecordSerializationSchema<AttentionOutput> {
    private static final long serialVersionUID = 1L;

    private final String topic;
    private final RecordFormat format;
    private final boolean float64;

    OutputSerializer(String topic, RecordFormat format, boolean float64) {
        this.topic = topic;
        this.format = format;
        this.float64 = float64;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(AttentionOutput o, KafkaSinkContext context, Long timestamp) {
        byte[] value = format == RecordFormat.JSON ? JsonRecords.toJsonBytes(o) : BinaryRecords.encodeOutput(o, float64);
        return new ProducerRecord<>(topic, o.seq().getBytes(StandardCharsets.UTF_8), value);
    }
}
