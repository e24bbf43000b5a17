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

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.flinkla.engine.ModelState;
import org.flinkla.engine.VectorSupport;
import org.flinkla.model.FlaFixtures;
import org.flinkla.model.ModelLoader;
import org.junit.jupiter.api.Test;

/**
 * The Vector API dot product, delta-rule, GLA and retention heads and the convolution step give
 * the scalar loops' bits (the dense products are {@code engine.GemmTest}'s). Each kernel form runs
 * at this machine's vector width only (8 doubles with AVX-512, 4 with AVX2; the kernels hold one
 * vector shape, see {@code VectorShapesTest}): the build runs this class a second time with
 * -XX:UseAVX=2 on x86 machines, which tests the 4-lane forms on AVX-512 machines too.
 */
class FlaVectorKernelsTest {
    /** The kernel form of this JVM's vector width (8 or 4 doubles). */
    private static int[] widths() {
        return new int[] {FlaVectorKernels.LANES};
    }

    @Test
    void vectorDotHasTheScalarBits() {
        assumeTrue(VectorSupport.enabled(), "needs --add-modules jdk.incubator.vector");
        Random r = new Random(6);
        for (int n : new int[] {8, 9, 15, 16, 23, 64, 100, 256}) {
            double[] a = new double[n + 3];
            double[] b = new double[n + 5];
            for (int i = 0; i < a.length; i++) {
                a[i] = r.nextGaussian() * Math.exp(4 * r.nextGaussian());
            }
            for (int i = 0; i < b.length; i++) {
                b[i] = r.nextGaussian();
            }
            assertThat(Double.doubleToRawLongBits(FlaVectorKernels.dot(a, 3, b, 5, n)))
                    .as("n=%d", n).isEqualTo(Double.doubleToRawLongBits(FlaMath.dotScalar(a, 3, b, 5, n)));
        }
    }

    @Test
    void vectorDeltaHeadHasTheScalarBits() {
        assumeTrue(VectorSupport.enabled() && FlaVectorKernels.headsApply(8), "needs vectors of 8 or 4 doubles");
        Random r = new Random(7);
        int dv = 5, dk = 24, base = 3;
        double[] p = new double[200];
        for (int i = 0; i < p.length; i++) {
            p[i] = r.nextGaussian();
        }
        for (int lanes : widths()) {
            for (double a : new double[] {1.0, 0.97}) {
                double[] sd = new double[base + dv * dk];
                float[] sf = new float[sd.length];
                for (int i = 0; i < sd.length; i++) {
                    sf[i] = (float) r.nextGaussian();
                    sd[i] = r.nextGaussian();
                }
                double[] sd2 = sd.clone();
                float[] sf2 = sf.clone();
                double[] o1 = new double[dv + 2];
                double[] o2 = new double[dv + 2];
                double[] row = new double[dk];
                FlaStepper.deltaHeadScalar(sd, null, base, dv, dk, a, 0.7, p, 10, 50, 100, o1, 2, row);
                if (lanes == 8) {
                    FlaVectorKernels.deltaHead64x8(sd2, base, dv, dk, a, 0.7, p, 10, 50, 100, o2, 2, new double[8]);
                } else {
                    FlaVectorKernels.deltaHead64x4(sd2, base, dv, dk, a, 0.7, p, 10, 50, 100, o2, 2, new double[8]);
                }
                assertThat(sd2).as("%d lanes", lanes).isEqualTo(sd);
                assertThat(o2).as("%d lanes", lanes).isEqualTo(o1);
                FlaStepper.deltaHeadScalar(null, sf, base, dv, dk, a, 1.3, p, 10, 50, 100, o1, 2, row);
                if (lanes == 8) {
                    FlaVectorKernels.deltaHead32x8(sf2, base, dv, dk, a, 1.3, p, 10, 50, 100, o2, 2, new double[8]);
                } else {
                    FlaVectorKernels.deltaHead32x4(sf2, base, dv, dk, a, 1.3, p, 10, 50, 100, o2, 2, new double[8]);
                }
                assertThat(sf2).as("%d lanes", lanes).isEqualTo(sf);
                assertThat(o2).as("%d lanes", lanes).isEqualTo(o1);
            }
        }
    }

