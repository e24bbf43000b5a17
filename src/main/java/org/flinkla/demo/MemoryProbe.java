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
package org.flinkla.demo;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.flinkla.engine.ModelState;
import org.flinkla.engine.ModelStepper;
import org.flinkla.engine.SequenceModel;
import org.flinkla.engine.SoftmaxAttention;
import org.flinkla.engine.stack.SoftmaxEncoder;
import org.flinkla.flink.ModelReference;
import org.flinkla.model.FastTransformersLoader;
import org.flinkla.model.Model;

/**
 * The child JVM of {@link MemoryCurves}: streams the first N bases through one method, one token
 * at a time, and prints {@code method,tokens,heap_used_bytes} after a full GC every {@code every}
 * tokens, then one final line
 * {@code #end <completed|out_of_memory|time_budget|failed> tokens=<n> seconds=<s> max_heap=<bytes> <detail>}.
 *
 * <p>Methods:
 * <ul>
 *   <li>{@code linear}: the model's recurrent state (any {@link SequenceModel}: the trained Gated
 *       DeltaNet, an encoder stack, a single layer), through its stepper;
 *   <li>{@code kv}: softmax attention of a single layer with a KV cache ({@link SoftmaxAttention.KvCache});
 *   <li>{@code naive}: the same layer's naive softmax (the N×N score matrix, one pass per sample);
 *   <li>{@code softmax}: a trained softmax encoder stack ({@link SoftmaxEncoder}, a KV cache per
 *       layer). When it is a language model, the child also scores every base it gets to, and
 *       prints {@code bits,<position>,<bits>} for positions 1.. (0-based) before the final line:
 *       −log2 p_{t−1}(x_t) from the logits of the previous position.
 * </ul>
 *
 * <p>An OutOfMemoryError is caught here: the method's memory is dropped first, so there is room to
 * report it, and the exit is clean. The bits are kept in an array allocated before the loop, so
 * they survive the error.
 *
 * <pre>{@code
 * java -Xmx24m -XX:+UseSerialGC -cp <classpath> org.flinkla.demo.MemoryProbe \
 *     softmax 100000 500 30 classpath:/models/dna/softmax shipped
 * }</pre>
 */
public final class MemoryProbe {
    static final String END = "#end";
    static final String BITS = "bits";
    static final String SHIPPED = "shipped";
    private static final double LN2 = Math.log(2.0);

    /** One causal method consuming one token per call. */
    interface Streamer {
        void step(int tokenId, double[] y);
    }

