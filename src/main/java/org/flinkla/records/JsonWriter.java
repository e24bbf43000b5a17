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

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes the JSON forms of docs/records.md — {@link AttentionOutput}s and {@link TokenRecord}s —
 * with Jackson's streaming {@link JsonGenerator}: one generator over one growable byte buffer,
 * both reused for every record, so that a record costs its result (the {@code byte[]} or
 * {@code String} handed out) and nothing per value. Not thread-safe: one instance per thread or
 * per serializer ({@link JsonRecords#toJsonBytes} keeps one per thread).
 *
 * <pre>{@code
 * JsonWriter w = new JsonWriter();
 * byte[] value = w.toBytes(output);        // {"seq":"s1","pos":0,"ys":[[..],..]}
 * w.writeLine(output, fileOut);            // the same bytes and '\n'
 * }</pre>
 *
 * <p>Doubles are written in Java's shortest round-trip form ({@link Double#toString(double)}: the
 * digits are formatted into a reused {@link StringBuilder} and passed to the generator as
 * characters, so no String per value); parsing them back gives the identical double. A non-finite
 * value, which JSON cannot represent, is written as {@code null}. Strings are escaped by the
 * generator: {@code "}, {@code \}, control characters (as {@code \n}, {@code \t}, … or
 * {@code \}{@code u00XX}); other characters are written as UTF-8, except surrogates (characters
 * beyond U+FFFF, and lone surrogates, which have no UTF-8 form), which are written as escapes
 * ({@code \}{@code uD83D}{@code \}{@code uDE00}), so that every string parses back unchanged.
 */
public final class JsonWriter {
    private static final JsonFactory FACTORY = new JsonFactoryBuilder()
            // records are written one at a time: no separator between them
            .rootValueSeparator((SerializableString) null)
            // off (the default): with it, Jackson 2.19 joins a lone high surrogate and the next character
            // into one bogus 4-byte character; without it every surrogate is written as an escape
            .disable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
            .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
            .build();

    private static final SerializedString SEQ = new SerializedString("seq");
    private static final SerializedString POS = new SerializedString("pos");
    private static final SerializedString Y = new SerializedString("y");
    private static final SerializedString YS = new SerializedString("ys");
    private static final SerializedString POSITIONS = new SerializedString("positions");
    private static final SerializedString P = new SerializedString("p");
    private static final SerializedString PS = new SerializedString("ps");
    private static final SerializedString LOGP = new SerializedString("logp");
    private static final SerializedString LOGPS = new SerializedString("logps");
    private static final SerializedString TOP = new SerializedString("top");
    private static final SerializedString TOPS = new SerializedString("tops");
    private static final SerializedString TOKEN = new SerializedString("token");
    private static final SerializedString ID = new SerializedString("id");
    private static final SerializedString SURPRISAL = new SerializedString("surprisal");
    private static final SerializedString SURPRISALS = new SerializedString("surprisals");
    private static final SerializedString CONTROL = new SerializedString("control");
    private static final SerializedString TOKENS = new SerializedString("tokens");
    private static final SerializedString IDS = new SerializedString("ids");
    private static final SerializedString X = new SerializedString("x");
    private static final SerializedString XS = new SerializedString("xs");

    private final Buffer out = new Buffer();
    private final JsonGenerator g;
    /** Digits of one double ({@code StringBuilder.append(double)} formats without allocating). */
    private final StringBuilder digits = new StringBuilder(32);
    private final char[] chars = new char[32];

    public JsonWriter() {
        try {
            g = FACTORY.createGenerator(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // an in-memory target: does not happen
        }
    }

    /** The JSON form of {@code o} as UTF-8 bytes (a new array). */
    public byte[] toBytes(AttentionOutput o) {
        write(o);
        return out.toByteArray();
    }

    /** The JSON form of {@code o}. */
    public String toString(AttentionOutput o) {
        write(o);
        return out.toUtf8String();
    }

    /** The JSON input form of {@code r}, with its {@code "seq"} field, as UTF-8 bytes. */
    public byte[] toBytes(TokenRecord r) {
        write(r);
        return out.toByteArray();
    }

    /** The JSON input form of {@code r}, with its {@code "seq"} field. */
    public String toString(TokenRecord r) {
        write(r);
        return out.toUtf8String();
    }

    /** Writes the JSON form of {@code o} and a {@code '\n'} to {@code target} (JSON lines). */
    public void writeLine(AttentionOutput o, OutputStream target) throws IOException {
        write(o);
        out.write('\n');
        out.writeTo(target);
    }

    private void write(AttentionOutput o) {
        out.reset();
        try {
            writeOutput(o);
            g.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void write(TokenRecord r) {
        out.reset();
        try {
            writeRecord(r);
            g.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void writeOutput(AttentionOutput o) throws IOException {
        g.writeStartObject();
        g.writeFieldName(SEQ);
        g.writeString(o.seq());
        g.writeFieldName(POS);
        g.writeNumber(o.pos());
        int n = o.count();
        int dim = o.dim();
        boolean single = !o.isChunk() && n == 1;
        if (single) {
            g.writeFieldName(Y);
            vector(o.ys(), 0, dim);
        } else {
            g.writeFieldName(YS);
            rows(o.ys(), n, dim);
            long[] positions = o.positions();
            if (positions != null) {
                g.writeFieldName(POSITIONS);
                g.writeStartArray();
                for (long p : positions) {
                    g.writeNumber(p);
                }
                g.writeEndArray();
            }
        }
        if (o.hasLmFields()) {
            lmFields(o, single);
        }
        g.writeEndObject();
    }

    /**
     * {@code "p"}, {@code "logp"}, {@code "top"}, {@code "surprisal"} of a single output, or
     * {@code "ps"}, {@code "logps"}, {@code "tops"}, {@code "surprisals"} (one entry per output) of
     * a chunk; a top entry is {@code {"token":"A","p":0.41}} when the model has symbols, else
     * {@code {"id":17,"p":0.41}}; a surprisal that does not exist is {@code null}.
     */
    private void lmFields(AttentionOutput o, boolean single) throws IOException {
        int n = o.count();
        int dim = o.dim();
        if (o.ps() != null) {
            g.writeFieldName(single ? P : PS);
            rowsOrVector(o.ps(), n, dim, single);
        }
        if (o.logps() != null) {
            g.writeFieldName(single ? LOGP : LOGPS);
            rowsOrVector(o.logps(), n, dim, single);
        }
        if (o.topIds() != null) {
            g.writeFieldName(single ? TOP : TOPS);
            if (!single) {
                g.writeStartArray();
            }
            int k = o.topK();
            for (int i = 0; i < n; i++) {
                top(o, i * k, k);
            }
            if (!single) {
                g.writeEndArray();
            }
        }
        if (o.surprisals() != null) {
            if (single) {
                g.writeFieldName(SURPRISAL);
                number(o.surprisals()[0]);
            } else {
                g.writeFieldName(SURPRISALS);
                vector(o.surprisals(), 0, n);
            }
        }
    }

    private void top(AttentionOutput o, int off, int k) throws IOException {
        String tokens = o.topTokens();
        g.writeStartArray();
        for (int j = 0; j < k; j++) {
            g.writeStartObject();
            if (tokens != null) {
                g.writeFieldName(TOKEN);
                chars[0] = tokens.charAt(off + j); // no String per entry
                g.writeString(chars, 0, 1);
            } else {
                g.writeFieldName(ID);
                g.writeNumber(o.topIds()[off + j]);
            }
            g.writeFieldName(P);
            number(o.topPs()[off + j]);
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private void writeRecord(TokenRecord r) throws IOException {
        g.writeStartObject();
        g.writeFieldName(SEQ);
        g.writeString(r.seq());
        if (r.kind() == TokenRecord.Kind.RESET) {
            g.writeFieldName(CONTROL);
            g.writeString("reset");
            g.writeEndObject();
            return;
        }
        if (r.hasPos()) {
            g.writeFieldName(POS);
            g.writeNumber(r.pos());
        }
        switch (r.kind()) {
            case SYMBOLS:
                g.writeFieldName(r.isChunk() ? TOKENS : TOKEN);
                g.writeString(r.symbols());
                break;
            case IDS:
                if (r.isChunk()) {
                    g.writeFieldName(IDS);
                    g.writeStartArray();
                    for (int id : r.ids()) {
                        g.writeNumber(id);
                    }
                    g.writeEndArray();
                } else {
                    g.writeFieldName(ID);
                    g.writeNumber(r.ids()[0]);
                }
                break;
            case VECTORS:
                if (r.isChunk()) {
                    g.writeFieldName(XS);
                    rows(r.vectors(), r.count(), r.dim());
                } else {
                    g.writeFieldName(X);
                    vector(r.vectors(), 0, r.dim());
                }
                break;
            default:
                throw new IllegalStateException(String.valueOf(r.kind()));
        }
        g.writeEndObject();
    }

    private void rowsOrVector(double[] a, int n, int dim, boolean single) throws IOException {
        if (single) {
            vector(a, 0, dim);
        } else {
            rows(a, n, dim);
        }
    }

    private void rows(double[] a, int n, int dim) throws IOException {
        g.writeStartArray();
        for (int i = 0; i < n; i++) {
            vector(a, i * dim, dim);
        }
        g.writeEndArray();
    }

    private void vector(double[] a, int off, int len) throws IOException {
        g.writeStartArray();
        for (int j = 0; j < len; j++) {
            number(a[off + j]);
        }
        g.writeEndArray();
    }

    /** {@code v} in its shortest round-trip form ({@link Double#toString(double)}), or null when not finite. */
    private void number(double v) throws IOException {
        if (!Double.isFinite(v)) {
            g.writeNull();
            return;
        }
        digits.setLength(0);
        digits.append(v);
        int len = digits.length();
        digits.getChars(0, len, chars, 0);
        g.writeNumber(chars, 0, len);
    }

    /** A growable byte array, reset for each record. */
    private static final class Buffer extends OutputStream {
        private byte[] bytes = new byte[1024];
        private int size;

        void reset() {
            if (bytes.length > (1 << 20)) {
                bytes = new byte[1024]; // do not keep the buffer of one huge record
            }
            size = 0;
        }

        @Override
        public void write(int b) {
            ensure(1);
            bytes[size++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            ensure(len);
            System.arraycopy(b, off, bytes, size, len);
            size += len;
        }

        private void ensure(int more) {
            if (size + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
            }
        }

        byte[] toByteArray() {
            return Arrays.copyOf(bytes, size);
        }

        String toUtf8String() {
            return new String(bytes, 0, size, StandardCharsets.UTF_8);
        }

        void writeTo(OutputStream target) throws IOException {
            target.write(bytes, 0, size);
        }
    }
}
