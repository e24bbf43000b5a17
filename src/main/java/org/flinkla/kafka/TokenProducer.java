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

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.flinkla.records.BinaryRecords;
import org.flinkla.records.JsonLines;
import org.flinkla.records.JsonRecords;
import org.flinkla.records.ParseResult;
import org.flinkla.records.TokenRecord;

/**
 * Writes token records to an input topic (docs/records.md), key = sequence id: JSON lines (each with a
 * {@code "seq"} field), FASTA (one sequence per {@code >name} header, bases in chunks) and plain
 * text (one symbol per character). Values are JSON or binary ({@link BinaryRecords}).
 *
 * <pre>{@code
 * try (TokenProducer p = TokenProducer.create(bootstrap, new Properties(), "attention-in", RecordFormat.JSON)) {
 *     p.fasta(reader, 1024);     // {"pos":0,"tokens":"ACGT..."} per 1024 bases
 * }
 * }</pre>
 *
 * <p>Idempotent producer with {@code acks=all}; sends are asynchronous and the first failure is
 * rethrown by the next call or by {@link #close()}.
 */
public final class TokenProducer implements AutoCloseable {
    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final RecordFormat format;
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private long records;
    private long tokens;

    public TokenProducer(Producer<byte[], byte[]> producer, String topic, RecordFormat format) {
        this.producer = producer;
        this.topic = topic;
        this.format = format;
    }

    /** A producer tuned for throughput (batching, idempotent, acks=all). */
    public static TokenProducer create(String bootstrapServers, Properties clientProperties, String topic,
            RecordFormat format) {
        return new TokenProducer(newProducer(bootstrapServers, clientProperties), topic, format);
    }

