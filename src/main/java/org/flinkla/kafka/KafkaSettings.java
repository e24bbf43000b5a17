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

/**
 * Kafka settings the pipeline relies on (BUILD-FACTS, verified against Kafka 4.2.0 and
 * flink-connector-kafka 5.0.0-2.2). Kept in one place so the embedded broker, the job and the
 * docker-compose file agree.
 */
public final class KafkaSettings {
    /**
     * {@code transaction.timeout.ms} of the exactly-once sink: must not exceed the broker's
     * {@code transaction.max.timeout.ms} (15 min by default) or the producer is refused and the job
     * hangs; must exceed checkpoint interval + restart time, or open transactions are aborted by the
     * broker before the checkpoint that commits them completes.
     */
    public static final int SINK_TRANSACTION_TIMEOUT_MS = 600_000;

    /**
     * Largest record the sinks may write ({@code max.request.size}) and the in-process broker
     * accepts ({@code message.max.bytes}): the JSON outputs of a 1024-token chunk at d_out 64 are
     * about 1.3 MB, over Kafka's 1 MB default.
     */
    public static final int MAX_RECORD_BYTES = 64 << 20;

    /**
     * {@code batch.size} of the sinks' producers (Kafka's default is 16 KB): an output record of a
     * chunk is 15 KB (60 tokens) to 256 KB (1024 tokens) in float32, so the default sends one record
     * per produce request; 256 KiB batches carry a dozen or more small chunk outputs per request.
     * (1 MiB batches measured slower end to end with 1024-token chunks.)
     */
    public static final int SINK_BATCH_BYTES = 256 << 10;

    /** Largest input record value accepted (larger ones go to the dead-letter topic as oversize). */
    public static final int DEFAULT_MAX_RECORD_BYTES = 1 << 20;

    /** Header names on dead-letter records. */
    public static final String HEADER_REASON = "reason";
    public static final String HEADER_SOURCE_TOPIC = "source.topic";
    public static final String HEADER_SOURCE_PARTITION = "source.partition";
    public static final String HEADER_SOURCE_OFFSET = "source.offset";
    /** Dead letters of input-file lines (written by the command that read the file): file, line, length. */
    public static final String HEADER_SOURCE_FILE = "source.file";
    public static final String HEADER_SOURCE_LINE = "source.line";
    public static final String HEADER_SOURCE_BYTES = "source.bytes";

    private KafkaSettings() {}
}
