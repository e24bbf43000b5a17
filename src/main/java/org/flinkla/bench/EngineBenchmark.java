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
import org.flinkla.engine.AttentionConfig;
import org.flinkla.engine.ModelState;
import org.flinkla.engine.AttentionWeights;
import org.flinkla.engine.FeatureMapKind;
import org.flinkla.engine.RecurrentLinearAttention;
import org.flinkla.engine.StatePrecision;
import org.flinkla.engine.Variant;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH: one recurrent step of {@link RecurrentLinearAttention} (ops/s = tokens/s on one thread).
 * {@code shape} is d_model×heads with d_k = d_v = d_model/heads and d_out = d_model;
 * {@code step} takes a d_model vector, {@code stepToken} an embedding id (q, k, v precomputed).
 *
 * <pre>{@code
 * mvn -o -q package -DskipTests
 * java -cp target/flink-linear-attention.jar org.openjdk.jmh.Main EngineBenchmark \
 *     -f 1 -wi 2 -i 3 -p shape=64x4 -p featureMap=elu
 * }</pre>
 *
 * Gated and delta need elu or relu ({@code -p variant=delta -p featureMap=elu,relu}).
 *
 * <p>The kernels follow the JVM: add {@code -jvmArgsAppend "--add-modules jdk.incubator.vector"} for the
 * Vector API ones ({@code bench} runs both).
 *
 * <p>{@link #main} runs the same steps without JMH and reports tokens per <em>CPU</em> second of the
 * measuring thread, which stays meaningful on a shared machine where wall-clock throughput mostly
 * measures the other processes: {@code java -cp target/flink-linear-attention.jar
 * org.flinkla.bench.EngineBenchmark [seconds-per-case]}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class EngineBenchmark {
    private static final int INPUTS = 64;
    private static final int CHUNK = 16;

    @Param({"64x4", "256x8"})
    public String shape;

    @Param({"elu", "relu", "favor", "taylor"})
    public String featureMap;

    @Param({"float64", "float32"})
    public String precision;

    @Param({"linear"})
    public String variant;

    private RecurrentLinearAttention layer;
    private ModelState state;
    private double[] xs;
    private double[] y;
    private double[] ys;
    private int dModel;
    private int next;

    @Setup
    public void setup() {
        String[] s = shape.split("x");
        dModel = Integer.parseInt(s[0]);
        int heads = Integer.parseInt(s[1]);
        AttentionConfig cfg = AttentionConfig.builder()
                .dModel(dModel).heads(heads).dKey(dModel / heads).dValue(dModel / heads).dOut(dModel)
                .featureMap(FeatureMapKind.parse(featureMap))
                .variant(Variant.parse(variant))
                .statePrecision(StatePrecision.parse(precision))
                .vocab("ACGTN")
                .build();
        layer = new RecurrentLinearAttention(cfg, randomWeights(cfg, 1));
        state = layer.newState();
        Random r = new Random(2);
        xs = new double[INPUTS * dModel];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = r.nextGaussian();
        }
        y = new double[cfg.dOut()];
        ys = new double[CHUNK * cfg.dOut()];
    }

    @Benchmark
    public double[] step() {
        int i = next;
        next = (i + 1) & (INPUTS - 1);
        layer.step(state, xs, i * dModel, y, 0);
        return y;
    }

    /** A chunk of 16 d_model vectors per call ({@link RecurrentLinearAttention#steps}); scores are per token. */
    @Benchmark
    @OperationsPerInvocation(CHUNK)
    public double[] steps16() {
        int i = next;
        next = (i + CHUNK) & (INPUTS - 1);
        layer.steps(state, xs, i * dModel, CHUNK, ys, 0);
        return ys;
    }

    @Benchmark
    public double[] stepToken() {
        int i = next;
        next = i == 4 ? 0 : i + 1;
        layer.stepToken(state, i, y, 0);
        return y;
    }

    /**
     * Tokens per CPU second for every shape × feature map × precision (and the variants at 64x4, elu),
     * on the kernels this JVM selects (the Vector API ones with {@code --add-modules
     * jdk.incubator.vector}): {@code [seconds-per-case [filter]]}, filter matched against
     * "shape map variant state". Compare kernels with one JVM each: instances of both kernels in one
     * JVM share the JIT's profiles of the same methods and skew each other.
     */
    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 1.0;
        // optional filter, e.g. "64x4 elu linear float32": the cases whose "shape map variant state" contain it
        String only = args.length > 1 ? args[1] : "";
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        System.out.println("Kernels: " + org.flinkla.engine.VectorSupport.describe());
        System.out.println("| shape | feature map | variant | state | step (tokens/CPU-s) | stepToken (tokens/CPU-s) |");
        System.out.println("|---|---|---|---|---:|---:|");
        java.util.List<String[]> cases = new java.util.ArrayList<>();
        for (String sh : new String[] {"64x4", "256x8"}) {
            for (String fm : new String[] {"elu", "relu", "favor", "taylor"}) {
                for (String p : new String[] {"float64", "float32"}) {
                    cases.add(new String[] {sh, fm, p, "linear"});
                }
            }
        }
        for (String v : new String[] {"decay", "gated", "delta"}) {
            cases.add(new String[] {"64x4", "elu", "float64", v});
        }
        for (String[] c : cases) {
            if (!(c[0] + " " + c[1] + " " + c[3] + " " + c[2]).contains(only)) {
                continue;
            }
            EngineBenchmark b = new EngineBenchmark();
            b.shape = c[0];
            b.featureMap = c[1];
            b.precision = c[2];
            b.variant = c[3];
            b.setup();
            System.out.printf(java.util.Locale.ROOT, "| %s | %s | %s | %s | %,.0f | %,.0f |%n",
                    c[0], c[1], c[3], c[2], rate(mx, seconds, b, false), rate(mx, seconds, b, true));
        }
    }

    private static double rate(java.lang.management.ThreadMXBean mx, double seconds, EngineBenchmark b, boolean token) {
        double sink = 0;
        long budget = (long) (seconds * 1e9);
        for (int phase = 0; phase < 2; phase++) { // 0: warm-up (JIT), 1: measure
            long start = mx.getCurrentThreadCpuTime();
            long n = 0;
            long elapsed;
            do {
                for (int i = 0; i < 256; i++) {
                    sink += token ? b.stepToken()[0] : b.step()[0];
                }
                n += 256;
                elapsed = mx.getCurrentThreadCpuTime() - start;
            } while (elapsed < budget / (phase == 0 ? 2 : 1));
            if (phase == 1) {
                if (Double.isNaN(sink)) {
                    System.out.println("(NaN output)");
                }
                return n * 1e9 / elapsed;
            }
        }
        throw new AssertionError();
    }

    /** Gaussian weights scaled by 1/√fan-in, biases 0.1·N(0,1); the tensors the variant needs. */
    static AttentionWeights randomWeights(AttentionConfig c, long seed) {
        Random r = new Random(seed);
        int dm = c.dModel();
        int hk = c.heads() * c.dKey();
        int hv = c.heads() * c.dValue();
        AttentionWeights w = new AttentionWeights();
        w.queryWeight = gaussian(r, hk * dm, 1 / Math.sqrt(dm));
        w.keyWeight = gaussian(r, hk * dm, 1 / Math.sqrt(dm));
        w.valueWeight = gaussian(r, hv * dm, 1 / Math.sqrt(dm));
        w.outWeight = gaussian(r, c.dOut() * hv, 1 / Math.sqrt(hv));
        w.queryBias = gaussian(r, hk, 0.1);
        w.keyBias = gaussian(r, hk, 0.1);
        w.valueBias = gaussian(r, hv, 0.1);
        w.outBias = gaussian(r, c.dOut(), 0.1);
        if (c.variant() == Variant.GATED) {
            w.gateWeight = gaussian(r, hk * dm, 1 / Math.sqrt(dm));
            w.gateBias = gaussian(r, hk, 1.0);
        }
        if (c.variant() == Variant.DELTA) {
            w.betaWeight = gaussian(r, c.heads() * dm, 1 / Math.sqrt(dm));
            w.betaBias = gaussian(r, c.heads(), 0.1);
            w.alphaWeight = gaussian(r, c.heads() * dm, 1 / Math.sqrt(dm));
            w.alphaBias = gaussian(r, c.heads(), 2.0);
        }
        if (c.vocab() != null) {
            w.embedding = gaussian(r, c.vocab().length() * dm, 1.0);
        }
        return w;
    }

    private static double[] gaussian(Random r, int n, double scale) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextGaussian() * scale;
        }
        return a;
    }
}