    /** The plain byte-array producer used by {@link #create}. */
    public static KafkaProducer<byte[], byte[]> newProducer(String bootstrapServers, Properties clientProperties) {
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
        p.putIfAbsent(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
        p.putIfAbsent(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(4 << 20));
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Records sent so far. */
    public long records() { return records; }

    /** Tokens carried by the records sent so far (when known). */
    public long tokens() { return tokens; }

    /** Sends one parsed record in this producer's format. */
    public void send(TokenRecord r) {
        byte[] value = format == RecordFormat.JSON ? JsonRecords.toJsonBytes(r)
                : BinaryRecords.encodeTokens(r);
        tokens += r.count();
        send(r.seq(), value);
    }

    /** Sends raw bytes with the given key (null key allowed). */
    public void send(String key, byte[] value) {
        rethrow();
        records++;
        producer.send(new ProducerRecord<>(topic, key == null ? null : key.getBytes(StandardCharsets.UTF_8), value),
                (md, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    }
                });
    }

    /** What to do with a line that cannot become a record. */
    public interface BadLine {
        void reject(JsonLines.Line line, String reason) throws IOException;
    }

    /**
     * JSON lines: each line gets {@link JsonLines#verdict} — the Kafka pipeline's own parser and
     * size limit — and a usable line is sent with its {@code "seq"} as the key: as it is with JSON
     * values, re-encoded with binary values. A line the verdict rejects goes to {@code bad} (so it
     * gets the same reason it would get as a Kafka record). Blank lines are skipped.
     *
     * @return records sent
     */
    public long jsonLines(JsonLines lines, BadLine bad) throws IOException {
        long before = records;
        for (JsonLines.Line l = lines.next(); l != null; l = lines.next()) {
            if (l.isBlank()) {
                continue;
            }
            ParseResult p = lines.verdict(l);
            if (!p.isOk()) {
                bad.reject(l, p.reason());
                continue;
            }
            TokenRecord r = p.record();
            tokens += r.count();
            send(r.seq(), format == RecordFormat.BINARY ? BinaryRecords.encodeTokens(r) : l.bytes());
        }
        return records - before;
    }

    /**
     * FASTA: each {@code >name description} header starts sequence {@code name} at position 0;
     * its bases are sent {@code chunk} at a time ({@code "tokens"}), or one per record
     * ({@code "token"}) when {@code chunk} is 1. Line breaks and whitespace are not tokens.
     *
     * @return tokens sent
     */
    public long fasta(Reader in, int chunk) throws IOException {
        return fasta(in, chunk, Long.MAX_VALUE);
    }

    /** {@link #fasta(Reader, int)} stopping after {@code maxTokens} tokens in all. */
    public long fasta(Reader in, int chunk, long maxTokens) throws IOException {
        BufferedReader r = in instanceof BufferedReader ? (BufferedReader) in : new BufferedReader(in, 1 << 16);
        long before = tokens;
        Chunker c = null;
        for (String line = r.readLine(); line != null; line = r.readLine()) {
            if (line.startsWith(">")) {
                if (c != null) {
                    c.flush();
                }
                String name = line.substring(1).trim().split("\\s+", 2)[0];
                if (name.isEmpty()) {
                    throw new IOException("FASTA header without a name: '" + line + "'");
                }
                c = new Chunker(name, chunk, maxTokens - (tokens - before));
            } else if (!line.startsWith(";")) {
                if (c == null) {
                    if (line.isBlank()) {
                        continue;
                    }
                    throw new IOException("FASTA data before the first '>' header");
                }
                c.add(line);
            }
        }
        if (c != null) {
            c.flush();
        }
        return tokens - before;
    }

    /**
     * Plain text as one sequence {@code seq}: every character except line breaks is a token.
     *
     * @return tokens sent
     */
    public long text(Reader in, String seq, int chunk) throws IOException {
        return text(in, seq, chunk, Long.MAX_VALUE);
    }

    /** {@link #text(Reader, String, int)} stopping after {@code maxTokens} tokens. */
    public long text(Reader in, String seq, int chunk, long maxTokens) throws IOException {
        BufferedReader r = in instanceof BufferedReader ? (BufferedReader) in : new BufferedReader(in, 1 << 16);
        long before = tokens;
        Chunker c = new Chunker(seq, chunk, maxTokens);
        for (String line = r.readLine(); line != null; line = r.readLine()) {
            c.addRaw(line);
        }
        c.flush();
        return tokens - before;
    }

    /** Sends {@code {"control":"reset"}} for {@code seq}. */
    public void reset(String seq) {
        send(TokenRecord.reset(seq));
    }

    public void flush() {
        producer.flush();
        rethrow();
    }

    @Override
    public void close() {
        try {
            producer.flush();
            rethrow();
        } finally {
            // flush() waited for every send; what remains after a failure is not waited for long
            producer.close(java.time.Duration.ofSeconds(5));
        }
    }

    private void rethrow() {
        Exception e = failure.get();
        if (e != null) {
            throw new IllegalStateException("sending to topic " + topic + " failed: " + e.getMessage(), e);
        }
    }

    /** Cuts a stream of symbols into records of {@code chunk} tokens with consecutive positions. */
    private final class Chunker {
        private final String seq;
        private final int chunk;
        private final StringBuilder buf;
        private final long limit;
        private long pos;

        Chunker(String seq, int chunk, long limit) {
            if (chunk < 1) {
                throw new IllegalArgumentException("chunk size must be >= 1, got " + chunk);
            }
            this.seq = seq;
            this.chunk = chunk;
            this.buf = new StringBuilder(chunk);
            this.limit = limit;
        }

        void add(String line) {
            for (int i = 0; i < line.length(); i++) {
                char ch = line.charAt(i);
                if (!Character.isWhitespace(ch)) {
                    push(ch);
                }
            }
        }

        void addRaw(String line) {
            for (int i = 0; i < line.length(); i++) {
                push(line.charAt(i));
            }
        }

        private void push(char ch) {
            if (pos + buf.length() >= limit) {
                return;
            }
            buf.append(ch);
            if (buf.length() == chunk) {
                flush();
            }
        }

        void flush() {
            if (buf.length() == 0) {
                return;
            }
            send(TokenRecord.symbols(seq, pos, buf.toString(), chunk > 1));
            pos += buf.length();
            buf.setLength(0);
        }
    }

}
