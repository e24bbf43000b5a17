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
package org.flinkla.engine.fla;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link ChunkRecurrence#mm} with the JDK Vector API (used only when {@code VectorSupport} finds
 * the incubator module; nothing else may load this class). Blocks of 8 rows × 2 vectors of
 * columns (16 accumulators: each b vector loaded once per 8 rows), then 4 rows × 2 or × 1 vector,
 * then 1 row, stay in registers over the whole inner dimension; every element is accumulated over
 * k in ascending order with one fused multiply-add per term, starting from 0 (or from the old
 * value when accumulating), exactly as the plain loop's Math.fma does: the same bits.
 */
final class ChunkVectorKernels {
    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    static final int LANES = S.length();

    private ChunkVectorKernels() {}

    static void mm(double[] a, int aOff, int aRow, int aCol, double[] b, int bOff, int bRow,
                   double[] c, int cOff, int cRow, int rows, int inner, int cols, boolean accumulate) {
        final int l = LANES;
        int m = 0;
        if (cols >= 2 * l) {
            for (; m + 7 < rows; m += 8) {
                rows8(a, aOff + m * aRow, aRow, aCol, b, bOff, bRow, c, cOff + m * cRow, cRow, inner, cols, accumulate);
            }
        }
        for (; m + 3 < rows; m += 4) {
            int ar = aOff + m * aRow;
            int c0 = cOff + m * cRow;
            int j = 0;
            for (; j + 2 * l <= cols; j += 2 * l) {
                DoubleVector x00, x01, x10, x11, x20, x21, x30, x31;
                if (accumulate) {
                    x00 = DoubleVector.fromArray(S, c, c0 + j);
                    x01 = DoubleVector.fromArray(S, c, c0 + j + l);
                    x10 = DoubleVector.fromArray(S, c, c0 + cRow + j);
                    x11 = DoubleVector.fromArray(S, c, c0 + cRow + j + l);
                    x20 = DoubleVector.fromArray(S, c, c0 + 2 * cRow + j);
                    x21 = DoubleVector.fromArray(S, c, c0 + 2 * cRow + j + l);
                    x30 = DoubleVector.fromArray(S, c, c0 + 3 * cRow + j);
                    x31 = DoubleVector.fromArray(S, c, c0 + 3 * cRow + j + l);
                } else {
                    x00 = DoubleVector.zero(S);
                    x01 = x00;
                    x10 = x00;
                    x11 = x00;
                    x20 = x00;
                    x21 = x00;
                    x30 = x00;
                    x31 = x00;
                }
                for (int k = 0; k < inner; k++) {
                    int br = bOff + k * bRow + j;
                    DoubleVector b0 = DoubleVector.fromArray(S, b, br);
                    DoubleVector b1 = DoubleVector.fromArray(S, b, br + l);
                    int ak = ar + k * aCol;
                    DoubleVector a0 = DoubleVector.broadcast(S, a[ak]);
                    DoubleVector a1 = DoubleVector.broadcast(S, a[ak + aRow]);
                    DoubleVector a2 = DoubleVector.broadcast(S, a[ak + 2 * aRow]);
                    DoubleVector a3 = DoubleVector.broadcast(S, a[ak + 3 * aRow]);
                    x00 = a0.fma(b0, x00);
                    x01 = a0.fma(b1, x01);
                    x10 = a1.fma(b0, x10);
                    x11 = a1.fma(b1, x11);
                    x20 = a2.fma(b0, x20);
                    x21 = a2.fma(b1, x21);
                    x30 = a3.fma(b0, x30);
                    x31 = a3.fma(b1, x31);
                }
                x00.intoArray(c, c0 + j);
                x01.intoArray(c, c0 + j + l);
                x10.intoArray(c, c0 + cRow + j);
                x11.intoArray(c, c0 + cRow + j + l);
                x20.intoArray(c, c0 + 2 * cRow + j);
                x21.intoArray(c, c0 + 2 * cRow + j + l);
                x30.intoArray(c, c0 + 3 * cRow + j);
                x31.intoArray(c, c0 + 3 * cRow + j + l);
            }
            if (j + l <= cols) {
                // 4 rows × 1 vector
                DoubleVector x0, x1, x2, x3;
                if (accumulate) {
                    x0 = DoubleVector.fromArray(S, c, c0 + j);
                    x1 = DoubleVector.fromArray(S, c, c0 + cRow + j);
                    x2 = DoubleVector.fromArray(S, c, c0 + 2 * cRow + j);
                    x3 = DoubleVector.fromArray(S, c, c0 + 3 * cRow + j);
                } else {
                    x0 = DoubleVector.zero(S);
                    x1 = x0;
                    x2 = x0;
                    x3 = x0;
                }
                for (int k = 0; k < inner; k++) {
                    DoubleVector b0 = DoubleVector.fromArray(S, b, bOff + k * bRow + j);
                    int ak = ar + k * aCol;
                    x0 = DoubleVector.broadcast(S, a[ak]).fma(b0, x0);
                    x1 = DoubleVector.broadcast(S, a[ak + aRow]).fma(b0, x1);
                    x2 = DoubleVector.broadcast(S, a[ak + 2 * aRow]).fma(b0, x2);
                    x3 = DoubleVector.broadcast(S, a[ak + 3 * aRow]).fma(b0, x3);
                }
                x0.intoArray(c, c0 + j);
                x1.intoArray(c, c0 + cRow + j);
                x2.intoArray(c, c0 + 2 * cRow + j);
                x3.intoArray(c, c0 + 3 * cRow + j);
                j += l;
            }
            for (int r = 0; r < 4; r++) {
                tail(a, ar + r * aRow, aCol, b, bOff, bRow, c, c0 + r * cRow, inner, j, cols, accumulate);
            }
        }
        for (; m < rows; m++) {
            tail(a, aOff + m * aRow, aCol, b, bOff, bRow, c, cOff + m * cRow, inner, 0, cols, accumulate);
        }
    }

