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

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;
import org.flinkla.model.Model;

/**
 * The {@code bench} command's run: engine (JMH), operator without Kafka (heap and RocksDB, next to
 * the bare engine in the same JVM) and Kafka → Flink → Kafka on the embedded default, one after the
 * other in one run, as one JSON document with every configuration, the ratios, the targets
 * (met or not) and the machine with its load before and after.
 *
 * <pre>{@code
 * ObjectNode report = new BenchSuite(BenchSuite.Settings.full()).run(System.err::println);
 * }</pre>
 */
public final class BenchSuite {
    /** The performance targets the suite reports as met or missed. */
    public static final double ENGINE_TARGET = 500_000;
    public static final double OPERATOR_OVER_ENGINE_TARGET = 0.5;
    public static final double ROCKSDB_OVER_HEAP_TARGET = 0.5;
    public static final double E2E_TARGET = 300_000;

    /** How much to run; {@link #quick()} takes about a minute, {@link #full()} several. */
    public record Settings(String mode, int jmhWarmup, int jmhIterations, long operatorTokens, int operatorRepeats,
            int operatorKeys, int operatorChunk, EndToEndThroughput.Options e2e, Set<String> parts) {
        public static Settings quick() {
            return new Settings("quick", 2, 3, 600_000, 1, 16, 1024,
                    new EndToEndThroughput.Options().tokens(1_000_000), Set.of("engine", "operator", "e2e"));
        }

        public static Settings full() {
            return new Settings("full", 3, 5, 2_000_000, 3, 16, 1024,
                    new EndToEndThroughput.Options().tokens(5_000_000), Set.of("engine", "operator", "e2e"));
        }

        public Settings only(Set<String> p) {
            return new Settings(mode, jmhWarmup, jmhIterations, operatorTokens, operatorRepeats, operatorKeys,
                    operatorChunk, e2e, p);
        }
    }

    private final Settings s;

    public BenchSuite(Settings settings) {
        this.s = settings;
    }