    @Test
    void vectorDecayHeadsHaveTheScalarBits() {
        assumeTrue(VectorSupport.enabled() && FlaVectorKernels.headsApply(8), "needs vectors of 8 or 4 doubles");
        Random r = new Random(8);
        int dv = 7, dk = 32, base = 5;
        double[] p = new double[300];
        for (int i = 0; i < p.length; i++) {
            p[i] = r.nextGaussian() * Math.exp(r.nextGaussian());
        }
        double[] decay = new double[dk + 3];
        for (int i = 0; i < decay.length; i++) {
            decay[i] = Math.exp(-Math.abs(r.nextGaussian()) / 16);
        }
        double[] row = new double[dk];
        for (int lanes : widths()) {
            for (int round = 0; round < 3; round++) {
                double[] sd = new double[base + dv * dk];
                float[] sf = new float[sd.length];
                for (int i = 0; i < sd.length; i++) {
                    sd[i] = r.nextGaussian() * Math.exp(3 * r.nextGaussian());
                    sf[i] = (float) r.nextGaussian();
                }
                double[] sd2 = sd.clone();
                float[] sf2 = sf.clone();
                double[] o1 = new double[dv + 4];
                double[] o2 = new double[dv + 4];
                // GLA: a decay per column, at an offset into the decays
                FlaStepper.decayHead(sd, null, base, dv, dk, decay, 3, 0.0, p, 11, 60, 150, o1, 3, row);
                if (lanes == 8) {
                    FlaVectorKernels.glaHead64x8(sd2, base, dv, dk, decay, 3, p, 11, 60, 150, o2, 3, new double[8]);
                } else {
                    FlaVectorKernels.glaHead64x4(sd2, base, dv, dk, decay, 3, p, 11, 60, 150, o2, 3, new double[8]);
                }
                assertThat(sd2).isEqualTo(sd);
                assertThat(o2).isEqualTo(o1);
                FlaStepper.decayHead(null, sf, base, dv, dk, decay, 3, 0.0, p, 11, 60, 150, o1, 3, row);
                if (lanes == 8) {
                    FlaVectorKernels.glaHead32x8(sf2, base, dv, dk, decay, 3, p, 11, 60, 150, o2, 3, new double[8]);
                } else {
                    FlaVectorKernels.glaHead32x4(sf2, base, dv, dk, decay, 3, p, 11, 60, 150, o2, 3, new double[8]);
                }
                assertThat(sf2).isEqualTo(sf);
                assertThat(o2).isEqualTo(o1);
                // RetNet: one γ per head
                double g = 1.0 - Math.pow(2.0, -5.0 - round);
                FlaStepper.decayHead(sd, null, base, dv, dk, null, 0, g, p, 13, 90, 200, o1, 1, row);
                if (lanes == 8) {
                    FlaVectorKernels.retHead64x8(sd2, base, dv, dk, g, p, 13, 90, 200, o2, 1, new double[8]);
                } else {
                    FlaVectorKernels.retHead64x4(sd2, base, dv, dk, g, p, 13, 90, 200, o2, 1, new double[8]);
                }
                assertThat(sd2).isEqualTo(sd);
                assertThat(o2).isEqualTo(o1);
                FlaStepper.decayHead(null, sf, base, dv, dk, null, 0, g, p, 13, 90, 200, o1, 1, row);
                if (lanes == 8) {
                    FlaVectorKernels.retHead32x8(sf2, base, dv, dk, g, p, 13, 90, 200, o2, 1, new double[8]);
                } else {
                    FlaVectorKernels.retHead32x4(sf2, base, dv, dk, g, p, 13, 90, 200, o2, 1, new double[8]);
                }
                assertThat(sf2).as("%d lanes", lanes).isEqualTo(sf);
                assertThat(o2).as("%d lanes", lanes).isEqualTo(o1);
            }
        }
    }

    @Test
    void vectorConvolutionStepHasTheScalarBits() {
        assumeTrue(VectorSupport.enabled() && FlaVectorKernels.convApplies(4), "needs vectors of 8 or 4 doubles");
        Random r = new Random(9);
        for (int lanes : widths()) {
            for (int k : new int[] {2, 3, 4, 5}) {
                for (int channels : new int[] {4, 7, 8, 13, 64, 77}) {
                    int km1 = k - 1;
                    double[] w = new double[channels * k];
                    for (int i = 0; i < w.length; i++) {
                        w[i] = i % 17 == 0 ? -0.0 : r.nextGaussian();
                    }
                    double[] wT = new double[w.length];
                    for (int ch = 0; ch < channels; ch++) {
                        for (int j = 0; j < k; j++) {
                            wT[j * channels + ch] = w[ch * k + j];
                        }
                    }
                    int[] idx = new int[8];
                    for (int l = 0; l < 8; l++) {
                        idx[l] = l * km1;
                    }
                    int winOff = 3;
                    double[] wd1 = new double[winOff + channels * km1 + 2];
                    float[] wf1 = new float[wd1.length];
                    for (int i = 0; i < wd1.length; i++) {
                        wd1[i] = r.nextGaussian();
                        wf1[i] = (float) r.nextGaussian();
                    }
                    double[] wd2 = wd1.clone();
                    float[] wf2 = wf1.clone();
                    for (int step = 0; step < k + 2; step++) {
                        double[] x1 = new double[channels + 7];
                        for (int i = 0; i < x1.length; i++) {
                            x1[i] = r.nextGaussian() * Math.exp(2 * r.nextGaussian());
                        }
                        double[] x2 = x1.clone();
                        double[] x3 = x1.clone();
                        double[] x4 = x1.clone();
                        FlaMath.convStep(x1, 5, channels, w, k, wd1, winOff);
                        if (lanes == 8) {
                            FlaVectorKernels.convStep64x8(x2, 5, channels, wT, k, wd2, winOff, idx);
                        } else {
                            FlaVectorKernels.convStep64x4(x2, 5, channels, wT, k, wd2, winOff, idx);
                        }
                        assertThat(x2).as("%d lanes, k=%d channels=%d float64", lanes, k, channels).isEqualTo(x1);
                        assertThat(wd2).as("%d lanes, k=%d channels=%d float64 window", lanes, k, channels).isEqualTo(wd1);
                        FlaMath.convStep(x3, 5, channels, w, k, wf1, winOff);
                        if (lanes == 8) {
                            FlaVectorKernels.convStep32x8(x4, 5, channels, wT, k, wf2, winOff, idx);
                        } else {
                            FlaVectorKernels.convStep32x4(x4, 5, channels, wT, k, wf2, winOff, idx);
                        }
                        assertThat(x4).as("%d lanes, k=%d channels=%d float32", lanes, k, channels).isEqualTo(x3);
                        assertThat(wf2).as("%d lanes, k=%d channels=%d float32 window", lanes, k, channels).isEqualTo(wf1);
                    }
                }
            }
        }
    }

