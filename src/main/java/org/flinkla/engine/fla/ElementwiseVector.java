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
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The per-token elementwise work of the FLA layers with the JDK Vector API (incubating in Java 17:
 * used only when the JVM runs with {@code --add-modules jdk.incubator.vector}, see
 * {@code VectorSupport}; nothing else may load this class): {@link Exp#exp} lane by lane with the
 * same operations in the same order (fma where the plain version has {@link Math#fma}, nowhere
 * else), so every kernel gives the bits of its plain loop in {@link FlaMath}. The lanes past the
 * last full vector run the plain scalar function.
 */
final class ElementwiseVector {
    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;

    private ElementwiseVector() {}

    private static final DoubleVector LN2_HI = bc(-Exp.LN2_HI);
    private static final DoubleVector LN2_LO = bc(-Exp.LN2_LO);
    private static final DoubleVector C2 = bc(Exp.C2);
    private static final DoubleVector C3 = bc(Exp.C3);
    private static final DoubleVector C4 = bc(Exp.C4);
    private static final DoubleVector C5 = bc(Exp.C5);
    private static final DoubleVector C6 = bc(Exp.C6);
    private static final DoubleVector C7 = bc(Exp.C7);
    private static final DoubleVector C8 = bc(Exp.C8);
    private static final DoubleVector C9 = bc(Exp.C9);
    private static final DoubleVector C10 = bc(Exp.C10);
    private static final DoubleVector C11 = bc(Exp.C11);
    private static final DoubleVector C12 = bc(Exp.C12);
    private static final DoubleVector C13 = bc(Exp.C13);

    /*
     * Why each loop below spells out the whole exponential instead of calling a helper that takes
     * and returns a DoubleVector: C2 inlines such a helper only while it has no compiled code of
     * its own larger than InlineSmallCode, and the helpers, called from these loops' C1 code
     * early on, get compiled on their own first. The loops' C2 code then calls them: the vectors
     * crossing the calls are allocated, and with their exact class unknown the loops' own loads
     * and stores run the Vector API's Java fallback, for as long as that code lives (seen in a
     * profiled run of the demo: a third of the model thread's samples). Whether it happens
     * depends on the order of compilation. With nothing but the JDK's force-inlined vector
     * methods inside, each loop compiles to straight vector code.
     *
     * The exponential of a vector xc ≤ 0 (−|x| clamped below at LO), as Exp.exp computes it lane
     * by lane: t = xc·log₂e + SHIFT; m = t − SHIFT; r = (xc − m·LN2_HI) − m·LN2_LO;
     * p = Horner(C13 … C2) at r; e^r = (r + r²·p) + 1; k = bits(t) − bits(SHIFT), k1 = k >> 1;
     * e^x = e^r · 2^k1 · 2^(k − k1), both powers built in the exponent bits.
     */

    /** {@link FlaMath#siluPlain}: a[i] ← silu(a[i]) = a[i]·σ(a[i]). */
    static void silu(double[] a, int off, int n) {
        int end = S.loopBound(n);
        int i = 0;
        for (; i < end; i += S.length()) {
            DoubleVector v = DoubleVector.fromArray(S, a, off + i);
            DoubleVector xc = v.abs().neg();
            xc = xc.blend(Exp.LO, xc.lt(Exp.LO));
            DoubleVector t = xc.fma(Exp.LOG2E, Exp.SHIFT);
            DoubleVector m = t.sub(Exp.SHIFT);
            DoubleVector r = m.fma(LN2_LO, m.fma(LN2_HI, xc));
            DoubleVector p = r.fma(C13, C12).fma(r, C11).fma(r, C10).fma(r, C9).fma(r, C8).fma(r, C7)
                    .fma(r, C6).fma(r, C5).fma(r, C4).fma(r, C3).fma(r, C2);
            LongVector k = t.reinterpretAsLongs().sub(Exp.SHIFT_BITS);
            LongVector k1 = k.lanewise(VectorOperators.ASHR, 1);
            DoubleVector e = p.fma(r.mul(r), r).add(1.0)
                    .mul(k1.add(1023).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles())
                    .mul(k.sub(k1).add(1023).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles());
            v.mul(e.blend(1.0, v.compare(VectorOperators.GE, 0.0)).div(e.add(1.0))).intoArray(a, off + i);
        }
        for (; i < n; i++) {
            a[off + i] = Exp.silu(a[off + i]);
        }
    }

    /**
     * y[i] ← silu(a[i])·b[i] (y may be a or b). {@link FlaMath#swigluPlain} is (a, b, y = a);
     * {@link FlaMath#gatePlain}, o·silu(g), is (g, o, y = o): a product of two float64 numbers is
     * the same either way round.
     */
    static void siluTimes(double[] a, int aOff, double[] b, int bOff, double[] y, int yOff, int n) {
        int end = S.loopBound(n);
        int i = 0;
        for (; i < end; i += S.length()) {
            DoubleVector v = DoubleVector.fromArray(S, a, aOff + i);
            DoubleVector xc = v.abs().neg();
            xc = xc.blend(Exp.LO, xc.lt(Exp.LO));
            DoubleVector t = xc.fma(Exp.LOG2E, Exp.SHIFT);
            DoubleVector m = t.sub(Exp.SHIFT);
            DoubleVector r = m.fma(LN2_LO, m.fma(LN2_HI, xc));
            DoubleVector p = r.fma(C13, C12).fma(r, C11).fma(r, C10).fma(r, C9).fma(r, C8).fma(r, C7)
                    .fma(r, C6).fma(r, C5).fma(r, C4).fma(r, C3).fma(r, C2);
            LongVector k = t.reinterpretAsLongs().sub(Exp.SHIFT_BITS);
            LongVector k1 = k.lanewise(VectorOperators.ASHR, 1);
            DoubleVector e = p.fma(r.mul(r), r).add(1.0)
                    .mul(k1.add(1023).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles())
                    .mul(k.sub(k1).add(1023).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles());
            v.mul(e.blend(1.0, v.compare(VectorOperators.GE, 0.0)).div(e.add(1.0)))
                    .mul(DoubleVector.fromArray(S, b, bOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] = Exp.silu(a[aOff + i]) * b[bOff + i];
        }
    }

    /** y[i] ← (x[i]·r)·w[i]; y may be x. */
    static void scaleWeighted(double[] x, int xOff, int n, double r, double[] w, double[] y, int yOff) {
        int end = S.loopBound(n);
        int i = 0;
        for (; i < end; i += S.length()) {
            DoubleVector.fromArray(S, x, xOff + i).mul(r).mul(DoubleVector.fromArray(S, w, i))
                    .intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] = x[xOff + i] * r * w[i];
        }
    }

    /** y[i] ← x[i]·r; y may be x. */
    static void scaleInto(double[] x, int xOff, int n, double r, double[] y, int yOff) {
        int end = S.loopBound(n);
        int i = 0;
        for (; i < end; i += S.length()) {
            DoubleVector.fromArray(S, x, xOff + i).mul(r).intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] = x[xOff + i] * r;
        }
    }

    private static DoubleVector bc(double c) {
        return DoubleVector.broadcast(S, c);
    }
}
