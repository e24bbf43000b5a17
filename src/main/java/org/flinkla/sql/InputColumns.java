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
package org.flinkla.sql;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeRoot;
import org.apache.flink.table.types.logical.RowType;
import org.flinkla.engine.SequenceModel;
import org.flinkla.kafka.KafkaSettings;
import org.flinkla.records.JsonLines;
import org.flinkla.records.JsonRecords;
import org.flinkla.records.ParseResult;
import org.flinkla.records.RejectReasons;
import org.flinkla.records.TokenRecord;
import org.apache.flink.types.Row;

/**
 * Which columns of the input table hold what (the roles of docs/records.md's record fields), their
 * positions and types, and the conversion of one input row into a {@link TokenRecord}.
 *
 * <p>Roles and accepted types: {@code seq} STRING (required), {@code pos} BIGINT or INT
 * (optional, nullable), and payloads {@code token} STRING (one symbol), {@code tokens} STRING
 * (one symbol per character), {@code id} INT, {@code ids} ARRAY&lt;INT&gt;, {@code x}
 * ARRAY&lt;FLOAT|DOUBLE&gt;, {@code xs} ARRAY&lt;ARRAY&lt;FLOAT|DOUBLE&gt;&gt;, {@code control}
 * STRING ({@code 'reset'}), {@code value} BYTES or STRING (a whole JSON input record, e.g. a Kafka
 * value read with the {@code raw} format, parsed here by the DataStream job's parser, so a value
 * that is not JSON or too large becomes an error row). A role's column is the column of the role's name unless the call's
 * {@code columns} argument names another; payload columns that are absent are simply not used.
 * Each row must set exactly one payload column (the others NULL).
 */
final class InputColumns implements Serializable {
    private static final long serialVersionUID = 1L;

    enum Role {
        SEQ("STRING"), POS("BIGINT or INT"), CONTROL("STRING"), TOKEN("STRING"), TOKENS("STRING"), ID("INT"),
        IDS("ARRAY<INT>"), X("ARRAY<FLOAT> or ARRAY<DOUBLE>"), XS("ARRAY<ARRAY<FLOAT>> or ARRAY<ARRAY<DOUBLE>>"),
        VALUE("BYTES or STRING");

        final String accepted;

        Role(String accepted) {
            this.accepted = accepted;
        }

        String roleName() {
            return name().toLowerCase(Locale.ROOT);
        }

        boolean isPayload() {
            return this != SEQ && this != POS;
        }

        static Role byName(String name) {
            for (Role r : values()) {
                if (r.roleName().equals(name)) {
                    return r;
                }
            }
            return null;
        }

        static String names() {
            return Arrays.stream(values()).map(Role::roleName).collect(Collectors.joining(", "));
        }
    }

    private static final Role[] PAYLOADS = {Role.CONTROL, Role.TOKEN, Role.TOKENS, Role.ID, Role.IDS, Role.X, Role.XS,
        Role.VALUE};

    /** Column index per role, -1 when the table has no such column. */
    private final int[] index = new int[Role.values().length];
    private final String[] column = new String[Role.values().length];
    private final int[] payloadIndex;
    private final Role[] payloadRole;

    private InputColumns(RowType type, Map<Role, String> names) {
        Arrays.fill(index, -1);
        List<String> fields = type.getFieldNames();
        for (Role r : Role.values()) {
            String name = names.getOrDefault(r, r.roleName());
            column[r.ordinal()] = name;
            int i = indexOf(fields, name);
            if (i < 0 && names.containsKey(r)) {
                throw new IllegalArgumentException("argument 'columns' names column '" + name + "' for " + r.roleName()
                        + ", but the input table has no such column; its columns are " + fields);
            }
            if (i >= 0) {
                LogicalType t = type.getTypeAt(i);
                if (!accepts(r, t)) {
                    throw new IllegalArgumentException("input column '" + fields.get(i) + "' (" + r.roleName()
                            + ") has type " + t.asSummaryString() + "; accepted: " + r.accepted);
                }
                index[r.ordinal()] = i;
            }
        }
        if (index[Role.SEQ.ordinal()] < 0) {
            throw new IllegalArgumentException("the input table has no sequence id column '" + column[Role.SEQ.ordinal()]
                    + "' (STRING); its columns are " + fields + ". Name it with columns => 'seq=<column>'");
        }
        List<Integer> pi = new ArrayList<>();
        List<Role> pr = new ArrayList<>();
        for (Role r : PAYLOADS) {
            if (index[r.ordinal()] >= 0) {
                pi.add(index[r.ordinal()]);
                pr.add(r);
            }
        }
        if (pr.stream().noneMatch(r -> r != Role.CONTROL)) {
            throw new IllegalArgumentException("the input table has no token column: it needs at least one of token, "
                    + "tokens (STRING), id (INT), ids (ARRAY<INT>), x (ARRAY<FLOAT|DOUBLE>), xs (ARRAY<ARRAY<...>>), "
                    + "value (BYTES or STRING: a whole JSON record); "
                    + "its columns are " + fields + ". Other names: columns => 'tokens=<column>'");
        }
        payloadIndex = pi.stream().mapToInt(Integer::intValue).toArray();
        payloadRole = pr.toArray(new Role[0]);
    }

