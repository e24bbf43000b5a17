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
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Writes a dead letter: the original key and value bytes, unchanged, with headers {@code reason},
 * {@code source.topic}, {@code source.partition} and {@code source.offset} (UTF-8 strings).
 */
final class DeadLetterSerializer implements KafkaRecordSerializationSchema<DeadLetter> {
    private static final long serialVersionUID = 1L;

    private final String topic;

    DeadLetterSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(DeadLetter d, KafkaSinkContext context, Long timestamp) {
        RawKafkaRecord r = d.record();
        RecordHeaders headers = new RecordHeaders();
        headers.add(KafkaSettings.HEADER_REASON, utf8(d.reason()));
        headers.add(KafkaSettings.HEADER_SOURCE_TOPIC, utf8(r.topic()));
        headers.add(KafkaSettings.HEADER_SOURCE_PARTITION, utf8(Integer.toString(r.partition())));
        headers.add(KafkaSettings.HEADER_SOURCE_OFFSET, utf8(Long.toString(r.offset())));
        return new ProducerRecord<>(topic, null, null, r.key(), r.value(), headers);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
