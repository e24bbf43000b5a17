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

import java.util.Locale;
import org.apache.flink.table.annotation.DataTypeHint;
import org.apache.flink.table.data.ArrayData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.functions.ScalarFunction;
import org.flinkla.records.AttentionOutput;
import org.flinkla.records.BinaryRecords;

/**
 * {@code LINEAR_ATTENTION_BYTES(pos, y [, p, logp, top, surprisal] [, 'float32' | 'float64'])}: one
 * output row in the binary output record format of {@link BinaryRecords} (magic {@code LY}, a
 * single output, float32 by default), for Kafka sinks with {@code 'value.format' = 'raw'} — what
 * the YAML jobs write with {@code sink.format: binary} (or {@code binary-f64}). The sequence id goes
 * in the record key. NULL when {@code pos} or {@code y} is NULL, or {@code y} holds a NULL element.
 *
 * <p>With the language-model columns of {@code LINEAR_ATTENTION} ({@code p}, {@code logp},
 * {@code top}, {@code surprisal}: pass them all, as they come) each non-NULL one is written as its
 * part of the record (flags p, logp, top, top symbols when every entry has a token, surprisal); a
 * NULL one is left out. So a row whose token has no surprisal (the first of a sequence, after a
 * reset or a gap) gives a record without the surprisal part, where the DataStream job writes the
 * part with NaN; both read back as "no surprisal".
 */
@org.apache.flink.annotation.PublicEvolving
public class LinearAttentionBytesFunction extends ScalarFunction {
    private static final long serialVersionUID = 1L;

    private static final String TOP = "ARRAY<ROW<token STRING, id INT, p DOUBLE>>";

    public byte[] eval(Long pos, @DataTypeHint(value = "ARRAY<DOUBLE>", bridgedTo = ArrayData.class) ArrayData y) {
        return encode(pos, y, null, null, null, null, false);
    }

    public byte[] eval(Long pos, @DataTypeHint(value = "ARRAY<DOUBLE>", bridgedTo = ArrayData.class) ArrayData y,
            String precision) {
        return encode(pos, y, null, null, null, null, float64(precision));
    }

    public byte[] eval(Long pos, @DataTypeHint(value = "ARRAY<DOUBLE>", bridgedTo = ArrayData.class) ArrayData y,
            @DataTypeHint(value = "ARRAY<DOUBLE>", bridgedTo = ArrayData.class) ArrayData p,
            @DataTypeHint(value = "ARRAY<DOUBLE>", bridgedTo = ArrayData.class) ArrayData logp,
            @DataTypeHint(value = TOP, bridgedTo = ArrayData.class) ArrayData top, Double surprisal) {
        return encode(pos, y, p, logp, top, surprisal, false);
    }

    public byte[] eval(Long pos, @DataTypeHint(value = "ARRAY<DOUBLE>", bridgedTo = ArrayData.class) ArrayData y,
            @DataTypeHint(value = "ARRAY<DOUBLE>", bridgedTo = ArrayData.class) ArrayData p,
            @DataTypeHint(value = "ARRAY<DOUBLE>", bridgedTo = ArrayData.class) ArrayData logp,
            @DataTypeHint(value = TOP, bridgedTo = ArrayData.class) ArrayData top, Double surprisal,
            String precision) {
        return encode(pos, y, p, logp, top, surprisal, float64(precision));
    }

    private static boolean float64(String precision) {
        if (precision == null) {
            return false;
        }
        switch (precision.trim().toLowerCase(Locale.ROOT)) {
            case "float32":
                return false;
            case "float64":
                return true;
            default:
                throw new IllegalArgumentException("LINEAR_ATTENTION_BYTES: precision must be 'float32' or 'float64', got '"
                        + precision + "'");
        }
    }

    /** The elements of a DOUBLE array, or null when it is NULL, empty or has a NULL element. */
    private static double[] doubles(ArrayData a) {
        if (a == null || a.size() == 0) {
            return null;
        }
        for (int i = 0; i < a.size(); i++) {
            if (a.isNullAt(i)) {
                return null;
            }
        }
        return a.toDoubleArray();
    }

    private static byte[] encode(Long pos, ArrayData y, ArrayData p, ArrayData logp, ArrayData top, Double surprisal,
            boolean float64) {
        double[] ys = doubles(y);
        if (pos == null || ys == null) {
            return null;
        }
        double[] ps = doubles(p);
        double[] logps = doubles(logp);
        if ((ps != null && ps.length != ys.length) || (logps != null && logps.length != ys.length)) {
            throw new IllegalArgumentException("LINEAR_ATTENTION_BYTES: p and logp must have the length of y ("
                    + ys.length + "), got " + (ps == null ? "-" : ps.length) + " and "
                    + (logps == null ? "-" : logps.length));
        }
        int k = 0;
        int[] topIds = null;
        double[] topPs = null;
        String topTokens = null;
        if (top != null && top.size() > 0) {
            k = top.size();
            topIds = new int[k];
            topPs = new double[k];
            char[] symbols = new char[k];
            boolean allSymbols = true;
            for (int j = 0; j < k; j++) {
                RowData e = top.isNullAt(j) ? null : top.getRow(j, 3);
                if (e == null || e.isNullAt(1) || e.isNullAt(2)) {
                    throw new IllegalArgumentException("LINEAR_ATTENTION_BYTES: top[" + j + "] needs an id and a p");
                }
                topIds[j] = e.getInt(1);
                topPs[j] = e.getDouble(2);
                String token = e.isNullAt(0) ? null : e.getString(0).toString();
                if (token == null || token.length() != 1) {
                    allSymbols = false;
                } else {
                    symbols[j] = token.charAt(0);
                }
            }
            topTokens = allSymbols ? new String(symbols) : null;
        }
        double[] surprisals = surprisal == null ? null : new double[] {surprisal};
        return BinaryRecords.encodeOutput(new AttentionOutput(null, pos, ys.length, ys, null, false, ps, logps, k,
                topIds, topPs, topTokens, surprisals), float64);
    }
}
