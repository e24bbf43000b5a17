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

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Arrays;
import java.util.Random;
import org.flinkla.engine.VectorSupport;
import org.junit.jupiter.api.Test;

/**
 * {@link Exp}: accuracy against {@link StrictMath#exp}, the special values, and the Vector API
 * kernels of {@link ElementwiseVector} giving the plain functions' bits for every input.
 */
class ExpTest {
    /** Inputs where range reduction, overflow, underflow or the sign matter. */
    static final double[] EDGES = {
        0.0, -0.0, 1.0, -1.0, 0.5, -0.5, Double.MIN_VALUE, -Double.MIN_VALUE, 1e-300, -1e-300, 1e-17, -1e-17,
        0.34657359027997264, -0.34657359027997264, 0.3465735902799727, Math.log(2), -Math.log(2), 20.0, 36.0, 37.0,
        -36.0, -37.0, 709.782712893384, Math.nextUp(709.782712893384), 709.0, 709.78, 710.0, 711.0, 1e10,
        -708.3964185322641, -708.4, -720.0, -744.44007192138122, -745.1332191019411, -745.1332191019412, -745.2,
        -746.0, -800.0, -1e10, Double.MAX_VALUE, -Double.MAX_VALUE, Double.POSITIVE_INFINITY,
        Double.NEGATIVE_INFINITY, Double.NaN, Double.longBitsToDouble(0x7ff8000000000123L),
        Double.longBitsToDouble(0xfff0000000000001L)
    };

    private static double ulps(double got, double want) {
        if (Double.doubleToRawLongBits(got) == Double.doubleToRawLongBits(want)) {
            return 0;
        }
        if (!Double.isFinite(got) || !Double.isFinite(want)) {
            return Double.POSITIVE_INFINITY;
        }
        return Math.abs(got - want) / Math.ulp(want);
    }

    @Test
    void withinOneUlpOfStrictMathOverTheWholeRange() {
        Random r = new Random(11);
        double worst = 0;
        double worstX = 0;
        for (int i = 0; i < 3_000_000; i++) {
            double x;
            switch (i % 3) {
                case 0:
                    x = -745.0 + 1455.0 * r.nextDouble();          // all of [-745, 710]
                    break;
                case 1:
                    x = (2 * r.nextDouble() - 1) * Math.pow(10, r.nextInt(6) - 4);   // near 0, many scales
                    break;
                default:
                    x = -745.0 + 37.0 * r.nextDouble();            // results in the subnormal range
                    break;
            }
            double u = ulps(Exp.exp(x), StrictMath.exp(x));
            if (u > worst) {
                worst = u;
                worstX = x;
            }
        }
        assertThat(worst).as("worst at x=%s", worstX).isLessThanOrEqualTo(1.0);
    }

    @Test
    void specialValues() {
        assertThat(Exp.exp(0.0)).isEqualTo(1.0);
        assertThat(Exp.exp(-0.0)).isEqualTo(1.0);
        assertThat(Exp.exp(Double.POSITIVE_INFINITY)).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(Exp.exp(Double.NEGATIVE_INFINITY)).isEqualTo(0.0);
        assertThat(Exp.exp(Double.NaN)).isNaN();
        assertThat(Exp.exp(709.782712893384)).isEqualTo(StrictMath.exp(709.782712893384)).isFinite();
        assertThat(Exp.exp(Math.nextUp(709.782712893384))).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(Exp.exp(1e10)).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(Exp.exp(-745.1332191019411)).isEqualTo(Double.MIN_VALUE);
        assertThat(Exp.exp(-745.1332191019412)).isEqualTo(0.0);
        assertThat(Exp.exp(-1e10)).isEqualTo(0.0);
        for (double x : EDGES) {
            if (!Double.isNaN(x)) {
                assertThat(ulps(Exp.exp(x), StrictMath.exp(x))).as("x=%s", x).isLessThanOrEqualTo(1.0);
            }
        }
        // the sigmoid's two halves, its saturation and its sign handling
        assertThat(Exp.sigmoid(0.0)).isEqualTo(0.5);
        assertThat(Exp.sigmoid(-0.0)).isEqualTo(0.5);
        assertThat(Exp.sigmoid(800.0)).isEqualTo(1.0);
        assertThat(Exp.sigmoid(-800.0)).isEqualTo(0.0);
        assertThat(Exp.sigmoid(Double.NaN)).isNaN();
        assertThat(Exp.silu(Double.NEGATIVE_INFINITY)).isNaN();   // −∞·0, as x·σ(x) in float64
        for (double x : new double[] {-30, -3.5, -1, -1e-9, 1e-9, 0.25, 2, 17}) {
            double want = x >= 0 ? 1 / (1 + StrictMath.exp(-x)) : StrictMath.exp(x) / (1 + StrictMath.exp(x));
            assertThat(Exp.sigmoid(x)).as("x=%s", x).isCloseTo(want, org.assertj.core.api.Assertions.within(4e-16 * want));
        }
    }

