package org.flinkla.demo;

import org.flinkla.engine.ModelState;
import org.flinkla.engine.RecurrentLinearAttention;
import org.flinkla.flink.SequenceStateSerializer;

/**
 * The bases straight through the engine in this JVM, record by record as the Kafka pipeline would
 * see them (FASTA-line chunks, one key): no Kafka, no Flink. The baseline for the real pipeline
 * and the fallback for {@code demo --pipeline engine}.
 */
public final class EnginePipeline implements AttentionPipeline {

    @Override
    public String describe() {
        return "the engine in-process (no Kafka, no Flink)";
    }

    @Override
    public DemoRun run(Chromosome.Slice bases, DemoModel model, OutputSummary outputs, ProgressBar progress) {
        RecurrentLinearAttention layer = model.newLayer();
        ModelState state = layer.newState();
        int dOut = model.config().dOut();
        int[] ids = new int[FASTA_LINE];
        double[] ys = new double[FASTA_LINE * dOut];
        long n = bases.length();
        long records = 0;
        try (HeapSampler heap = HeapSampler.start(20)) {
            long start = System.nanoTime();
            progress.restart();
            Timeline timeline = new Timeline(start, 10_000_000L);
            for (long pos = 0; pos < n; pos += FASTA_LINE) {
                int count = (int) Math.min(FASTA_LINE, n - pos);
                for (int i = 0; i < count; i++) {
                    ids[i] = layer.tokenId(bases.baseAt(pos + i));
                }
                for (int i = 0; i < count; i++) {
                    layer.stepToken(state, ids[i], ys, i * dOut);
                }
                for (int i = 0; i < count; i++) {
                    outputs.accept(pos + i, ys, i * dOut);
                }
                records++;
                long done = pos + count;
                timeline.record(System.nanoTime(), done);
                progress.update(done);
            }
            long end = System.nanoTime();
            timeline.finish(end, n);
            progress.finish();
            return new DemoRun(describe(), n, records, java.util.Map.of(), (end - start) / 1e9, timeline, heap.peakBytes(),
                    // as the Flink operator stores it, so both pipelines report the same number
                    SequenceStateSerializer.serializedBytes(model.config().statePrecision(), layer.stateLength()));
        }
    }
}
