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

import java.util.Map;

/**
 * What one pass of the bases through an {@link AttentionPipeline} measured.
 *
 * @param pipeline         which pipeline ran, for people
 * @param tokensIn         tokens produced (bases)
 * @param records          input records (FASTA-line chunks)
 * @param startup          start-up before the job was submitted, by part (e.g. broker, cluster, produce),
 *                         in seconds; parts may overlap (broker and cluster start in parallel); empty in-process
 * @param startupSeconds   wall time from the start of the start-up to the job's submission
 * @param jobSeconds       job submit → last output committed and read
 * @param timeline         outputs committed and read against seconds since job submit
 * @param processed        outputs written by the job (committed or not yet) against seconds since job
 *                         submit: where the computing ends and the wait for the last commit starts;
 *                         null when the pipeline has no transactions (in-process)
 * @param operatorCpuSeconds CPU time of the thread that ran the model (for the Kafka pipeline the task
 *                         thread of the operator chain, sink writer included; in-process the engine's
 *                         loop); NaN when unknown
 * @param peakHeapBytes    peak heap used by this JVM during the run (sampled)
 * @param stateBytesPerKey bytes of keyed state per sequence
 */
public record DemoRun(String pipeline, long tokensIn, long records, Map<String, Double> startup,
        double startupSeconds, double jobSeconds, Timeline timeline, Timeline processed, double operatorCpuSeconds,
        long peakHeapBytes,
        long stateBytesPerKey) {

    /** Seconds from job submit to the first output read (job start-up plus the first commit). */
    public double firstOutputSeconds() {
        return timeline.timeAt(1);
    }

    /** Seconds from job submit until the job had written its first output (committed or not); NaN if unknown. */
    public double firstProcessedSeconds() {
        return processed == null ? Double.NaN : processed.timeAt(1);
    }

    /** Seconds from job submit until the job had written every output (committed or not); NaN if unknown. */
    public double lastProcessedSeconds() {
        return processed == null ? Double.NaN : processed.timeAt(tokensIn);
    }

    /** Tokens per second over the whole job time. */
    public double tokensPerSecond() {
        return jobSeconds > 0 ? tokensIn / jobSeconds : 0;
    }

    /**
     * Tokens per second once outputs flow: the rate between 10% and 90% of the outputs, which
     * leaves out job scheduling before the first output and the last checkpoint/commit wait. It
     * is the rate of the outputs as the job wrote them when that is known, else as they were
     * committed.
     */
    public double steadyTokensPerSecond() {
        if (processed != null && Double.isFinite(lastProcessedSeconds())) {
            return processed.rateBetween(0.1, 0.9);
        }
        return timeline.rateBetween(0.1, 0.9);
    }
}
