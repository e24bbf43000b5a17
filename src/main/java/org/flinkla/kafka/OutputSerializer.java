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
import org.flinkla.records.AttentionOutput;
import org.flinkla.records.BinaryRecords;
import org.flinkla.records.JsonWriter;

/** Writes attention outputs: key = sequence id (UTF-8), value JSON or binary (docs/records.md). */
final class OutputSerializer implements KafkaRecordSerializationSchema<AttentionOutput> {
    private static final long serialVersionUID = 1L;

    private final String topic;
    private final RecordFormat format;
    private final boolean float64;
    /** One generator and buffer for every record of this sink writer (created where the serializer runs). */
    private transient JsonWriter json;

    OutputSerializer(String topic, RecordFormat format, boolean float64) {
        this.topic = topic;
        this.format = format;
        this.float64 = float64;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(AttentionOutput o, KafkaSinkContext context, Long timestamp) {
        byte[] value;
        if (format == RecordFormat.JSON) {
            if (json == null) {
                json = new JsonWriter();
            }
            value = json.toBytes(o);
        } else {
            value = BinaryRecords.encodeOutput(o, float64);
        }
        return new ProducerRecord<>(topic, o.seq().getBytes(StandardCharsets.UTF_8), value);
    }
}
