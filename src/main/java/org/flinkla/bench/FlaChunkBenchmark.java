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
package org.flinkla.bench;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.flinkla.engine.ModelState;
import org.flinkla.engine.ModelStepper;
import org.flinkla.engine.fla.FlaConfig;
import org.flinkla.engine.fla.FlaLanguageModel;
import org.flinkla.model.FlaModelFiles;
import org.flinkla.model.ModelLoader;

/**
 * Tokens per CPU second of the FLA stepper with the recurrence in its chunk form against the
 * token-by-token recurrence, side by side in one JVM (the two alternate, so both see the same
 * machine load): the {@link FlaBenchmark} Gated DeltaNet LM (hidden 256, 4 layers, 4 heads of 64,
 * random weights) and the shipped DNA model (models/dna/gdn), records of 8 to 1024 tokens, float32
 * and float64 state. Prints one line per case and the ratio. {@code --chunk-min} sets the
 * smallest block that takes the chunk form (the stepper's default 8).
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp target/classes:$(cat cp.txt) org.flinkla.bench.FlaChunkBenchmark [--seconds S] [--sizes 64,256] [--chunk-min 8]
 * </pre>
 * Run from the repository root (it reads src/main/resources/models/dna/gdn).
 */
public final class FlaChunkBenchmark {
    private FlaChunkBenchmark() {}

    private static final java.lang.management.ThreadMXBean THREADS =
            java.lang.management.ManagementFactory.getThreadMXBean();

    public static void main(String[] args) {
        double seconds = 1;
        int[] sizes = {8, 16, 32, 64, 256, 1024};
        int chunkMin = 8;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--seconds")) {
                seconds = Double.parseDouble(args[++i]);
            } else if (args[i].equals("--chunk-min")) {
                chunkMin = Integer.parseInt(args[++i]);
            } else if (args[i].equals("--sizes")) {
                String[] p = args[++i].split(",");
                sizes = new int[p.length];
                for (int j = 0; j < p.length; j++) {
                    sizes[j] = Integer.parseInt(p[j]);
                }
            } else {
                throw new IllegalArgumentException("usage: FlaChunkBenchmark [--seconds S] [--sizes 64,256,1024] [--chunk-min 8]");
            }
        }
        System.out.println("# " + org.flinkla.engine.VectorSupport.describe());
        for (String precision : new String[] {"float32", "float64"}) {
            FlaConfig cfg = FlaBenchmark.config().toBuilder()
                    .statePrecision(org.flinkla.engine.StatePrecision.valueOf(precision.toUpperCase(Locale.ROOT))).build();
            FlaLanguageModel big = new FlaLanguageModel(cfg, FlaModelFiles.random(cfg, 2024), null, "bench");
            FlaLanguageModel dna = (FlaLanguageModel) ModelLoader.load(Path.of("src/main/resources/models/dna/gdn"),
                    Map.of("state_precision", precision));
            for (FlaLanguageModel m : new FlaLanguageModel[] {big, dna}) {
                String name = m == big ? "gdn-h256-l4" : "dna/gdn";
                for (int n : sizes) {
                    double loop = 0;
                    double chunk = 0;
                    for (int round = 0; round < 3; round++) {
                        // round 0 warms up both; then the better of two rounds each
                        double a = rate(m, Integer.MAX_VALUE, n, seconds);
                        double b = rate(m, chunkMin, n, seconds);
                        if (round > 0) {
                            loop = Math.max(loop, a);
                            chunk = Math.max(chunk, b);
                        }
                    }
                    System.out.printf(Locale.ROOT, "%-12s %-8s records of %4d: token loop %9.0f tok/cpu-s, chunk form %9.0f tok/cpu-s, ratio %.2f%n",
                            name, precision, n, loop, chunk, chunk / loop);
                }
            }
        }
    }

    /** Tokens per CPU second of records of n tokens of one sequence. */
    static double rate(FlaLanguageModel m, int chunkMin, int n, double seconds) {
        ModelStepper st = m.newStepper(chunkMin);
        ModelState s = m.newState();
        int[] ids = new Random(1).ints(n + 4096, 0, m.vocabSize()).toArray();
        double[] ys = new double[n * m.outputWidth()];
        long budget = (long) (seconds * 1e9);
        long c0 = THREADS.getCurrentThreadCpuTime();
        long tokens = 0;
        while (THREADS.getCurrentThreadCpuTime() - c0 < budget) {
            st.stepTokens(s, ids, (int) (tokens % 4096), n, ys, 0);
            tokens += n;
        }
        return tokens / ((THREADS.getCurrentThreadCpuTime() - c0) / 1e9);
    }
}
