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
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Properties of the feature maps φ (docs/models.md) and of the layer at their edges. */
class FeatureMapTest {

    @Test
    void eluStaysPositiveAtMinus30() {
        FeatureMap elu = FeatureMap.of(FeatureMapKind.ELU, 3, 0, 0);
        double[] phi = elu.apply(new double[] {-30, 0, 2.5});
        assertThat(phi[0]).isPositive().isCloseTo(Math.exp(-30), within(1e-28));
        assertThat(phi[1]).isEqualTo(1.0);
        assertThat(phi[2]).isEqualTo(3.5);
    }

    @Test
    void reluWithAllNegativeKeysGivesFiniteOutputs() {
        for (Variant v : Variant.values()) {
            for (StatePrecision p : StatePrecision.values()) {
                AttentionConfig cfg = AttentionConfig.builder().dModel(6).heads(2).dKey(3).dValue(2).dOut(4)
                        .featureMap(FeatureMapKind.RELU).variant(v).statePrecision(p).build();
                AttentionWeights w = EngineTestSupport.randomWeights(cfg, 3, true);
                w.keyWeight = new double[w.keyWeight.length];
                w.keyBias = new double[] {-1, -2, -3, -0.5, -4, -1e-3}; // every key < 0: φ(k) = 0
                RecurrentLinearAttention layer = new RecurrentLinearAttention(cfg, w);
                ModelState st = layer.newState();
                double[] y = new double[4];
                for (double[] x : EngineTestSupport.inputs(1, 50, 6)) {
                    layer.step(st, x, 0, y, 0);
                    // nothing was attended to: every head's output is 0, so out = b_o exactly
                    assertThat(y).as(v + " " + p).isEqualTo(w.outBias);
                }
            }
        }
    }

    @Test
    void taylorDotProductIsSecondOrderExpansionOfExp() {
        Random r = new Random(5);
        for (int d : new int[] {1, 5, 16}) {
            FeatureMap taylor = FeatureMap.of(FeatureMapKind.TAYLOR, d, 0, 0);
            assertThat(taylor.dim()).isEqualTo(1 + d + d * d);
            for (int trial = 0; trial < 20; trial++) {
                double[] q = EngineTestSupport.gaussian(r, d, 1.5);
                double[] k = EngineTestSupport.gaussian(r, d, 1.5);
                double qk = dot(q, k);
                double expected = 1 + qk / Math.sqrt(d) + qk * qk / (2.0 * d);
                double actual = dot(taylor.apply(q), taylor.apply(k));
                assertThat(actual).isCloseTo(expected, within(1e-12 * Math.max(1, Math.abs(expected))));
            }
        }
    }

    @Test
    void favorApproximatesSoftmaxKernelBetterWithMoreFeatures() {
        int d = 8;
        Random r = new Random(9);
        double[][] qs = new double[300][];
        double[][] ks = new double[300][];
        for (int i = 0; i < qs.length; i++) {
            qs[i] = EngineTestSupport.gaussian(r, d, 0.6);
            ks[i] = EngineTestSupport.gaussian(r, d, 0.6);
        }
        double previous = Double.POSITIVE_INFINITY;
        for (int m : new int[] {8, 64, 512, 4096}) {
            FeatureMap favor = FeatureMap.of(FeatureMapKind.FAVOR, d, m, 42);
            double err = 0;
            for (int i = 0; i < qs.length; i++) {
                double[] pq = favor.apply(qs[i]);
                double[] pk = favor.apply(ks[i]);
                for (double f : pq) {
                    assertThat(f).isPositive();
                }
                double exact = Math.exp(dot(qs[i], ks[i]) / Math.sqrt(d));
                err += Math.abs(dot(pq, pk) - exact) / exact;
            }
            err /= qs.length;
            assertThat(err).as("m=" + m).isLessThan(previous);
            previous = err;
        }
        assertThat(previous).as("mean relative error at m=4096").isLessThan(0.05);
    }

    @Test
    void favorProjectionIsSeededAndOrthogonalInBlocks() {
        int d = 6;
        double[][] a = FeatureMap.of(FeatureMapKind.FAVOR, d, 20, 7).favorProjection();
        double[][] b = FeatureMap.of(FeatureMapKind.FAVOR, d, 20, 7).favorProjection();
        double[][] c = FeatureMap.of(FeatureMapKind.FAVOR, d, 20, 8).favorProjection();
        assertThat(a).isDeepEqualTo(b);
        assertThat(a[0]).isNotEqualTo(c[0]);
        // rows of one block of d are orthogonal (their norms are chi-distributed, not 1)
        for (int block = 0; block + d <= 20; block += d) {
            for (int i = block; i < block + d; i++) {
                for (int j = block; j < i; j++) {
                    double cos = dot(a[i], a[j]) / Math.sqrt(dot(a[i], a[i]) * dot(a[j], a[j]));
                    assertThat(cos).isCloseTo(0.0, within(1e-12));
                }
            }
        }
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
