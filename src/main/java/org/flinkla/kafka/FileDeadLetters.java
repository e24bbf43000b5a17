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
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.flinkla.records.JsonLines;

/**
 * Dead letters for lines of an input file that cannot become records (the parser rejects them, or
 * they exceed the record size limit), written straight to the job's dead-letter topic by the
 * command that reads the file. Same headers as the job's dead letters — {@code reason},
 * {@code source.topic} (the topic the line was meant for), {@code source.partition} and
 * {@code source.offset} = -1 — plus {@code source.file} and {@code source.line}. The value is the
 * line's bytes; of an oversize line only its first {@value JsonLines#PREFIX_BYTES} bytes, with
 * {@code source.bytes} = its length. No key: the line's sequence id is not known.
 */
public final class FileDeadLetters implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final String sourceTopic;
    private final String file;
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private long count;

    public FileDeadLetters(String bootstrapServers, Properties clientProperties, String deadLetterTopic,
            String sourceTopic, String file) {
        this.producer = TokenProducer.newProducer(bootstrapServers, clientProperties);
        this.topic = deadLetterTopic;
        this.sourceTopic = sourceTopic;
        this.file = file;
    }

    public void send(JsonLines.Line line, String reason) {
        rethrow();
        RecordHeaders h = new RecordHeaders();
        h.add(KafkaSettings.HEADER_REASON, utf8(reason));
        h.add(KafkaSettings.HEADER_SOURCE_TOPIC, utf8(sourceTopic));
        h.add(KafkaSettings.HEADER_SOURCE_PARTITION, utf8("-1"));
        h.add(KafkaSettings.HEADER_SOURCE_OFFSET, utf8("-1"));
        h.add(KafkaSettings.HEADER_SOURCE_FILE, utf8(file));
        h.add(KafkaSettings.HEADER_SOURCE_LINE, utf8(Long.toString(line.number())));
        if (line.isOversize()) {
            h.add(KafkaSettings.HEADER_SOURCE_BYTES, utf8(Long.toString(line.length())));
        }
        count++;
        producer.send(new ProducerRecord<>(topic, null, null, null, line.bytes(), h), (md, e) -> {
            if (e != null) {
                failure.compareAndSet(null, e);
            }
        });
    }

    /** Dead letters sent. */
    public long count() {
        return count;
    }

    @Override
    public void close() {
        try {
            producer.flush();
            rethrow();
        } finally {
            producer.close(java.time.Duration.ofSeconds(5));
        }
    }

    private void rethrow() {
        Exception e = failure.get();
        if (e != null) {
            throw new IllegalStateException("writing dead letters to topic " + topic + " failed: " + e.getMessage(), e);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
