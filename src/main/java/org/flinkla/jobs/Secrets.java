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

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The values of secret Kafka properties (passwords, JAAS lines, tokens) seen by this process, so that
 * nothing printed or logged shows them: {@link JobDefinition} registers them while it reads a job
 * file — before parsing, by a scan of the raw text (a file that is not valid YAML still has its
 * secrets masked), and after parsing, the resolved values of secret keys — and the command line
 * writes stdout, stderr and its log file through {@link #redact}.
 *
 * <p>Besides a whole value, its parts that a client library may echo on a config error are
 * registered too: the values of {@code key=value} options inside a JAAS line
 * ({@code password="…"}) and its other bare words (Kafka reports a misplaced word as "Invalid
 * login module control flag 'word'"). Values shorter than {@value #MIN_LENGTH} characters are not
 * masked: they would turn up inside every other word.
 */
public final class Secrets {
    /** What a secret is replaced by. */
    public static final String MASK = "******";

    static final int MIN_LENGTH = 4;

    private static final List<String> MARKERS = List.of("password", "passwd", "passphrase", "secret", "jaas",
            "token", "credential", "private", "ssl.keystore.key", "apikey", "api.key", "api-key");

    /** {@code key: value} where the key looks secret: the value is the rest of the line. */
    private static final Pattern SECRET_LINE = Pattern.compile(
            "([A-Za-z0-9_.\\-]+)[\"']?\\s*:\\s*([^\\r\\n]*)");
    private static final Pattern OPTION = Pattern.compile("([A-Za-z0-9_.\\-]+)\\s*=\\s*(\"[^\"]*\"?|'[^']*'?|[^\\s;,}]+)");
    private static final Pattern WORD = Pattern.compile("[^\\s\"'=;,{}\\[\\]]+");
    private static final Pattern QUALIFIED_NAME = Pattern.compile("[a-z][a-z0-9_]*(\\.[A-Za-z0-9_$]+)+");
    private static final Pattern ENV_REF = Pattern.compile("\\$\\{[^}]*}?");
    private static final Set<String> JAAS_WORDS = Set.of("required", "requisite", "sufficient", "optional");

    private static final Set<String> VALUES = ConcurrentHashMap.newKeySet();
    /** The registered values, longest first (a value containing another is masked whole), as UTF-8. */
    private static volatile byte[][] sorted = new byte[0][];

    private Secrets() {}

    /** True when a Kafka property (or job key) holds a secret: its value is never printed or logged. */
    public static boolean isSecretKey(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        for (String m : MARKERS) {
            if (k.contains(m)) {
                return true;
            }
        }
        return false;
    }

    /** Registers the value of {@code key} when the key is a secret one. */
    public static void registerProperty(String key, String value) {
        if (isSecretKey(key)) {
            register(value);
        }
    }

    /** Registers a secret value and the parts of it a library may echo (see the class comment). */
    public static void register(String value) {
        if (value == null) {
            return;
        }
        List<String> parts = new ArrayList<>();
        // ${VAR} names a variable, not its value (which is registered once resolved)
        String v = ENV_REF.matcher(value.trim()).replaceAll(" ").trim();
        parts.add(v);
        parts.add(stripQuotes(v));
        Matcher o = OPTION.matcher(v);
        StringBuilder rest = new StringBuilder();
        int last = 0;
        while (o.find()) {
            parts.add(o.group(2));
            parts.add(stripQuotes(o.group(2)));
            rest.append(v, last, o.start()).append(' ');
            last = o.end();
        }
        rest.append(v.substring(last));
        if (v.contains("LoginModule")) {
            // a JAAS line: its other bare words too (see the class comment)
            Matcher w = WORD.matcher(rest);
            while (w.find()) {
                String word = w.group();
                // the login module class and the control flag are not secret, and masking them would
                // hide what a message is about
                if (!JAAS_WORDS.contains(word.toLowerCase(Locale.ROOT)) && !QUALIFIED_NAME.matcher(word).matches()) {
                    parts.add(word);
                }
            }
        }
        boolean added = false;
        for (String p : parts) {
            if (p.length() >= MIN_LENGTH) {
                added |= VALUES.add(p);
            }
        }
        if (added) {
            List<String> all = new ArrayList<>(VALUES);
            all.sort(Comparator.comparingInt(String::length).reversed());
            byte[][] b = new byte[all.size()][];
            for (int i = 0; i < b.length; i++) {
                b[i] = all.get(i).getBytes(StandardCharsets.UTF_8);
            }
            sorted = b;
        }
    }

    /**
     * Registers the values of lines of a job file that look like {@code secret-key: value}, before
     * the file is parsed (so a syntax error cannot echo them). Errs on the side of masking: the
     * rest of the line is taken as the value, with and without its quotes, and its parts.
     */
    public static void scanText(String text) {
        for (String line : text.split("\r?\n")) {
            if (line.trim().startsWith("#")) {
                continue;
            }
            Matcher m = SECRET_LINE.matcher(line);
            int from = 0;
            // the value of one key may hold further keys (flow mappings: {properties: {x.password: v}})
            while (from < line.length() && m.find(from)) {
                from = m.start(2) > m.start() ? m.start(2) : m.end();
                if (isSecretKey(m.group(1))) {
                    registerScanned(m.group(2).trim());
                }
            }
        }
    }

    /** The value at the start of {@code rest} as YAML would read it, and the whole rest (it may not parse). */
    private static void registerScanned(String rest) {
        register(rest);
        if (rest.isEmpty()) {
            return;
        }
        char q = rest.charAt(0);
        if (q == '"' || q == '\'') {
            int end = rest.indexOf(q, 1);
            register(end > 0 ? rest.substring(0, end + 1) : rest);
            return;
        }
        int comment = rest.indexOf(" #");
        String v = comment >= 0 ? rest.substring(0, comment) : rest;
        register(v);
        int end = indexOfAny(v, ",}");
        if (end > 0) {
            register(v.substring(0, end)); // inside a flow mapping
        }
    }

    /** {@code text} with every registered secret replaced by {@link #MASK}. */
    public static String redact(String text) {
        if (text == null || sorted.length == 0) {
            return text;
        }
        String out = text;
        for (byte[] s : sorted) {
            String v = new String(s, StandardCharsets.UTF_8);
            if (out.contains(v)) {
                out = out.replace(v, MASK);
            }
        }
        return out;
    }

    /** The registered secrets as UTF-8 bytes, longest first (for stream redaction). */
    public static byte[][] utf8Values() {
        return sorted;
    }

    private static String stripQuotes(String v) {
        if (v.length() >= 2 && (v.charAt(0) == '"' || v.charAt(0) == '\'')) {
            int end = v.lastIndexOf(v.charAt(0));
            return end > 0 ? v.substring(1, end) : v.substring(1);
        }
        return v;
    }

    private static int indexOfAny(String s, String chars) {
        for (int i = 0; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return -1;
    }
}
