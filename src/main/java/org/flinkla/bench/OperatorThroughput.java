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

import org.flinkla.engine.AttentionConfig;
import org.flinkla.flink.LinearAttention;
import org.flinkla.model.Model;
import org.flinkla.model.ModelFiles;

/**
 * The keyed operator without Kafka for the bench command, measured with {@link OperatorBenchmark}'s
 * machinery (in-memory DNA chunks → {@link LinearAttention} → discarding sink, parallelism 1, rate
 * at the sink from first to last output) next to the bare engine stepping the same chunks in the
 * same JVM. Operator and engine runs alternate and the best of each is kept: on a shared machine
 * other load only ever slows a run down.
 *
 * <pre>{@code
 * OperatorThroughput.Result heap = OperatorThroughput.run(model, "hashmap", 16, 1024, 2_000_000, 3);
 * double ratio = heap.operatorTokensPerSecond() / heap.engineTokensPerSecond();
 * }</pre>
 */
public final class OperatorThroughput {
    private OperatorThroughput() {}

    /** Best-of rates of one backend and chunk size. */
    public record Result(String backend, int keys, int chunk, long tokens, int repeats, double operatorTokensPerSecond,
            double engineTokensPerSecond) {
        public double ratio() {
            return operatorTokensPerSecond / engineTokensPerSecond;
        }
    }

    /** The bench model: d_model 64, 4 heads of 16, d_out 64, elu, float64 state, vocabulary ACGT, seed 42. */
    public static Model benchModel() {
        return ModelFiles.random(AttentionConfig.builder().dModel(64).heads(4).dKey(16).dValue(16).dOut(64)
                .vocab("ACGT").build(), 42L);
    }

    /** One short job and engine loop, so class loading and the JIT are not in the first measurement. */
    public static void warmUp(Model model) throws Exception {
        LinearAttention attention = LinearAttention.builder(model).build();
        OperatorBenchmark.operatorTokensPerSecond(attention, "hashmap", 16, 64, 100_000);
        OperatorBenchmark.engineTokensPerSecond(model, 16, 64, 500_000);
    }

    public static Result run(Model model, String backend, int keys, int chunk, long tokens, int repeats)
            throws Exception {
        LinearAttention attention = LinearAttention.builder(model).build();
        double op = 0;
        double eng = 0;
        for (int rep = 0; rep < repeats; rep++) {
            op = Math.max(op, OperatorBenchmark.operatorTokensPerSecond(attention, backend, keys, chunk, tokens));
            eng = Math.max(eng, OperatorBenchmark.engineTokensPerSecond(model, keys, chunk, tokens));
        }
        return new Result(backend, keys, chunk, tokens, repeats, op, eng);
    }
}
