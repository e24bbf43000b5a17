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
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The FLA mixers' dot products and delta-rule head with the JDK Vector API (incubating in Java
 * 17: used only when the JVM runs with {@code --add-modules jdk.incubator.vector}, see
 * {@code VectorSupport}; nothing else may load this class), the same bits as the scalar loops of
 * {@link FlaMath} and {@link FlaStepper}. The dense products are {@code engine.Gemm}'s.
 */
final class FlaVectorKernels {
    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    static final int LANES = S.length();

    private FlaVectorKernels() {}

    /** Lanes of the eight partial sums of {@link FlaMath#dot}: 8 doubles as one vector (AVX-512) or two (AVX2). */
    private static final VectorSpecies<Double> DOT = VectorSpecies.of(double.class, VectorShape.forBitSize(
            Math.min(LANES, 8) * 64));

    /** {@link FlaMath#dotScalar} with its eight partial sums in vector lanes: the same bits. */
    static double dot(double[] a, int aOff, double[] b, int bOff, int n) {
        int n8 = n & ~7;
        double s0, s1, s2, s3, s4, s5, s6, s7;
        if (DOT.length() == 8) {
            DoubleVector acc = DoubleVector.zero(DOT);
            for (int j = 0; j < n8; j += 8) {
                acc = acc.add(DoubleVector.fromArray(DOT, a, aOff + j).mul(DoubleVector.fromArray(DOT, b, bOff + j)));
            }
            s0 = acc.lane(0);
            s1 = acc.lane(1);
            s2 = acc.lane(2);
            s3 = acc.lane(3);
            s4 = acc.lane(4);
            s5 = acc.lane(5);
            s6 = acc.lane(6);
            s7 = acc.lane(7);
        } else if (DOT.length() == 4) {
            DoubleVector lo = DoubleVector.zero(DOT);
            DoubleVector hi = lo;
            for (int j = 0; j < n8; j += 8) {
                lo = lo.add(DoubleVector.fromArray(DOT, a, aOff + j).mul(DoubleVector.fromArray(DOT, b, bOff + j)));
                hi = hi.add(DoubleVector.fromArray(DOT, a, aOff + j + 4).mul(DoubleVector.fromArray(DOT, b, bOff + j + 4)));
            }
            s0 = lo.lane(0);
            s1 = lo.lane(1);
            s2 = lo.lane(2);
            s3 = lo.lane(3);
            s4 = hi.lane(0);
            s5 = hi.lane(1);
            s6 = hi.lane(2);
            s7 = hi.lane(3);
        } else {
            return FlaMath.dotScalar(a, aOff, b, bOff, n);
        }
        for (int j = n8; j < n; j++) {
            s0 += a[aOff + j] * b[bOff + j];
        }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }

    /** Whether {@link #deltaHead} applies: eight-lane vectors and rows of a multiple of 8. */
    static boolean deltaHeadApplies(int dk) {
        // Off in the stepper for now: on Java 17's C2 the vectors that meet after the float64/float32
        // choice in the row loop are boxed, and the head allocates ~60 KB per token (FlaStateTest's
        // allocation check). The kernel stays, tested for its bits, until it is split per precision.
        return false;
    }

    /** Whether the vector shapes {@link #deltaHead} needs exist on this machine (for its own tests). */
    static boolean deltaHeadSupported(int dk) {
        return DOT.length() == 8 && LANES == 8 && dk % 8 == 0;
    }

    /**
     * The delta-rule head of {@code FlaStepper.deltaHead} in vector registers (only when
     * {@link #deltaHeadApplies}): per row of S, x = a·S_row, u = β(v_i − x·k), S_row = x + u·k,
     * o_i = S_row·q, the dot products as {@link FlaMath#dot} (eight lanes = its eight partial sums);
     * the same bits as the scalar head. Exactly one of sd (float64 state) and sf (float32: widened,
     * stored rounded to nearest) is given.
     */
    static void deltaHead(double[] sd, float[] sf, int base, int dv, int dk, double a, double beta,
                          double[] p, int q, int k, int v, double[] o, int out) {
        for (int i = 0; i < dv; i++) {
            int r = base + i * dk;
            DoubleVector acc = DoubleVector.zero(DOT);
            for (int j = 0; j < dk; j += 8) {
                DoubleVector x = sd != null ? DoubleVector.fromArray(DOT, sd, r + j) : widen8(sf, r + j);
                if (a != 1.0) {
                    x = x.mul(a);
                }
                acc = acc.add(x.mul(DoubleVector.fromArray(DOT, p, k + j)));
            }
            double u = beta * (p[v + i] - tree(acc));
            acc = DoubleVector.zero(DOT);
            for (int j = 0; j < dk; j += 8) {
                DoubleVector x = sd != null ? DoubleVector.fromArray(DOT, sd, r + j) : widen8(sf, r + j);
                if (a != 1.0) {
                    x = x.mul(a);
                }
                DoubleVector kj = DoubleVector.fromArray(DOT, p, k + j);
                x = x.add(kj.mul(u));
                if (sd != null) {
                    x.intoArray(sd, r + j);
                } else {
                    ((FloatVector) x.convertShape(VectorOperators.D2F, F8, 0)).intoArray(sf, r + j);
                }
                acc = acc.add(x.mul(DoubleVector.fromArray(DOT, p, q + j)));
            }
            o[out + i] = tree(acc);
        }
    }

    private static final VectorSpecies<Float> F8 = VectorSpecies.of(float.class, VectorShape.forBitSize(256));

    private static DoubleVector widen8(float[] s, int i) {
        return (DoubleVector) FloatVector.fromArray(F8, s, i).convertShape(VectorOperators.F2D, DOT, 0);
    }

    /** ((l0 + l1) + (l2 + l3)) + ((l4 + l5) + (l6 + l7)) of an eight-lane vector. */
    private static double tree(DoubleVector acc) {
        return ((acc.lane(0) + acc.lane(1)) + (acc.lane(2) + acc.lane(3)))
                + ((acc.lane(4) + acc.lane(5)) + (acc.lane(6) + acc.lane(7)));
    }
}
