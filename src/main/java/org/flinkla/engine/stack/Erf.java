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

import java.math.BigDecimal;
import java.math.MathContext;

/**
 * The error function to full double precision (a few ulp; {@code ErfTest} checks it against
 * 50-digit values of mpmath), for the exact GELU of PyTorch ({@code approximate='none'}):
 * gelu(x) = x·Φ(x) = ½·x·(1 + erf(x/√2)).
 *
 * <ul>
 *   <li>|x| &lt; 0.5: the Maclaurin series erf(x) = (2/√π) Σ_n (−1)ⁿ x^(2n+1) / (n!·(2n+1)),
 *       13 terms (the last is below 1e-17 of the first).</li>
 *   <li>0.5 ≤ x &lt; 6: erfc(x) = exp(−x²)·erfcx(x), with erfcx (the scaled complement) as a
 *       degree-15 Taylor polynomial around the nearest of 22 centres 0.625, 0.875, …, 5.875
 *       (|x − c| ≤ 1/8). erfcx solves y' = 2x·y − 2/√π, so its Taylor coefficients around c
 *       follow from y(c) by (k+1)·a_{k+1} = 2c·a_k + 2·a_{k−1} − (2/√π)·[k = 0]. y at the top centre
 *       comes from the continued fraction below, and each lower centre's from the series of the
 *       one above (integrating downwards, where the ODE is stable); all of this is done once in
 *       40-digit decimal arithmetic and rounded to double. exp(−x²) gets x² as hi + lo (Dekker's
 *       exact square) so the rounding of x² does not enter (it would cost x²·2⁻⁵³ relative).
 *       erf = 1 − erfc there (erfc ≤ 0.48, no cancellation).</li>
 *   <li>x ≥ 6: erf = 1 (erfc(6) ≈ 2e-17 is below half an ulp of 1); erfc from the continued
 *       fraction erfcx(x) = 1 / (√π·(x + (1/2)/(x + 1/(x + (3/2)/(x + …))))), 30 terms.</li>
 *   <li>Negative arguments: erf(−x) = −erf(x), erfc(−x) = 1 + erf(x).</li>
 * </ul>
 *
 * <p>Thread-safe, allocation-free; the tables are built once when the class loads.
 */
public final class Erf {
    /** 2/√π. */
    static final double TWO_OVER_SQRT_PI = 1.1283791670955126;
    /** 1/√2 as PyTorch's GELU kernel uses it (M_SQRT1_2). */
    static final double SQRT1_2 = 0.7071067811865476;
    /** 1/√π. */
    private static final double INV_SQRT_PI = 0.5641895835477563;

    private static final int SMALL_TERMS = 13;
    /** (−1)ⁿ / (n!·(2n+1)), n = 0..12: n!·(2n+1) is an exact double, so each is correctly rounded. */
    private static final double[] SMALL = new double[SMALL_TERMS];

    private static final double MID_LO = 0.5;
    private static final double MID_HI = 6.0;
    private static final double STEP = 0.25;
    private static final int CENTRES = 22;
    private static final int TERMS = 16;
    /** Taylor coefficients of erfcx, centre j at MID_LO + STEP/2 + j·STEP: TAYLOR[j·TERMS + k]. */
    private static final double[] TAYLOR = new double[CENTRES * TERMS];

    private static final int CF_TERMS = 30;

    static {
        double fact = 1;
        for (int n = 0; n < SMALL_TERMS; n++) {
            if (n > 0) {
                fact *= n;
            }
            SMALL[n] = (n % 2 == 0 ? 1.0 : -1.0) / (fact * (2 * n + 1));
        }
        buildTaylor();
    }

    private Erf() {}