    /**
     * Resolves the roles against the input table's type.
     *
     * @throws IllegalArgumentException naming the column, its type and the accepted types
     */
    static InputColumns resolve(RowType type, Map<Role, String> names) {
        return new InputColumns(type, names);
    }

    /** Index of the sequence id column. */
    int seqIndex() {
        return index[Role.SEQ.ordinal()];
    }

    String seqColumn() {
        return column[Role.SEQ.ordinal()];
    }

    boolean has(Role r) {
        return index[r.ordinal()] >= 0;
    }

    /**
     * Checks that the model can take some of the table's payloads (e.g. not only vectors for a model
     * that takes token ids).
     *
     * @throws IllegalArgumentException when none of them fits
     */
    void checkModel(SequenceModel model) {
        boolean vectors = has(Role.X) || has(Role.XS);
        boolean ids = has(Role.ID) || has(Role.IDS);
        boolean symbols = has(Role.TOKEN) || has(Role.TOKENS);
        if (has(Role.VALUE)) {
            return; // whole records: each is checked against the model when it arrives
        }
        boolean takesVectors = model.inputWidth() > 0;
        boolean takesIds = model.vocabSize() > 0;
        boolean takesSymbols = takesIds && model.vocab() != null;
        if ((vectors && takesVectors) || (ids && takesIds) || (symbols && takesSymbols)) {
            return;
        }
        throw new IllegalArgumentException("the model " + model.source() + " takes "
                + (takesVectors ? "vectors of " + model.inputWidth() + " values (x, xs)" : "")
                + (takesVectors && takesIds ? " or " : "")
                + (takesSymbols ? "symbols of '" + model.vocab() + "' (token, tokens) or " : "")
                + (takesIds ? "token ids below " + model.vocabSize() + " (id, ids)" : "")
                + ", but the input table has only " + (vectors ? "vector" : symbols && ids ? "symbol and id"
                        : symbols ? "symbol" : "id") + " columns");
    }

    private static int indexOf(List<String> fields, String name) {
        int i = fields.indexOf(name);
        if (i >= 0) {
            return i;
        }
        for (int j = 0; j < fields.size(); j++) { // SQL users write identifiers in any case
            if (fields.get(j).equalsIgnoreCase(name)) {
                return j;
            }
        }
        return -1;
    }

    private static boolean isString(LogicalType t) {
        return t.getTypeRoot() == LogicalTypeRoot.VARCHAR || t.getTypeRoot() == LogicalTypeRoot.CHAR;
    }

    private static LogicalTypeRoot elementRoot(LogicalType arrayType) {
        return arrayType instanceof ArrayType ? ((ArrayType) arrayType).getElementType().getTypeRoot() : null;
    }

    private static boolean isVector(LogicalType t) {
        LogicalTypeRoot e = elementRoot(t);
        return e == LogicalTypeRoot.DOUBLE || e == LogicalTypeRoot.FLOAT;
    }