    public ObjectNode run(Consumer<String> log) throws Exception {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode out = f.objectNode();
        out.put("benchmark", "flink-linear-attention bench");
        out.put("mode", s.mode());
        MachineInfo before = MachineInfo.capture();
        out.set("machine", before.toJson());
        out.put("kernels_in_this_jvm", org.flinkla.engine.VectorSupport.describe());
        // the core's FMA peak in this JVM, for the GFLOP/s of the engine figures (0.6 s)
        org.flinkla.engine.FmaPeak.Result peak = org.flinkla.engine.FmaPeak.measure(0.6);
        ObjectNode cal = out.putObject("fma_peak_per_core");
        cal.put("double_gflops", peak.doubleGflops());
        cal.put("float_gflops", peak.floatGflops());
        cal.put("kind", peak.kind());
        log.accept("bench (" + s.mode() + ") on " + before.describe());
        long t0 = System.nanoTime();

        EngineThroughput.Result engine = null;
        EngineThroughput.Result plain = null;
        if (s.parts().contains("engine")) {
            // both kernels, one forked JVM each, back to back: the plain loops (any JVM) and the
            // Vector API kernels (JVM with --add-modules jdk.incubator.vector); the target is read
            // on the faster configuration a user can choose, and both are reported
            log.accept("engine: JMH EngineBenchmark step/stepToken (64x4, elu, float64), plain loops, forked JVM ...");
            plain = EngineThroughput.run("64x4", "elu", "float64", s.jmhWarmup(), s.jmhIterations(), false);
            log.accept("engine: the same with the Vector API kernels (--add-modules jdk.incubator.vector) ...");
            engine = EngineThroughput.run("64x4", "elu", "float64", s.jmhWarmup(), s.jmhIterations(), true);
            ObjectNode e = out.putObject("engine");
            ObjectNode c = e.putObject("config");
            c.put("d_model", 64).put("heads", 4).put("d_key", 16).put("d_value", 16).put("d_out", 64)
                    .put("feature_map", "elu").put("state_precision", "float64").put("variant", "linear")
                    .put("threads", 1).put("harness", "JMH 1.37, EngineBenchmark, 1 fork per kernel, "
                            + s.jmhWarmup() + "x1 s warm-up, " + s.jmhIterations() + "x1 s measurement")
                    .put("kernels", "Vector API (--add-modules jdk.incubator.vector)");
            e.put("step_tokens_per_second", round(engine.tokensPerSecond().get("step")));
            e.put("step_error_99_9", round(engine.error().get("step")));
            e.put("step_token_tokens_per_second", round(engine.tokensPerSecond().get("stepToken")));
            e.put("step_token_error_99_9", round(engine.error().get("stepToken")));
            e.put("steps16_tokens_per_second", round(engine.tokensPerSecond().get("steps16")));
            e.put("steps16_error_99_9", round(engine.error().get("steps16")));
            ObjectNode pl = e.putObject("plain_loops");
            pl.put("jvm", "-Dflinkla.vector=false");
            pl.put("step_tokens_per_second", round(plain.tokensPerSecond().get("step")));
            pl.put("step_error_99_9", round(plain.error().get("step")));
            pl.put("step_token_tokens_per_second", round(plain.tokensPerSecond().get("stepToken")));
            pl.put("step_token_error_99_9", round(plain.error().get("stepToken")));
            pl.put("steps16_tokens_per_second", round(plain.tokensPerSecond().get("steps16")));
            pl.put("steps16_error_99_9", round(plain.error().get("steps16")));
            e.put("vector_over_plain_step", round3(engine.tokensPerSecond().get("step") / plain.tokensPerSecond().get("step")));
            e.put("vector_over_plain_step_token",
                    round3(engine.tokensPerSecond().get("stepToken") / plain.tokensPerSecond().get("stepToken")));
            log.accept(String.format(Locale.ROOT,
                    "  engine, plain loops: step %,.0f, steps16 %,.0f, stepToken %,.0f tokens/s",
                    plain.tokensPerSecond().get("step"), plain.tokensPerSecond().get("steps16"),
                    plain.tokensPerSecond().get("stepToken")));
            log.accept(String.format(Locale.ROOT,
                    "  engine, Vector API: step %,.0f, steps16 %,.0f, stepToken %,.0f tokens/s",
                    engine.tokensPerSecond().get("step"), engine.tokensPerSecond().get("steps16"),
                    engine.tokensPerSecond().get("stepToken")));
        }

        OperatorThroughput.Result heap = null;
        OperatorThroughput.Result rocks = null;
        if (s.parts().contains("operator")) {
            Model model = OperatorThroughput.benchModel();
            log.accept("operator: in-memory source -> LinearAttention -> discarding sink, chunk " + s.operatorChunk()
                    + ", " + s.operatorKeys() + " keys, parallelism 1 ...");
            OperatorThroughput.warmUp(model);
            heap = OperatorThroughput.run(model, "hashmap", s.operatorKeys(), s.operatorChunk(), s.operatorTokens(),
                    s.operatorRepeats());
            log.accept(describe(heap));
            rocks = OperatorThroughput.run(model, "rocksdb", s.operatorKeys(), s.operatorChunk(), s.operatorTokens(),
                    s.operatorRepeats());
            log.accept(describe(rocks));
            ObjectNode o = out.putObject("operator");
            ObjectNode c = o.putObject("config");
            c.put("model", "d_model 64, 4 heads of 16, d_out 64, elu, float64 state, vocab ACGT, seed 42");
            c.put("source", "in-memory DNA chunks (OperatorBenchmark.Generate), keyed by sequence");
            c.put("sink", "discarding, rate from first to last output");
            c.put("chunk", s.operatorChunk()).put("keys", s.operatorKeys()).put("tokens", s.operatorTokens())
                    .put("parallelism", 1).put("repeats_best_of", s.operatorRepeats())
                    .put("checkpointing", "off")
                    .put("engine_reference", "RecurrentLinearAttention.stepTokens over the same chunks and keys, "
                            + "same JVM, alternating with the operator runs");
            o.set("hashmap", json(heap));
            o.set("rocksdb", json(rocks));
        }

        EndToEndThroughput.Result e2e = null;
        if (s.parts().contains("e2e")) {
            EndToEndThroughput.Options eo = s.e2e();
            log.accept(String.format(Locale.ROOT, "end to end: %,d tokens, binary chunks of %d, %s, %s, "
                    + "parallelism %d, embedded Kafka + MiniCluster ...", eo.tokens, eo.chunk, eo.guarantee,
                    eo.backend, eo.parallelism));
            e2e = EndToEndThroughput.run(eo, log);
            ObjectNode e = out.putObject("end_to_end");
            ObjectNode c = e.putObject("config");
            c.put("tokens", eo.tokens).put("keys", eo.keys).put("chunk", eo.chunk).put("format", eo.format)
                    .put("guarantee", eo.guarantee).put("state_backend", eo.backend)
                    .put("parallelism", eo.parallelism).put("checkpoint_interval", eo.checkpointInterval)
                    .put("kafka", "in-process KRaft broker (Kafka 4.2.0), input produced before the job starts, "
                            + "outputs read read_committed while it runs");
            c.put("job_yaml", e2e.jobYaml());
            if (Double.isFinite(e2e.steadyTokensPerSecond())) {
                e.put("tokens_per_second", round(e2e.steadyTokensPerSecond()));
            } else {
                e.putNull("tokens_per_second"); // one committed batch: no steady interval
            }
            e.put("job_tokens_per_second", round(e2e.jobTokensPerSecond()));
            e.put("output_tokens", e2e.outputTokens());
            e.put("input_records", e2e.inputRecords());
            e.put("output_records", e2e.outputRecords());
            e.put("job_seconds", round3(e2e.jobSeconds()));
            e.put("first_output_seconds", round3(e2e.firstOutputSeconds()));
            e.put("steady_seconds", round3(e2e.steadySeconds()));
            e.put("produce_seconds", round3(e2e.produceSeconds()));
            e.put("note", "tokens_per_second = committed outputs after the first committed batch / time from it "
                    + "to the last; job_tokens_per_second includes MiniCluster start and the first checkpoint");
            log.accept(String.format(Locale.ROOT, "  e2e: steady %,.0f tokens/s, whole job %,.0f tokens/s (%.1f s)",
                    e2e.steadyTokensPerSecond(), e2e.jobTokensPerSecond(), e2e.jobSeconds()));
        }

        ObjectNode r = out.putObject("ratios");
        ArrayNode targets = out.putArray("targets");
        if (engine != null) {
            double step = engine.tokensPerSecond().get("step");
            target(targets, "engine step tokens/s (64x4, elu, float64, Vector API kernels)", ">= 500000", step,
                    step >= ENGINE_TARGET);
            double chunk = engine.tokensPerSecond().get("steps16");
            target(targets, "engine steps tokens/s, chunks of 16 vectors (64x4, elu, float64, Vector API kernels)",
                    ">= 500000", chunk, chunk >= ENGINE_TARGET);
            double plainStep = plain.tokensPerSecond().get("step");
            target(targets, "engine step tokens/s (64x4, elu, float64, plain loops)", ">= 500000", plainStep,
                    plainStep >= ENGINE_TARGET);
        }
        if (heap != null) {
            r.put("operator_heap_over_engine", round3(heap.ratio()));
            r.put("operator_rocksdb_over_engine", round3(rocks.ratio()));
            r.put("rocksdb_over_heap", round3(rocks.operatorTokensPerSecond() / heap.operatorTokensPerSecond()));
            target(targets, "operator (heap, chunk 1024) / engine, same JVM", ">= 0.5", heap.ratio(),
                    heap.ratio() >= OPERATOR_OVER_ENGINE_TARGET);
            double rh = rocks.operatorTokensPerSecond() / heap.operatorTokensPerSecond();
            target(targets, "operator RocksDB / heap", ">= 0.5", rh, rh >= ROCKSDB_OVER_HEAP_TARGET);
        }
        if (engine != null && heap != null) {
            r.put("operator_heap_over_jmh_step_token",
                    round3(heap.operatorTokensPerSecond() / engine.tokensPerSecond().get("stepToken")));
        }
        if (e2e != null) {
            if (engine != null) {
                r.put("e2e_over_engine_step_token",
                        round3(e2e.steadyTokensPerSecond() / engine.tokensPerSecond().get("stepToken")));
            }
            if (heap != null) {
                r.put("e2e_over_engine_same_jvm", round3(e2e.steadyTokensPerSecond() / heap.engineTokensPerSecond()));
                r.put("e2e_over_operator_heap", round3(e2e.steadyTokensPerSecond() / heap.operatorTokensPerSecond()));
            }
            target(targets, "end to end tokens/s (binary chunks, exactly-once)", ">= 300000",
                    e2e.steadyTokensPerSecond(), e2e.steadyTokensPerSecond() >= E2E_TARGET);
        }
        out.put("load_average_after", MachineInfo.readLoadAverage());
        out.put("seconds", round3((System.nanoTime() - t0) / 1e9));
        return out;
    }

    private static ObjectNode json(OperatorThroughput.Result r) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("operator_tokens_per_second", round(r.operatorTokensPerSecond()));
        n.put("engine_tokens_per_second", round(r.engineTokensPerSecond()));
        n.put("operator_over_engine", round3(r.ratio()));
        return n;
    }

    private static String describe(OperatorThroughput.Result r) {
        return String.format(Locale.ROOT, "  operator %s: %,.0f tokens/s, engine %,.0f tokens/s, ratio %.2f",
                r.backend(), r.operatorTokensPerSecond(), r.engineTokensPerSecond(), r.ratio());
    }

    private static void target(ArrayNode a, String what, String target, double measured, boolean met) {
        a.addObject().put("what", what).put("target", target).put("measured", round3(measured)).put("met", met);
    }

    static double round(double v) {
        return Double.isFinite(v) ? Math.rint(v) : v;
    }

    static double round3(double v) {
        return Double.isFinite(v) ? Math.rint(v * 1000) / 1000 : v;
    }
}
