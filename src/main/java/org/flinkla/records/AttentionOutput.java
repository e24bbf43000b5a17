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

import java.util.Arrays;

/**
 * Attention outputs for one record: {@code count} vectors of width {@code dim}, row-major in
 * {@code ys}, for positions {@code pos, pos+1, ...} (or the emitted subset: see
 * {@link #positions()} when outputs are thinned). {@code chunk} selects the {@code "ys"} form over
 * the single {@code "y"} form when written out.
 *
 * <p>For a language model (outputs = logits over the token ids) the record may also carry, per
 * output and only when asked for ({@code EmitFields}; null otherwise):
 * <ul>
 *   <li>{@link #ps()}: probabilities, {@code count × dim} row-major (softmax of each row of ys);
 *   <li>{@link #logps()}: natural-log probabilities, same shape;
 *   <li>{@link #topIds()} / {@link #topPs()}: the {@link #topK()} most likely token ids of each
 *       output, most likely first, and their probabilities ({@code count × k}); {@link #topTokens()}
 *       their symbols ({@code count × k} chars) when the model has one symbol per token id;
 *   <li>{@link #surprisals()}: bits of the token that arrived at each output's position under the
 *       prediction one position earlier; {@code NaN} where there is none (first token of a
 *       sequence, after a reset or a gap, a token given as a vector).
 * </ul>
 */
@org.apache.flink.api.common.typeinfo.TypeInfo(RecordTypes.AttentionOutputFactory.class)
public final class AttentionOutput {
    private final String seq;
    private final long pos;
    private final int dim;
    private final double[] ys;
    private final long[] positions;
    private final boolean chunk;
    private final double[] ps;
    private final double[] logps;
    private final int topK;
    private final int[] topIds;
    private final double[] topPs;
    private final String topTokens;
    private final double[] surprisals;

    /**
     * @param positions position of each emitted output, or null when they are pos, pos+1, ...
     */
    public AttentionOutput(String seq, long pos, int dim, double[] ys, long[] positions, boolean chunk) {
        this(seq, pos, dim, ys, positions, chunk, null, null, 0, null, null, null, null);
    }

    /**
     * With the language-model fields (each null when not asked; {@code topK} 0 without top tokens).
     *
     * @throws IllegalArgumentException when an array does not have the length its shape asks
     */
    public AttentionOutput(String seq, long pos, int dim, double[] ys, long[] positions, boolean chunk,
            double[] ps, double[] logps, int topK, int[] topIds, double[] topPs, String topTokens,
            double[] surprisals) {
        if (dim <= 0 || ys.length % dim != 0) {
            throw new IllegalArgumentException("ys length " + ys.length + " is not a multiple of " + dim);
        }
        int count = ys.length / dim;
        if (positions != null && positions.length != count) {
            throw new IllegalArgumentException(positions.length + " positions for " + count + " outputs");
        }
        checkLength("ps", ps, ys.length);
        checkLength("logps", logps, ys.length);
        if ((topIds == null) != (topPs == null) || (topIds == null) != (topK == 0)
                || (topTokens != null && topIds == null)) {
            throw new IllegalArgumentException("top tokens need topK > 0, ids and probabilities together (topK "
                    + topK + ")");
        }
        if (topIds != null) {
            long n = (long) count * topK;
            if (topIds.length != n || topPs.length != n || (topTokens != null && topTokens.length() != n)) {
                throw new IllegalArgumentException("top-" + topK + " of " + count + " outputs needs " + n
                        + " ids, probabilities and symbols");
            }
        }
        checkLength("surprisals", surprisals, count);
        this.seq = seq;
        this.pos = pos;
        this.dim = dim;
        this.ys = ys;
        this.positions = positions;
        this.chunk = chunk;
        this.ps = ps;
        this.logps = logps;
        this.topK = topK;
        this.topIds = topIds;
        this.topPs = topPs;
        this.topTokens = topTokens;
        this.surprisals = surprisals;
    }

    private static void checkLength(String what, double[] a, int expected) {
        if (a != null && a.length != expected) {
            throw new IllegalArgumentException(what + " has " + a.length + " values, expected " + expected);
        }
    }

    public String seq() { return seq; }
    /** Position of the first output. */
    public long pos() { return pos; }
    public int dim() { return dim; }
    public double[] ys() { return ys; }
    public int count() { return ys.length / dim; }
    public boolean isChunk() { return chunk; }

    /** Explicit positions (when not consecutive from {@link #pos()}), or null. */
    public long[] positions() { return positions; }

    /** Position of output i. */
    public long positionOf(int i) {
        return positions != null ? positions[i] : pos + i;
    }

    /** Probabilities, {@code count × dim} row-major, or null. */
    public double[] ps() { return ps; }
    /** Natural-log probabilities, {@code count × dim} row-major, or null. */
    public double[] logps() { return logps; }
    /** k of the top tokens (0 when not carried). */
    public int topK() { return topK; }
    /** Token ids of the top k of each output, most likely first ({@code count × k}), or null. */
    public int[] topIds() { return topIds; }
    /** Probabilities of {@link #topIds()}, or null. */
    public double[] topPs() { return topPs; }
    /** Symbols of {@link #topIds()} ({@code count × k} chars), or null when the model has none. */
    public String topTokens() { return topTokens; }
    /** Surprisal in bits of each output's token ({@code NaN}: none), or null. */
    public double[] surprisals() { return surprisals; }

    /** True when any language-model field is carried. */
    public boolean hasLmFields() {
        return ps != null || logps != null || topIds != null || surprisals != null;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof AttentionOutput)) {
            return false;
        }
        AttentionOutput a = (AttentionOutput) o;
        return pos == a.pos && dim == a.dim && chunk == a.chunk && java.util.Objects.equals(seq, a.seq)
                && Arrays.equals(ys, a.ys) && Arrays.equals(positions, a.positions)
                && Arrays.equals(ps, a.ps) && Arrays.equals(logps, a.logps) && topK == a.topK
                && Arrays.equals(topIds, a.topIds) && Arrays.equals(topPs, a.topPs)
                && java.util.Objects.equals(topTokens, a.topTokens) && Arrays.equals(surprisals, a.surprisals);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(seq, pos, dim, chunk) * 31 + Arrays.hashCode(ys);
    }

    @Override
    public String toString() {
        return "AttentionOutput{seq=" + seq + ", pos=" + pos + ", outputs=" + count() + ", dim=" + dim
                + (ps != null ? ", p" : "") + (logps != null ? ", logp" : "") + (topK > 0 ? ", top-" + topK : "")
                + (surprisals != null ? ", surprisal" : "") + "}";
    }
}
