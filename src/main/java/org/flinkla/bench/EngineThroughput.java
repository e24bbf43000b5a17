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

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * The engine's single-thread rate for the bench command: the engine's own JMH benchmark
 * ({@link EngineBenchmark}, {@code step} = a d_model vector in, {@code stepToken} = an embedding
 * id in) for one shape, feature map and precision, in a forked JVM (JMH's default). One JMH
 * operation is one token, so the score is tokens/s.
 *
 * <pre>{@code
 * EngineThroughput.Result r = EngineThroughput.run("64x4", "elu", "float64", 2, 3, true);
 * r.tokensPerSecond().get("step");
 * }</pre>
 *
 * <p>{@code vector}: the forked JVM runs with {@code --add-modules jdk.incubator.vector} (the
 * engine's Vector API kernels); otherwise with {@code -Dflinkla.vector=false} (the plain loops),
 * whatever the calling JVM has.
 */
public final class EngineThroughput {
    private EngineThroughput() {}

    /** JMH scores by benchmark method ({@code step}, {@code steps16}, {@code stepToken}), with their error (99.9% CI). */
    public record Result(String shape, String featureMap, String precision, boolean vector, int warmupIterations,
            int measurementIterations, Map<String, Double> tokensPerSecond, Map<String, Double> error) {}

    /** The forked JVM's options for the plain loops or the Vector API kernels. */
    static String[] jvmArgs(boolean vector) {
        return vector ? new String[] {"-Xmx1g", "--add-modules", "jdk.incubator.vector"}
                : new String[] {"-Xmx1g", "-D" + org.flinkla.engine.VectorSupport.PROPERTY + "=false"};
    }

    public static Result run(String shape, String featureMap, String precision, int warmup, int iterations,
                             boolean vector) throws RunnerException {
        // Other JMH runs on a shared machine hold /tmp/jmh.lock; waiting for them is not an option
        // for a command, and the load is recorded next to the numbers anyway.
        if (System.getProperty("jmh.ignoreLock") == null) {
            System.setProperty("jmh.ignoreLock", "true");
        }
        Options opt = new OptionsBuilder()
                .include(EngineBenchmark.class.getName() + "\\.(step|steps16|stepToken)$")
                .param("shape", shape)
                .param("featureMap", featureMap)
                .param("precision", precision)
                .param("variant", "linear")
                .forks(1)
                .jvmArgs(jvmArgs(vector))
                .warmupIterations(warmup)
                .warmupTime(TimeValue.seconds(1))
                .measurementIterations(iterations)
                .measurementTime(TimeValue.seconds(1))
                .shouldFailOnError(true)
                .verbosity(VerboseMode.SILENT)
                .build();
        Collection<RunResult> results = new Runner(opt).run();
        Map<String, Double> rate = new LinkedHashMap<>();
        Map<String, Double> err = new LinkedHashMap<>();
        for (RunResult r : results) {
            String label = r.getParams().getBenchmark();
            String method = label.substring(label.lastIndexOf('.') + 1);
            rate.put(method, r.getPrimaryResult().getScore());
            err.put(method, r.getPrimaryResult().getScoreError());
        }
        if (!rate.containsKey("step") || !rate.containsKey("steps16") || !rate.containsKey("stepToken")) {
            throw new IllegalStateException("JMH returned no result for EngineBenchmark.step/steps16/stepToken "
                    + "(is META-INF/BenchmarkList in the jar?): " + rate.keySet());
        }
        return new Result(shape, featureMap, precision, vector, warmup, iterations, rate, err);
    }
}