    /** erfcx Taylor tables in 40-digit decimals (see the class comment). */
    private static void buildTaylor() {
        MathContext mc = new MathContext(40);
        BigDecimal pi = new BigDecimal("3.14159265358979323846264338327950288419716939937510582");
        BigDecimal sqrtPi = pi.sqrt(mc);
        BigDecimal twoOverSqrtPi = BigDecimal.valueOf(2).divide(sqrtPi, mc);
        // propagation needs more terms than evaluation: the step is twice the evaluation radius
        int k = 48;
        double top = MID_LO + STEP / 2 + (CENTRES - 1) * STEP;
        BigDecimal c = new BigDecimal(top);
        // erfcx(top) from the continued fraction, evaluated from its tail (400 terms: far past 40 digits at x ≈ 6)
        BigDecimal f = c;
        for (int j = 400; j >= 1; j--) {
            f = c.add(BigDecimal.valueOf(j).divide(BigDecimal.valueOf(2), mc).divide(f, mc), mc);
        }
        BigDecimal y = BigDecimal.ONE.divide(sqrtPi.multiply(f, mc), mc);
        BigDecimal step = new BigDecimal(-STEP);
        BigDecimal[] a = new BigDecimal[k];
        for (int j = CENTRES - 1; j >= 0; j--) {
            c = new BigDecimal(MID_LO + STEP / 2 + j * STEP);
            BigDecimal twoC = c.multiply(BigDecimal.valueOf(2), mc);
            a[0] = y;
            a[1] = twoC.multiply(y, mc).subtract(twoOverSqrtPi, mc);
            for (int n = 1; n + 1 < k; n++) {
                a[n + 1] = twoC.multiply(a[n], mc).add(a[n - 1].multiply(BigDecimal.valueOf(2), mc), mc)
                        .divide(BigDecimal.valueOf(n + 1), mc);
            }
            for (int n = 0; n < TERMS; n++) {
                TAYLOR[j * TERMS + n] = a[n].doubleValue();
            }
            // y at the next centre below: Σ a_n·(−STEP)ⁿ
            BigDecimal s = BigDecimal.ZERO;
            for (int n = k - 1; n >= 0; n--) {
                s = s.multiply(step, mc).add(a[n], mc);
            }
            y = s;
        }
    }

    /** erf(x). */
    public static double erf(double x) {
        double a = Math.abs(x);
        if (a < MID_LO) {
            return small(x);
        }
        if (a >= MID_HI) {
            return a == a ? Math.copySign(1.0, x) : x;
        }
        return Math.copySign(1.0 - mid(a), x);
    }

    /** erfc(x) = 1 − erf(x), accurate also where it is tiny. */
    public static double erfc(double x) {
        if (x < MID_LO) {
            if (x > -MID_LO) {
                return 1.0 - small(x);
            }
            return 1.0 + erf(-x); // erfc(−a) = 1 + erf(a) ∈ (1, 2]
        }
        if (x < MID_HI) {
            return mid(x);
        }
        if (x == Double.POSITIVE_INFINITY) {
            return 0.0;
        }
        if (x != x) {
            return x;
        }
        // continued fraction from its tail: f = x + (1/2)/(x + 1/(x + (3/2)/(x + …)))
        double f = x;
        for (int j = CF_TERMS; j >= 1; j--) {
            f = x + (0.5 * j) / f;
        }
        return expMinusSquare(x) * (INV_SQRT_PI / f);
    }

    /**
     * The exact GELU: gelu(x) = x·½·(1 + erf(x/√2)) (PyTorch computes this expression; for x &lt; 0
     * it is evaluated as x·½·erfc(|x|/√2), the same value without the cancellation of 1 + erf).
     */
    public static double gelu(double x) {
        if (x >= 0) {
            return x * 0.5 * (1.0 + erf(x * SQRT1_2));
        }
        return x * 0.5 * erfc(-x * SQRT1_2);
    }

    /** Maclaurin series, |x| &lt; 0.5. */
    private static double small(double x) {
        double x2 = x * x;
        double p = SMALL[SMALL_TERMS - 1];
        for (int n = SMALL_TERMS - 2; n >= 0; n--) {
            p = p * x2 + SMALL[n];
        }
        return TWO_OVER_SQRT_PI * (x * p);
    }

    /** erfc(x) for 0.5 ≤ x &lt; 6: exp(−x²) times the erfcx Taylor polynomial of the nearest centre. */
    private static double mid(double x) {
        int j = (int) ((x - MID_LO) * (1.0 / STEP));
        if (j >= CENTRES) {
            j = CENTRES - 1;
        }
        double t = x - (MID_LO + STEP / 2 + j * STEP); // exact (Sterbenz: x and the centre are within a factor 2)
        int base = j * TERMS;
        double p = TAYLOR[base + TERMS - 1];
        for (int n = TERMS - 2; n >= 0; n--) {
            p = p * t + TAYLOR[base + n];
        }
        return expMinusSquare(x) * p;
    }

    /**
     * exp(−x²) with x² = hi + lo exactly (Dekker: x split into two halves of 26 and 27 bits whose
     * products are exact): exp(−hi)·(1 − lo), lo below half an ulp of hi.
     */
    private static double expMinusSquare(double x) {
        double hi = x * x;
        double xh = Double.longBitsToDouble(Double.doubleToRawLongBits(x) & 0xFFFFFFFFF8000000L);
        double xl = x - xh;
        double lo = ((xh * xh - hi) + 2.0 * xh * xl) + xl * xl;
        return Math.exp(-hi) * (1.0 - lo);
    }
}