    private static boolean accepts(Role r, LogicalType t) {
        switch (r) {
            case SEQ:
            case CONTROL:
            case TOKEN:
            case TOKENS:
                return isString(t);
            case POS:
                return t.getTypeRoot() == LogicalTypeRoot.BIGINT || t.getTypeRoot() == LogicalTypeRoot.INTEGER;
            case ID:
                return t.getTypeRoot() == LogicalTypeRoot.INTEGER;
            case IDS:
                return elementRoot(t) == LogicalTypeRoot.INTEGER;
            case X:
                return isVector(t);
            case XS:
                return t instanceof ArrayType && isVector(((ArrayType) t).getElementType());
            case VALUE:
                return isString(t) || t.getTypeRoot() == LogicalTypeRoot.VARBINARY
                        || t.getTypeRoot() == LogicalTypeRoot.BINARY;
            default:
                throw new IllegalStateException(r.name());
        }
    }

    // ------------------------------------------------------------------------------------------
    // rows

    /** The sequence id of a row, or null. */
    String seq(Row row) {
        Object v = row.getField(index[Role.SEQ.ordinal()]);
        return v == null ? null : v.toString();
    }

    /** The position of a row, or {@link TokenRecord#NO_POS}. */
    long pos(Row row) {
        int i = index[Role.POS.ordinal()];
        Object v = i < 0 ? null : row.getField(i);
        return v == null ? TokenRecord.NO_POS : ((Number) v).longValue();
    }

    /**
     * The row as a record, or a rejection: {@link Conversion#reason} is set then. The row comes in
     * Flink's external form (the PTF runtime converts every table row to a {@link Row}; arrays are
     * boxed: {@code Integer[]}, {@code Double[]} or {@code Float[]}).
     */
    void read(Row row, Conversion out) {
        out.record = null;
        out.reason = null;
        String seq = seq(row);
        long pos = pos(row);
        if (pos != TokenRecord.NO_POS && pos < 0) {
            out.reason = RejectReasons.of(RejectReasons.BAD_POS, "column " + column[Role.POS.ordinal()]
                    + " must be >= 0, got " + pos);
            return;
        }
        int found = -1;
        Object value = null;
        for (int k = 0; k < payloadIndex.length; k++) {
            Object v = row.getField(payloadIndex[k]);
            if (v != null) {
                if (found >= 0) {
                    out.reason = RejectReasons.of(RejectReasons.BAD_RECORD, "both " + name(payloadRole[found]) + " and "
                            + name(payloadRole[k]) + " are set: one payload column per row, the others NULL");
                    return;
                }
                found = k;
                value = v;
            }
        }
        if (found < 0) {
            out.reason = RejectReasons.of(RejectReasons.BAD_RECORD, "the row has no payload: all of "
                    + Arrays.stream(payloadRole).map(this::name).collect(Collectors.joining(", ")) + " are NULL");
            return;
        }
        Role role = payloadRole[found];
        switch (role) {
            case CONTROL: {
                String c = value.toString();
                if (!c.equals("reset")) {
                    out.reason = RejectReasons.of(RejectReasons.BAD_CONTROL, "column " + name(role)
                            + " must be 'reset', got '" + abbreviate(c) + "'");
                    return;
                }
                out.record = TokenRecord.reset(seq);
                return;
            }
            case TOKEN: {
                String t = value.toString();
                if (t.length() != 1) {
                    out.reason = RejectReasons.of(RejectReasons.BAD_RECORD, "column " + name(role)
                            + " must hold one symbol, got '" + abbreviate(t) + "' (use tokens for a chunk)");
                    return;
                }
                out.record = TokenRecord.symbols(seq, pos, t, false);
                return;
            }
            case TOKENS:
                out.record = TokenRecord.symbols(seq, pos, value.toString(), true);
                return;
            case ID:
                out.record = TokenRecord.ids(seq, pos, new int[] {(Integer) value}, false);
                return;
            case IDS: {
                Object[] a = (Object[]) value;
                int[] ids = new int[a.length];
                for (int k = 0; k < a.length; k++) {
                    if (a[k] == null) {
                        out.reason = RejectReasons.of(RejectReasons.BAD_ID, "column " + name(role) + "[" + k + "] is NULL");
                        return;
                    }
                    ids[k] = (Integer) a[k];
                }
                out.record = TokenRecord.ids(seq, pos, ids, true);
                return;
            }
            case X: {
                Object[] a = (Object[]) value;
                if (a.length == 0) {
                    out.reason = RejectReasons.of(RejectReasons.WRONG_DIMENSION, "column " + name(role) + " is empty");
                    return;
                }
                double[] v = new double[a.length];
                String err = readVector(a, v, 0, name(role));
                if (err != null) {
                    out.reason = err;
                    return;
                }
                out.record = TokenRecord.vectors(seq, pos, v, v.length, false);
                return;
            }
            case XS: {
                Object[] rows = (Object[]) value;
                int n = rows.length;
                if (n == 0) {
                    out.reason = RejectReasons.of(RejectReasons.BAD_RECORD, "column " + name(role) + " is empty");
                    return;
                }
                double[] v = null;
                int dim = 0;
                for (int k = 0; k < n; k++) {
                    if (rows[k] == null) {
                        out.reason = RejectReasons.of(RejectReasons.BAD_RECORD, "column " + name(role) + "[" + k
                                + "] is NULL");
                        return;
                    }
                    Object[] r = (Object[]) rows[k];
                    if (k == 0) {
                        dim = r.length;
                        if (dim == 0) {
                            out.reason = RejectReasons.of(RejectReasons.WRONG_DIMENSION, "column " + name(role)
                                    + "[0] is empty");
                            return;
                        }
                        v = new double[n * dim];
                    } else if (r.length != dim) {
                        out.reason = RejectReasons.of(RejectReasons.WRONG_DIMENSION, "column " + name(role) + "[" + k
                                + "] has " + r.length + " values, " + name(role) + "[0] has " + dim);
                        return;
                    }
                    String err = readVector(r, v, k * dim, name(role) + "[" + k + "]");
                    if (err != null) {
                        out.reason = err;
                        return;
                    }
                }
                out.record = TokenRecord.vectors(seq, pos, v, dim, true);
                return;
            }
            case VALUE:
                readValue(seq, value, out);
                return;
            default:
                throw new IllegalStateException(role.name());
        }
    }

