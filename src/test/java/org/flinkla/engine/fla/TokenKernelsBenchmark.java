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

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.flinkla.bench.BundleBenchmark;
import org.flinkla.bench.FlaBenchmark;
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
                    double r = BundleBenchmark.engine(m, new FlaStepper(m, FlaStepper.CHUNK_MIN, v == 1), keys,
                            b == 0 ? 0 : 64, seconds)[1];
                    best[v][b] = Math.max(best[v][b], r);
                }
            }
        }
        System.out.printf("tokens per CPU second   single token   bundle 64   bundle/single%n");
        System.out.printf("plain token loops       %12.0f %11.0f %15.2f%n", best[0][0], best[0][1], best[0][1] / best[0][0]);
        System.out.printf("vector token kernels    %12.0f %11.0f %15.2f%n", best[1][0], best[1][1], best[1][1] / best[1][0]);
        System.out.printf("vector / plain          %12.2f %11.2f%n", best[1][0] / best[0][0], best[1][1] / best[0][1]);
    }
}
