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

/**
 * A deterministic e^x for float64 written only with +, −, ×, {@link Math#fma}, comparisons and
 * bit operations, so that {@link ElementwiseVector} computes the very same operations lane by lane and
 * gives the same bits for every input (the plain and the Vector API kernels of the FLA layers
 * agree bit for bit; {@link Math#exp} is a JIT intrinsic whose result is only specified to
 * within 1 ulp and has no vector form).
 *
 * <p>Method (Cody–Waite range reduction, Taylor polynomial, scaling through the exponent bits):
 * <ol>
 *   <li>x is clamped to [−746, 710] (a comparison each way; NaN passes unchanged). Outside that
 *       interval e^x is 0 resp. +∞ in float64, and the clamped value still gives 0 resp. +∞
 *       below, so ±∞ and overflow/underflow need no branch.</li>
 *   <li>n = round(x·log₂e) by adding 1.5·2⁵² in one fma (n then sits in the low bits of the sum),
 *       r = x − n·ln2 with ln2 = LN2_HI + LN2_LO in two fmas; the first is exact, so r carries
 *       one rounding, |r| ≤ ln2/2 (plus an ulp).</li>
 *   <li>e^r = 1 + (r + r²·p(r)) with p the Taylor polynomial of (e^r − 1 − r)/r² up to r¹¹
 *       (terms to r¹³/13!: truncation below 5·10⁻¹⁸ relative), by Horner with fma.</li>
 *   <li>e^x = e^r·2^⌊n/2⌋·2^(n−⌊n/2⌋), both powers built from exponent bits: two factors so that
 *       n from −1076 to 1024 needs no special case; the first product is exact, the second rounds
 *       once, also into the subnormal range (gradual underflow, no flush) and to +∞ on
 *       overflow.</li>
 * </ol>
 *
 * <p>Accuracy: within 1 ulp of {@link StrictMath#exp} over [−745, 710] ({@code ExpTest}), results
 * in the subnormal range within 1 ulp of their spacing; against the exact value (40-digit
 * reference on 40,000 inputs) at most 0.96 ulp, StrictMath there 0.82. The error is the final
 * rounding of 1 + (e^r − 1) plus the roundings of r and of e^r − 1 (about 0.5 + 0.25 + 0.2 ulp at
 * worst); the polynomial's own error is below 0.03 ulp. exp(±0) = 1, exp(−∞) = 0, exp(+∞) = +∞,
 * exp(NaN) is NaN (its bits unspecified, as for any computed NaN in Java).
 */
final class Exp {
    private Exp() {}

    /** Below this, e^x rounds to 0 (e^−746 &lt; 2^−1076); the clamp keeps n in range. */
    static final double LO = -746.0;
    /** Above this, e^x is +∞ (e^710 &gt; Double.MAX_VALUE). */
    static final double HI = 710.0;
    static final double LOG2E = 0x1.71547652b82fep0;
    /** 1.5·2⁵²: adding it rounds to an integer held in the low mantissa bits. */
    static final double SHIFT = 0x1.8p52;
    static final long SHIFT_BITS = Double.doubleToRawLongBits(SHIFT);
    /** ln2 rounded to float64, and the rest ln2 − LN2_HI rounded. */
    static final double LN2_HI = 0x1.62e42fefa39efp-1;
    static final double LN2_LO = 0x1.abc9e3b39803fp-56;
    /** 1/k! for k = 2 … 13, correctly rounded. */
    static final double C2 = 0x1.0p-1;
    static final double C3 = 0x1.5555555555555p-3;
    static final double C4 = 0x1.5555555555555p-5;
    static final double C5 = 0x1.1111111111111p-7;
    static final double C6 = 0x1.6c16c16c16c17p-10;
    static final double C7 = 0x1.a01a01a01a01ap-13;
    static final double C8 = 0x1.a01a01a01a01ap-16;
    static final double C9 = 0x1.71de3a556c734p-19;
    static final double C10 = 0x1.27e4fb7789f5cp-22;
    static final double C11 = 0x1.ae64567f544e4p-26;
    static final double C12 = 0x1.1eed8eff8d898p-29;
    static final double C13 = 0x1.6124613a86d09p-33;

    /** e^x as described in the class comment. */
    static double exp(double x) {
        double xc = x < LO ? LO : x;
        xc = xc > HI ? HI : xc;
        double t = Math.fma(xc, LOG2E, SHIFT);
        double n = t - SHIFT;
        double r = Math.fma(n, -LN2_HI, xc);
        r = Math.fma(n, -LN2_LO, r);
        double p = Math.fma(C13, r, C12);
        p = Math.fma(p, r, C11);
        p = Math.fma(p, r, C10);
        p = Math.fma(p, r, C9);
        p = Math.fma(p, r, C8);
        p = Math.fma(p, r, C7);
        p = Math.fma(p, r, C6);
        p = Math.fma(p, r, C5);
        p = Math.fma(p, r, C4);
        p = Math.fma(p, r, C3);
        p = Math.fma(p, r, C2);
        double er = 1.0 + Math.fma(p, r * r, r);
        long k = Double.doubleToRawLongBits(t) - SHIFT_BITS;
        long k1 = k >> 1;
        long k2 = k - k1;
        double s1 = Double.longBitsToDouble((k1 + 1023) << 52);
        double s2 = Double.longBitsToDouble((k2 + 1023) << 52);
        return er * s1 * s2;
    }

    /**
     * σ(x) = 1/(1 + e^−x) for x ≥ 0, e^x/(1 + e^x) below (neither overflows), written as
     * num/(1 + e) with e = exp(−|x|) and num = 1 or e: the same values, no branch.
     */
    static double sigmoid(double x) {
        double e = exp(-Math.abs(x));
        double num = x >= 0 ? 1.0 : e;
        return num / (1.0 + e);
    }

    /** SiLU x·σ(x). */
    static double silu(double x) {
        return x * sigmoid(x);
    }
}