    private static double[] inputs(Random r, int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            switch (i % 4) {
                case 0:
                    x[i] = EDGES[r.nextInt(EDGES.length)];
                    break;
                case 1:
                    x[i] = -760.0 + 1480.0 * r.nextDouble();
                    break;
                case 2:
                    x[i] = 8 * r.nextGaussian();
                    break;
                default:
                    x[i] = Double.longBitsToDouble(r.nextLong());   // any bit pattern
                    break;
            }
        }
        return x;
    }

    private static void assertSameBits(double[] got, double[] want, String what) {
        for (int i = 0; i < want.length; i++) {
            if (Double.isNaN(want[i])) {
                // Java leaves the bits of a computed NaN open (the hardware picks an operand's)
                assertThat(got[i]).as("%s at %d", what, i).isNaN();
                continue;
            }
            assertThat(Double.doubleToRawLongBits(got[i])).as("%s at %d", what, i)
                    .isEqualTo(Double.doubleToRawLongBits(want[i]));
        }
    }

    @Test
    void vectorSiluHasThePlainBits() {
        assumeTrue(VectorSupport.enabled(), "needs --add-modules jdk.incubator.vector");
        Random r = new Random(12);
        for (int round = 0; round < 200; round++) {
            int n = 1 + r.nextInt(300);
            double[] x = inputs(r, n + 3);
            double[] a = x.clone();
            double[] b = x.clone();
            FlaMath.siluPlain(a, 3, n);
            ElementwiseVector.silu(b, 3, n);
            assertSameBits(b, a, "silu");
        }
    }

    @Test
    void vectorArrayKernelsHaveThePlainBits() {
        assumeTrue(VectorSupport.enabled(), "needs --add-modules jdk.incubator.vector");
        Random r = new Random(13);
        for (int n : new int[] {1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 64, 100, 256}) {
            double[] x = inputs(r, 2 * n + 5);
            double[] g = inputs(r, n + 2);
            // SwiGLU within one array, as the stepper lays out gate and up rows
            double[] a = x.clone();
            double[] b = x.clone();
            FlaMath.swigluPlain(a, 1, a, 1 + n, n);
            ElementwiseVector.siluTimes(b, 1, b, 1 + n, b, 1, n);
            assertSameBits(b, a, "swiglu n=" + n);
            a = x.clone();
            b = x.clone();
            FlaMath.gatePlain(a, 4, g, 2, n);
            ElementwiseVector.siluTimes(g, 2, b, 4, b, 4, n);
            assertSameBits(b, a, "gate n=" + n);
            // the norms: Σx² in FlaMath.dot's order, then the scaling
            double[] v = new double[n + 3];
            double[] w = new double[n];
            for (int i = 0; i < v.length; i++) {
                v[i] = r.nextGaussian() * Math.exp(3 * r.nextGaussian());
            }
            for (int i = 0; i < n; i++) {
                w[i] = 1 + 0.1 * r.nextGaussian();
            }
            double rr = 1.0 / Math.sqrt(FlaMath.dotScalar(v, 3, v, 3, n) / n + 1e-6);
            if (n >= 8) {
                assertThat(FlaVectorKernels.dot(v, 3, v, 3, n)).isEqualTo(FlaMath.dotScalar(v, 3, v, 3, n));
            }
            double[] ya = new double[n + 1];
            double[] yb = new double[n + 1];
            FlaMath.scaleWeightedPlain(v, 3, n, rr, w, ya, 1);
            ElementwiseVector.scaleWeighted(v, 3, n, rr, w, yb, 1);
            assertSameBits(yb, ya, "rmsNorm scaling n=" + n);
            FlaMath.scaleIntoPlain(v, 3, n, rr, ya, 1);
            ElementwiseVector.scaleInto(v, 3, n, rr, yb, 1);
            assertSameBits(yb, ya, "rmsNorm scaling without weight n=" + n);
            a = v.clone();
            b = v.clone();
            FlaMath.scaleIntoPlain(a, 3, n, rr, a, 3);
            ElementwiseVector.scaleInto(b, 3, n, rr, b, 3);
            assertSameBits(b, a, "l2 scaling n=" + n);
        }
    }

    @Test
    void rmsNormSumsInDotOrder() {
        // Σx² as eight partial sums: a value the sequential sum would round differently
        double[] x = new double[16];
        Arrays.fill(x, 1.0);
        x[0] = 1e8;
        double[] y = new double[16];
        FlaMath.rmsNorm(x, 0, 16, null, 0.0, y, 0);
        double ss = FlaMath.dotScalar(x, 0, x, 0, 16);
        assertThat(y[1]).isEqualTo(1.0 / Math.sqrt(ss / 16 + 0.0));
    }
}
