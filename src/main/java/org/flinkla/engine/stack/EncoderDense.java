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
package org.flinkla.engine.stack;

import org.flinkla.engine.Gemm;
import org.flinkla.engine.WeightPrecision;

/**
 * The dense products of an encoder stack, packed once per model for {@link Gemm} and shared by
 * every stepper and session (so by every subtask of a JVM): each layer's feed-forward linear1
 * [d_ff, d_model] and linear2 [d_model, d_ff] and the head [n_out, d_model], biases kept in
 * float64. Their weight precision: as asked, or by default float32 when every one of these
 * weights is exactly a float32 (a float32 checkpoint: lossless, half the bytes), else float64.
 */
final class EncoderDense implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    final Gemm[] linear1;
    final Gemm[] linear2;
    /** The head, or null. */
    final Gemm head;
    final WeightPrecision precision;
    /** Whether holding the weights in {@link #precision} rounded some of them (outputs change). */
    final boolean rounded;

    /** @param requested the precision asked for, or null for the lossless default */
    EncoderDense(EncoderWeights w, WeightPrecision requested) {
        int layers = w.layerCount();
        int dm = w.dModel();
        boolean exactFloat32 = true;
        for (int i = 0; i < layers && exactFloat32; i++) {
            EncoderLayerWeights l = w.layer(i);
            exactFloat32 = isFloat32(l.linear1Weight) && isFloat32(l.linear2Weight);
        }
        exactFloat32 &= w.headWeight() == null || isFloat32(w.headWeight());
        this.precision = requested != null ? requested
                : exactFloat32 ? WeightPrecision.FLOAT32 : WeightPrecision.FLOAT64;
        boolean r = false;
        this.linear1 = new Gemm[layers];
        this.linear2 = new Gemm[layers];
        for (int i = 0; i < layers; i++) {
            EncoderLayerWeights l = w.layer(i);
            linear1[i] = Gemm.ofRows(l.linear1Weight, l.dFf, dm, l.linear1Bias, precision);
            linear2[i] = Gemm.ofRows(l.linear2Weight, dm, l.dFf, l.linear2Bias, precision);
            r |= rounds(l.linear1Weight) || rounds(l.linear2Weight);
        }
        this.head = w.headWeight() == null ? null
                : Gemm.ofRows(w.headWeight(), w.headRows(), dm, w.headBias(), precision);
        this.rounded = r || (w.headWeight() != null && rounds(w.headWeight()));
    }

    private static boolean isFloat32(double[] a) {
        for (double v : a) {
            if ((double) (float) v != v) {
                return false;
            }
        }
        return true;
    }

    private boolean rounds(double[] a) {
        if (precision == WeightPrecision.FLOAT64) {
            return false;
        }
        for (double v : a) {
            double held = precision == WeightPrecision.FLOAT32 ? (float) v : Gemm.widen(Gemm.bfloat16(v));
            if (held != v && !Double.isNaN(v)) {
                return true;
            }
        }
        return false;
    }

    /** ", weights=bfloat16 (rounded)" for the architecture string when the weights were rounded, else "". */
    String describe() {
        return rounded ? ", weights=" + precision.key() + " (rounded)" : "";
    }

    long bytes() {
        long b = head == null ? 0 : head.bytes();
        for (int i = 0; i < linear1.length; i++) {
            b += linear1[i].bytes() + linear2[i].bytes();
        }
        return b;
    }
}
