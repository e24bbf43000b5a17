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
package org.flinkla.bench;

import java.nio.charset.StandardCharsets;
import org.flinkla.records.AttentionOutput;

/**
 * The hand-written JSON writer for outputs that {@link org.flinkla.records.JsonWriter} (Jackson's
 * generator) replaced, kept as the baseline of {@link JsonOutputBenchmark}: the same fields and
 * doubles, appended to a thread-local {@link StringBuilder} and converted to UTF-8 at the end. Its
 * one known defect is kept too, so that the benchmark measures what was replaced: a lone surrogate
 * in a sequence id became {@code ?} in the UTF-8 bytes.
 */
final class HandWrittenJson {
    private static final ThreadLocal<StringBuilder> BUFFER = ThreadLocal.withInitial(() -> new StringBuilder(256));

    private HandWrittenJson() {}

    /** Appends the JSON form of {@code out} to {@code sb} (no trailing newline). */
    public static void writeOutput(AttentionOutput out, StringBuilder sb) {
        sb.append("{\"seq\":");
        appendString(sb, out.seq());
        sb.append(",\"pos\":").append(out.pos());
        int n = out.count();
        int dim = out.dim();
        double[] ys = out.ys();
        boolean single = !out.isChunk() && n == 1;
        if (single) {
            sb.append(",\"y\":");
            appendVector(sb, ys, 0, dim);
        } else {
            sb.append(",\"ys\":[");
            for (int i = 0; i < n; i++) {
                if (i > 0) {
                    sb.append(',');
                }
                appendVector(sb, ys, i * dim, dim);
            }
            sb.append(']');
            long[] positions = out.positions();
            if (positions != null) {
                sb.append(",\"positions\":[");
                for (int i = 0; i < positions.length; i++) {
                    if (i > 0) {
                        sb.append(',');
                    }
                    sb.append(positions[i]);
                }
                sb.append(']');
            }
        }
        if (out.hasLmFields()) {
            writeLmFields(out, sb, single);
        }
        sb.append('}');
    }

    /**
     * {@code "p"}, {@code "logp"}, {@code "top"}, {@code "surprisal"} of a single output, or
     * {@code "ps"}, {@code "logps"}, {@code "tops"}, {@code "surprisals"} (one entry per output) of
     * a chunk; a top entry is {@code {"token":"A","p":0.41}} when the model has symbols, else
     * {@code {"id":17,"p":0.41}}; a surprisal that does not exist is {@code null}.
     */
    private static void writeLmFields(AttentionOutput out, StringBuilder sb, boolean single) {
        int n = out.count();
        int dim = out.dim();
        if (out.ps() != null) {
            appendRows(sb, single ? ",\"p\":" : ",\"ps\":", out.ps(), n, dim, single);
        }
        if (out.logps() != null) {
            appendRows(sb, single ? ",\"logp\":" : ",\"logps\":", out.logps(), n, dim, single);
        }
        if (out.topIds() != null) {
            sb.append(single ? ",\"top\":" : ",\"tops\":");
            if (!single) {
                sb.append('[');
            }
            int k = out.topK();
            for (int i = 0; i < n; i++) {
                if (i > 0) {
                    sb.append(',');
                }
                appendTop(sb, out, i * k, k);
            }
            if (!single) {
                sb.append(']');
            }
        }
        if (out.surprisals() != null) {
            double[] s = out.surprisals();
            if (single) {
                sb.append(",\"surprisal\":");
                appendNumber(sb, s[0]);
            } else {
                appendRows(sb, ",\"surprisals\":", s, 1, n, true);
            }
        }
    }

    private static void appendRows(StringBuilder sb, String field, double[] a, int n, int dim, boolean single) {
        sb.append(field);
        if (single) {
            appendVector(sb, a, 0, dim);
            return;
        }
        sb.append('[');
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append(',');
            }
            appendVector(sb, a, i * dim, dim);
        }
        sb.append(']');
    }

    private static void appendTop(StringBuilder sb, AttentionOutput out, int off, int k) {
        String tokens = out.topTokens();
        sb.append('[');
        for (int j = 0; j < k; j++) {
            if (j > 0) {
                sb.append(',');
            }
            if (tokens != null) {
                sb.append("{\"token\":");
                appendString(sb, tokens, off + j, off + j + 1); // no String per entry
            } else {
                sb.append("{\"id\":").append(out.topIds()[off + j]);
            }
            sb.append(",\"p\":");
            appendNumber(sb, out.topPs()[off + j]);
            sb.append('}');
        }
        sb.append(']');
    }

    /** The JSON form of {@code out} as a String. */
    public static String toJson(AttentionOutput out) {
        StringBuilder sb = buffer();
        writeOutput(out, sb);
        return sb.toString();
    }

    /** The JSON form of {@code out} as UTF-8 bytes (ASCII fast path: no intermediate String). */
    public static byte[] toJsonBytes(AttentionOutput out) {
        StringBuilder sb = buffer();
        writeOutput(out, sb);
        return utf8(sb);
    }

    private static StringBuilder buffer() {
        StringBuilder sb = BUFFER.get();
        sb.setLength(0);
        return sb;
    }

    private static void appendVector(StringBuilder sb, double[] a, int off, int len) {
        sb.append('[');
        for (int j = 0; j < len; j++) {
            if (j > 0) {
                sb.append(',');
            }
            appendNumber(sb, a[off + j]);
        }
        sb.append(']');
    }

    private static void appendNumber(StringBuilder sb, double v) {
        if (Double.isFinite(v)) {
            sb.append(v); // shortest round-trip form, no String allocated
        } else {
            sb.append("null");
        }
    }

    /** Appends {@code s} as a JSON string literal. */
    private static void appendString(StringBuilder sb, String s) {
        appendString(sb, s, 0, s.length());
    }

    /** Appends {@code s[from, to)} as a JSON string literal. */
    private static void appendString(StringBuilder sb, String s, int from, int to) {
        sb.append('"');
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': sb.append("\\\""); break;
                case '\\': sb.append("\\\\"); break;
                case '\n': sb.append("\\n"); break;
                case '\r': sb.append("\\r"); break;
                case '\t': sb.append("\\t"); break;
                default:
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        sb.append('"');
    }

    private static byte[] utf8(StringBuilder sb) {
        int n = sb.length();
        byte[] out = new byte[n];
        for (int i = 0; i < n; i++) {
            char c = sb.charAt(i);
            if (c >= 0x80) {
                return sb.toString().getBytes(StandardCharsets.UTF_8);
            }
            out[i] = (byte) c;
        }
        return out;
    }
}
