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
     * Every kernel below spells out {@link Exp#exp} lane by lane in its own loop instead of calling
     * a helper on vectors. With helpers (exp, sigmoid, silu of a DoubleVector), C2 at times
     * compiled them on their own and did not inline them where they were called: the vectors
     * crossing those calls were allocated and their operations ran the Vector API's Java fallback
     * (allocation profiles of the benchmark model, mostly with 4-lane vectors: several hundred KB
     * per token, depending on the compile queue's timing). exp: clamp x to [LO, HI];
     * n = round(x·log2 e) by the shift constant; r = x − n·ln2 in two fmas; e^r by the degree-13
     * polynomial; times 2^⌊n/2⌋·2^(n−⌊n/2⌋): the operations of {@link Exp#exp}, in its order.
     */

    /** y[i] ← {@link Exp#exp}(x[i]); y may be x. */
    static void exp(double[] x, int xOff, int n, double[] y, int yOff) {
        int end = S.loopBound(n);
        int i = 0;
        for (; i < end; i += S.length()) {
            DoubleVector v = DoubleVector.fromArray(S, x, xOff + i);
            DoubleVector xc = v.blend(Exp.LO, v.lt(Exp.LO));
            xc = xc.blend(Exp.HI, xc.compare(VectorOperators.GT, Exp.HI));
            DoubleVector tv = xc.fma(Exp.LOG2E, Exp.SHIFT);
            DoubleVector nv = tv.sub(Exp.SHIFT);
            DoubleVector rv = nv.fma(LN2_LO, nv.fma(LN2_HI, xc));
            DoubleVector pv = rv.fma(C13, C12).fma(rv, C11).fma(rv, C10).fma(rv, C9).fma(rv, C8).fma(rv, C7)
                    .fma(rv, C6).fma(rv, C5).fma(rv, C4).fma(rv, C3).fma(rv, C2);
            LongVector kv = tv.reinterpretAsLongs().sub(Exp.SHIFT_BITS);
            LongVector kh = kv.lanewise(VectorOperators.ASHR, 1);
            DoubleVector e = pv.fma(rv.mul(rv), rv).add(1.0)
                    .mul(kh.add(1023).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles())
                    .mul(kv.sub(kh).add(1023).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles());
            e.intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] = Exp.exp(x[xOff + i]);
        }
    }

    /** y[i] ← {@link Exp#sigmoid}(x[i]) = num/(1 + e), e = exp(−|x|), num = 1 where x ≥ 0 else e; y may be x. */
    static void sigmoid(double[] x, int xOff, int n, double[] y, int yOff) {
        int end = S.loopBound(n);
        int i = 0;
        for (; i < end; i += S.length()) {
            DoubleVector v = DoubleVector.fromArray(S, x, xOff + i);
            DoubleVector ax = v.abs().neg();
            DoubleVector xc = ax.blend(Exp.LO, ax.lt(Exp.LO));
            xc = xc.blend(Exp.HI, xc.compare(VectorOperators.GT, Exp.HI));
            DoubleVector tv = xc.fma(Exp.LOG2E, Exp.SHIFT);
            DoubleVector nv = tv.sub(Exp.SHIFT);
            DoubleVector rv = nv.fma(LN2_LO, nv.fma(LN2_HI, xc));
            DoubleVector pv = rv.fma(C13, C12).fma(rv, C11).fma(rv, C10).fma(rv, C9).fma(rv, C8).fma(rv, C7)
                    .fma(rv, C6).fma(rv, C5).fma(rv, C4).fma(rv, C3).fma(rv, C2);
            LongVector kv = tv.reinterpretAsLongs().sub(Exp.SHIFT_BITS);
            LongVector kh = kv.lanewise(VectorOperators.ASHR, 1);
            DoubleVector e = pv.fma(rv.mul(rv), rv).add(1.0)
                    .mul(kh.add(1023).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles())
                    .mul(kv.sub(kh).add(1023).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles());
            DoubleVector sg = e.blend(1.0, v.compare(VectorOperators.GE, 0.0)).div(e.add(1.0));
            sg.intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] = Exp.sigmoid(x[xOff + i]);
        }
    }

    /** {@link FlaMath#siluPlain}: a[i] ← silu(a[i]) = a[i]·σ(a[i]). */
    static void silu(double[] a, int off, int n) {
        int end = S.loopBound(n);
        int i = 0;
        for (; i < end; i += S.length()) {
            DoubleVector v = DoubleVector.fromArray(S, a, off + i);
            DoubleVector ax = v.abs().neg();
            DoubleVector xc = ax.blend(Exp.LO, ax.lt(Exp.LO));
            xc = xc.blend(Exp.HI, xc.compare(VectorOperators.GT, Exp.HI));
            DoubleVector tv = xc.fma(Exp.LOG2E, Exp.SHIFT);
            DoubleVector nv = tv.sub(Exp.SHIFT);
            DoubleVector rv = nv.fma(LN2_LO, nv.fma(LN2_HI, xc));
            DoubleVector pv = rv.fma(C13, C12).fma(rv, C11).fma(rv, C10).fma(rv, C9).fma(rv, C8).fma(rv, C7)
                    .fma(rv, C6).fma(rv, C5).fma(rv, C4).fma(rv, C3).fma(rv, C2);
            LongVector kv = tv.reinterpretAsLongs().sub(Exp.SHIFT_BITS);
            LongVector kh = kv.lanewise(VectorOperators.ASHR, 1);
            DoubleVector e = pv.fma(rv.mul(rv), rv).add(1.0)
                    .mul(kh.add(1023).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles())
                    .mul(kv.sub(kh).add(1023).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles());
            DoubleVector sg = e.blend(1.0, v.compare(VectorOperators.GE, 0.0)).div(e.add(1.0));
            v.mul(sg).intoArray(a, off + i);
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
            DoubleVector v = DoubleVector.fromArray(S, a, aOff + i);
            DoubleVector ax = v.abs().neg();
            DoubleVector xc = ax.blend(Exp.LO, ax.lt(Exp.LO));
            xc = xc.blend(Exp.HI, xc.compare(VectorOperators.GT, Exp.HI));
            DoubleVector tv = xc.fma(Exp.LOG2E, Exp.SHIFT);
            DoubleVector nv = tv.sub(Exp.SHIFT);
            DoubleVector rv = nv.fma(LN2_LO, nv.fma(LN2_HI, xc));
            DoubleVector pv = rv.fma(C13, C12).fma(rv, C11).fma(rv, C10).fma(rv, C9).fma(rv, C8).fma(rv, C7)
                    .fma(rv, C6).fma(rv, C5).fma(rv, C4).fma(rv, C3).fma(rv, C2);
            LongVector kv = tv.reinterpretAsLongs().sub(Exp.SHIFT_BITS);
            LongVector kh = kv.lanewise(VectorOperators.ASHR, 1);
            DoubleVector e = pv.fma(rv.mul(rv), rv).add(1.0)
                    .mul(kh.add(1023).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles())
                    .mul(kv.sub(kh).add(1023).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles());
            DoubleVector sg = e.blend(1.0, v.compare(VectorOperators.GE, 0.0)).div(e.add(1.0));
            v.mul(sg).mul(DoubleVector.fromArray(S, b, bOff + i)).intoArray(a, aOff + i);
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
            DoubleVector v = DoubleVector.fromArray(S, g, gOff + i);
            DoubleVector ax = v.abs().neg();
            DoubleVector xc = ax.blend(Exp.LO, ax.lt(Exp.LO));
            xc = xc.blend(Exp.HI, xc.compare(VectorOperators.GT, Exp.HI));
            DoubleVector tv = xc.fma(Exp.LOG2E, Exp.SHIFT);
            DoubleVector nv = tv.sub(Exp.SHIFT);
            DoubleVector rv = nv.fma(LN2_LO, nv.fma(LN2_HI, xc));
            DoubleVector pv = rv.fma(C13, C12).fma(rv, C11).fma(rv, C10).fma(rv, C9).fma(rv, C8).fma(rv, C7)
                    .fma(rv, C6).fma(rv, C5).fma(rv, C4).fma(rv, C3).fma(rv, C2);
            LongVector kv = tv.reinterpretAsLongs().sub(Exp.SHIFT_BITS);
            LongVector kh = kv.lanewise(VectorOperators.ASHR, 1);
            DoubleVector e = pv.fma(rv.mul(rv), rv).add(1.0)
                    .mul(kh.add(1023).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles())
                    .mul(kv.sub(kh).add(1023).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles());
            DoubleVector sg = e.blend(1.0, v.compare(VectorOperators.GE, 0.0)).div(e.add(1.0));
            DoubleVector.fromArray(S, o, oOff + i).mul(v.mul(sg)).intoArray(o, oOff + i);
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
