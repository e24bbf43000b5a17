package org.flinkla.demo;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Path;
import java.util.Locale;
import org.flinkla.engine.ModelState;
import org.flinkla.engine.RecurrentLinearAttention;
import org.flinkla.engine.SoftmaxAttention;

/**
 * The child JVM of {@link MemoryCurves}: streams the first N bases through one attention method,
 * one token at a time, and prints {@code method,tokens,heap_used_bytes} after a full GC every
 * {@code every} tokens, then one final line
 * {@code #end <completed|out_of_memory|time_budget|failed> tokens=<n> seconds=<s> max_heap=<bytes> <detail>}.
 *
 * <p>An OutOfMemoryError is caught here: the method's memory is dropped first, so there is room to
 * report it, and the exit is clean.
 *
 * <pre>{@code
 * java -Xmx64m -XX:+UseSerialGC -cp <classpath> org.flinkla.demo.MemoryProbe \
 *     naive 100000 50 15 seed:42:linear shipped
 * }</pre>
 */
public final class MemoryProbe {
    static final String END = "#end";
    static final String SHIPPED = "shipped";

    /** One causal attention method consuming one token per call. */
    interface Streamer {
        void step(int tokenId, double[] y);
    }

    private MemoryProbe() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 6) {
            System.err.println("usage: MemoryProbe <linear|kv|naive> <tokens> <every> <budget-seconds> "
                    + "<model-spec> <shipped|fasta-path>");
            System.exit(2);
        }
        String method = args[0];
        long tokens = Long.parseLong(args[1]);
        long every = Long.parseLong(args[2]);
        double budget = Double.parseDouble(args[3]);
        DemoModel model = DemoModel.fromSpec(args[4]);
        Chromosome chr = args[5].equals(SHIPPED) ? Chromosome.shipped() : Chromosome.read(Path.of(args[5]), null);
        Chromosome.Slice bases = chr.slice(tokens);

        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        long maxHeap = mem.getHeapMemoryUsage().getMax();
        double[] y = new double[model.config().dOut()];
        int[] ids = new int[128];
        for (int i = 0; i < DemoModel.VOCAB.length(); i++) {
            ids[DemoModel.VOCAB.charAt(i)] = i;
        }

        sample(method, 0, mem);
        String outcome = "completed";
        String detail = "";
        long done = 0;
        long start = System.nanoTime();
        try {
            if (method.equals("naive")) {
                long[] completed = new long[1];
                try {
                    runNaive(model, bases, tokens, every, budget, mem, start, completed);
                } finally {
                    done = completed[0];
                }
                outcome = done < tokens ? "time_budget" : "completed";
            } else {
                Streamer streamer = create(method, model);
                try {
                    for (long t = 0; t < tokens; t++) {
                        streamer.step(ids[bases.baseAt(t)], y);
                        done = t + 1;
                        if (done % every == 0 || done == tokens) {
                            sample(method, done, mem);
                            if (done < tokens && (System.nanoTime() - start) / 1e9 > budget) {
                                outcome = "time_budget";
                                break;
                            }
                        }
                    }
                } finally {
                    // Drop everything the method holds before printing: the report needs a little heap.
                    streamer = null;
                }
            }
        } catch (OutOfMemoryError e) {
            outcome = "out_of_memory";
            detail = String.valueOf(e.getMessage());
        } catch (RuntimeException e) {
            outcome = "failed";
            detail = e.toString();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.println(String.format(Locale.ROOT, "%s %s tokens=%d seconds=%.3f max_heap=%d %s",
                END, outcome, done, seconds, maxHeap, detail.replace('\n', ' ')));
        System.out.flush();
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
    private static void runNaive(DemoModel model, Chromosome.Slice bases, long tokens, long every, double budget,
            MemoryMXBean mem, long start, long[] completed) {
        SoftmaxAttention softmax = new SoftmaxAttention(model.config(), model.weights());
        int[] all = new int[(int) tokens];
        for (int t = 0; t < all.length; t++) {
            all[t] = DemoModel.VOCAB.indexOf(bases.baseAt(t));
        }
        for (long n = Math.min(every, tokens); ; n = Math.min(n + every, tokens)) {
            int[] prefix = java.util.Arrays.copyOf(all, (int) n);
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

    static Streamer create(String method, DemoModel model) {
        switch (method) {
            case "linear": {
                RecurrentLinearAttention layer = model.newLayer();
                ModelState state = layer.newState();
                return (id, y) -> layer.stepToken(state, id, y, 0);
            }
            case "kv": {
                SoftmaxAttention.KvCache cache = new SoftmaxAttention(model.config(), model.weights()).newCache();
                return (id, y) -> cache.stepToken(id, y, 0);
            }
            default:
                throw new IllegalArgumentException("unknown method '" + method + "' (expected linear, kv or naive)");
        }
    }
}
