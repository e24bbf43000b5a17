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

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.flink.util.TimeUtils;

/**
 * Strict reader over one mapping of a job YAML file: every key read is recorded, and
 * {@link #finish()} rejects the keys nobody read, so a typo fails at start with its full dotted
 * name instead of being ignored.
 */
final class YamlSection {
    private final String file;
    private final String path;
    private final JsonNode node;
    private final Set<String> known = new LinkedHashSet<>();

    YamlSection(String file, String path, JsonNode node) {
        this.file = file;
        this.path = path;
        this.node = node;
        if (node != null && !node.isObject()) {
            throw error(path.isEmpty() ? "the file" : path, "must be a mapping of keys to values");
        }
    }

    String key(String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    JobDefinitionException error(String key, String problem) {
        return new JobDefinitionException(file + ": '" + key + "' " + problem);
    }

    /** A value for an error message: masked when the key holds a secret. */
    private String shown(String name, String value) {
        return Secrets.isSecretKey(key(name)) ? Secrets.MASK : Secrets.redact(value);
    }

    boolean has(String name) {
        known.add(name);
        return node != null && node.has(name) && !node.get(name).isNull();
    }

    private JsonNode get(String name) {
        known.add(name);
        return node == null ? null : node.get(name);
    }

    YamlSection section(String name, boolean required) {
        JsonNode n = get(name);
        if ((n == null || n.isNull()) && required) {
            throw error(key(name), "is missing");
        }
        return new YamlSection(file, key(name), n == null || n.isNull() ? null : n);
    }

    boolean present() {
        return node != null;
    }

    String string(String name, String dflt) {
        JsonNode n = get(name);
        if (n == null || n.isNull()) {
            if (dflt == null) {
                throw error(key(name), "is missing");
            }
            return dflt;
        }
        if (!n.isValueNode()) {
            throw error(key(name), "must be a single value, got " + n.getNodeType().name().toLowerCase(Locale.ROOT));
        }
        String s = n.asText().trim();
        if (s.isEmpty()) {
            throw error(key(name), "must not be empty");
        }
        return s;
    }

    /** A string that may be absent (null). */
    String optionalString(String name) {
        return has(name) ? string(name, null) : null;
    }

    String choice(String name, String dflt, String... allowed) {
        String s = string(name, dflt).toLowerCase(Locale.ROOT);
        for (String a : allowed) {
            if (a.equals(s)) {
                return s;
            }
        }
        throw error(key(name), "must be one of " + String.join(", ", allowed) + ", got '" + shown(name, s) + "'");
    }

    long integer(String name, long dflt, long min, long max) {
        JsonNode n = get(name);
        if (n == null || n.isNull()) {
            return dflt;
        }
        long v;
        if (n.isIntegralNumber()) {
            v = n.asLong();
        } else {
            try {
                v = Long.parseLong(n.asText().trim());
            } catch (NumberFormatException e) {
                throw error(key(name), "must be an integer, got '" + shown(name, n.asText()) + "'");
            }
        }
        if (v < min || v > max) {
            throw error(key(name), "must be between " + min + " and " + max + ", got " + v);
        }
        return v;
    }

    double number(String name, double dflt) {
        JsonNode n = get(name);
        if (n == null || n.isNull()) {
            return dflt;
        }
        double v;
        if (n.isNumber()) {
            v = n.asDouble();
        } else {
            try {
                v = Double.parseDouble(n.asText().trim());
            } catch (NumberFormatException e) {
                throw error(key(name), "must be a number, got '" + shown(name, n.asText()) + "'");
            }
        }
        if (!Double.isFinite(v)) {
            throw error(key(name), "must be finite, got " + v);
        }
        return v;
    }

    boolean bool(String name, boolean dflt) {
        JsonNode n = get(name);
        if (n == null || n.isNull()) {
            return dflt;
        }
        String s = n.asText().trim().toLowerCase(Locale.ROOT);
        if (s.equals("true") || s.equals("false")) {
            return Boolean.parseBoolean(s);
        }
        throw error(key(name), "must be true or false, got '" + shown(name, n.asText()) + "'");
    }

    /** A duration like {@code 2s}, {@code 500ms}, {@code 10min}, {@code 24h}; null default allowed. */
    Duration duration(String name, Duration dflt) {
        JsonNode n = get(name);
        if (n == null || n.isNull()) {
            return dflt;
        }
        try {
            Duration d = TimeUtils.parseDuration(n.asText().trim());
            if (d.isNegative()) {
                throw new IllegalArgumentException("negative");
            }
            return d;
        } catch (IllegalArgumentException e) {
            throw error(key(name), "must be a duration like 500ms, 2s, 10min or 24h, got '" + shown(name, n.asText()) + "'");
        }
    }

    /** A flat mapping of string keys to scalar values, kept in file order. */
    Map<String, String> stringMap(String name) {
        JsonNode n = get(name);
        Map<String, String> out = new LinkedHashMap<>();
        if (n == null || n.isNull()) {
            return out;
        }
        if (!n.isObject()) {
            throw error(key(name), "must be a mapping of keys to values");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isValueNode() || e.getValue().isNull()) {
                throw error(key(name) + "." + e.getKey(), "must be a single value");
            }
            out.put(e.getKey(), e.getValue().asText());
        }
        return out;
    }

    /**
     * A list of scalars: a YAML sequence ({@code [a, b]}) or one comma-separated string
     * ({@code "a, b"}); empty when absent. Entries are trimmed; an empty entry fails.
     */
    java.util.List<String> stringList(String name) {
        JsonNode n = get(name);
        java.util.List<String> out = new java.util.ArrayList<>();
        if (n == null || n.isNull()) {
            return out;
        }
        if (n.isArray()) {
            for (int i = 0; i < n.size(); i++) {
                JsonNode e = n.get(i);
                if (!e.isValueNode() || e.isNull() || e.asText().isBlank()) {
                    throw error(key(name) + "[" + i + "]", "must be a single non-empty value");
                }
                out.add(e.asText().trim());
            }
            return out;
        }
        if (!n.isValueNode()) {
            throw error(key(name), "must be a list like [a, b] or a comma-separated string");
        }
        if (n.asText().isBlank()) {
            return out;
        }
        for (String e : n.asText().split(",", -1)) {
            if (e.isBlank()) {
                throw error(key(name), "has an empty entry: '" + n.asText() + "'");
            }
            out.add(e.trim());
        }
        return out;
    }

    /** Fails on any key of this mapping that was never read. */
    void finish() {
        if (node == null) {
            return;
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext();) {
            String k = it.next();
            if (!known.contains(k)) {
                throw error(key(k), "is not a known key" + (known.isEmpty() ? "" : " (known here: "
                        + String.join(", ", known) + ")"));
            }
        }
    }
}
