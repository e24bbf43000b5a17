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

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The compact binary record format (docs/records.md): a 24-byte little-endian header, then the payload
 * in bulk. Cheaper than JSON to write and parse: a chunk of 1024 vectors is one array copy.
 *
 * <p>Input (token) records, magic {@code "LA"}:
 * <pre>
 *  offset size  field
 *   0     2     magic 'L','A'
 *   2     1     version (1)
 *   3     1     kind: 'x' vectors, 'i' token ids, 's' symbols, 'r' reset
 *   4     1     flags: bit 0 chunk form, bit 1 pos present
 *   5     3     zero
 *   8     8     pos (int64; ignored when bit 1 is clear)
 *  16     4     count: tokens carried (0 for reset)
 *  20     4     dim: width of each vector ('x' only, else 0)
 *  24     ...   payload: float32[count*dim] | int32[count] | count bytes of ASCII symbols
 * </pre>
 *
 * <p>Output records, magic {@code "LY"}:
 * <pre>
 *  offset size  field
 *   0     2     magic 'L','Y'
 *   2     1     version (1)
 *   3     1     element size: 4 (float32) or 8 (float64)
 *   4     1     flags: bit 0 chunk form, bit 1 explicit positions follow, and the language-model
 *                 fields that follow ys: bit 2 p, bit 3 logp, bit 4 top, bit 5 top symbols,
 *                 bit 6 surprisal
 *   5     1     zero
 *   6     2     k of the top tokens (uint16; 0 without bit 4)
 *   8     8     pos of the first output (int64)
 *  16     4     count: outputs carried
 *  20     4     dim: width of each output (d_out)
 *  24     ...   [int64[count] positions when bit 1] then E[count*dim] ys, then in this order
 *               [E[count*dim] p] [E[count*dim] logp] [E[count*k] top p] [E[count] surprisal]
 *               [int32[count*k] top ids] [uint16[count*k] top symbols (UTF-16 code units)]
 * </pre>
 * E is float32 or float64 (byte 3). A surprisal of NaN means none (first token, after a reset or a
 * gap). Without bits 2–6 (no field asked) a record is exactly the first release's layout, which
 * its readers decode unchanged; a record with fields has a longer payload, which those readers
 * reject by its length.
 * The sequence id is the record key and is not repeated in the value.
 *
 * <pre>{@code
 * byte[] v = BinaryRecords.encodeTokens(TokenRecord.vectors("s1", 0, xs, 16, true));
 * TokenRecord r = BinaryRecords.decodeTokens("s1", v);   // IllegalArgumentException names the problem
 * }</pre>
 */
public final class BinaryRecords {
    public static final int HEADER_BYTES = 24;
    public static final byte VERSION = 1;
    private static final byte KIND_VECTORS = 'x';
    private static final byte KIND_IDS = 'i';
    private static final byte KIND_SYMBOLS = 's';
    private static final byte KIND_RESET = 'r';
    private static final int FLAG_CHUNK = 1;
    private static final int FLAG_POS = 2;
    private static final int FLAG_POSITIONS = 2;
    private static final int FLAG_P = 4;
    private static final int FLAG_LOGP = 8;
    private static final int FLAG_TOP = 16;
    private static final int FLAG_TOP_TOKENS = 32;
    private static final int FLAG_SURPRISAL = 64;
    private static final int OUTPUT_FLAGS = FLAG_CHUNK | FLAG_POSITIONS | FLAG_P | FLAG_LOGP | FLAG_TOP
            | FLAG_TOP_TOKENS | FLAG_SURPRISAL;

    private BinaryRecords() {}

