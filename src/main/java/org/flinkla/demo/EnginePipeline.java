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

import org.flinkla.engine.ModelState;
import org.flinkla.engine.ModelStepper;
import org.flinkla.engine.SequenceModel;

/**
 * The bases straight through the engine in this JVM, record by record as the Kafka pipeline would
 * see them (FASTA-line chunks through the model's chunk method, one key): no Kafka, no Flink. The
 * baseline for the real pipeline and the fallback for {@code demo --pipeline engine}. For a
 * language model it derives the probabilities and the surprisal of every output as the operator
 * does (p_i = exp(y_i − m)/Σ_j exp(y_j − m); surprisal_t = −log2 p_{t−1}(x_t)).
 */
public final class EnginePipeline implements AttentionPipeline {
    private static final double LN2 = Math.log(2.0);
    private final long warmUpBases;

    public EnginePipeline() {
        this(ModelWarmUp.DEFAULT_MIN_BASES);
    }

    /**
     * With {@code warmUpBases} synthetic bases through the model first ({@link ModelWarmUp}; 0:
     * none), as the Kafka pipeline does while its broker and cluster start, so that both time a
     * compiled model. Nothing runs next to it here: it adds its time to the command's.
     */
    public EnginePipeline(long warmUpBases) {
        this.warmUpBases = warmUpBases;
    }

    @Override
    public String describe() {
        return "the engine in-process (no Kafka, no Flink)";
    }

    @Override
    public DemoRun run(Chromosome.Slice bases, DemoModel demoModel, OutputSummary outputs, ProgressBar progress) {
        SequenceModel model = demoModel.model();
        ModelStepper stepper = model.newStepper();
        ModelState state = model.newState();
        int dOut = model.outputWidth();
        boolean lm = outputs.isLanguageModel();
        int[] ids = new int[FASTA_LINE];
        double[] ys = new double[FASTA_LINE * dOut];
        double[] ps = new double[dOut];
        double[] logp = new double[dOut];
        boolean hasPrediction = false;
        long n = bases.length();
        long records = 0;
        java.util.Map<String, Double> startup = new java.util.LinkedHashMap<>();
        if (warmUpBases > 0) {
            progress.status("warming up the model");
            startup.put("warm_up", ModelWarmUp.run(model, org.flinkla.flink.EmitMode.ALL,
                    lm ? org.flinkla.flink.EmitFields.NONE.withProbabilities(true).withSurprisal(true)
                            : org.flinkla.flink.EmitFields.NONE, 16_384, warmUpBases).seconds());
        }
        try (HeapSampler heap = HeapSampler.start(20)) {
            java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
            long cpu0 = threads.getCurrentThreadCpuTime();
            long start = System.nanoTime();
            progress.restart();
            Timeline timeline = new Timeline(start, 10_000_000L);
            for (long pos = 0; pos < n; pos += FASTA_LINE) {
                int count = (int) Math.min(FASTA_LINE, n - pos);
                for (int i = 0; i < count; i++) {
                    char b = bases.baseAt(pos + i);
                    ids[i] = model.tokenId(b);
                    if (ids[i] < 0) {
                        throw new IllegalArgumentException("base '" + b + "' at position " + (pos + i)
                                + " is not a symbol of " + model.source());
                    }
                }
                stepper.stepTokens(state, ids, 0, count, ys, 0);
                for (int i = 0; i < count; i++) {
                    if (lm) {
                        double surprisal = hasPrediction ? -logp[ids[i]] / LN2 : Double.NaN;
                        LanguageModelBits.logSoftmax(ys, i * dOut, dOut, logp);
                        hasPrediction = true;
                        probabilities(ys, i * dOut, dOut, ps);
                        outputs.accept(pos + i, ys, i * dOut, ps, 0, surprisal);
                    } else {
                        outputs.accept(pos + i, ys, i * dOut);
                    }
                }
                records++;
                long done = pos + count;
                timeline.record(System.nanoTime(), done);
                progress.update(done);
            }
            long end = System.nanoTime();
            double cpu = cpu0 < 0 ? Double.NaN : (threads.getCurrentThreadCpuTime() - cpu0) / 1e9;
            timeline.finish(end, n);
            progress.finish();
            return new DemoRun(describe(), n, records, startup,
                    startup.values().stream().mapToDouble(Double::doubleValue).sum(), (end - start) / 1e9, timeline, null, cpu,
                    heap.peakBytes(),
                    // as the Flink operator stores it, so both pipelines report the same number
                    demoModel.stateBytesPerKey(lm));
        }
    }

    /** p_i = exp(y_i − m) / Σ_j exp(y_j − m), m = max_j y_j. */
    private static void probabilities(double[] y, int off, int v, double[] p) {
        double m = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < v; i++) {
            m = Math.max(m, y[off + i]);
        }
        double sum = 0;
        for (int i = 0; i < v; i++) {
            p[i] = Math.exp(y[off + i] - m);
            sum += p[i];
        }
        for (int i = 0; i < v; i++) {
            p[i] /= sum;
        }
    }
}
