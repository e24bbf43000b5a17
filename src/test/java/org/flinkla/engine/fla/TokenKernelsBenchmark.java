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

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.flinkla.bench.FlaBenchmark;
import org.flinkla.engine.ModelState;
import org.flinkla.engine.ModelStepper;
import org.flinkla.flink.ModelReference;
import org.flinkla.model.Dtype;
import org.flinkla.model.FlaModelFiles;

/**
 * The token form's vector kernels next to its plain loops in one JVM, for {@link FlaBenchmark}'s
 * Gated DeltaNet LM (float32 weights and state): single tokens round-robin over 256 keys, and
 * bundles of 64 keys ({@code stepAcross}), tokens per CPU second of this thread, best of three
 * rounds. Not a test; run with
 * {@code java --add-modules jdk.incubator.vector -cp target/classes:target/test-classes:$(cat cp.txt)
 * org.flinkla.engine.fla.TokenKernelsBenchmark [seconds per pass]}.
 */
public final class TokenKernelsBenchmark {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private TokenKernelsBenchmark() {}

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 2;
        FlaConfig cfg = FlaBenchmark.config();
        Path dir = Files.createTempDirectory("token-kernels-");
        FlaModelFiles.write(dir, cfg, FlaModelFiles.random(cfg, 2024), null, Dtype.F32, 1);
        FlaLanguageModel m = (FlaLanguageModel) ModelReference.uri(dir.toString(),
                Map.of("state_precision", "float32")).resolve();
        System.out.println(org.flinkla.engine.VectorSupport.describe());
        int keys = 256;
        double[][] best = new double[2][2];
        for (int round = 0; round < 3; round++) {
            for (int v = 0; v < 2; v++) {
                for (int b = 0; b < 2; b++) {
                    double r = run(m, new FlaStepper(m, FlaStepper.CHUNK_MIN, v == 1), keys, b == 0 ? 0 : 64, seconds);
                    best[v][b] = Math.max(best[v][b], r);
                }
            }
        }
        System.out.printf("tokens per CPU second   single token   bundle 64   bundle/single%n");
        System.out.printf("plain token loops       %12.0f %11.0f %15.2f%n", best[0][0], best[0][1], best[0][1] / best[0][0]);
        System.out.printf("vector token kernels    %12.0f %11.0f %15.2f%n", best[1][0], best[1][1], best[1][1] / best[1][0]);
        System.out.printf("vector / plain          %12.2f %11.2f%n", best[1][0] / best[0][0], best[1][1] / best[0][1]);
    }

    /** A 1-pass warm-up and a timed pass; bundle 0: one stepToken per key. */
    private static double run(FlaLanguageModel m, ModelStepper st, int keys, int bundle, double seconds) {
        ModelState[] states = new ModelState[keys];
        for (int k = 0; k < keys; k++) {
            states[k] = m.newState();
        }
        int b = Math.max(1, bundle);
        ModelState[][] groups = new ModelState[keys / b][b];
        for (int g = 0; g < groups.length; g++) {
            System.arraycopy(states, g * b, groups[g], 0, b);
        }
        int[] ids = new Random(1).ints(keys, 0, m.vocabSize()).toArray();
        int[] gIds = new int[b];
        double[] ys = new double[b * m.outputWidth()];
        long budget = (long) (seconds * 1e9);
        double rate = 0;
        for (int pass = 0; pass < 2; pass++) {
            long t0 = System.nanoTime();
            long c0 = THREADS.getCurrentThreadCpuTime();
            long n = 0;
            while (System.nanoTime() - t0 < budget) {
                if (bundle == 0) {
                    for (int k = 0; k < keys; k++) {
                        st.stepToken(states[k], ids[(int) ((k + n) % keys)], ys, 0);
                    }
                } else {
                    for (int g = 0; g < groups.length; g++) {
                        for (int i = 0; i < b; i++) {
                            gIds[i] = ids[(int) ((g * b + i + n) % keys)];
                        }
                        st.stepAcross(groups[g], gIds, b, ys, 0, m.outputWidth());
                    }
                }
                n += keys;
            }
            rate = n / ((THREADS.getCurrentThreadCpuTime() - c0) / 1e9);
        }
        return rate;
    }
}
