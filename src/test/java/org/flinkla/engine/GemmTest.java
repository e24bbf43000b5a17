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
package org.flinkla.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.math.BigDecimal;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link Gemm} against a naive triple loop written here with the documented order (per element,
 * fma over ascending inputs from the bias): the same bits for every shape, token count, offset
 * and stride, every weight precision, with the plain and the Vector API kernels; and a chunk of
 * tokens equals the tokens one by one.
 */
class GemmTest {
    private static final int[] SIZES = {1, 2, 3, 5, 7, 15, 16, 17, 31, 33, 63, 64, 65, 100, 130};

    /** y[t][j] = fma chain of x[t][i]·w[j][i] over ascending i from b[j], weights as held. */
    private static void naive(Gemm g, double[] x, int xOff, int xs, int n, double[] b, double[] y, int yOff, int ys) {
        for (int t = 0; t < n; t++) {
            for (int j = 0; j < g.outputWidth(); j++) {
                double acc = b == null ? 0.0 : b[j];
                for (int i = 0; i < g.inputWidth(); i++) {
                    acc = Math.fma(x[xOff + t * xs + i], g.weight(j, i), acc);
                }
                y[yOff + t * ys + j] = acc;
            }
        }
    }

    private static double[] gaussian(Random r, int n) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextGaussian();
        }
        return a;
    }

    @Test
    void everyKernelGivesTheNaiveLoopsBits() {
        Random r = new Random(17);
        for (WeightPrecision p : WeightPrecision.values()) {
            for (int in : new int[] {1, 3, 16, 33, 130}) {
                for (int out : SIZES) {
                    double[] w = gaussian(r, out * in);
                    double[] b = r.nextBoolean() ? gaussian(r, out) : null;
                    Gemm g = r.nextBoolean() ? Gemm.ofRows(w, out, in, b, p) : transposed(w, out, in, b, p);
                    int n = SIZES[r.nextInt(SIZES.length)];
                    int xOff = r.nextInt(5), xs = in + r.nextInt(3);
                    int yOff = r.nextInt(5), ys = out + r.nextInt(3);
                    double[] x = gaussian(r, xOff + n * xs);
                    double[] want = gaussian(r, yOff + n * ys);
                    double[] plain = want.clone();
                    double[] vector = want.clone();
                    naive(g, x, xOff, xs, n, b, want, yOff, ys);
                    g.apply(x, xOff, xs, n, plain, yOff, ys, false);
                    assertThat(plain).as("plain %s in=%d out=%d n=%d", p, in, out, n).isEqualTo(want);
                    if (VectorSupport.enabled()) {
                        g.apply(x, xOff, xs, n, vector, yOff, ys, true);
                        assertThat(vector).as("vector %s in=%d out=%d n=%d", p, in, out, n).isEqualTo(want);
                    }
                }
            }
        }
    }

    /** The same matrix given as Wᵀ [in][out]. */
    private static Gemm transposed(double[] w, int out, int in, double[] b, WeightPrecision p) {
        double[] wT = new double[in * out];
        for (int j = 0; j < out; j++) {
            for (int i = 0; i < in; i++) {
                wT[i * out + j] = w[j * in + i];
            }
        }
        Gemm g = Gemm.ofTransposed(wT, in, out, b, p);
        for (int j = 0; j < out; j++) {
            assertThat(g.weight(j, in - 1)).isEqualTo(Gemm.ofRows(w, out, in, b, p).weight(j, in - 1));
        }
        return g;
    }

    @Test
    void aChunkEqualsItsTokensOneByOne() {
        Random r = new Random(3);
        int in = 70, out = 90;
        Gemm g = Gemm.ofRows(gaussian(r, in * out), out, in, gaussian(r, out), WeightPrecision.FLOAT64);
        for (int n : SIZES) {
            double[] x = gaussian(r, n * in);
            double[] chunk = new double[n * out];
            double[] single = new double[n * out];
            g.apply(x, 0, in, n, chunk, 0, out);
            for (int t = 0; t < n; t++) {
                g.apply(x, t * in, single, t * out);
            }
            assertThat(chunk).as("n=%d", n).isEqualTo(single);
        }
    }

    @Test
    void theProductIsAccurate() {
        // against exact decimal arithmetic: one rounding per term, so ≤ in·2⁻⁵³ relative to Σ|x·w|
        Random r = new Random(5);
        int in = 130, out = 33;
        double[] w = gaussian(r, in * out);
        Gemm g = Gemm.ofRows(w, out, in, null, WeightPrecision.FLOAT64);
        double[] x = gaussian(r, in);
        double[] y = new double[out];
        g.apply(x, 0, y, 0);
        for (int j = 0; j < out; j++) {
            BigDecimal exact = BigDecimal.ZERO;
            double abs = 0;
            for (int i = 0; i < in; i++) {
                exact = exact.add(new BigDecimal(x[i]).multiply(new BigDecimal(w[j * in + i])));
                abs += Math.abs(x[i] * w[j * in + i]);
            }
            assertThat(Math.abs(y[j] - exact.doubleValue())).isLessThanOrEqualTo(in * 0x1p-53 * abs);
        }
    }

    @Test
    void compactWeightsAreRoundedToNearestEven() {
        Random r = new Random(11);
        for (int k = 0; k < 200_000; k++) {
            double v = r.nextGaussian() * Math.exp(20 * r.nextGaussian());
            if (k % 4 == 0) { // exact ties between two bfloat16 values, half of them with an odd lower neighbour
                float lo = Gemm.widen((short) r.nextInt(0x7f00)); // positive, finite
                v = (double) lo + (double) Math.ulp(lo) * 32768; // half a bfloat16 step above lo
            }
            if (Double.isNaN(v) || Double.isInfinite(v) || Math.abs(v) >= 0x1.fep127 || Math.abs(v) < Float.MIN_NORMAL) {
                continue;
            }
            short b = Gemm.bfloat16(v);
            double got = Gemm.widen(b);
            // the two bfloat16 neighbours of v
            int bits = Float.floatToRawIntBits((float) v) & 0xFFFF0000;
            double a = Float.intBitsToFloat(bits);
            double c = Float.intBitsToFloat(bits + 0x10000);
            if (Math.abs(c) < Math.abs(a)) { // v below a in magnitude after truncation of the float
                double t = a;
                a = c;
                c = t;
            }
            double lower = Math.min(a, c), upper = Math.max(a, c);
            if (v < lower || v > upper) { // (float) v rounded past a neighbour: widen the bracket
                lower = Math.min(lower, Float.intBitsToFloat(bits - 0x10000));
                upper = Math.max(upper, Float.intBitsToFloat(bits + 0x10000));
            }
            double dGot = Math.abs(got - v);
            assertThat(dGot).as("v=%s", v).isLessThanOrEqualTo(Math.abs(a - v)).isLessThanOrEqualTo(Math.abs(c - v));
            if (Math.abs(a - v) == Math.abs(c - v)) { // a tie: the even one (last bit of the 16 is 0)
                assertThat(b & 1).as("tie %s", v).isZero();
            }
        }
        assertThat(Gemm.widen(Gemm.bfloat16(1.0))).isEqualTo(1.0f);
        assertThat(Gemm.bfloat16(1.0 + 0x1p-8)).isEqualTo((short) 0x3f80); // tie, 1.0 even
        assertThat(Gemm.bfloat16(1.0 + 0x1p-8 + 0x1p-40)).isEqualTo((short) 0x3f81);
        assertThat(Gemm.bfloat16(1.0 + 3 * 0x1p-8)).isEqualTo((short) 0x3f82); // tie, up to even
        assertThat(Float.isNaN(Gemm.widen(Gemm.bfloat16(Double.NaN)))).isTrue();
    }

    @Test
    void float32WeightsOfFloat32ValuesGiveTheFloat64Bits() {
        Random r = new Random(8);
        int in = 48, out = 40, n = 9;
        double[] w = new double[in * out];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) r.nextGaussian();
        }
        double[] x = gaussian(r, n * in);
        double[] y64 = new double[n * out];
        double[] y32 = new double[n * out];
        Gemm.ofRows(w, out, in, null, WeightPrecision.FLOAT64).apply(x, 0, in, n, y64, 0, out);
        Gemm.ofRows(w, out, in, null, WeightPrecision.FLOAT32).apply(x, 0, in, n, y32, 0, out);
        assertThat(y32).isEqualTo(y64);
    }

    @Test
    void noAllocationPerCall() {
        Random r = new Random(2);
        for (WeightPrecision p : WeightPrecision.values()) {
            int in = 96, out = 200;
            Gemm g = Gemm.ofRows(gaussian(r, in * out), out, in, gaussian(r, out), p);
            double[] x = gaussian(r, 64 * in);
            double[] y = new double[64 * out];
            // rounds until C2 has compiled the kernels (the Vector API allocates until then)
            long allocated = org.flinkla.testutils.Allocations.afterWarmUp(40, 1024, () -> {
                for (int i = 0; i < 300; i++) {
                    g.apply(x, 0, in, 64, y, 0, out);
                    g.apply(x, 0, in, 7, y, 0, out);
                    g.apply(x, in, y, out);
                }
            });
            assertThat(allocated).as("%s", p).isLessThan(1024);
        }
    }
}
