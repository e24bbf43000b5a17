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

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the committed records of one topic ({@code isolation.level=read_committed}, no consumer
 * group, all partitions assigned) from given offsets: what a downstream consumer of the
 * exactly-once output sees. Every read is bounded by a timeout; metadata waits by the client's
 * {@code default.api.timeout.ms} (see {@link KafkaClients#bounded}).
 *
 * <pre>{@code
 * try (TopicReader r = TopicReader.open(bootstrap, new Properties(), "attention-out", null)) {
 *     List<ConsumerRecord<byte[], byte[]>> all = r.readToEnd(Duration.ofSeconds(30));
 * }
 * }</pre>
 */
public final class TopicReader implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<TopicPartition> partitions;
    private final Duration wait;

    private TopicReader(KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> partitions, Duration wait) {
        this.consumer = consumer;
        this.partitions = partitions;
        this.wait = wait;
    }

    /**
     * Opens a reader on {@code topic}.
     *
     * @param from start offset per partition (see {@link #endOffsets}); null or a missing partition
     *     means from the beginning
     */
    public static TopicReader open(String bootstrapServers, Properties clientProperties, String topic,
            Map<Integer, Long> from) {
        return open(bootstrapServers, clientProperties, topic, from, true);
    }

    /**
     * Opens a reader on {@code topic} that sees committed records only ({@code committedOnly}, what
     * a downstream consumer of the exactly-once output sees), or also records of transactions not
     * committed yet ({@code read_uncommitted}: how far a job has got, including records a failure
     * would abort).
     */
    public static TopicReader open(String bootstrapServers, Properties clientProperties, String topic,
            Map<Integer, Long> from, boolean committedOnly) {
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, committedOnly ? "read_committed" : "read_uncommitted");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        Duration wait = KafkaClients.apiTimeout(p);
        try {
            List<PartitionInfo> infos = c.partitionsFor(topic, wait);
            if (infos == null || infos.isEmpty()) {
                throw new IllegalStateException("topic " + topic + " does not exist");
            }
            List<TopicPartition> tps = new ArrayList<>();
            for (PartitionInfo i : infos) {
                tps.add(new TopicPartition(topic, i.partition()));
            }
            c.assign(tps);
            c.seekToBeginning(tps);
            if (from != null) {
                for (TopicPartition tp : tps) {
                    Long o = from.get(tp.partition());
                    if (o != null) {
                        c.seek(tp, o);
                    }
                }
            }
            return new TopicReader(c, tps, wait);
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** Committed end offsets (last stable offsets) of every partition of {@code topic}, right now. */
    public static Map<Integer, Long> endOffsets(String bootstrapServers, Properties clientProperties, String topic) {
        try (TopicReader r = open(bootstrapServers, clientProperties, topic, null)) {
            return r.endOffsets();
        }
    }

    /** First offset of every partition of {@code topic}, right now. */
    public static Map<Integer, Long> beginningOffsets(String bootstrapServers, Properties clientProperties, String topic) {
        try (TopicReader r = open(bootstrapServers, clientProperties, topic, null)) {
            Map<Integer, Long> out = new HashMap<>();
            r.consumer.beginningOffsets(r.partitions, r.wait).forEach((tp, o) -> out.put(tp.partition(), o));
            return out;
        }
    }

    /** Committed end offset of each assigned partition. */
    public Map<Integer, Long> endOffsets() {
        Map<Integer, Long> out = new HashMap<>();
        consumer.endOffsets(partitions, wait).forEach((tp, o) -> out.put(tp.partition(), o));
        return out;
    }

    /**
     * Offset of the last record a read_committed consumer sees in [{@code from}, {@code to}) of each
     * partition (markers of transactions and aborted records are not records); partitions with none
     * are left out.
     */
    public static Map<Integer, Long> lastRecordOffsets(String bootstrapServers, Properties clientProperties, String topic,
            Map<Integer, Long> from, Map<Integer, Long> to) {
        Map<Integer, Long> out = new HashMap<>();
        try (TopicReader r = open(bootstrapServers, clientProperties, topic, null)) {
            for (TopicPartition tp : r.partitions) {
                long begin = Math.max(0, from.getOrDefault(tp.partition(), 0L));
                long end = to.getOrDefault(tp.partition(), 0L);
                if (end <= begin) {
                    continue;
                }
                // usually the last record is at end - 1; a window covers trailing markers, then the whole range
                long last = r.lastRecord(tp, Math.max(begin, end - 1000), end);
                if (last < 0 && end - 1000 > begin) {
                    last = r.lastRecord(tp, begin, end);
                }
                if (last >= 0) {
                    out.put(tp.partition(), last);
                }
            }
        }
        return out;
    }

    private long lastRecord(TopicPartition tp, long from, long to) {
        consumer.assign(List.of(tp));
        consumer.seek(tp, from);
        long last = -1;
        long deadline = System.nanoTime() + wait.toNanos();
        while (consumer.position(tp, wait) < to && System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> rec : consumer.poll(Duration.ofMillis(200))) {
                if (rec.offset() < to) {
                    last = Math.max(last, rec.offset());
                }
            }
        }
        return last;
    }

    /** One poll (at most {@code wait}). */
    public List<ConsumerRecord<byte[], byte[]>> poll(Duration wait) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        consumer.poll(wait).forEach(out::add);
        return out;
    }

    /** Everything committed up to the end offsets as of this call. */
    public List<ConsumerRecord<byte[], byte[]>> readToEnd(Duration timeout) {
        Map<Integer, Long> end = endOffsets();
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!reached(end)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + timeout.toSeconds() + " s reading "
                        + partitions.get(0).topic() + " to its end offsets " + end);
            }
            consumer.poll(Duration.ofMillis(200)).forEach(out::add);
        }
        return out;
    }

    /**
     * Polls until {@code done} holds for the records read so far, or {@code timeout} passes;
     * returns what was read either way (the caller asserts).
     */
    public List<ConsumerRecord<byte[], byte[]>> readUntil(Predicate<List<ConsumerRecord<byte[], byte[]>>> done,
            Duration timeout) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.test(out) && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(200)).forEach(out::add);
        }
        return out;
    }

    private boolean reached(Map<Integer, Long> end) {
        for (TopicPartition tp : partitions) {
            if (consumer.position(tp, wait) < end.getOrDefault(tp.partition(), 0L)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(Math.min(5, Math.max(1, wait.toSeconds()))));
    }
}
