package org.flinkla.demo;

/**
 * Runs the demo's job over a slice of the chromosome: feeds the bases as FASTA-line chunks (one
 * record per line, key = the sequence name), hands every output to {@code outputs} and reports
 * progress as outputs arrive.
 *
 * <pre>{@code
 * try (AttentionPipeline p = new KafkaDemoPipeline(job)) {
 *     p.prepare();                         // broker and cluster start in the background
 *     ... load the data and the model ...
 *     DemoRun run = p.run(bases, model, outputs, bar);
 * }
 * }</pre>
 */
public interface AttentionPipeline extends AutoCloseable {

    /** Bases per input record: one line of the FASTA file. */
    int FASTA_LINE = 60;

    /** One line for people, e.g. "Kafka (in-process KRaft) → Flink MiniCluster → Kafka, exactly-once". */
    String describe();

    /**
     * Starts in the background what needs neither the model nor the data (for Kafka: the broker
     * and the Flink cluster, in parallel); {@link #run} waits for it. Optional.
     */
    default void prepare() {}

    DemoRun run(Chromosome.Slice bases, DemoModel model, OutputSummary outputs, ProgressBar progress)
            throws Exception;

    /** Stops what {@link #prepare} or {@link #run} started. */
    @Override
    default void close() throws Exception {}
}
