package org.flinkla.demo;

/**
 * Runs the demo's attention job over a slice of the chromosome: feeds the bases as FASTA-line
 * chunks (one record per line, key = the sequence name), hands every output to {@code outputs}
 * and reports progress as outputs arrive.
 */
public interface AttentionPipeline {

    /** Bases per input record: one line of the FASTA file. */
    int FASTA_LINE = 60;

    /** One line for people, e.g. "Kafka (in-process KRaft) → Flink MiniCluster → Kafka, exactly-once". */
    String describe();

    DemoRun run(Chromosome.Slice bases, DemoModel model, OutputSummary outputs, ProgressBar progress)
            throws Exception;
}