    /**
     * A whole input record (a Kafka value read with the {@code raw} format) through the checks of the
     * DataStream job's source, in its order: empty ({@code bad_record}), over {@link Conversion#maxRecordBytes}
     * ({@code oversize}), then {@link JsonRecords#parse(String, byte[])} with the row's sequence id
     * as the key (it wins over the value's {@code "seq"}, as a Kafka key does): not JSON
     * ({@code bad_json}), not a record ({@code bad_record}, ...). The row's sequence id must be set:
     * it is the PARTITION BY key, so a value's own {@code "seq"} cannot stand in for it here (the
     * job files take {@code COALESCE(key, JSON_VALUE(value, '$.seq'))}).
     */
    private void readValue(String seq, Object value, Conversion out) {
        byte[] bytes = value instanceof byte[] ? (byte[]) value : value.toString().getBytes(StandardCharsets.UTF_8);
        if (bytes.length == 0) {
            out.reason = RejectReasons.of(RejectReasons.BAD_RECORD, "empty value");
            return;
        }
        if (bytes.length > out.maxRecordBytes) {
            out.reason = JsonLines.oversize(bytes.length, out.maxRecordBytes);
            return;
        }
        ParseResult r = JsonRecords.parse(seq, bytes);
        if (!r.isOk()) {
            out.reason = r.reason();
            return;
        }
        if (seq == null) {
            out.reason = RejectReasons.of(RejectReasons.MISSING_SEQ, "column " + name(Role.SEQ) + " is NULL (the "
                    + "sequence id is the PARTITION BY column; take it from the value with COALESCE(key, "
                    + "JSON_VALUE(CAST(value AS STRING), '$.seq')))");
            return;
        }
        out.record = r.record();
    }

    /** Boxed FLOAT or DOUBLE elements into {@code v}; a NULL element is a rejection. */
    private static String readVector(Object[] a, double[] v, int off, String where) {
        for (int k = 0; k < a.length; k++) {
            if (a[k] == null) {
                return RejectReasons.of(RejectReasons.BAD_RECORD, "column " + where + "[" + k + "] is NULL");
            }
            v[off + k] = ((Number) a[k]).doubleValue();
        }
        return null;
    }

    private String name(Role r) {
        return column[r.ordinal()];
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    /** The result of {@link #read}: a record or a reason. Reused per row. */
    static final class Conversion {
        TokenRecord record;
        String reason;
        /** Largest value of the {@code value} column in bytes (the call's {@code max_record_bytes}). */
        int maxRecordBytes = KafkaSettings.DEFAULT_MAX_RECORD_BYTES;
    }
}
