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
package org.flinkla.flink;

import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.flinkla.records.AttentionOutput;
import org.flinkla.records.JsonLines;
import org.flinkla.records.JsonWriter;
import org.flinkla.records.ParseResult;
import org.flinkla.records.RecordTypes;
import org.flinkla.records.RecordValidator;
import org.flinkla.records.RejectedRecord;
import org.flinkla.records.TokenRecord;

/**
 * Offline replay (docs/jobs.md): runs the {@link LinearAttention} operator through Flink (a local
 * environment) over a JSON-lines file of docs/records.md records with a {@code "seq"} field, and writes
 * the outputs as JSON lines.
 *
 * <pre>{@code
 * Replay.Summary s = Replay.run(attention, Path.of("in.jsonl"), Path.of("out.jsonl"), System.err, 1, "hashmap");
 * }</pre>
 *
 * <p>Unusable lines are reported on {@code report} as {@code file:line: reason} and skipped; the
 * others still produce outputs. Output order is deterministic: sequences in the order of their
 * first line in the input, and within a sequence by position (the order the operator produced
 * them). The records of the file are held in memory (they become the job's bounded source).
 */
public final class Replay {
    private Replay() {}

    /** Counts of one replay. */
    public static final class Summary {
        public final long lines;
        public final long records;
        public final long skippedLines;
        public final long outputRecords;
        public final long outputs;

        Summary(long lines, long records, long skippedLines, long outputRecords, long outputs) {
            this.lines = lines;
            this.records = records;
            this.skippedLines = skippedLines;
            this.outputRecords = outputRecords;
            this.outputs = outputs;
        }

        @Override
        public String toString() {
            return lines + " lines, " + records + " records used, " + skippedLines + " skipped, "
                    + outputRecords + " output lines (" + outputs + " outputs)";
        }
    }

    /**
     * @param parallelism parallelism of the operator (the source has parallelism 1, so each
     *     sequence keeps its input order)
     * @param stateBackend {@code hashmap} or {@code rocksdb}
     */
    public static Summary run(LinearAttention attention, Path input, Path output, PrintStream report,
            int parallelism, String stateBackend) throws Exception {
        return run(attention, input, output, report, parallelism, stateBackend, DEFAULT_MAX_LINE_BYTES);
    }

    /** Default longest line: the Kafka pipeline's default {@code source.max-record-bytes}. */
    public static final int DEFAULT_MAX_LINE_BYTES = 1 << 20;

    /**
     * @param maxLineBytes longer lines are reported {@code oversize} and skipped (as the pipeline
     *     dead-letters larger record values)
     */
    public static Summary run(LinearAttention attention, Path input, Path output, PrintStream report,
            int parallelism, String stateBackend, int maxLineBytes) throws Exception {
        RecordValidator validator = attention.validator();
        List<TokenRecord> records = new ArrayList<>();
        Map<String, Integer> seqOrder = new HashMap<>();
        long lines = 0;
        long skipped = 0;
        long operatorRejects = 0;
        // bytes, not decoded text, and the pipeline's verdict: a line that is not UTF-8 is bad_json
        // with its line number, never an aborted run
        try (JsonLines in = new JsonLines(Files.newInputStream(input), maxLineBytes)) {
            for (JsonLines.Line line = in.next(); line != null; line = in.next()) {
                lines = line.number();
                if (line.isBlank()) {
                    continue;
                }
                ParseResult p = in.verdict(line);
                String reason = p.isOk() ? validator.validate(p.record()) : p.reason();
                if (reason != null) {
                    report.println(input + ":" + line.number() + ": " + reason);
                    skipped++;
                    continue;
                }
                // the line number rides along as the origin offset, so an operator reject names its line
                records.add(p.record().withOrigin(-1, line.number()));
                seqOrder.putIfAbsent(p.record().seq(), seqOrder.size());
            }
        }

        List<AttentionOutput> outputs = new ArrayList<>();
        if (!records.isEmpty()) {
            Configuration conf = new Configuration();
            conf.set(PipelineOptions.GENERIC_TYPES, false);
            conf.set(StateBackendOptions.STATE_BACKEND, stateBackend);
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
            env.setParallelism(parallelism);
            LinearAttention.Result result = attention.apply(
                    env.fromData(RecordTypes.TOKEN_RECORD, records.toArray(new TokenRecord[0])).name("replay input"));
            // outputs and the records only the operator can reject (non-finite outputs, position gaps)
            CloseableIterator<AttentionOutput> it = result.outputs().collectAsync();
            CloseableIterator<RejectedRecord> rej = result.rejected().collectAsync();
            org.apache.flink.core.execution.JobClient job = env.executeAsync("replay " + input.getFileName());
            List<RejectedRecord> rejects = new ArrayList<>();
            // both collected streams are drained at once, or one would back-pressure the job
            Thread drainRejects = new Thread(() -> rej.forEachRemaining(rejects::add), "replay-rejects");
            try (it; rej) {
                drainRejects.start();
                it.forEachRemaining(outputs::add);
                drainRejects.join();
                job.getJobExecutionResult().get(); // a failed job fails the replay
            } catch (RuntimeException | InterruptedException | java.util.concurrent.ExecutionException e) {
                job.cancel(); // after a normal end the local cluster is already gone
                throw e;
            }
            rejects.sort(Comparator.comparingLong(RejectedRecord::offset));
            for (RejectedRecord r : rejects) {
                report.println(input + ":" + r.offset() + ": " + r.reason());
            }
            skipped += rejects.size();
            operatorRejects = rejects.size();
        }
        // per sequence the operator emits in position order; a stable sort by first appearance keeps it
        outputs.sort(Comparator.comparingInt((AttentionOutput o) -> seqOrder.get(o.seq())));

        long n = 0;
        Path parent = output.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        JsonWriter json = new JsonWriter();
        try (OutputStream w = new BufferedOutputStream(Files.newOutputStream(output), 1 << 16)) {
            for (AttentionOutput o : outputs) {
                json.writeLine(o, w);
                n += o.count();
            }
        }
        return new Summary(lines, records.size() - operatorRejects, skipped, outputs.size(), n);
    }

    /** Used by the CLI: writes a one-line summary to {@code report}. */
}
