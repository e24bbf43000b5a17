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
package org.flinkla.flink;

import java.util.Locale;
import java.util.Objects;

/**
 * Which outputs the operator emits. Every token still updates the state; the mode only thins what
 * goes downstream.
 *
 * <ul>
 *   <li>{@link #ALL} (default): one output per token;
 *   <li>{@link #everyNth(int) everyNth(n)}: the outputs of the n-th, 2n-th, ... token of the
 *       sequence, counted from its first token (or last reset); independent of how the tokens were
 *       chunked into records, so a restart or a different chunking emits the same outputs;
 *   <li>{@link #LAST}: one output per record, for its last new token (written as a single
 *       {@code "y"}).
 * </ul>
 *
 * <pre>{@code
 * EmitMode m = EmitMode.parse("every:64");   // or "all", "last"
 * }</pre>
 */
@org.apache.flink.annotation.PublicEvolving
public final class EmitMode implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    /** The kind of mode. */
    public enum Kind { ALL, EVERY_NTH, LAST }

    public static final EmitMode ALL = new EmitMode(Kind.ALL, 1);
    public static final EmitMode LAST = new EmitMode(Kind.LAST, 1);

    private final Kind kind;
    private final int n;

    private EmitMode(Kind kind, int n) {
        this.kind = kind;
        this.n = n;
    }

    /** Outputs of every n-th token of a sequence (n ≥ 1; 1 is the same as {@link #ALL}). */
    public static EmitMode everyNth(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("emit every n-th token: n must be >= 1, got " + n);
        }
        return n == 1 ? ALL : new EmitMode(Kind.EVERY_NTH, n);
    }

    /** Parses {@code all}, {@code last} or {@code every:N}. */
    public static EmitMode parse(String s) {
        String v = s.trim().toLowerCase(Locale.ROOT);
        if (v.equals("all")) {
            return ALL;
        }
        if (v.equals("last")) {
            return LAST;
        }
        if (v.startsWith("every:")) {
            try {
                return everyNth(Integer.parseInt(v.substring("every:".length())));
            } catch (NumberFormatException e) {
                // fall through to the message below
            }
        }
        throw new IllegalArgumentException("unknown emit mode '" + s + "' (expected all, last or every:N with N >= 1)");
    }

    public Kind kind() {
        return kind;
    }

    /** n for {@link Kind#EVERY_NTH} (1 otherwise). */
    public int n() {
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EmitMode && ((EmitMode) o).kind == kind && ((EmitMode) o).n == n;
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, n);
    }

    @Override
    public String toString() {
        return kind == Kind.EVERY_NTH ? "every:" + n : kind.name().toLowerCase(Locale.ROOT);
    }
}
