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

import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import org.flinkla.engine.SequenceModel;
import org.flinkla.flink.EmitFields;
import org.flinkla.flink.EmitMode;
import org.flinkla.flink.SequenceProcessor;
import org.flinkla.flink.SequenceState;
import org.flinkla.records.TokenRecord;

/**
 * Warms the JIT compiler up on the demo's model before the job starts: steps the model over a
 * synthetic sequence (seeded random symbols of the model's vocabulary, one key, in records of
 * {@link AttentionPipeline#FASTA_LINE} symbols) through the same {@link SequenceProcessor} the
 * job's operator runs, with the job's emit mode and fields, in this JVM — where the demo's
 * MiniCluster runs the job's tasks.
 *
 * <p>Why: the model's kernels use the Vector API, which runs 10–100× slower until the C2 compiler
 * has compiled them. A job that runs for hours is compiled within its first seconds; the demo's
 * job lasts a few seconds, so without this it would spend a good part of them in the slow forms.
 * The demo starts the broker and the cluster anyway, and this runs next to them. Nothing of the
 * warm-up reaches the job: its state and outputs are discarded, the model is immutable.
 *
 * <p>It runs next to the start-up and does not hold it up: {@link #finish} (at the job's
 * submission) stops it as soon as it has done its minimum, and the job does not share the cores
 * with it.
 *
 * <pre>{@code
 * ModelWarmUp warm = ModelWarmUp.start(model, EmitMode.ALL, fields, 16_384, 3_000, 3_000);
 * ... start-up ...
 * ModelWarmUp.Result r = warm.finish();   // r.bases() symbols in r.seconds()
 * }</pre>
 */
public final class ModelWarmUp {
    /** Default minimum of synthetic symbols: the first records, where the code is slowest before it is compiled. */
    public static final long DEFAULT_MIN_BASES = 3_000;
    /**
     * Default maximum, while the start-up lasts ({@code 0} turns the warm-up off): the minimum.
     * Going on to 30,000 compiled a little more of the model but slowed the broker's and the
     * cluster's start (they share the cores and the JIT compiler with it) by more than the job won.
     */
    public static final long DEFAULT_MAX_BASES = 3_000;
    private static final long SEED = 20_261_201L;

    /** What a warm-up did: symbols stepped and wall seconds. */
    public record Result(long bases, double seconds) {}

    private final CompletableFuture<Result> done = new CompletableFuture<>();
    private volatile boolean stop;

    private ModelWarmUp() {}

    /**
     * Starts a warm-up of at most {@code maxBases} symbols on a daemon thread ({@code maxBases == 0}
     * or a model without a vocabulary: none); {@link #finish} lets it stop after {@code minBases}.
     */
    public static ModelWarmUp start(SequenceModel model, EmitMode emit, EmitFields fields, int maxTokensPerRecord,
            long minBases, long maxBases) {
        ModelWarmUp w = new ModelWarmUp();
        if (maxBases <= 0 || model.vocab() == null || model.vocab().isEmpty()) {
            w.done.complete(new Result(0, 0));
            return w;
        }
        Thread t = new Thread(() -> {
            try {
                w.done.complete(w.run(model, emit, fields, maxTokensPerRecord, Math.min(minBases, maxBases), maxBases));
            } catch (Throwable e) {
                w.done.completeExceptionally(e);
            }
        }, "demo-model-warm-up");
        t.setDaemon(true);
        t.start();
        return w;
    }

    /** True when the warm-up has ended (its maximum done, or stopped). */
    public boolean isDone() {
        return done.isDone();
    }

    /**
     * Stops the warm-up once it has done its minimum, and waits for it.
     *
     * @throws IllegalStateException when the warm-up failed (e.g. the model rejected a record)
     */
    public Result finish() throws InterruptedException {
        stop = true;
        try {
            return done.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("the model's warm-up failed: " + e.getCause(), e.getCause());
        }
    }

    /** A warm-up of exactly {@code bases} symbols in the calling thread. */
    public static Result run(SequenceModel model, EmitMode emit, EmitFields fields, int maxTokensPerRecord,
            long bases) {
        if (bases <= 0 || model.vocab() == null || model.vocab().isEmpty()) {
            return new Result(0, 0);
        }
        return new ModelWarmUp().run(model, emit, fields, maxTokensPerRecord, bases, bases);
    }

    private Result run(SequenceModel model, EmitMode emit, EmitFields fields, int maxTokensPerRecord, long minBases,
            long maxBases) {
        long t0 = System.nanoTime();
        String vocab = model.vocab();
        SequenceProcessor processor = new SequenceProcessor(model, emit, fields, maxTokensPerRecord);
        SplittableRandom random = new SplittableRandom(SEED);
        char[] line = new char[AttentionPipeline.FASTA_LINE];
        SequenceState state = null;
        long pos = 0;
        while (pos < maxBases && !(stop && pos >= minBases)) {
            int n = (int) Math.min(line.length, maxBases - pos);
            for (int i = 0; i < n; i++) {
                line[i] = vocab.charAt(random.nextInt(vocab.length()));
            }
            SequenceProcessor.Outcome o = processor.process(
                    TokenRecord.symbols("warm-up", pos, new String(line, 0, n), true), state);
            if (o.rejectReason != null) {
                throw new IllegalStateException("the warm-up record at " + pos + " was rejected: " + o.rejectReason);
            }
            state = o.state;
            pos += n;
        }
        return new Result(pos, (System.nanoTime() - t0) / 1e9);
    }
}
