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
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.util.TimeUtils;
import org.flinkla.flink.EmitFields;
import org.flinkla.flink.EmitMode;
import org.flinkla.flink.ModelReference;
import org.flinkla.model.ModelLoader;
import org.flinkla.kafka.KafkaSettings;
import org.flinkla.records.RecordValidator;

/**
 * The scalar arguments of one {@code LINEAR_ATTENTION} call, checked: the same parsing runs in
 * the planner (type inference, so a bad value fails the statement with a message naming the
 * argument) and in the TaskManager (which gets the same literals).
 *
 * <pre>{@code
 * CallOptions o = CallOptions.parse("file:///models/dna.safetensors", "eps=1e-6", "every:64", 4096, "24 h",
 *     "tokens=bases, pos=offset", "probabilities, surprisal", 1 << 20);
 * }</pre>
 */
final class CallOptions implements Serializable {
    private static final long serialVersionUID = 1L;

    final String model;
    final Map<String, String> modelOptions;
    final EmitMode emit;
    final int maxTokensPerRecord;
    /** Null: the pipeline's default ({@code table.exec.state.ttl}, else kept forever). */
    final Duration stateTtl;
    /** Column name per role, for the roles the call renames (others use the role's own name). */
    final Map<InputColumns.Role, String> columnNames;
    /** The language-model fields added to the output rows (the DataStream job's {@code emit-fields}). */
    final EmitFields emitFields;
    /** Largest raw record value ({@code value} column) in bytes; larger ones are error rows ({@code oversize}). */
    final int maxRecordBytes;

    private CallOptions(String model, Map<String, String> modelOptions, EmitMode emit, int maxTokensPerRecord,
            Duration stateTtl, Map<InputColumns.Role, String> columnNames, EmitFields emitFields, int maxRecordBytes) {
        this.model = model;
        this.modelOptions = modelOptions;
        this.emit = emit;
        this.maxTokensPerRecord = maxTokensPerRecord;
        this.stateTtl = stateTtl;
        this.columnNames = columnNames;
        this.emitFields = emitFields;
        this.maxRecordBytes = maxRecordBytes;
    }

    /**
     * @throws IllegalArgumentException naming the argument and what is accepted
     */
    static CallOptions parse(String model, String modelOptions, String emit, Integer maxTokens, String stateTtl,
            String columns, String emitFields, Integer maxRecordBytes) {
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("argument 'model' is missing: give the model file or directory, "
                    + "e.g. model => 'file:///models/dna.safetensors'");
        }
        EmitMode emitMode;
        try {
            emitMode = emit == null ? EmitMode.ALL : EmitMode.parse(emit);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("argument 'emit': " + e.getMessage(), e);
        }
        int max = maxTokens == null ? RecordValidator.DEFAULT_MAX_TOKENS_PER_RECORD : maxTokens;
        if (max < 1) {
            throw new IllegalArgumentException("argument 'max_tokens' must be at least 1, got " + max);
        }
        EmitFields fields;
        try {
            fields = emitFields == null ? EmitFields.NONE : EmitFields.parse(emitFields);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("argument 'emit_fields': " + e.getMessage(), e);
        }
        int maxBytes = maxRecordBytes == null ? KafkaSettings.DEFAULT_MAX_RECORD_BYTES : maxRecordBytes;
        if (maxBytes < 1) {
            throw new IllegalArgumentException("argument 'max_record_bytes' must be at least 1, got " + maxBytes);
        }
        return new CallOptions(model.trim(), parseModelOptions(modelOptions), emitMode, max, parseTtl(stateTtl),
                parseColumns(columns), fields, maxBytes);
    }

    /** {@code key=value; key=value} (values may contain commas, e.g. a decay list). */
    static Map<String, String> parseModelOptions(String s) {
        Map<String, String> out = new LinkedHashMap<>();
        if (s == null || s.isBlank()) {
            return Collections.unmodifiableMap(out);
        }
        for (String entry : s.split(";")) {
            if (entry.isBlank()) {
                continue;
            }
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("argument 'model_options': '" + entry.trim()
                        + "' is not key=value (entries are separated by ';', e.g. 'eps=1e-6; state_precision=float32')");
            }
            String key = entry.substring(0, eq).trim();
            if (!ModelLoader.optionKeys().contains(key)) {
                throw new IllegalArgumentException("argument 'model_options': unknown key '" + key
                        + "'; the model options are " + String.join(", ", ModelLoader.optionKeys()));
            }
            out.put(key, entry.substring(eq + 1).trim());
        }
        return Collections.unmodifiableMap(out);
    }

    static Duration parseTtl(String s) {
        if (s == null || s.isBlank()) {
            return null;
        }
        Duration d;
        try {
            d = TimeUtils.parseDuration(s.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("argument 'state_ttl': '" + s + "' is not a duration (e.g. '24 h', "
                    + "'30 min', '7 d')", e);
        }
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("argument 'state_ttl' must be positive, got '" + s + "'");
        }
        return d;
    }

    /** {@code role=column, role=column}, e.g. {@code 'seq=sequence_id, tokens=bases'}. */
    static Map<InputColumns.Role, String> parseColumns(String s) {
        Map<InputColumns.Role, String> out = new LinkedHashMap<>();
        if (s == null || s.isBlank()) {
            return Collections.unmodifiableMap(out);
        }
        for (String entry : s.split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            int eq = entry.indexOf('=');
            String role = eq < 0 ? entry.trim() : entry.substring(0, eq).trim();
            InputColumns.Role r = InputColumns.Role.byName(role.toLowerCase(Locale.ROOT));
            if (eq <= 0 || r == null) {
                throw new IllegalArgumentException("argument 'columns': '" + entry.trim() + "' is not role=column with "
                        + "a role among " + InputColumns.Role.names() + " (e.g. 'seq=sequence_id, tokens=bases')");
            }
            String column = entry.substring(eq + 1).trim();
            if (column.isEmpty()) {
                throw new IllegalArgumentException("argument 'columns': no column name for role '" + role + "'");
            }
            if (out.put(r, column) != null) {
                throw new IllegalArgumentException("argument 'columns': role '" + role + "' is given twice");
            }
        }
        return Collections.unmodifiableMap(out);
    }

    ModelReference modelReference() {
        return ModelReference.uri(model, modelOptions);
    }
}