    /** Encodes an input record; vectors are narrowed to float32. */
    public static byte[] encodeTokens(TokenRecord r) {
        int count = r.count();
        int payload;
        byte kind;
        switch (r.kind()) {
            case VECTORS: kind = KIND_VECTORS; payload = 4 * r.vectors().length; break;
            case IDS: kind = KIND_IDS; payload = 4 * count; break;
            case SYMBOLS: kind = KIND_SYMBOLS; payload = count; break;
            default: kind = KIND_RESET; payload = 0; break;
        }
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES + payload).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 'L').put((byte) 'A').put(VERSION).put(kind);
        b.put((byte) ((r.isChunk() ? FLAG_CHUNK : 0) | (r.hasPos() ? FLAG_POS : 0))).put((byte) 0).put((byte) 0).put((byte) 0);
        b.putLong(r.hasPos() ? r.pos() : 0L);
        b.putInt(count);
        b.putInt(r.kind() == TokenRecord.Kind.VECTORS ? r.dim() : 0);
        switch (r.kind()) {
            case VECTORS:
                for (double v : r.vectors()) {
                    b.putFloat((float) v);
                }
                break;
            case IDS:
                b.asIntBuffer().put(r.ids());
                break;
            case SYMBOLS:
                b.put(r.symbols().getBytes(StandardCharsets.ISO_8859_1));
                break;
            default:
                break;
        }
        return b.array();
    }

    /**
     * Decodes an input record of sequence {@code seq}.
     *
     * @throws IllegalArgumentException with a message naming what is wrong (magic, version, kind,
     *     sizes that do not match the length)
     */
    public static TokenRecord decodeTokens(String seq, byte[] value) {
        ByteBuffer b = header(value, 'L', 'A', "input");
        byte kind = b.get(3);
        int flags = b.get(4);
        long pos = (flags & FLAG_POS) != 0 ? b.getLong(8) : TokenRecord.NO_POS;
        boolean chunk = (flags & FLAG_CHUNK) != 0;
        int count = b.getInt(16);
        int dim = b.getInt(20);
        if (count < 0) {
            throw new IllegalArgumentException("binary record: negative count " + count);
        }
        if ((flags & FLAG_POS) != 0 && pos < 0) {
            throw new IllegalArgumentException("binary record: negative pos " + pos);
        }
        b.position(HEADER_BYTES);
        switch (kind) {
            case KIND_VECTORS: {
                if (dim <= 0) {
                    throw new IllegalArgumentException("binary record: vector dim must be positive, got " + dim);
                }
                requireCount(count, chunk);
                expectLength(value, 4L * count * dim, "float32[" + count + "x" + dim + "]");
                double[] xs = new double[count * dim];
                for (int i = 0; i < xs.length; i++) {
                    xs[i] = b.getFloat();
                }
                return TokenRecord.vectors(seq, pos, xs, dim, chunk);
            }
            case KIND_IDS: {
                requireCount(count, chunk);
                expectLength(value, 4L * count, "int32[" + count + "]");
                int[] ids = new int[count];
                b.asIntBuffer().get(ids);
                return TokenRecord.ids(seq, pos, ids, chunk);
            }
            case KIND_SYMBOLS: {
                requireCount(count, chunk);
                expectLength(value, count, count + " symbol bytes");
                return TokenRecord.symbols(seq, pos,
                        new String(value, HEADER_BYTES, count, StandardCharsets.ISO_8859_1), chunk);
            }
            case KIND_RESET:
                expectLength(value, 0, "no payload (reset)");
                return TokenRecord.reset(seq);
            default:
                throw new IllegalArgumentException("binary record: unknown kind byte " + (kind & 0xff)
                        + " (expected 'x', 'i', 's' or 'r')");
        }
    }

    /** Encodes outputs; {@code float64} keeps full precision, otherwise float32. */
    public static byte[] encodeOutput(AttentionOutput o, boolean float64) {
        int count = o.count();
        int elem = float64 ? 8 : 4;
        long[] positions = o.positions();
        int k = o.topK();
        if (k > 0xffff) {
            throw new IllegalArgumentException("binary output: top-" + k + " does not fit the 16-bit k");
        }
        long elems = o.ys().length + length(o.ps()) + length(o.logps()) + length(o.topPs()) + length(o.surprisals());
        long len = HEADER_BYTES + (positions != null ? 8L * count : 0) + elem * elems
                + 4L * length(o.topIds()) + (o.topTokens() != null ? 2L * o.topTokens().length() : 0);
        if (len > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("binary output: " + len + " bytes do not fit in one record");
        }
        ByteBuffer b = ByteBuffer.allocate((int) len).order(ByteOrder.LITTLE_ENDIAN);
        int flags = (o.isChunk() ? FLAG_CHUNK : 0) | (positions != null ? FLAG_POSITIONS : 0)
                | (o.ps() != null ? FLAG_P : 0) | (o.logps() != null ? FLAG_LOGP : 0)
                | (o.topIds() != null ? FLAG_TOP : 0) | (o.topTokens() != null ? FLAG_TOP_TOKENS : 0)
                | (o.surprisals() != null ? FLAG_SURPRISAL : 0);
        b.put((byte) 'L').put((byte) 'Y').put(VERSION).put((byte) elem);
        b.put((byte) flags).put((byte) 0).putShort((short) k);
        b.putLong(o.pos()).putInt(count).putInt(o.dim());
        if (positions != null) {
            for (long p : positions) {
                b.putLong(p);
            }
        }
        putReals(b, o.ys(), float64);
        putReals(b, o.ps(), float64);
        putReals(b, o.logps(), float64);
        putReals(b, o.topPs(), float64);
        putReals(b, o.surprisals(), float64);
        if (o.topIds() != null) {
            for (int id : o.topIds()) {
                b.putInt(id);
            }
        }
        if (o.topTokens() != null) {
            String t = o.topTokens();
            for (int i = 0; i < t.length(); i++) {
                b.putChar(t.charAt(i));
            }
        }
        return b.array();
    }

    private static int length(double[] a) {
        return a == null ? 0 : a.length;
    }

    private static int length(int[] a) {
        return a == null ? 0 : a.length;
    }

    private static void putReals(ByteBuffer b, double[] a, boolean float64) {
        if (a == null) {
            return;
        }
        if (float64) {
            b.asDoubleBuffer().put(a);
            b.position(b.position() + 8 * a.length);
        } else {
            for (double v : a) {
                b.putFloat((float) v);
            }
        }
    }

    private static double[] getReals(ByteBuffer b, int n, int elem) {
        double[] a = new double[n];
        if (elem == 8) {
            b.asDoubleBuffer().get(a);
            b.position(b.position() + 8 * n);
        } else {
            for (int i = 0; i < n; i++) {
                a[i] = b.getFloat();
            }
        }
        return a;
    }

    /** Decodes an output record of sequence {@code seq} (the record key). */
    public static AttentionOutput decodeOutput(String seq, byte[] value) {
        ByteBuffer b = header(value, 'L', 'Y', "output");
        int elem = b.get(3);
        int flags = b.get(4) & 0xff;
        int k = b.getShort(6) & 0xffff;
        long pos = b.getLong(8);
        int count = b.getInt(16);
        int dim = b.getInt(20);
        if (elem != 4 && elem != 8) {
            throw new IllegalArgumentException("binary output: element size must be 4 or 8, got " + elem);
        }
        if (count < 0 || dim <= 0) {
            throw new IllegalArgumentException("binary output: bad count " + count + " or dim " + dim);
        }
        if ((flags & ~OUTPUT_FLAGS) != 0) {
            throw new IllegalArgumentException("binary output: unknown flag bits " + (flags & ~OUTPUT_FLAGS));
        }
        boolean top = (flags & FLAG_TOP) != 0;
        if (top != (k > 0) || ((flags & FLAG_TOP_TOKENS) != 0 && !top)) {
            throw new IllegalArgumentException("binary output: top flag " + top + " with k " + k
                    + (top ? "" : " (top symbols need the top flag)"));
        }
        boolean hasPositions = (flags & FLAG_POSITIONS) != 0;
        long rows = (long) count * dim;
        long topN = (long) count * k;
        long elems = rows * (1 + ((flags & FLAG_P) != 0 ? 1 : 0) + ((flags & FLAG_LOGP) != 0 ? 1 : 0))
                + (top ? topN : 0) + ((flags & FLAG_SURPRISAL) != 0 ? count : 0);
        long payload = (hasPositions ? 8L * count : 0) + elem * elems + (top ? 4 * topN : 0)
                + ((flags & FLAG_TOP_TOKENS) != 0 ? 2 * topN : 0);
        expectLength(value, payload, "output payload");
        b.position(HEADER_BYTES);
        long[] positions = null;
        if (hasPositions) {
            positions = new long[count];
            b.asLongBuffer().get(positions);
            b.position(HEADER_BYTES + 8 * count);
        }
        double[] ys = getReals(b, count * dim, elem);
        double[] ps = (flags & FLAG_P) != 0 ? getReals(b, count * dim, elem) : null;
        double[] logps = (flags & FLAG_LOGP) != 0 ? getReals(b, count * dim, elem) : null;
        double[] topPs = top ? getReals(b, count * k, elem) : null;
        double[] surprisals = (flags & FLAG_SURPRISAL) != 0 ? getReals(b, count, elem) : null;
        int[] topIds = null;
        String topTokens = null;
        if (top) {
            topIds = new int[count * k];
            for (int i = 0; i < topIds.length; i++) {
                topIds[i] = b.getInt();
            }
            if ((flags & FLAG_TOP_TOKENS) != 0) {
                char[] c = new char[count * k];
                for (int i = 0; i < c.length; i++) {
                    c[i] = b.getChar();
                }
                topTokens = new String(c);
            }
        }
        return new AttentionOutput(seq, pos, dim, ys, positions, (flags & FLAG_CHUNK) != 0, ps, logps, k, topIds,
                topPs, topTokens, surprisals);
    }

    /** True when {@code value} starts like a binary output record (magic and version). */
    public static boolean isOutput(byte[] value) {
        return value != null && value.length >= HEADER_BYTES && value[0] == 'L' && value[1] == 'Y' && value[2] == VERSION;
    }

    private static ByteBuffer header(byte[] value, char m0, char m1, String what) {
        if (value == null || value.length < HEADER_BYTES) {
            throw new IllegalArgumentException("binary " + what + " record: shorter than the "
                    + HEADER_BYTES + "-byte header (" + (value == null ? 0 : value.length) + " bytes)");
        }
        if (value[0] != m0 || value[1] != m1) {
            throw new IllegalArgumentException("binary " + what + " record: bad magic (expected '" + m0 + m1 + "')");
        }
        if (value[2] != VERSION) {
            throw new IllegalArgumentException("binary " + what + " record: unsupported version " + value[2]);
        }
        return ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static void requireCount(int count, boolean chunk) {
        if (count == 0) {
            throw new IllegalArgumentException("binary record: no tokens (count 0)");
        }
        if (!chunk && count != 1) {
            throw new IllegalArgumentException("binary record: single-token form with count " + count);
        }
    }

    private static void expectLength(byte[] value, long payload, String what) {
        long expected = HEADER_BYTES + payload;
        if (value.length != expected) {
            throw new IllegalArgumentException("binary record: length " + value.length + " does not match "
                    + what + " (expected " + expected + " bytes)");
        }
    }
}
