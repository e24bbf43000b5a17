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
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import java.io.IOException;
import java.util.Arrays;

/**
 * The JSON forms of docs/records.md: parses input values into {@link TokenRecord}s and writes
 * {@link AttentionOutput}s.
 *
 * <pre>{@code
 * ParseResult r = JsonRecords.parse("chr1", valueBytes);        // Kafka: key + value
 * if (r.isOk()) { TokenRecord rec = r.record(); } else { deadLetter(valueBytes, r.reason()); }
 * ParseResult line = JsonRecords.parseLine("{\"seq\":\"s1\",\"pos\":0,\"tokens\":\"ACGT\"}");
 * byte[] json = JsonRecords.toJsonBytes(output);   // {"seq":"s1","pos":0,"ys":[[..],..]}
 * }</pre>
 *
 * <p>Input forms (one payload field per record; unknown fields are ignored so producers can add
 * their own): {@code token} (one symbol), {@code id}, {@code x} (one vector), {@code tokens}
 * (symbols, one token per character), {@code ids}, {@code xs} (vectors), or
 * {@code {"control":"reset"}}; optional {@code pos} (integer ≥ 0, position of the first token) and
 * {@code seq} (used when there is no record key; the key wins otherwise). {@code NaN},
 * {@code Infinity} and out-of-range numbers parse, so that {@link RecordValidator} can reject them
 * with the precise reason {@code not_finite}. Parsing never throws: bad input yields a
 * {@link ParseResult#rejected rejection} whose reason starts with a code of {@link RejectReasons}.
 *
 * <p>Output: {@code {"seq":"s","pos":17,"y":[..]}} for a single token, {@code "ys":[[..],..]} for
 * a chunk; when the outputs of a chunk are not at consecutive positions (thinned emit modes) a
 * {@code "positions":[..]} field lists them. They are written by {@link JsonWriter} (Jackson's
 * generator): doubles in Java's shortest round-trip form ({@link Double#toString(double)}), so
 * parsing them back gives the identical double; a non-finite value (which JSON cannot represent)
 * as {@code null}. Language-model fields
 * (when asked for) follow: {@code "p"}, {@code "logp"}, {@code "top"}, {@code "surprisal"} for a
 * single output, {@code "ps"}, {@code "logps"}, {@code "tops"}, {@code "surprisals"} for a chunk.
 */
public final class JsonRecords {
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    private JsonRecords() {}

    // ------------------------------------------------------------------------------------------
    // parsing

    /** Parses a Kafka-style value (UTF-8 JSON); {@code key} is the sequence id (may be null: then {@code "seq"} is used). */
    public static ParseResult parse(String key, byte[] value) {
        if (value == null || value.length == 0) {
            return ParseResult.rejected(RejectReasons.of(RejectReasons.BAD_JSON, "empty value"));
        }
        try (JsonParser p = FACTORY.createParser(value)) {
            return parseObject(p, key);
        } catch (IOException e) {
            return ParseResult.rejected(jsonError(e));
        }
    }

    /** Like {@link #parse(String, byte[])} for a value already decoded to a String. */
    public static ParseResult parse(String key, String value) {
        if (value != null && value.startsWith("\uFEFF")) {
            value = value.substring(1); // a byte order mark, as the byte parser skips it
        }
        if (value == null || value.isBlank()) {
            return ParseResult.rejected(RejectReasons.of(RejectReasons.BAD_JSON, "empty value"));
        }
        try (JsonParser p = FACTORY.createParser(value)) {
            return parseObject(p, key);
        } catch (IOException e) {
            return ParseResult.rejected(jsonError(e));
        }
    }

    /** Parses one JSON-lines record, which carries its sequence id in a {@code "seq"} field. */
    public static ParseResult parseLine(String line) {
        return parse(null, (String) line);
    }

    private static String jsonError(IOException e) {
        if (e instanceof JsonProcessingException) {
            JsonProcessingException j = (JsonProcessingException) e;
            String where = j.getLocation() == null ? "" : " at column " + j.getLocation().getColumnNr();
            return RejectReasons.of(RejectReasons.BAD_JSON, firstLine(j.getOriginalMessage()) + where);
        }
        return RejectReasons.of(RejectReasons.BAD_JSON, firstLine(String.valueOf(e.getMessage())));
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static ParseResult parseObject(JsonParser p, String key) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            return bad(RejectReasons.BAD_RECORD, "expected a JSON object");
        }
        String seq = null;
        long pos = TokenRecord.NO_POS;
        String payloadField = null;
        String symbols = null;
        int[] ids = null;
        double[] vectors = null;
        int dim = 0;
        boolean chunk = false;
        boolean reset = false;