    /** Eight rows of c: blocks of 8 rows × 2 vectors over the whole inner dimension, the rest four rows at a time. */
    private static void rows8(double[] a, int ar, int aRow, int aCol, double[] b, int bOff, int bRow,
                              double[] c, int c0, int cRow, int inner, int cols, boolean accumulate) {
        final int l = LANES;
        int j = 0;
        for (; j + 2 * l <= cols; j += 2 * l) {
            DoubleVector x00, x01, x10, x11, x20, x21, x30, x31, x40, x41, x50, x51, x60, x61, x70, x71;
            if (accumulate) {
                x00 = DoubleVector.fromArray(S, c, c0 + 0 * cRow + j);
                x01 = DoubleVector.fromArray(S, c, c0 + 0 * cRow + j + l);
                x10 = DoubleVector.fromArray(S, c, c0 + 1 * cRow + j);
                x11 = DoubleVector.fromArray(S, c, c0 + 1 * cRow + j + l);
                x20 = DoubleVector.fromArray(S, c, c0 + 2 * cRow + j);
                x21 = DoubleVector.fromArray(S, c, c0 + 2 * cRow + j + l);
                x30 = DoubleVector.fromArray(S, c, c0 + 3 * cRow + j);
                x31 = DoubleVector.fromArray(S, c, c0 + 3 * cRow + j + l);
                x40 = DoubleVector.fromArray(S, c, c0 + 4 * cRow + j);
                x41 = DoubleVector.fromArray(S, c, c0 + 4 * cRow + j + l);
                x50 = DoubleVector.fromArray(S, c, c0 + 5 * cRow + j);
                x51 = DoubleVector.fromArray(S, c, c0 + 5 * cRow + j + l);
                x60 = DoubleVector.fromArray(S, c, c0 + 6 * cRow + j);
                x61 = DoubleVector.fromArray(S, c, c0 + 6 * cRow + j + l);
                x70 = DoubleVector.fromArray(S, c, c0 + 7 * cRow + j);
                x71 = DoubleVector.fromArray(S, c, c0 + 7 * cRow + j + l);
            } else {
                x00 = DoubleVector.zero(S);
                x01 = x00;
                x10 = x00;
                x11 = x00;
                x20 = x00;
                x21 = x00;
                x30 = x00;
                x31 = x00;
                x40 = x00;
                x41 = x00;
                x50 = x00;
                x51 = x00;
                x60 = x00;
                x61 = x00;
                x70 = x00;
                x71 = x00;
            }
            for (int k = 0; k < inner; k++) {
                int br = bOff + k * bRow + j;
                DoubleVector b0 = DoubleVector.fromArray(S, b, br);
                DoubleVector b1 = DoubleVector.fromArray(S, b, br + l);
                int ak = ar + k * aCol;
                DoubleVector a0 = DoubleVector.broadcast(S, a[ak + 0 * aRow]);
                x00 = a0.fma(b0, x00);
                x01 = a0.fma(b1, x01);
                DoubleVector a1 = DoubleVector.broadcast(S, a[ak + 1 * aRow]);
                x10 = a1.fma(b0, x10);
                x11 = a1.fma(b1, x11);
                DoubleVector a2 = DoubleVector.broadcast(S, a[ak + 2 * aRow]);
                x20 = a2.fma(b0, x20);
                x21 = a2.fma(b1, x21);
                DoubleVector a3 = DoubleVector.broadcast(S, a[ak + 3 * aRow]);
                x30 = a3.fma(b0, x30);
                x31 = a3.fma(b1, x31);
                DoubleVector a4 = DoubleVector.broadcast(S, a[ak + 4 * aRow]);
                x40 = a4.fma(b0, x40);
                x41 = a4.fma(b1, x41);
                DoubleVector a5 = DoubleVector.broadcast(S, a[ak + 5 * aRow]);
                x50 = a5.fma(b0, x50);
                x51 = a5.fma(b1, x51);
                DoubleVector a6 = DoubleVector.broadcast(S, a[ak + 6 * aRow]);
                x60 = a6.fma(b0, x60);
                x61 = a6.fma(b1, x61);
                DoubleVector a7 = DoubleVector.broadcast(S, a[ak + 7 * aRow]);
                x70 = a7.fma(b0, x70);
                x71 = a7.fma(b1, x71);
            }
            x00.intoArray(c, c0 + 0 * cRow + j);
            x01.intoArray(c, c0 + 0 * cRow + j + l);
            x10.intoArray(c, c0 + 1 * cRow + j);
            x11.intoArray(c, c0 + 1 * cRow + j + l);
            x20.intoArray(c, c0 + 2 * cRow + j);
            x21.intoArray(c, c0 + 2 * cRow + j + l);
            x30.intoArray(c, c0 + 3 * cRow + j);
            x31.intoArray(c, c0 + 3 * cRow + j + l);
            x40.intoArray(c, c0 + 4 * cRow + j);
            x41.intoArray(c, c0 + 4 * cRow + j + l);
            x50.intoArray(c, c0 + 5 * cRow + j);
            x51.intoArray(c, c0 + 5 * cRow + j + l);
            x60.intoArray(c, c0 + 6 * cRow + j);
            x61.intoArray(c, c0 + 6 * cRow + j + l);
            x70.intoArray(c, c0 + 7 * cRow + j);
            x71.intoArray(c, c0 + 7 * cRow + j + l);
        }
        if (j < cols) {
            // the columns left, four rows at a time
            mm(a, ar, aRow, aCol, b, bOff + j, bRow, c, c0 + j, cRow, 4, inner, cols - j, accumulate);
            mm(a, ar + 4 * aRow, aRow, aCol, b, bOff + j, bRow, c, c0 + 4 * cRow + j, cRow, 4, inner, cols - j, accumulate);
        }
    }

