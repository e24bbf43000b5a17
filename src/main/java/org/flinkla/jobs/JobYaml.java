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
package org.flinkla.jobs;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.util.TimeUtils;

/**
 * A job file as written: one record per YAML section, bound by Jackson. A {@code null} component
 * is a key the file does not give (or gives as {@code null}); {@link JobDefinition#parse} applies
 * the defaults and checks the values. {@link #read} turns every failure of the binding into a
 * {@link JobDefinitionException} naming the file and the dotted key (an unknown key with the
 * keys known there and the closest one; a wrong type with the type expected), and never shows the
 * value of a secret key or text Jackson quotes from the file.
 *
 * <p>The mapper is strict where YAML and Jackson are lenient by default: unknown keys fail, a key
 * given twice fails, a number with a fraction is not an integer, and {@code 1}/{@code 0} are not
 * booleans. Scalars bound to strings keep the text of the file ({@code eps: 1e-6} is
 * {@code "1e-6"}); a quoted number is still a number ({@code parallelism: "2"}).
 */
record JobYaml(
        @JsonProperty("name") String name,
        @JsonProperty("parallelism") Long parallelism,
        @JsonProperty("source") Source source,
        @JsonProperty("sink") Sink sink,
        @JsonProperty("model") Model model,
        @JsonProperty("guarantee") Guarantee guarantee,
        @JsonProperty("state-backend") StateBackend stateBackend,
        @JsonProperty("rocksdb") RocksDb rocksdb,
        @JsonProperty("checkpoint-interval") @JsonDeserialize(using = FlinkDuration.class) Duration checkpointInterval,
        @JsonProperty("unaligned-checkpoints") Boolean unalignedCheckpoints,
        @JsonProperty("state-ttl") @JsonDeserialize(using = FlinkDuration.class) Duration stateTtl,
        @JsonProperty("emit") String emit,
        @JsonProperty("emit-fields") @JsonDeserialize(using = ScalarList.class) List<String> emitFields,
        @JsonProperty("max-tokens-per-record") Long maxTokensPerRecord,
        @JsonProperty("max-position-gap") Long maxPositionGap,
        @JsonProperty("bundle") Bundle bundle,
        @JsonProperty("kafka") Kafka kafka) {

    /** {@code source}. */
    record Source(
            @JsonProperty("topic") String topic,
            @JsonProperty("format") SourceFormat format,
            @JsonProperty("group-id") String groupId,
            @JsonProperty("starting-offsets") JobDefinition.StartingOffsets startingOffsets,
            @JsonProperty("partitions") Long partitions,
            @JsonProperty("max-record-bytes") Long maxRecordBytes) {}

    /** {@code sink}. */
    record Sink(
            @JsonProperty("topic") String topic,
            @JsonProperty("format") SinkFormat format,
            @JsonProperty("dead-letter-topic") String deadLetterTopic,
            @JsonProperty("transactional-id-prefix") String transactionalIdPrefix) {}

    /** {@code model}: exactly one of {@code file} and {@code seeded}. */
    record Model(
            @JsonProperty("file") String file,
            @JsonProperty("seeded") Seeded seeded,
            @JsonProperty("save-to") String saveTo,
            @JsonProperty("overrides") Map<String, String> overrides) {}

    /** {@code model.seeded}: a random single attention layer. */
    record Seeded(
            @JsonProperty("seed") Long seed,
            @JsonProperty("d-model") Long dModel,
            @JsonProperty("heads") Long heads,
            @JsonProperty("d-key") Long dKey,
            @JsonProperty("d-value") Long dValue,
            @JsonProperty("d-out") Long dOut,
            @JsonProperty("feature-map") String featureMap,
            @JsonProperty("variant") String variant,
            @JsonProperty("eps") Double eps,
            @JsonProperty("favor-features") Long favorFeatures,
            @JsonProperty("favor-seed") Long favorSeed,
            @JsonProperty("decay") String decay,
            @JsonProperty("vocab") String vocab,
            @JsonProperty("state-precision") String statePrecision) {}

    /** {@code rocksdb}. */
    record RocksDb(
            @JsonProperty("partitioned-index-filters") Boolean partitionedIndexFilters,
            @JsonProperty("bloom-filter") Boolean bloomFilter) {}

    /** {@code bundle}: bundling of single-token records across keys (present: on). */
    record Bundle(
            @JsonProperty("max-records") Long maxRecords,
            @JsonProperty("max-delay") @JsonDeserialize(using = FlinkDuration.class) Duration maxDelay) {}

    /** {@code kafka}. */
    record Kafka(@JsonProperty("properties") Map<String, String> properties) {}

    enum SourceFormat { JSON, BINARY }

    enum SinkFormat { JSON, BINARY, @JsonProperty("binary-f64") BINARY_F64 }

    enum Guarantee { @JsonProperty("exactly-once") EXACTLY_ONCE, @JsonProperty("at-least-once") AT_LEAST_ONCE }

    enum StateBackend { HASHMAP, ROCKSDB }

    private static final YAMLMapper MAPPER = mapper();

    private static YAMLMapper mapper() {
        YAMLMapper m = YAMLMapper.builder()
                // a key given twice would otherwise be accepted silently, the last value winning
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                // parallelism: 2.5 is an error, not 2
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                // format: JSON as json (the keys' values were always case-insensitive)
                .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
                .build();
        // 1 and 0 are not booleans
        m.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
        // '' is not an empty section, a number or an enum constant
        for (LogicalType t : new LogicalType[] {LogicalType.POJO, LogicalType.Map, LogicalType.Integer,
                LogicalType.Float, LogicalType.Boolean, LogicalType.Enum}) {
            m.coercionConfigFor(t).setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
        }
        return m;
    }

    /**
     * Binds job YAML; {@code file} is only used in messages. The messages of the parser and of
     * Jackson are not passed on (nor chained): they quote the file, which may hold a secret.
     */
    static JobYaml read(String file, String yaml) {
        // first the whole document, token by token: a syntax error or a key given twice is reported as
        // such, even where the binding would already fail on what the parser read before it
        try (JsonParser p = MAPPER.createParser(yaml)) {
            try {
                JsonToken first = p.nextToken();
                if (first == null || first == JsonToken.VALUE_NULL) {
                    throw new JobDefinitionException(file + ": the file is empty");
                }
                while (p.nextToken() != null) {
                    // STRICT_DUPLICATE_DETECTION checks every mapping on the way
                }
            } catch (JsonProcessingException e) {
                throw translate(file, e, p);
            }
        } catch (IOException e) {
            throw new JobDefinitionException(file + ": cannot be read: " + e.getClass().getSimpleName());
        }
        try (JsonParser p = MAPPER.createParser(yaml)) {
            try {
                p.nextToken();
                return MAPPER.readValue(p, JobYaml.class);
            } catch (JsonProcessingException e) {
                throw translate(file, e, p);
            }
        } catch (IOException e) {
            throw new JobDefinitionException(file + ": cannot be read: " + e.getClass().getSimpleName());
        }
    }

    private static JobDefinitionException translate(String file, JsonProcessingException e, JsonParser p) {
        if (isDuplicate(e)) {
            return new JobDefinitionException(file + ": '" + parserPath(p) + "' is given twice"
                    + (e.getLocation() != null ? " (again at line " + e.getLocation().getLineNr() + ")" : "")
                    + ": keep one");
        }
        if (e instanceof UnrecognizedPropertyException) {
            UnrecognizedPropertyException u = (UnrecognizedPropertyException) e;
            String key = dotted(u.getPath());
            List<String> known = keys(u.getReferringClass());
            String near = closest(u.getPropertyName(), known);
            return new JobDefinitionException(file + ": '" + key + "' is not a known key"
                    + (near == null ? "" : ": did you mean '" + near + "'?")
                    + (known.isEmpty() ? "" : " (known here: " + String.join(", ", known) + ")"));
        }
        if (e instanceof Problem) {
            return new JobDefinitionException(file + ": '" + dotted(((Problem) e).getPath()) + "' "
                    + ((Problem) e).problem);
        }
        if (e instanceof JsonMappingException && !isSyntaxError(e)) {
            JsonMappingException m = (JsonMappingException) e;
            String key = dotted(m.getPath());
            Type expected = expectedType(m.getPath());
            String got = e instanceof InvalidFormatException
                    ? quoted(key, String.valueOf(((InvalidFormatException) e).getValue()))
                    : found(key, p);
            String what = expected == null ? "have another value" : "must be " + describe(expected);
            if (outOfRange(e)) {
                got = "a number out of range";
            }
            return new JobDefinitionException(file + ": " + (key.isEmpty() ? "the file" : "'" + key + "'") + " "
                    + what + (got == null ? "" : ", got " + got));
        }
        return new JobDefinitionException(file + ": " + syntaxError(e, parserPath(p)));
    }

    private static boolean isDuplicate(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof JsonProcessingException) {
                String m = ((JsonProcessingException) t).getOriginalMessage();
                if (m != null && m.startsWith("Duplicate field")) {
                    return true;
                }
            }
        }
        return false;
    }

    /** A YAML syntax error that reached the binding (wrapped with the path it happened at). */
    private static boolean isSyntaxError(Throwable e) {
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof org.yaml.snakeyaml.error.MarkedYAMLException) {
                return true;
            }
        }
        return false;
    }

    private static boolean outOfRange(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof com.fasterxml.jackson.core.exc.InputCoercionException) {
                return true;
            }
        }
        return false;
    }

    /** {@code source.topic}, {@code kafka.properties.sasl.jaas.config}, {@code emit-fields[0]}. */
    static String dotted(List<JsonMappingException.Reference> path) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : path) {
            if (r.getFieldName() != null) {
                if (sb.length() > 0) {
                    sb.append('.');
                }
                sb.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    /** The keys of one section, in the order of the record (and of docs/jobs.md). */
    private static List<String> keys(Class<?> section) {
        List<String> out = new ArrayList<>();
        if (section != null && section.isRecord()) {
            for (RecordComponent c : section.getRecordComponents()) {
                out.add(key(section, c));
            }
        }
        return out;
    }

    /**
     * The key of a record component in the file. {@link JsonProperty} is not a record-component
     * annotation: Java keeps it on the component's field (and accessor and constructor parameter).
     */
    private static String key(Class<?> section, RecordComponent c) {
        try {
            JsonProperty jp = section.getDeclaredField(c.getName()).getAnnotation(JsonProperty.class);
            return jp != null ? jp.value() : c.getName();
        } catch (NoSuchFieldException e) {
            return c.getName();
        }
    }

    /** The Java type bound at {@code path}: a component of a section record, or a map's value type. */
    private static Type expectedType(List<JsonMappingException.Reference> path) {
        Type t = JobYaml.class;
        for (JsonMappingException.Reference r : path) {
            Class<?> c = raw(t);
            if (c == null) {
                return null;
            }
            if (c.isRecord() && r.getFieldName() != null) {
                Type next = null;
                for (RecordComponent rc : c.getRecordComponents()) {
                    if (r.getFieldName().equals(key(c, rc))) {
                        next = rc.getGenericType();
                    }
                }
                t = next;
            } else if ((Map.class.isAssignableFrom(c) || List.class.isAssignableFrom(c))
                    && t instanceof ParameterizedType) {
                Type[] args = ((ParameterizedType) t).getActualTypeArguments();
                t = args[args.length - 1];
            } else {
                return null;
            }
        }
        return t;
    }

    private static Class<?> raw(Type t) {
        if (t instanceof Class) {
            return (Class<?>) t;
        }
        if (t instanceof ParameterizedType) {
            return (Class<?>) ((ParameterizedType) t).getRawType();
        }
        return null;
    }

    private static String describe(Type t) {
        Class<?> c = raw(t);
        if (c == String.class) {
            return "a single value";
        }
        if (c == Long.class) {
            return "an integer";
        }
        if (c == Double.class) {
            return "a number";
        }
        if (c == Boolean.class) {
            return "true or false";
        }
        if (c == Duration.class) {
            return FlinkDuration.EXPECTED;
        }
        if (c == List.class) {
            return "a list like [a, b] or a comma-separated string";
        }
        if (c != null && c.isEnum()) {
            return "one of " + String.join(", ", constants(c));
        }
        return "a mapping of keys to values";
    }

    /** The names an enum is written with in the file: its {@link JsonProperty} or its lower-case name. */
    static List<String> constants(Class<?> enumType) {
        List<String> out = new ArrayList<>();
        for (Object o : enumType.getEnumConstants()) {
            String name = ((Enum<?>) o).name();
            try {
                JsonProperty jp = enumType.getField(name).getAnnotation(JsonProperty.class);
                out.add(jp != null ? jp.value() : name.toLowerCase(Locale.ROOT));
            } catch (NoSuchFieldException e) {
                out.add(name.toLowerCase(Locale.ROOT));
            }
        }
        return out;
    }

    /** What the parser stands on when the binding failed: a mapping, a list or a scalar (quoted). */
    private static String found(String key, JsonParser p) {
        JsonToken t = p == null ? null : p.currentToken();
        if (t == JsonToken.START_OBJECT || t == JsonToken.FIELD_NAME) {
            return "a mapping";
        }
        if (t == JsonToken.START_ARRAY) {
            return "a list";
        }
        if (t != null && t.isScalarValue()) {
            try {
                return quoted(key, p.getText());
            } catch (IOException e) {
                return null;
            }
        }
        return null;
    }

    /** A value for an error message: masked when the key holds a secret, registered secrets redacted. */
    private static String quoted(String key, String value) {
        return "'" + (Secrets.isSecretKey(key) ? Secrets.MASK : Secrets.redact(value)) + "'";
    }

    /** The known key closest to a misspelt one (at most a third of its letters off), or null. */
    static String closest(String typo, List<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : known) {
            int d = CommandLines.distance(typo.toLowerCase(Locale.ROOT), k);
            if (d < bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        return best != null && bestDistance <= Math.max(1, typo.length() / 3) ? best : null;
    }

    /**
     * A YAML syntax error without the text of the file: position, the key being read, and the
     * parser's problem with anything it quotes from the file masked. The common cause — a value
     * with quotes inside that is not quoted as a whole — gets its fix.
     */
    private static String syntaxError(JsonProcessingException e, String path) {
        StringBuilder sb = new StringBuilder("not valid YAML");
        if (e.getLocation() != null) {
            sb.append(" at line ").append(e.getLocation().getLineNr()).append(", column ")
                    .append(e.getLocation().getColumnNr());
        }
        if (!path.isEmpty()) {
            sb.append(" (in '").append(path).append("')");
        }
        String problem = null;
        org.yaml.snakeyaml.error.MarkedYAMLException marked = null;
        for (Throwable t = e.getCause(); t != null && marked == null; t = t.getCause()) {
            if (t instanceof org.yaml.snakeyaml.error.MarkedYAMLException) {
                marked = (org.yaml.snakeyaml.error.MarkedYAMLException) t;
            }
        }
        if (marked != null) {
            problem = marked.getProblem();
        } else if (e.getOriginalMessage() != null && !e.getOriginalMessage().contains("\n")) {
            problem = e.getOriginalMessage();
        }
        if (problem != null) {
            // keep the parser's token names ('<scalar>', ':'), mask longer quoted text from the file
            sb.append(": ").append(Secrets.redact(problem.replaceAll("'(?!<)[^']{2,}'", "'…'")
                    .replaceAll("\"[^\"]{2,}\"", "\"…\"")));
        }
        if (problem != null && (problem.contains("<scalar>") || problem.contains("<block end>"))) {
            sb.append(". A value with quotes inside must be quoted as a whole: '...' (write '' for a quote"
                    + " inside), or taken from the environment with ${VAR}");
        }
        return sb.toString();
    }

    /** The dotted key path the parser is at ({@code kafka.properties.x}), or "". */
    private static String parserPath(JsonParser p) {
        if (p == null) {
            return "";
        }
        ArrayDeque<String> names = new ArrayDeque<>();
        for (JsonStreamContext c = p.getParsingContext(); c != null && !c.inRoot(); c = c.getParent()) {
            if (c.inArray()) {
                names.addFirst("[" + c.getCurrentIndex() + "]");
            } else if (c.getCurrentName() != null) {
                names.addFirst(c.getCurrentName());
            }
        }
        return String.join(".", names).replace(".[", "[");
    }

    /** A failure with its own wording, raised inside a deserializer; the binding adds the path. */
    static final class Problem extends JsonMappingException {
        private static final long serialVersionUID = 1L;
        final String problem;

        Problem(JsonParser p, String problem) {
            super(p, problem);
            this.problem = problem;
        }
    }

    /** A Flink duration ({@code 500ms}, {@code 2s}, {@code 10min}, {@code 24h}; a bare number is ms), not negative. */
    static final class FlinkDuration extends JsonDeserializer<Duration> {
        static final String EXPECTED = "a duration like 500ms, 2s, 10min or 24h";

        @Override
        public Duration deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (!p.currentToken().isScalarValue()) {
                return (Duration) ctxt.handleUnexpectedToken(Duration.class, p);
            }
            String text = p.getText().trim();
            try {
                Duration d = TimeUtils.parseDuration(text);
                if (!d.isNegative()) {
                    return d;
                }
            } catch (IllegalArgumentException e) {
                // reported below, with the path
            }
            throw InvalidFormatException.from(p, "not a duration", text, Duration.class);
        }
    }

    /**
     * A list of scalars: a YAML sequence ({@code [a, b]}) or one comma-separated string
     * ({@code "a, b"}). Entries are trimmed; an empty entry fails.
     */
    static final class ScalarList extends JsonDeserializer<List<String>> {
        @Override
        public List<String> deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            List<String> out = new ArrayList<>();
            if (p.currentToken() == JsonToken.START_ARRAY) {
                int i = 0;
                for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken(), i++) {
                    if (!t.isScalarValue() || t == JsonToken.VALUE_NULL || p.getText().isBlank()) {
                        throw JsonMappingException.wrapWithPath(new Problem(p, "must be a single non-empty value"),
                                out, i);
                    }
                    out.add(p.getText().trim());
                }
                return out;
            }
            if (!p.currentToken().isScalarValue()) {
                throw new Problem(p, "must be a list like [a, b] or a comma-separated string");
            }
            String text = p.getText();
            if (text.isBlank()) {
                return out;
            }
            for (String e : text.split(",", -1)) {
                if (e.isBlank()) {
                    throw new Problem(p, "has an empty entry: '" + Secrets.redact(text) + "'");
                }
                out.add(e.trim());
            }
            return out;
        }
    }
}