    private MemoryProbe() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 6) {
            System.err.println("usage: MemoryProbe <linear|kv|naive|softmax> <tokens> <every> <budget-seconds> "
                    + "<model-spec> <shipped|fasta-path> [model-option=value ...]");
            System.exit(2);
        }
        String method = args[0];
        long tokens = Long.parseLong(args[1]);
        long every = Long.parseLong(args[2]);
        double budget = Double.parseDouble(args[3]);
        String spec = args[4];
        Map<String, String> overrides = DemoModel.parseOverrides(Arrays.asList(args).subList(6, args.length));
        Chromosome chr = args[5].equals(SHIPPED) ? Chromosome.shipped() : Chromosome.read(Path.of(args[5]), null);
        Chromosome.Slice bases = chr.slice(tokens);

        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        long maxHeap = mem.getHeapMemoryUsage().getMax();
        Object preloaded = preload();
        if (method.equals("naive")) {
            naive(spec, overrides, bases, tokens, every, budget, mem, maxHeap);
            java.lang.ref.Reference.reachabilityFence(preloaded);
            return;
        }
        Streamer streamer;
        Lm lm = null;
        int[] ids;
        int width;
        String detail = "";
        try {
            if (method.equals("softmax")) {
                SoftmaxEncoder enc = FastTransformersLoader.loadSoftmax(ModelReference.localPath(spec), overrides);
                ids = ids(bases, tokens, enc::tokenId, enc.source());
                width = enc.outputWidth();
                if (enc.vocabSize() > 0 && enc.outputWidth() == enc.vocabSize()) {
                    lm = new Lm(width, (int) tokens);
                } else {
                    detail = "not a language model (output width " + width + ", " + enc.vocabSize()
                            + " token ids): no bits";
                }
                SoftmaxEncoder.Session session = enc.newSession();
                streamer = (id, y) -> session.stepToken(id, y, 0);
            } else {
                SequenceModel model = method.equals("linear") ? DemoModel.fromSpec(spec, overrides).model()
                        : singleLayer(spec, overrides);
                ids = ids(bases, tokens, model::tokenId, model.source());
                width = model.outputWidth();
                streamer = create(method, model);
            }
        } catch (RuntimeException | OutOfMemoryError e) {
            finish("failed", 0, 0, maxHeap, "could not set up " + method + ": " + e, null, 0);
            return;
        }
        stream(method, tokens, every, budget, mem, maxHeap, ids, streamer, lm, width, detail);
        java.lang.ref.Reference.reachabilityFence(preloaded);
    }

    /** System property: a model spec every child loads before its first sample ({@link #preload}). */
    static final String PRELOAD = "flinkla.demo.preload";
    /** System property: that model's options, {@code key=value} separated by commas. */
    static final String PRELOAD_OPTIONS = "flinkla.demo.preload.options";

    /**
     * Loads the demo's model in every child before the first sample, whatever the method, so that
     * the children's baselines agree: much of a JVM's heap after GC at the start is what class
     * loading keeps (the directories of the jars it opened), and loading a model by URI touches
     * more jars than building a seeded layer. The model stays referenced (a constant offset).
     */
    private static Object preload() {
        String spec = System.getProperty(PRELOAD);
        if (spec == null || spec.isEmpty()) {
            return null;
        }
        String opts = System.getProperty(PRELOAD_OPTIONS, "");
        List<String> args = opts.isEmpty() ? List.of() : Arrays.asList(opts.split(","));
        return DemoModel.fromSpec(spec, DemoModel.parseOverrides(args)).model();
    }

    /**
     * The streaming loop of the methods that take one token per call: samples every {@code every}
     * tokens, then the bits (when scoring) and the final line.
     */
    private static void stream(String method, long tokens, long every, double budget, MemoryMXBean mem, long maxHeap,
            int[] ids, Streamer streamer, Lm lm, int width, String detailIn) {
        String outcome = "completed";
        String detail = detailIn;
        long done = 0;
        double[] y = new double[width];
        sample(method, 0, mem);
        long start = System.nanoTime();
        try {
            for (int t = 0; t < tokens; t++) {
                streamer.step(ids[t], y);
                if (lm != null) {
                    lm.absorbed(t, ids[t], y);
                }
                done = t + 1;
                if (done % every == 0 || done == tokens) {
                    sample(method, done, mem);
                    if (done < tokens && (System.nanoTime() - start) / 1e9 > budget) {
                        outcome = "time_budget";
                        break;
                    }
                }
            }
        } catch (OutOfMemoryError e) {
            outcome = "out_of_memory";
            detail = String.valueOf(e.getMessage());
        } catch (RuntimeException e) {
            outcome = "failed";
            detail = e.toString();
        }
        // Drop everything the method holds before printing: the report needs a little heap.
        streamer = null;
        finish(outcome, done, (System.nanoTime() - start) / 1e9, maxHeap, detail, lm == null ? null : lm.bits, done);
    }

    private static void naive(String spec, Map<String, String> overrides, Chromosome.Slice bases, long tokens,
            long every, double budget, MemoryMXBean mem, long maxHeap) {
        String outcome;
        String detail = "";
        long[] completed = new long[1];
        long start = System.nanoTime();
        try {
            Model layer = singleLayer(spec, overrides);
            sample("naive", 0, mem);
            start = System.nanoTime();
            runNaive(layer, bases, tokens, every, budget, mem, start, completed);
            outcome = completed[0] < tokens ? "time_budget" : "completed";
        } catch (OutOfMemoryError e) {
            outcome = "out_of_memory";
            detail = String.valueOf(e.getMessage());
        } catch (RuntimeException e) {
            outcome = "failed";
            detail = e.toString();
        }
        finish(outcome, completed[0], (System.nanoTime() - start) / 1e9, maxHeap, detail, null, 0);
    }

    /** Prints the bits of positions 1..done−1 (those scored) and the final line. */
    private static void finish(String outcome, long done, double seconds, long maxHeap, String detail, double[] bits,
            long scoredUpTo) {
        if (bits != null) {
            StringBuilder sb = new StringBuilder();
            for (int t = 1; t < scoredUpTo && t < bits.length; t++) {
                if (!Double.isNaN(bits[t])) {
                    sb.setLength(0);
                    sb.append(BITS).append(',').append(t).append(',').append(bits[t]);
                    System.out.println(sb);
                }
            }
        }
        System.out.println(String.format(Locale.ROOT, "%s %s tokens=%d seconds=%.3f max_heap=%d %s",
                END, outcome, done, seconds, maxHeap, detail.replace('\n', ' ')));
        System.out.flush();
    }

    /**
     * Surprisal of each token under the previous position's logits, into an array allocated before
     * the loop (so the bits survive an OutOfMemoryError).
     */
    private static final class Lm {
        private final double[] logp;
        final double[] bits;
        private boolean has;

        Lm(int v, int tokens) {
            this.logp = new double[v];
            this.bits = new double[tokens];
            Arrays.fill(bits, Double.NaN);
        }

        /** Token t (id) has been absorbed and gave logits y: bits_t = −log2 p_{t−1}(x_t), then the new prediction. */
        void absorbed(int t, int id, double[] y) {
            if (has) {
                bits[t] = -logp[id] / LN2;
            }
            LanguageModelBits.logSoftmax(y, 0, logp.length, logp);
            has = true;
        }
    }

    private static Model singleLayer(String spec, Map<String, String> overrides) {
        SequenceModel m = DemoModel.fromSpec(spec, overrides).model();
        if (!(m instanceof Model)) {
            throw new IllegalArgumentException(spec + " is not a single attention layer (" + m.architecture()
                    + "): the kv and naive methods need one");
        }
        return (Model) m;
    }

    /** A model's token id of a symbol (-1: not one of its symbols). */
    interface TokenIds {
        int of(char symbol);
    }

    private static int[] ids(Chromosome.Slice bases, long tokens, TokenIds tokenId, String source) {
        int[] ids = new int[(int) tokens];
        for (int t = 0; t < ids.length; t++) {
            char b = bases.baseAt(t);
            ids[t] = tokenId.of(b);
            if (ids[t] < 0) {
                throw new IllegalArgumentException("base '" + b + "' at position " + t + " is not a symbol of " + source);
            }
        }
        return ids;
    }

    private static void sample(String method, long tokens, MemoryMXBean mem) {
        System.out.println(method + "," + tokens + "," + liveHeap(mem));
    }

    /**
     * Heap in use right after a full GC (serial: System.gc() is a full, compacting collection). It
     * can still count an array the method has just dropped if compiled code keeps a stale reference
     * until the next safepoint: single samples may sit one growth step high.
     */
    static long liveHeap(MemoryMXBean mem) {
        System.gc();
        return mem.getHeapMemoryUsage().getUsed();
    }

    /**
     * The naive form is a whole-sequence computation (it allocates the n×n score matrix), so the
     * stream is measured the way it would have to be served: at each sample point n, one forward
     * pass over the first n tokens. The sample is the peak heap in use during that pass (after a
     * full GC before it), polled by a thread and read again right after the pass, before anything
     * is collected. {@code completed[0]} is the largest n done so far.
     */
    private static void runNaive(Model layer, Chromosome.Slice bases, long tokens, long every, double budget,
            MemoryMXBean mem, long start, long[] completed) {
        SoftmaxAttention softmax = new SoftmaxAttention(layer.config(), layer.weights());
        int[] all = ids(bases, tokens, layer::tokenId, layer.source());
        for (long n = Math.min(every, tokens); ; n = Math.min(n + every, tokens)) {
            int[] prefix = Arrays.copyOf(all, (int) n);
            System.gc();
            long peak;
            try (HeapSampler heap = HeapSampler.start(1)) {
                double[][] ys = softmax.forwardNaiveTokens(prefix);
                peak = Math.max(heap.peakBytes(), mem.getHeapMemoryUsage().getUsed());
                if (ys.length != n) {
                    throw new IllegalStateException("naive softmax returned " + ys.length + " outputs for " + n + " tokens");
                }
            }
            System.out.println("naive," + n + "," + peak);
            completed[0] = n;
            if (n >= tokens || (System.nanoTime() - start) / 1e9 > budget) {
                return;
            }
        }
    }

    static Streamer create(String method, SequenceModel model) {
        switch (method) {
            case "linear": {
                ModelStepper stepper = model.newStepper();
                ModelState state = model.newState();
                return (id, y) -> stepper.stepToken(state, id, y, 0);
            }
            case "kv": {
                Model layer = (Model) model;
                SoftmaxAttention.KvCache cache = new SoftmaxAttention(layer.config(), layer.weights()).newCache();
                return (id, y) -> cache.stepToken(id, y, 0);
            }
            default:
                throw new IllegalArgumentException("unknown method '" + method + "' (expected linear, kv, naive or softmax)");
        }
    }
}
