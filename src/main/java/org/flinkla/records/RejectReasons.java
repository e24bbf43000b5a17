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

import java.util.List;

/**
 * The stable codes that start every rejection reason (docs/records.md): a reason is
 * {@code "<code>: <detail>"}, e.g. {@code "wrong_dimension: expected 64 values, got 63"}. The code
 * is meant for machines (metrics, dead-letter headers, alerts); the detail for people.
 */
public final class RejectReasons {
    /** Not parseable JSON, or trailing garbage after the value. */
    public static final String BAD_JSON = "bad_json";
    /** Valid JSON but not a record of docs/records.md: not an object, no payload, two payloads, wrong field type, empty chunk. */
    public static final String BAD_RECORD = "bad_record";
    /** {@code "control"} with a value other than {@code "reset"}. */
    public static final String BAD_CONTROL = "bad_control";
    /** No sequence id: neither a record key nor a {@code "seq"} field. */
    public static final String MISSING_SEQ = "missing_seq";
    /** {@code "pos"} negative, not an integer, or so large that pos + tokens overflows. */
    public static final String BAD_POS = "bad_pos";
    /** A vector whose length is not the model's d_model (or ragged rows in {@code "xs"}). */
    public static final String WRONG_DIMENSION = "wrong_dimension";
    /** A vector value that is NaN or ±Infinity. */
    public static final String NOT_FINITE = "not_finite";
    /** A symbol that is not in the model's vocabulary. */
    public static final String UNKNOWN_SYMBOL = "unknown_symbol";
    /** A token id outside [0, vocab size). */
    public static final String BAD_ID = "bad_id";
    /** Symbols or ids sent to a model that has no embedding (takes vectors only). */
    public static final String NO_EMBEDDING = "no_embedding";
    /** More tokens in one record than the configured maximum, or a value over the byte limit. */
    public static final String OVERSIZE = "oversize";
    /** The model produced NaN or ±Infinity (an overflow); the record is undone, the state left as before. */
    public static final String NON_FINITE_OUTPUT = "non_finite_output";

    /** All codes, in a fixed order (metrics register one counter per code). */
    public static final List<String> ALL = List.of(BAD_JSON, BAD_RECORD, BAD_CONTROL, MISSING_SEQ, BAD_POS,
            WRONG_DIMENSION, NOT_FINITE, UNKNOWN_SYMBOL, BAD_ID, NO_EMBEDDING, OVERSIZE, NON_FINITE_OUTPUT);

    private RejectReasons() {}

    /** {@code code + ": " + detail}. */
    public static String of(String code, String detail) {
        return code + ": " + detail;
    }

    /** The code part of a reason (everything before the first {@code ':'}). */
    public static String codeOf(String reason) {
        int i = reason.indexOf(':');
        return i < 0 ? reason : reason.substring(0, i);
    }
}
