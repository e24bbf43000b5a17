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

import java.util.Random;

/** Seeded random weights and inputs for the engine tests. */
final class EngineTestSupport {
    private EngineTestSupport() {
    }

    static AttentionWeights randomWeights(AttentionConfig c, long seed, boolean biases) {
        Random r = new Random(seed);
        int dm = c.dModel();
        int hk = c.heads() * c.dKey();
        int hv = c.heads() * c.dValue();
        AttentionWeights w = new AttentionWeights();
        double s = 1.0 / Math.sqrt(dm);
        w.queryWeight = gaussian(r, hk * dm, s);
        w.keyWeight = gaussian(r, hk * dm, s);
        w.valueWeight = gaussian(r, hv * dm, s);
        w.outWeight = gaussian(r, c.dOut() * hv, 1.0 / Math.sqrt(hv));
        if (biases) {
            w.queryBias = gaussian(r, hk, 0.1);
            w.keyBias = gaussian(r, hk, 0.1);
            w.valueBias = gaussian(r, hv, 0.1);
            w.outBias = gaussian(r, c.dOut(), 0.1);
        }
        if (c.variant() == Variant.GATED) {
            w.gateWeight = gaussian(r, hk * dm, s);
            w.gateBias = biases ? gaussian(r, hk, 1.0) : null;
        }
        if (c.variant() == Variant.DELTA) {
            w.betaWeight = gaussian(r, c.heads() * dm, s);
            w.betaBias = biases ? gaussian(r, c.heads(), 0.5) : null;
            w.alphaWeight = gaussian(r, c.heads() * dm, s);
            w.alphaBias = biases ? gaussian(r, c.heads(), 2.0) : null;
        }
        if (c.vocab() != null) {
            w.embedding = gaussian(r, c.vocab().length() * dm, 1.0);
        }
        return w;
    }

    /**
     * Bytes the current thread allocates in one round of 10,000 × ({@code step} + {@code stepToken}),
     * after warming up in such rounds (at most 40) until a round allocates less than 4 KiB: the JIT's
     * escape analysis, and the Vector API kernels, which allocate until C2 has compiled them.
     */
    static long allocatedPerRoundAfterWarmUp(RecurrentLinearAttention layer, ModelState st, double[] x, double[] y) {
        return org.flinkla.testutils.Allocations.afterWarmUp(40, 4096, () -> {
            for (int i = 0; i < 10_000; i++) {
                layer.step(st, x, 0, y, 0);
                layer.stepToken(st, i % 5, y, 0);
            }
        });
    }

    static double[] gaussian(Random r, int n, double scale) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextGaussian() * scale;
        }
        return a;
    }

    static double[][] inputs(long seed, int n, int dModel) {
        Random r = new Random(seed);
        double[][] xs = new double[n][];
        for (int t = 0; t < n; t++) {
            xs[t] = gaussian(r, dModel, 1.0);
        }
        return xs;
    }

    /** Runs the recurrent layer over xs from a fresh state; outputs [N][d_out]. */
    static double[][] runRecurrent(RecurrentLinearAttention layer, double[][] xs) {
        ModelState st = layer.newState();
        double[][] ys = new double[xs.length][layer.config().dOut()];
        for (int t = 0; t < xs.length; t++) {
            layer.step(st, xs[t], 0, ys[t], 0);
        }
        return ys;
    }

    /** ‖a − b‖₂ / ‖b‖₂ of one output vector (0 when both are exactly zero, e.g. relu with no active query). */
    static double relErr(double[] a, double[] b) {
        double num = 0;
        double den = 0;
        for (int i = 0; i < a.length; i++) {
            num += (a[i] - b[i]) * (a[i] - b[i]);
            den += b[i] * b[i];
        }
        if (den == 0) {
            return num == 0 ? 0 : Double.POSITIVE_INFINITY;
        }
        return Math.sqrt(num) / Math.sqrt(den);
    }

    static double maxRelErr(double[][] a, double[][] b) {
        double m = 0;
        for (int t = 0; t < a.length; t++) {
            m = Math.max(m, relErr(a[t], b[t]));
        }
        return m;
    }
}
