package org.flinkla.kafka;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Hands every consumed record on untouched, with its topic, partition and offset. Parsing happens
 * in the next operator so that a bad record becomes a dead letter instead of failing the source.
 */
final class RawRecordDeserializer implements KafkaRecordDeserializationSchema<RawKafkaRecord> {
    private static final long serialVersionUID = 1L;

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<RawKafkaRecord> out) {
        out.collect(new RawKafkaRecord(record.key(), record.value(), record.topic(), record.partition(),
                record.offset()));
    }

    @Override
    public TypeInformation<RawKafkaRecord> getProducedType() {
        return RawKafkaRecord.typeInfo();
    }
}
