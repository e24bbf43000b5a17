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

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A SQL job file ({@code flink-jobs/*.sql}): Flink SQL statements separated by {@code ;}, with
 * {@code --} line comments and {@code /* ... *}{@code /} block comments. {@code ;} inside string
 * literals ({@code '...'}, {@code ''} escapes a quote), quoted identifiers ({@code `...`}) and
 * comments does not end a statement; an {@code EXECUTE STATEMENT SET BEGIN ... END;} block is one
 * statement.
 *
 * <p>Placeholders {@code ${name}} and {@code ${name:-default}} in statements (not in comments)
 * are replaced when the file is {@link #resolve resolved}: by a value given to the command
 * ({@code --define name=value}), the built-ins {@code bootstrap.servers} (the Kafka the run uses)
 * and {@code job.dir} (the absolute directory of the file), or an environment variable; a default
 * may itself hold placeholders. An unknown placeholder without default is an error naming it and
 * its line.
 *
 * <pre>{@code
 * SqlJobFile f = SqlJobFile.load(Path.of("flink-jobs/attention.sql"));
 * List<SqlJobFile.Statement> s = f.resolve(Map.of("bootstrap.servers", "localhost:9092"), System::getenv);
 * }</pre>
 */
public final class SqlJobFile {
    /** Kinds of statements the runner treats differently. */
    public enum Kind {
        /** {@code SET 'key' = 'value'}: a Flink configuration entry of the job. */
        SET,
        /** {@code INSERT INTO ...} or {@code EXECUTE STATEMENT SET BEGIN ... END}: the job's pipelines. */
        INSERT,
        /** A query without a sink: not runnable as a job. */
        QUERY,
        /** Anything else (CREATE TABLE / VIEW / FUNCTION, USE, ...), executed in order. */
        OTHER
    }

    /** One statement, comments removed, with the line it starts on. */
    public static final class Statement {
        private final String sql;
        private final int line;
        private final Kind kind;

        Statement(String sql, int line) {
            this.sql = sql;
            this.line = line;
            this.kind = kindOf(sql);
        }

        public String sql() { return sql; }
        /** 1-based line of the file where the statement starts. */
        public int line() { return line; }
        public Kind kind() { return kind; }

        /** Key of a {@link Kind#SET} statement. */
        public String setKey() {
            return setMatch().group(1).replace("''", "'");
        }

        /** Value of a {@link Kind#SET} statement. */
        public String setValue() {
            return setMatch().group(2).replace("''", "'");
        }

        private Matcher setMatch() {
            Matcher m = SET.matcher(sql);
            if (!m.matches()) {
                throw new JobDefinitionException("line " + line + ": SET needs the form SET 'key' = 'value', got: "
                        + abbreviate(sql));
            }
            return m;
        }

        Statement withSql(String s) {
            return new Statement(s, line);
        }

        @Override
        public String toString() {
            return "line " + line + ": " + abbreviate(sql);
        }
    }

    private static final Pattern SET = Pattern.compile("(?is)SET\\s+'((?:[^']|'')*)'\\s*=\\s*'((?:[^']|'')*)'");

    private final String file;
    private final Path dir;
    private final List<Statement> statements;

    private SqlJobFile(String file, Path dir, List<Statement> statements) {
        this.file = file;
        this.dir = dir;
        this.statements = Collections.unmodifiableList(statements);
    }

    /** Reads and splits a file; {@code job.dir} is its directory. */
    public static SqlJobFile load(Path path) {
        String text;
        try {
            text = Files.readString(path);
        } catch (NoSuchFileException e) {
            throw new JobDefinitionException("SQL job file " + path + " does not exist");
        } catch (IOException e) {
            throw new JobDefinitionException("cannot read SQL job file " + path + ": " + e.getMessage(), e);
        }
        return parse(path.toString(), path.toAbsolutePath().getParent(), text);
    }

    /** Splits SQL text; {@code file} is used in messages, {@code dir} is {@code job.dir} (may be null). */
    public static SqlJobFile parse(String file, Path dir, String text) {
        List<Statement> raw = split(file, text);
        List<Statement> out = new ArrayList<>();
        for (int i = 0; i < raw.size(); i++) {
            Statement s = raw.get(i);
            if (normalized(s.sql()).startsWith("EXECUTE STATEMENT SET")) {
                // the block's inner statements were split at their ';': join them up to END
                StringBuilder sb = new StringBuilder(s.sql());
                boolean closed = false;
                while (++i < raw.size()) {
                    String part = raw.get(i).sql();
                    if (normalized(part).equals("END")) {
                        sb.append(";\nEND");
                        closed = true;
                        break;
                    }
                    sb.append(";\n").append(part);
                }
                if (!closed) {
                    throw new JobDefinitionException(file + ": the EXECUTE STATEMENT SET block of line " + s.line()
                            + " has no END;");
                }
                out.add(s.withSql(sb.toString()));
            } else {
                out.add(s);
            }
        }
        if (out.isEmpty()) {
            throw new JobDefinitionException(file + ": no SQL statements");
        }
        return new SqlJobFile(file, dir, out);
    }

    public String file() { return file; }

    /** The statements as written (placeholders not replaced). */
    public List<Statement> statements() { return statements; }

    /**
     * The statements with placeholders replaced: {@code values} first (the command's
     * {@code --define}s and {@code bootstrap.servers}), then {@code job.dir}, then {@code env}.
     *
     * @throws JobDefinitionException naming an unknown placeholder and its line
     */
    public List<Statement> resolve(Map<String, String> values, Function<String, String> env) {
        Map<String, String> all = new LinkedHashMap<>();
        if (dir != null) {
            all.put("job.dir", dir.toString());
        }
        all.putAll(values);
        List<Statement> out = new ArrayList<>();
        for (Statement s : statements) {
            out.add(s.withSql(substitute(s.sql(), s.line(), all, env, 0)));
        }
        return out;
    }

    /** Placeholders used in the statements (names only, defaults not expanded). */
    public List<String> placeholders() {
        List<String> names = new ArrayList<>();
        for (Statement s : statements) {
            int i = 0;
            while ((i = s.sql().indexOf("${", i)) >= 0) {
                int end = closing(s.sql(), i);
                if (end < 0) {
                    break;
                }
                String body = s.sql().substring(i + 2, end);
                int d = body.indexOf(":-");
                String name = d < 0 ? body : body.substring(0, d);
                if (!names.contains(name)) {
                    names.add(name);
                }
                i = end + 1;
            }
        }
        return names;
    }

    private String substitute(String sql, int line, Map<String, String> values, Function<String, String> env,
            int depth) {
        if (depth > 8) {
            throw new JobDefinitionException(file + ", line " + line + ": placeholders nest too deeply");
        }
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (true) {
            int start = sql.indexOf("${", i);
            if (start < 0) {
                sb.append(sql, i, sql.length());
                return sb.toString();
            }
            int end = closing(sql, start);
            if (end < 0) {
                throw new JobDefinitionException(file + ", line " + line + ": unclosed placeholder '"
                        + abbreviate(sql.substring(start)) + "'");
            }
            sb.append(sql, i, start);
            String body = sql.substring(start + 2, end);
            int d = body.indexOf(":-");
            String name = (d < 0 ? body : body.substring(0, d)).trim();
            String value = values.get(name);
            if (value == null) {
                value = env.apply(name);
            }
            if (value == null && d >= 0) {
                value = substitute(body.substring(d + 2), line, values, env, depth + 1);
            }
            if (value == null) {
                throw new JobDefinitionException(file + ", line " + line + ": unknown placeholder ${" + name
                        + "}: give it with --define " + name + "=VALUE (built in: bootstrap.servers, job.dir; "
                        + "environment variables are read too)");
            }
            sb.append(value);
            i = end + 1;
        }
    }

    /** Index of the '}' closing the placeholder at {@code start}, counting nested ones. */
    private static int closing(String s, int start) {
        int depth = 0;
        for (int i = start; i < s.length(); i++) {
            if (s.startsWith("${", i)) {
                depth++;
                i++;
            } else if (s.charAt(i) == '}') {
                if (--depth == 0) {
                    return i;
                }
            }
        }
        return -1;
    }

    /** Splits at ';' outside literals, quoted identifiers and comments; drops comments. */
    static List<Statement> split(String file, String text) {
        List<Statement> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        int line = 1;
        int startLine = -1;
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c == '-' && i + 1 < n && text.charAt(i + 1) == '-') {
                while (i < n && text.charAt(i) != '\n') {
                    i++;
                }
                if (i < n) {
                    line++;
                    cur.append('\n');
                }
                continue;
            }
            if (c == '/' && i + 1 < n && text.charAt(i + 1) == '*') {
                int end = text.indexOf("*/", i + 2);
                if (end < 0) {
                    throw new JobDefinitionException(file + ", line " + line + ": unclosed /* comment");
                }
                for (int k = i; k < end; k++) {
                    if (text.charAt(k) == '\n') {
                        line++;
                        cur.append('\n');
                    }
                }
                cur.append(' ');
                i = end + 1;
                continue;
            }
            if (c == '\'' || c == '`' || c == '"') {
                int from = line;
                if (startLine < 0) {
                    startLine = line;
                }
                cur.append(c);
                int k = i + 1;
                while (true) {
                    if (k >= n) {
                        throw new JobDefinitionException(file + ", line " + from + ": unclosed " + c + " quote");
                    }
                    char q = text.charAt(k);
                    cur.append(q);
                    if (q == '\n') {
                        line++;
                    }
                    if (q == c) {
                        if (k + 1 < n && text.charAt(k + 1) == c) { // doubled quote: an escaped quote
                            cur.append(c);
                            k += 2;
                            continue;
                        }
                        break;
                    }
                    k++;
                }
                i = k;
                continue;
            }
            if (c == ';') {
                add(out, cur, startLine);
                cur.setLength(0);
                startLine = -1;
                continue;
            }
            if (c == '\n') {
                line++;
            } else if (!Character.isWhitespace(c) && startLine < 0) {
                startLine = line;
            }
            cur.append(c);
        }
        add(out, cur, startLine);
        return out;
    }

    private static void add(List<Statement> out, StringBuilder cur, int line) {
        String s = cur.toString().strip();
        if (!s.isEmpty()) {
            out.add(new Statement(s, line));
        }
    }

    private static String normalized(String sql) {
        return sql.strip().replaceAll("\\s+", " ").toUpperCase(Locale.ROOT);
    }

    private static Kind kindOf(String sql) {
        String s = normalized(sql);
        if (s.startsWith("SET ") && !s.startsWith("SET ROLE")) {
            return Kind.SET;
        }
        if (s.startsWith("INSERT ") || s.startsWith("EXECUTE STATEMENT SET") || s.startsWith("EXECUTE INSERT ")) {
            return Kind.INSERT;
        }
        if (s.startsWith("SELECT ") || s.startsWith("WITH ") || s.startsWith("VALUES") || s.startsWith("EXPLAIN ")
                || s.startsWith("SHOW ") || s.startsWith("DESCRIBE ")) {
            return Kind.QUERY;
        }
        return Kind.OTHER;
    }

    private static String abbreviate(String s) {
        String one = s.replaceAll("\\s+", " ");
        return one.length() <= 80 ? one : one.substring(0, 80) + "...";
    }
}