        for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            switch (field) {
                case "seq":
                    if (v == JsonToken.VALUE_STRING || v == JsonToken.VALUE_NUMBER_INT) {
                        seq = p.getText();
                    } else if (v != JsonToken.VALUE_NULL) {
                        return bad(RejectReasons.BAD_RECORD, "\"seq\" must be a string");
                    }
                    break;
                case "pos":
                    if (v == JsonToken.VALUE_NULL) {
                        break;
                    }
                    if (v != JsonToken.VALUE_NUMBER_INT) {
                        return bad(RejectReasons.BAD_POS, "\"pos\" must be an integer, got " + p.getText());
                    }
                    try {
                        pos = p.getLongValue();
                    } catch (InputCoercionException e) {
                        return bad(RejectReasons.BAD_POS, "\"pos\" " + p.getText() + " is out of range");
                    }
                    if (pos < 0) {
                        return bad(RejectReasons.BAD_POS, "\"pos\" must be >= 0, got " + pos);
                    }
                    break;
                case "control":
                case "token":
                case "tokens":
                case "id":
                case "ids":
                case "x":
                case "xs":
                    if (payloadField != null) {
                        return bad(RejectReasons.BAD_RECORD,
                                "both \"" + payloadField + "\" and \"" + field + "\": one payload per record");
                    }
                    payloadField = field;
                    break;
                default:
                    p.skipChildren(); // unknown field: ignored
                    continue;
            }
            if (!field.equals(payloadField)) {
                continue;
            }
            switch (field) {
                case "control": {
                    if (v != JsonToken.VALUE_STRING || !"reset".equals(p.getText())) {
                        p.skipChildren();
                        return bad(RejectReasons.BAD_CONTROL,
                                "\"control\" must be \"reset\", got " + abbreviate(p.getText()));
                    }
                    reset = true;
                    break;
                }
                case "token":
                    if (v != JsonToken.VALUE_STRING || p.getTextLength() != 1) {
                        return bad(RejectReasons.BAD_RECORD, "\"token\" must be a string of one symbol, got "
                                + abbreviate(p.getText()) + " (use \"tokens\" for a chunk)");
                    }
                    symbols = p.getText();
                    break;
                case "tokens":
                    if (v != JsonToken.VALUE_STRING) {
                        return bad(RejectReasons.BAD_RECORD, "\"tokens\" must be a string, one symbol per token");
                    }
                    symbols = p.getText();
                    chunk = true;
                    break;
                case "id": {
                    Integer id = readInt(p, v);
                    if (id == null) {
                        return bad(RejectReasons.BAD_ID, "\"id\" must be an integer, got " + abbreviate(p.getText()));
                    }
                    ids = new int[] {id};
                    break;
                }
                case "ids": {
                    if (v != JsonToken.START_ARRAY) {
                        return bad(RejectReasons.BAD_RECORD, "\"ids\" must be an array of integers");
                    }
                    int[] buf = new int[16];
                    int n = 0;
                    for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
                        Integer id = readInt(p, e);
                        if (id == null) {
                            return bad(RejectReasons.BAD_ID,
                                    "\"ids\"[" + n + "] must be an integer, got " + abbreviate(p.getText()));
                        }
                        if (n == buf.length) {
                            buf = Arrays.copyOf(buf, n * 2);
                        }
                        buf[n++] = id;
                    }
                    ids = Arrays.copyOf(buf, n);
                    chunk = true;
                    break;
                }
                case "x": {
                    DoubleBuffer buf = new DoubleBuffer(64);
                    String err = readVector(p, v, buf, "\"x\"");
                    if (err != null) {
                        return ParseResult.rejected(err);
                    }
                    if (buf.size == 0) {
                        return bad(RejectReasons.WRONG_DIMENSION, "\"x\" is empty");
                    }
                    vectors = buf.toArray();
                    dim = vectors.length;
                    break;
                }
                case "xs": {
                    if (v != JsonToken.START_ARRAY) {
                        return bad(RejectReasons.BAD_RECORD, "\"xs\" must be an array of vectors");
                    }
                    DoubleBuffer buf = new DoubleBuffer(1024);
                    int rows = 0;
                    for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
                        int before = buf.size;
                        String err = readVector(p, e, buf, "\"xs\"[" + rows + "]");
                        if (err != null) {
                            return ParseResult.rejected(err);
                        }
                        int len = buf.size - before;
                        if (rows == 0) {
                            if (len == 0) {
                                return bad(RejectReasons.WRONG_DIMENSION, "\"xs\"[0] is empty");
                            }
                            dim = len;
                        } else if (len != dim) {
                            return bad(RejectReasons.WRONG_DIMENSION,
                                    "\"xs\"[" + rows + "] has " + len + " values, \"xs\"[0] has " + dim);
                        }
                        rows++;
                    }
                    vectors = buf.toArray();
                    chunk = true;
                    break;
                }
                default:
                    throw new IllegalStateException(field);
            }
        }
        if (p.nextToken() != null) {
            return bad(RejectReasons.BAD_JSON, "trailing content after the JSON object");
        }
        String id = key != null ? key : seq;
        if (id == null) {
            return bad(RejectReasons.MISSING_SEQ, "no record key and no \"seq\" field");
        }
        if (payloadField == null) {
            return bad(RejectReasons.BAD_RECORD,
                    "no payload: expected one of token, tokens, id, ids, x, xs or control");
        }
        if (reset) {
            return ParseResult.ok(TokenRecord.reset(id));
        }
        TokenRecord r;
        if (symbols != null) {
            if (symbols.isEmpty()) {
                return bad(RejectReasons.BAD_RECORD, "\"tokens\" is empty");
            }
            r = TokenRecord.symbols(id, pos, symbols, chunk);
        } else if (ids != null) {
            if (ids.length == 0) {
                return bad(RejectReasons.BAD_RECORD, "\"ids\" is empty");
            }
            r = TokenRecord.ids(id, pos, ids, chunk);
        } else {
            if (vectors.length == 0) {
                return bad(RejectReasons.BAD_RECORD, "\"xs\" is empty");
            }
            r = TokenRecord.vectors(id, pos, vectors, dim, chunk);
        }
        if (pos != TokenRecord.NO_POS && pos > Long.MAX_VALUE - r.count()) {
            return bad(RejectReasons.BAD_POS, "\"pos\" " + pos + " + " + r.count() + " tokens overflows");
        }
        return ParseResult.ok(r);
    }

    private static ParseResult bad(String code, String detail) {
        return ParseResult.rejected(RejectReasons.of(code, detail));
    }

    private static Integer readInt(JsonParser p, JsonToken t) throws IOException {
        if (t != JsonToken.VALUE_NUMBER_INT) {
            if (t == JsonToken.START_ARRAY || t == JsonToken.START_OBJECT) {
                p.skipChildren();
            }
            return null;
        }
        try {
            return p.getIntValue();
        } catch (InputCoercionException e) {
            return null;
        }
    }

    /** Reads a JSON array of numbers into buf; returns a rejection reason or null. */
    private static String readVector(JsonParser p, JsonToken t, DoubleBuffer buf, String what) throws IOException {
        if (t != JsonToken.START_ARRAY) {
            if (t == JsonToken.START_OBJECT) {
                p.skipChildren();
            }
            return RejectReasons.of(RejectReasons.BAD_RECORD, what + " must be an array of numbers");
        }
        int i = 0;
        for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken(), i++) {
            if (e != JsonToken.VALUE_NUMBER_FLOAT && e != JsonToken.VALUE_NUMBER_INT) {
                if (e == JsonToken.START_ARRAY || e == JsonToken.START_OBJECT) {
                    p.skipChildren();
                }
                return RejectReasons.of(RejectReasons.BAD_RECORD,
                        what + "[" + i + "] must be a number, got " + abbreviate(p.getText()));
            }
            // NaN/Infinity (allowed by the parser) and 1e999 (→ Infinity) are kept for the validator
            buf.add(p.getDoubleValue());
        }
        return null;
    }

    private static String abbreviate(String s) {
        if (s == null) {
            return "null";
        }
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }

    /** Growable double array: one copy at the end instead of boxing per value. */
    private static final class DoubleBuffer {
        double[] data;
        int size;

        DoubleBuffer(int capacity) {
            data = new double[capacity];
        }

        void add(double v) {
            if (size == data.length) {
                data = Arrays.copyOf(data, size * 2);
            }
            data[size++] = v;
        }

        double[] toArray() {
            return Arrays.copyOf(data, size);
        }
    }

    // ------------------------------------------------------------------------------------------
    // writing: JsonWriter (Jackson's generator), one per thread here

    private static final ThreadLocal<JsonWriter> WRITER = ThreadLocal.withInitial(JsonWriter::new);

    /** Appends the JSON form of {@code out} to {@code sb} (no trailing newline). */
    public static void writeOutput(AttentionOutput out, StringBuilder sb) {
        sb.append(toJson(out));
    }

    /** The JSON form of {@code out} as a String. */
    public static String toJson(AttentionOutput out) {
        return WRITER.get().toString(out);
    }

    /** The JSON form of {@code out} as UTF-8 bytes. */
    public static byte[] toJsonBytes(AttentionOutput out) {
        return WRITER.get().toBytes(out);
    }

    /**
     * Renders a token record back to its JSON input form, including {@code "seq"} (used to describe
     * rejected records and to write JSON-lines input files).
     */
    public static String toJson(TokenRecord r) {
        return WRITER.get().toString(r);
    }

    /** The JSON input form of {@code r} (with a {@code "seq"} field) as UTF-8 bytes. */
    public static byte[] toJsonBytes(TokenRecord r) {
        return WRITER.get().toBytes(r);
    }
}