    /**
     * Every fixture model, both state precisions: the stepper with the vector token kernels and
     * the one with the plain loops give the same output and state bits for single tokens, short
     * blocks, chunks and cross-key bundles.
     */
    @Test
    void vectorTokenFormHasThePlainBitsForEveryFixture() throws IOException {
        assumeTrue(VectorSupport.enabled() && FlaVectorKernels.headsApply(8), "needs vectors of 8 or 4 doubles");
        List<Path> dirs;
        try (Stream<Path> list = Files.list(FlaFixtures.ROOT)) {
            dirs = list.filter(d -> Files.exists(d.resolve("config.json"))).sorted().collect(Collectors.toList());
        }
        int vectorHeads = 0;
        int vectorConv = 0;
        for (Path dir : dirs) {
            for (String precision : new String[] {"float64", "float32"}) {
                FlaLanguageModel m = (FlaLanguageModel) ModelLoader.load(dir, Map.of("state_precision", precision));
                FlaConfig c = m.config();
                vectorHeads += FlaVectorKernels.headsApply(c.headKDim()) ? 1 : 0;
                vectorConv += c.shortConv() && FlaVectorKernels.convApplies(c.convSize()) ? 1 : 0;
                FlaStepper vec = new FlaStepper(m, FlaStepper.CHUNK_MIN, true);
                FlaStepper plain = new FlaStepper(m, FlaStepper.CHUNK_MIN, false);
                int keys = 5;
                ModelState[] sv = new ModelState[keys];
                ModelState[] sp = new ModelState[keys];
                for (int i = 0; i < keys; i++) {
                    sv[i] = m.newState();
                    sp[i] = m.newState();
                }
                int w = m.outputWidth();
                int[] ids = new int[20];
                int[] across = new int[keys];
                double[] yv = new double[20 * w];
                double[] yp = new double[20 * w];
                for (int round = 0; round < 6; round++) {
                    for (int i = 0; i < ids.length; i++) {
                        ids[i] = (round * 7 + i * 3) % m.vocabSize();
                    }
                    vec.stepToken(sv[0], ids[0], yv, 0);
                    plain.stepToken(sp[0], ids[0], yp, 0);
                    vec.stepTokens(sv[1], ids, 0, 5, yv, w);
                    plain.stepTokens(sp[1], ids, 0, 5, yp, w);
                    vec.stepTokens(sv[2], ids, 0, 12, yv, 6 * w);
                    plain.stepTokens(sp[2], ids, 0, 12, yp, 6 * w);
                    assertThat(yv).as("%s %s tokens, round %d", dir.getFileName(), precision, round).isEqualTo(yp);
                    for (int i = 0; i < keys; i++) {
                        across[i] = ids[i + 1];
                    }
                    vec.stepAcross(sv, across, keys, yv, 0, w);
                    plain.stepAcross(sp, across, keys, yp, 0, w);
                    assertThat(yv).as("%s %s bundle, round %d", dir.getFileName(), precision, round).isEqualTo(yp);
                }
                for (int i = 0; i < keys; i++) {
                    if (sv[i].doubles() != null) {
                        assertThat(sv[i].doubles()).as("%s state %d", dir.getFileName(), i).isEqualTo(sp[i].doubles());
                    } else {
                        assertThat(sv[i].floats()).as("%s state %d", dir.getFileName(), i).isEqualTo(sp[i].floats());
                    }
                }
            }
        }
        assertThat(vectorHeads).as("fixtures whose heads run the vector kernels").isPositive();
        if (FlaVectorKernels.convApplies(4)) {
            assertThat(vectorConv).as("fixtures whose convolutions run the vector kernel").isPositive();
        }
    }
}
