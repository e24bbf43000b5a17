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