    /** One row of c, columns [j0, cols): two vectors, then one, then single elements. */
    private static void tail(double[] a, int ar, int aCol, double[] b, int bOff, int bRow,
                             double[] c, int cr, int inner, int j0, int cols, boolean accumulate) {
        final int l = LANES;
        int j = j0;
        for (; j + 2 * l <= cols; j += 2 * l) {
            DoubleVector x0 = accumulate ? DoubleVector.fromArray(S, c, cr + j) : DoubleVector.zero(S);
            DoubleVector x1 = accumulate ? DoubleVector.fromArray(S, c, cr + j + l) : DoubleVector.zero(S);
            for (int k = 0; k < inner; k++) {
                int br = bOff + k * bRow + j;
                DoubleVector av = DoubleVector.broadcast(S, a[ar + k * aCol]);
                x0 = av.fma(DoubleVector.fromArray(S, b, br), x0);
                x1 = av.fma(DoubleVector.fromArray(S, b, br + l), x1);
            }
            x0.intoArray(c, cr + j);
            x1.intoArray(c, cr + j + l);
        }
        for (; j + l <= cols; j += l) {
            DoubleVector x0 = accumulate ? DoubleVector.fromArray(S, c, cr + j) : DoubleVector.zero(S);
            for (int k = 0; k < inner; k++) {
                DoubleVector av = DoubleVector.broadcast(S, a[ar + k * aCol]);
                x0 = av.fma(DoubleVector.fromArray(S, b, bOff + k * bRow + j), x0);
            }
            x0.intoArray(c, cr + j);
        }
        for (; j < cols; j++) {
            double x = accumulate ? c[cr + j] : 0.0;
            for (int k = 0; k < inner; k++) {
                x = Math.fma(a[ar + k * aCol], b[bOff + k * bRow + j], x);
            }
            c[cr + j] = x;
        }
    }
}
