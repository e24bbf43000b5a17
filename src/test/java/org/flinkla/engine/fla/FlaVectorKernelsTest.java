package org.flinkla.engine.fla;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.flinkla.engine.VectorSupport;
import org.junit.jupiter.api.Test;

/**
 * The Vector API matmul gives the scalar loop's bits for any shape, token count and stride, with
 * float64 weights and with float32 weights of the same values.
 */
class FlaVectorKernelsTest {
    @Test
    void vectorMatmulHasTheScalarBits() {
        assumeTrue(VectorSupport.enabled(), "needs --add-modules jdk.incubator.vector");
        Random r = new Random(5);
        int[][] shapes = {{1, 1, 1}, {3, 7, 5}, {4, 16, 24}, {5, 33, 97}, {64, 256, 1544}, {9, 40, 8}, {13, 17, 200}};
        for (int[] sh : shapes) {
            int n = sh[0], in = sh[1], out = sh[2];
            int xs = in + 3, ys = out + 2;
            double[] x = new double[n * xs + 5];
            double[] w = new double[in * out];
            for (int i = 0; i < x.length; i++) {
                x[i] = r.nextGaussian() * Math.exp(3 * r.nextGaussian());
            }
            float[] wf = new float[w.length];
            for (int i = 0; i < w.length; i++) {
                wf[i] = (float) r.nextGaussian();
                w[i] = wf[i];
            }
            double[] a = new double[n * ys + 4];
            double[] b = new double[n * ys + 4];
            FlaMath.matmulScalar(x, 5, xs, n, in, w, out, a, 4, ys);
            FlaVectorKernels.matmul(x, 5, xs, n, in, w, out, b, 4, ys);
            assertThat(b).as("n=%d in=%d out=%d", n, in, out).isEqualTo(a);
            // float32 weights of the same values: the same bits, vector and scalar
            double[] c = new double[a.length];
            FlaVectorKernels.matmul(x, 5, xs, n, in, wf, out, c, 4, ys);
            assertThat(c).as("float32 weights, vector").isEqualTo(a);
            double[] e = new double[a.length];
            FlaMath.matmulScalar(x, 5, xs, n, in, wf, out, e, 4, ys);
            assertThat(e).as("float32 weights, scalar").isEqualTo(a);
        }
    }
}
