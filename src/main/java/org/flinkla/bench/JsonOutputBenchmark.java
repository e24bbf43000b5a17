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

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.flinkla.records.AttentionOutput;
import org.flinkla.records.JsonWriter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH: one JSON output record to UTF-8 bytes (what the Kafka sink sends), written by
 * {@link JsonWriter} (Jackson's streaming generator, one per serializer) and by the hand-written
 * writer it replaced ({@link HandWrittenJson}), side by side in one fork. Time per record.
 *
 * <ul>
 *   <li>{@code single}: one output of 64 values ({@code "y"}: d_out 64 of the benchmark model);
 *   <li>{@code chunk64}: a chunk of 64 outputs of 64 values ({@code "ys"});
 *   <li>{@code lm64}: a chunk of 64 outputs of a 5-symbol language model with probabilities and
 *       surprisal ({@code "ys"}, {@code "ps"}, {@code "surprisals"}: the demo's output).
 * </ul>
 *
 * <pre>{@code
 * mvn -o -q package -DskipTests
 * java -cp target/flink-linear-attention.jar org.openjdk.jmh.Main JsonOutputBenchmark -prof gc
 * }</pre>
 *
 * <p>{@link #main} runs both writers alternately, in one JVM, and reports CPU time of the measuring
 * thread per record, the best of {@code repeats} rounds (a shared machine only ever slows a round
 * down), and their ratio: {@code java -cp target/flink-linear-attention.jar
 * org.flinkla.bench.JsonOutputBenchmark [seconds-per-round] [repeats]}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class JsonOutputBenchmark {
    @Param({"single", "chunk64", "lm64"})
    public String record;

    private AttentionOutput output;
    private JsonWriter jackson;

    @Setup
    public void setup() {
        output = output(record, new Random(1));
        jackson = new JsonWriter();
    }

    /** The output of one case; values spread like a model's (signs, magnitudes over a few decades). */
    static AttentionOutput output(String record, Random rnd) {
        switch (record) {
            case "single":
                return new AttentionOutput("chr1", 123_456, 64, gaussians(rnd, 64), null, false);
            case "chunk64":
                return new AttentionOutput("chr1", 123_456, 64, gaussians(rnd, 64 * 64), null, true);
            case "lm64": {
                int n = 64;
                int v = 5;
                double[] logits = gaussians(rnd, n * v);
                double[] ps = new double[n * v];
                double[] surprisal = new double[n];
                for (int i = 0; i < n; i++) {
                    // p = softmax(logits) per output; surprisal = -log2 p of a drawn symbol
                    double sum = 0;
                    for (int j = 0; j < v; j++) {
                        ps[i * v + j] = Math.exp(logits[i * v + j]);
                        sum += ps[i * v + j];
                    }
                    for (int j = 0; j < v; j++) {
                        ps[i * v + j] /= sum;
                    }
                    surprisal[i] = -Math.log(ps[i * v + rnd.nextInt(v)]) / Math.log(2);
                }
                return new AttentionOutput("chr1", 123_456, v, logits, null, true, ps, null, 0, null, null, null,
                        surprisal);
            }
            default:
                throw new IllegalArgumentException("record must be single, chunk64 or lm64, got " + record);
        }
    }

    private static double[] gaussians(Random rnd, int n) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = rnd.nextGaussian() * Math.pow(10, rnd.nextInt(4) - 2);
        }
        return a;
    }

    @Benchmark
    public byte[] jackson() {
        return jackson.toBytes(output);
    }

    @Benchmark
    public byte[] handWritten() {
        return HandWrittenJson.toJsonBytes(output);
    }

    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 1.0;
        int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        MachineInfo m = MachineInfo.capture();
        System.out.println("machine: " + m.cores() + " cores, " + m.cpuModel() + ", " + m.jvm() + ", load "
                + m.loadAverage());
        System.out.println("| record | bytes | hand-written (µs/record, CPU) | Jackson (µs/record, CPU) | Jackson / hand-written |");
        System.out.println("|---|---:|---:|---:|---:|");
        for (String record : new String[] {"single", "chunk64", "lm64"}) {
            JsonOutputBenchmark b = new JsonOutputBenchmark();
            b.record = record;
            b.setup();
            double bestHand = Double.MAX_VALUE;
            double bestJackson = Double.MAX_VALUE;
            for (int r = 0; r <= repeats; r++) { // round 0 warms both up
                double hand = cpuMicros(mx, seconds, b, false);
                double jackson = cpuMicros(mx, seconds, b, true);
                if (r > 0) {
                    bestHand = Math.min(bestHand, hand);
                    bestJackson = Math.min(bestJackson, jackson);
                }
            }
            System.out.printf(java.util.Locale.ROOT, "| %s | %d | %.2f | %.2f | %.2f |%n", record,
                    b.jackson().length, bestHand, bestJackson, bestJackson / bestHand);
        }
        System.out.println("load after: " + MachineInfo.readLoadAverage());
    }

    /** CPU microseconds of this thread per record, over about {@code seconds} of CPU time. */
    private static double cpuMicros(java.lang.management.ThreadMXBean mx, double seconds, JsonOutputBenchmark b,
            boolean jackson) {
        long budget = (long) (seconds * 1e9);
        long start = mx.getCurrentThreadCpuTime();
        long n = 0;
        long sink = 0;
        long elapsed;
        do {
            for (int i = 0; i < 16; i++) {
                sink += (jackson ? b.jackson() : b.handWritten()).length;
            }
            n += 16;
            elapsed = mx.getCurrentThreadCpuTime() - start;
        } while (elapsed < budget);
        if (sink == 42) {
            System.out.print(""); // keeps the results alive
        }
        return elapsed / 1e3 / n;
    }
}
