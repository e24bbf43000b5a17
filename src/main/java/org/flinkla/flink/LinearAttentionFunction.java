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

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.flinkla.engine.SequenceModel;
import org.flinkla.records.AttentionOutput;
import org.flinkla.records.RecordTypes;
import org.flinkla.records.RecordValidator;
import org.flinkla.records.RejectReasons;
import org.flinkla.records.RejectedRecord;
import org.flinkla.records.TokenRecord;

/**
 * The keyed process function behind {@link LinearAttention}: one {@link SequenceState} per key
 * (sequence id), read once and written once per record; the record's semantics (replays, gaps,
 * resets, what is emitted) are {@link SequenceProcessor}'s. Invalid records go to
 * {@link LinearAttention#REJECTED}.
 *
 * <p>The model is resolved in {@link #open} from its {@link ModelReference}: loaded once per
 * TaskManager JVM and shared by its subtasks.
 *
 * <p>A record starting more than {@code maxPositionGap} positions after the sequence's next
 * position is rejected {@code bad_pos} with the state untouched (one wild position would otherwise
 * move the next position so far that every later token is a "replay"); so is one whose positions
 * would overflow. A record whose outputs or new state hold NaN or infinite values (an overflow) is
 * undone and rejected {@code non_finite_output}.
 *
 * <p>Prefer {@link LinearAttention#apply}; use this class directly only to wire it yourself:
 * {@code stream.keyBy(TokenRecord::seq).process(attention.function())}.
 */
@org.apache.flink.annotation.PublicEvolving
public final class LinearAttentionFunction extends KeyedProcessFunction<String, TokenRecord, AttentionOutput> {
    private static final long serialVersionUID = 1L;

    /** Name of the keyed state (part of the savepoint format together with the operator uid). */
    public static final String STATE_NAME = "sequence-state";

    private static final int HISTOGRAM_WINDOW = 1024;

    private final ModelReference modelRef;
    private final EmitMode emit;
    private final EmitFields fields;
    private final Duration stateTtl;
    private final int maxTokensPerRecord;
    private long maxPositionGap = LinearAttention.DEFAULT_MAX_POSITION_GAP;

    private transient SequenceProcessor processor;
    private transient ValueState<SequenceState> state;
    /** True once {@link #probeBackend} has run. */
    private transient boolean backendProbed;

    transient Counter recordsIn; // package-private: read by tests
    transient Counter tokensIn;
    transient Counter outputsOut;
    transient Counter rejected;
    private transient Map<String, Counter> rejectedByReason;
    private transient MetricGroup metricGroup;
    transient Counter replayedTokens;
    transient Counter gaps;
    transient Counter gapTokens;
    transient Counter resets;
    private transient Histogram processingNanos;

    LinearAttentionFunction(ModelReference modelRef, EmitMode emit, EmitFields fields, Duration stateTtl,
            int maxTokensPerRecord) {
        this.modelRef = modelRef;
        this.emit = emit;
        this.fields = fields;
        this.stateTtl = stateTtl;
        this.maxTokensPerRecord = maxTokensPerRecord;
    }

    /** Largest accepted gap: a record may start at most this many positions after the next expected one. */
    LinearAttentionFunction maxPositionGap(long gap) {
        this.maxPositionGap = gap;
        return this;
    }

    /** The state descriptor, with processing-time TTL when configured. */
    ValueStateDescriptor<SequenceState> stateDescriptor() {
        ValueStateDescriptor<SequenceState> d = new ValueStateDescriptor<>(STATE_NAME, SequenceStateSerializer.TYPE_INFO);
        if (stateTtl != null) {
            // each record writes the state, so the clock restarts with every record of the key
            d.enableTimeToLive(StateTtlConfig.newBuilder(stateTtl)
                    .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                    .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                    .build());
        }
        return d;
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        SequenceModel model = modelRef.resolve();
        processor = new SequenceProcessor(model, emit, fields, maxTokensPerRecord).maxPositionGap(maxPositionGap);
        // which hot loops this TaskManager runs (the Vector API needs --add-modules jdk.incubator.vector)
        org.slf4j.LoggerFactory.getLogger(LinearAttentionFunction.class)
                .info("model {} ({}), kernels: {}", model.source(), model.architecture(),
                        org.flinkla.engine.VectorSupport.describe());
        state = getRuntimeContext().getState(stateDescriptor());
        registerMetrics(getRuntimeContext().getMetricGroup(),
                SequenceStateSerializer.serializedBytes(model.statePrecision(), model.stateLength(),
                        fields.surprisal() ? model.outputWidth() : 0)); // + the stored prediction
    }

