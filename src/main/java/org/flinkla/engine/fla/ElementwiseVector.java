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

    /**
     * {@link Exp#exp} in every lane. Written compactly on purpose: C2 inlines a hot method only
     * below 325 bytecodes, and a vector that crosses a call that is not inlined is allocated.
     */
    static DoubleVector exp(DoubleVector x) {
        DoubleVector xc = x.blend(Exp.LO, x.lt(Exp.LO));
        xc = xc.blend(Exp.HI, xc.compare(VectorOperators.GT, Exp.HI));
        DoubleVector t = xc.fma(Exp.LOG2E, Exp.SHIFT);
        DoubleVector n = t.sub(Exp.SHIFT);
        DoubleVector r = n.fma(LN2_LO, n.fma(LN2_HI, xc));
        DoubleVector p = r.fma(C13, C12).fma(r, C11).fma(r, C10).fma(r, C9).fma(r, C8).fma(r, C7)
                .fma(r, C6).fma(r, C5).fma(r, C4).fma(r, C3).fma(r, C2);
        DoubleVector er = p.fma(r.mul(r), r).add(1.0);
        LongVector k = t.reinterpretAsLongs().sub(Exp.SHIFT_BITS);
        LongVector k1 = k.lanewise(VectorOperators.ASHR, 1);
        return er.mul(k1.add(1023).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles())
                .mul(k.sub(k1).add(1023).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles());
    }

    /** {@link Exp#sigmoid} in every lane: num/(1 + e), e = exp(−|x|), num = 1 where x ≥ 0 else e. */
    static DoubleVector sigmoid(DoubleVector x) {
        DoubleVector e = exp(x.abs().neg());
        DoubleVector num = e.blend(1.0, x.compare(VectorOperators.GE, 0.0));
        return num.div(e.add(1.0));
    }

    /** {@link Exp#silu} in every lane. */
    static DoubleVector silu(DoubleVector x) {
        return x.mul(sigmoid(x));
    }

    /** y[i] ← {@link Exp#exp}(x[i]); y may be x. */
    static void exp(double[] x, int xOff, int n, double[] y, int yOff) {
        int end = S.loopBound(n);
        int i = 0;
        for (; i < end; i += S.length()) {
            exp(DoubleVector.fromArray(S, x, xOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] = Exp.exp(x[xOff + i]);
        }
    }

    /** y[i] ← {@link Exp#sigmoid}(x[i]); y may be x. */
    static void sigmoid(double[] x, int xOff, int n, double[] y, int yOff) {
        int end = S.loopBound(n);
        int i = 0;
        for (; i < end; i += S.length()) {
            sigmoid(DoubleVector.fromArray(S, x, xOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] = Exp.sigmoid(x[xOff + i]);
        }
    }

    /** {@link FlaMath#siluPlain}: a[i] ← silu(a[i]). */
    static void silu(double[] a, int off, int n) {
        int end = S.loopBound(n);
        int i = 0;
        for (; i < end; i += S.length()) {
            silu(DoubleVector.fromArray(S, a, off + i)).intoArray(a, off + i);
        }
        for (; i < n; i++) {
            a[off + i] = Exp.silu(a[off + i]);
        }
    }

    /** {@link FlaMath#swigluPlain}: a[i] ← silu(a[i])·b[i]. */
    static void swiglu(double[] a, int aOff, double[] b, int bOff, int n) {
        int end = S.loopBound(n);
        int i = 0;
        for (; i < end; i += S.length()) {
            silu(DoubleVector.fromArray(S, a, aOff + i)).mul(DoubleVector.fromArray(S, b, bOff + i))
                    .intoArray(a, aOff + i);
        }
        for (; i < n; i++) {
            a[aOff + i] = Exp.silu(a[aOff + i]) * b[bOff + i];
        }
    }

    /** {@link FlaMath#gatePlain}: o[i] ← o[i]·silu(g[i]). */
    static void gate(double[] o, int oOff, double[] g, int gOff, int n) {
        int end = S.loopBound(n);
        int i = 0;
        for (; i < end; i += S.length()) {
            DoubleVector.fromArray(S, o, oOff + i).mul(silu(DoubleVector.fromArray(S, g, gOff + i)))
                    .intoArray(o, oOff + i);
        }
        for (; i < n; i++) {
            o[oOff + i] = o[oOff + i] * Exp.silu(g[gOff + i]);
        }
    }

    /** x[i] ← x[i]·c. */
    static void scale(double[] x, int off, int n, double c) {
        int end = S.loopBound(n);
        int i = 0;
        for (; i < end; i += S.length()) {
            DoubleVector.fromArray(S, x, off + i).mul(c).intoArray(x, off + i);
        }
        for (; i < n; i++) {
            x[off + i] *= c;
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
