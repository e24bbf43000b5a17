package org.flinkla.demo;

import java.util.Map;

/**
 * What one pass of the bases through an {@link AttentionPipeline} measured.
 *
 * @param pipeline         which pipeline ran, for people
 * @param tokensIn         tokens produced (bases)
 * @param records          input records (FASTA-line chunks)
 * @param startup          start-up before the job was submitted, by part (e.g. broker, cluster), in seconds;
 *                         empty in-process
 * @param jobSeconds       job submit → last output committed and read
 * @param timeline         outputs read against seconds since job submit, for the throughput picture
 * @param peakHeapBytes    peak heap used by this JVM during the run (sampled)
 * @param stateBytesPerKey bytes of keyed state per sequence
 */
public record DemoRun(String pipeline, long tokensIn, long records, Map<String, Double> startup, double jobSeconds,
        Timeline timeline, long peakHeapBytes, long stateBytesPerKey) {

    /** Start-up before the job was submitted, all parts. */
    public double startupSeconds() {
        return startup.values().stream().mapToDouble(Double::doubleValue).sum();
    }

    /** Seconds from job submit to the first output read (job start-up plus the first commit). */
    public double firstOutputSeconds() {
        return timeline.timeAt(1);
    }

    /** Tokens per second over the whole job time. */
    public double tokensPerSecond() {
        return jobSeconds > 0 ? tokensIn / jobSeconds : 0;
    }

    /**
     * Tokens per second once outputs flow: the rate between 10% and 90% of the outputs, which
     * leaves out job scheduling before the first output and the last checkpoint/commit wait.
     */
    public double steadyTokensPerSecond() {
        return timeline.rateBetween(0.1, 0.9);
    }
}
