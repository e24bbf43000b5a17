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
package org.flinkla.records;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads a JSON-lines file as raw bytes, one line at a time, for every command that takes one
 * ({@code run --input-file}, {@code produce}, {@code replay}), and gives each line the verdict the
 * Kafka pipeline would give the same bytes as a record value: {@link #verdict} is the size limit
 * then {@link JsonRecords#parse(String, byte[])} — the one parser — with the sequence id taken from
 * the line's {@code "seq"} field.
 *
 * <p>Lines are bytes, not decoded text: a line that is not valid UTF-8 is {@code bad_json} (as on
 * Kafka), never silently repaired; a UTF-8 byte order mark is skipped by the parser. A line over the
 * limit is not held in memory: only its first {@value #PREFIX_BYTES} bytes are kept and its verdict
 * is {@code oversize}. Line ends are {@code \n}, with an optional {@code \r} before it.
 *
 * <pre>{@code
 * try (JsonLines lines = new JsonLines(in, 1 << 20)) {
 *     for (JsonLines.Line l = lines.next(); l != null; l = lines.next()) {
 *         if (l.isBlank()) continue;
 *         ParseResult r = lines.verdict(l);   // ok(record) or rejected("bad_json: ...")
 *     }
 * }
 * }</pre>
 */
public final class JsonLines implements Closeable {
    /** Bytes kept of a line over the limit (enough to recognise it). */
    public static final int PREFIX_BYTES = 1024;

    /** One line: its number (from 1), its bytes (or their first {@value #PREFIX_BYTES} when oversize). */
    public static final class Line {
        private final long number;
        private final byte[] bytes;
        private final long length;
        private final boolean oversize;

        Line(long number, byte[] bytes, long length, boolean oversize) {
            this.number = number;
            this.bytes = bytes;
            this.length = length;
            this.oversize = oversize;
        }

        public long number() { return number; }
        /** The line without its line end; only the first bytes when {@link #isOversize()}. */
        public byte[] bytes() { return bytes; }
        /** Length of the whole line in bytes. */
        public long length() { return length; }
        public boolean isOversize() { return oversize; }

        /** Only spaces and tabs (skipped by every command, as empty lines are). */
        public boolean isBlank() {
            if (oversize) {
                return false;
            }
            for (byte b : bytes) {
                if (b != ' ' && b != '\t' && b != '\r') {
                    return false;
                }
            }
            return true;
        }
    }

    private final InputStream in;
    private final int maxBytes;
    private final byte[] buf = new byte[1 << 16];
    private int pos;
    private int end;
    private boolean eof;
    private long number;
    private byte[] line = new byte[256];

    /** @param maxBytes largest line accepted (the job's {@code source.max-record-bytes}) */
    public JsonLines(InputStream in, int maxBytes) {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be positive, got " + maxBytes);
        }
        this.in = in;
        this.maxBytes = maxBytes;
    }

    public int maxBytes() {
        return maxBytes;
    }

    /** The next line, or null at the end of the input. */
    public Line next() throws IOException {
        long length = 0;
        int n = 0;
        byte lastByte = 0;
        boolean any = false;
        // keep up to the limit (+1 for a '\r' that may end the line) or the prefix, then only count
        long keep = Math.min(Math.max(maxBytes + 1L, PREFIX_BYTES), Integer.MAX_VALUE - 8);
        while (true) {
            if (pos == end) {
                if (eof || !fill()) {
                    eof = true;
                    if (!any) {
                        return null;
                    }
                    break;
                }
            }
            any = true;
            byte b = buf[pos++];
            if (b == '\n') {
                break;
            }
            if (n < keep) {
                if (n == line.length) {
                    line = Arrays.copyOf(line, (int) Math.min(Math.max(256, 2L * n), Integer.MAX_VALUE - 8));
                }
                line[n++] = b;
            }
            lastByte = b;
            length++;
        }
        number++;
        if (length > 0 && lastByte == '\r') {
            length--;
            if (n == length + 1) {
                n--;
            }
        }
        boolean oversize = length > maxBytes;
        byte[] bytes = Arrays.copyOf(line, oversize ? Math.min(n, PREFIX_BYTES) : n);
        if (line.length > (1 << 16)) {
            line = new byte[256]; // do not keep a large buffer for the rest of the file
        }
        return new Line(number, bytes, length, oversize);
    }

    /**
     * The verdict on a line, the same as the Kafka pipeline's on the same bytes as a record value:
     * {@code oversize} over the limit, otherwise {@link JsonRecords#parse(String, byte[])} with the
     * sequence id from {@code "seq"} (no key).
     */
    public ParseResult verdict(Line l) {
        if (l.isOversize()) {
            return ParseResult.rejected(oversize(l.length(), maxBytes));
        }
        return JsonRecords.parse(null, l.bytes());
    }

    /** The reason for a value of {@code length} bytes over {@code limit}, on every path. */
    public static String oversize(long length, int limit) {
        return RejectReasons.of(RejectReasons.OVERSIZE, length + " bytes, the limit is " + limit);
    }

    private boolean fill() throws IOException {
        int r = in.read(buf, 0, buf.length);
        if (r <= 0) {
            return false;
        }
        pos = 0;
        end = r;
        return true;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
