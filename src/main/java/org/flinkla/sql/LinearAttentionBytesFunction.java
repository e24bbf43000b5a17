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
import org.apache.flink.table.functions.ScalarFunction;
import org.flinkla.records.AttentionOutput;
import org.flinkla.records.BinaryRecords;

/**
 * {@code LINEAR_ATTENTION_BYTES(pos, y [, 'float32' | 'float64'])}: one output row in the binary
 * output record format of {@link BinaryRecords} (magic {@code LY}, a single output, float32 by
 * default), for Kafka sinks with {@code 'value.format' = 'raw'} — what the YAML jobs write with
 * {@code sink.format: binary} (or {@code binary-f64}). The sequence id goes in the record key.
 * NULL when {@code pos} or {@code y} is NULL, or {@code y} holds a NULL element.
 */
@org.apache.flink.annotation.PublicEvolving
public class LinearAttentionBytesFunction extends ScalarFunction {
    private static final long serialVersionUID = 1L;

    public byte[] eval(Long pos, @DataTypeHint(value = "ARRAY<DOUBLE>", bridgedTo = ArrayData.class) ArrayData y) {
        return encode(pos, y, false);
    }

    public byte[] eval(Long pos, @DataTypeHint(value = "ARRAY<DOUBLE>", bridgedTo = ArrayData.class) ArrayData y,
            String precision) {
        if (precision == null) {
            return encode(pos, y, false);
        }
        switch (precision.trim().toLowerCase(Locale.ROOT)) {
            case "float32":
                return encode(pos, y, false);
            case "float64":
                return encode(pos, y, true);
            default:
                throw new IllegalArgumentException("LINEAR_ATTENTION_BYTES: precision must be 'float32' or 'float64', got '"
                        + precision + "'");
        }
    }

    private static byte[] encode(Long pos, ArrayData y, boolean float64) {
        if (pos == null || y == null || y.size() == 0) {
            return null;
        }
        for (int i = 0; i < y.size(); i++) {
            if (y.isNullAt(i)) {
                return null;
            }
        }
        double[] ys = y.toDoubleArray();
        return BinaryRecords.encodeOutput(new AttentionOutput(null, pos, ys.length, ys, null, false), float64);
    }
}