    /** Registers the metrics of {@link LinearAttentionMetrics} under {@code operatorGroup}. */
    void registerMetrics(MetricGroup operatorGroup, long stateBytes) {
        MetricGroup g = operatorGroup.addGroup(LinearAttentionMetrics.GROUP);
        metricGroup = g;
        recordsIn = g.counter(LinearAttentionMetrics.RECORDS_IN);
        tokensIn = g.counter(LinearAttentionMetrics.TOKENS_IN);
        outputsOut = g.counter(LinearAttentionMetrics.OUTPUTS_OUT);
        rejected = g.counter(LinearAttentionMetrics.REJECTED);
        rejectedByReason = new HashMap<>();
        for (String code : RejectReasons.ALL) {
            rejectedByReason.put(code,
                    g.addGroup(LinearAttentionMetrics.REASON_GROUP, code).counter(LinearAttentionMetrics.REJECTED));
        }
        replayedTokens = g.counter(LinearAttentionMetrics.REPLAYED_TOKENS_DROPPED);
        gaps = g.counter(LinearAttentionMetrics.GAPS);
        gapTokens = g.counter(LinearAttentionMetrics.GAP_TOKENS);
        resets = g.counter(LinearAttentionMetrics.RESETS);
        g.gauge(LinearAttentionMetrics.STATE_BYTES_PER_KEY, (Gauge<Long>) () -> stateBytes);
        processingNanos = g.histogram(LinearAttentionMetrics.RECORD_PROCESSING_NANOS,
                new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
    }

    @Override
    public void processElement(TokenRecord record, Context ctx, Collector<AttentionOutput> out) throws Exception {
        long t0 = System.nanoTime();
        SequenceProcessor.Outcome o = processor.process(record, readState(record));
        if (o.rejectReason != null) {
            reject(record, o.rejectReason, ctx);
            return;
        }
        apply(record, o, out);
        processingNanos.update(System.nanoTime() - t0);
    }

    /** The processor (the bundling operator runs its phases). */
    SequenceProcessor processor() {
        return processor;
    }

    /** The current key's state for the record: its one read, skipped for a reset and an invalid record. */
    SequenceState readState(TokenRecord record) throws java.io.IOException {
        boolean reset = record.kind() == TokenRecord.Kind.RESET;
        if (reset || record.seq() == null) {
            return null;
        }
        SequenceState s = state.value();
        if (s != null && !backendProbed) {
            probeBackend(s);
        }
        return s;
    }

    /**
     * Once per subtask, at the first stored state: whether the state backend hands out the stored
     * object (the heap backend: a second read returns the same object, and the processor keeps a
     * copy of the state before each record to undo an overflow) or a new copy per read (RocksDB,
     * which deserializes at every read: the stored bytes are the undo, no copy is needed; see
     * {@link SequenceProcessor#statesAreCopies(boolean)}). One extra read, once.
     */
    private void probeBackend(SequenceState first) throws java.io.IOException {
        backendProbed = true;
        processor.statesAreCopies(state.value() != first);
    }

    /** Records the processing time of one accepted record. */
    void recordNanos(long nanos) {
        processingNanos.update(nanos);
    }

    /**
     * An accepted record's outcome under the current key: the counters, the one write of its
     * state, its output to {@code out}.
     */
    void apply(TokenRecord record, SequenceProcessor.Outcome o, Collector<AttentionOutput> out)
            throws java.io.IOException {
        recordsIn.inc();
        if (o.clearState) {
            state.clear();
            resets.inc();
        } else {
            tokensIn.inc(record.count());
            if (o.replayed > 0) {
                replayedTokens.inc(o.replayed);
            }
            if (o.gap > 0) {
                gaps.inc();
                gapTokens.inc(o.gap);
            }
            if (o.stateChanged) {
                state.update(o.state); // the one write of this record
            }
            if (o.output != null) {
                outputsOut.inc(o.output.count());
                out.collect(o.output);
            }
        }
    }

    private void reject(TokenRecord record, String reason, Context ctx) {
        ctx.output(LinearAttention.REJECTED, rejected(record, reason));
    }

    /** Counts a rejected record; returns its dead letter. */
    RejectedRecord rejected(TokenRecord record, String reason) {
        rejected.inc();
        Counter c = rejectedByReason.get(RejectReasons.codeOf(reason));
        if (c == null) {
            c = metricGroup.addGroup(LinearAttentionMetrics.REASON_GROUP, RejectReasons.codeOf(reason))
                    .counter(LinearAttentionMetrics.REJECTED);
            rejectedByReason.put(RejectReasons.codeOf(reason), c);
        }
        c.inc();
        return RejectedRecord.of(record, reason);
    }

    static OutputTag<RejectedRecord> rejectedTag() {
        return new OutputTag<>("rejected", RecordTypes.REJECTED_RECORD);
    }
}
