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
import org.flinkla.engine.AttentionConfig;
import org.flinkla.engine.AttentionState;
import org.flinkla.engine.AttentionWeights;
import org.flinkla.engine.RecurrentLinearAttention;
import org.flinkla.records.AttentionOutput;
import org.flinkla.records.RecordTypes;
import org.flinkla.records.RecordValidator;
import org.flinkla.records.RejectReasons;
import org.flinkla.records.RejectedRecord;
import org.flinkla.records.TokenRecord;

/**
 * The keyed process function behind {@link LinearAttention}: one {@link SequenceState} per key
 * (sequence id), read once and written once per record; each new token of the record is one
 * recurrent step (DESIGN §2) and, depending on the {@link EmitMode}, one output.
 *
 * <p>Semantics per record (DESIGN §4), for a key whose next expected position is {@code next}:
 * a record without {@code pos} starts at {@code next}; tokens at positions below {@code next} are
 * replays and dropped (a chunk overlapping {@code next} keeps only its new tokens); a record
 * starting above {@code next} is a gap, counted and accepted when it skips at most
 * {@code maxPositionGap} positions, otherwise rejected {@code bad_pos} with the state untouched (one
 * wild position would otherwise move {@code next} so far that every later token is a "replay").
 * {@code {"control":"reset"}} clears the key. Invalid records (see {@link RecordValidator}) go to {@link LinearAttention#REJECTED}.
 *
 * <p>Prefer {@link LinearAttention#apply}; use this class directly only to wire it yourself:
 * {@code stream.keyBy(TokenRecord::seq).process(attention.function())}.
 */
public final class LinearAttentionFunction extends KeyedProcessFunction<String, TokenRecord, AttentionOutput> {
    private static final long serialVersionUID = 1L;

    /** Name of the keyed state (part of the savepoint format together with the operator uid). */
    public static final String STATE_NAME = "sequence-state";

    private static final int HISTOGRAM_WINDOW = 1024;

    private final AttentionConfig config;
    private final AttentionWeights weights;
    private final EmitMode emit;
    private final Duration stateTtl;
    private final int maxTokensPerRecord;
    private long maxPositionGap = LinearAttention.DEFAULT_MAX_POSITION_GAP;

    private transient RecurrentLinearAttention engine;
    private transient RecordValidator validator;
    private transient ValueState<SequenceState> state;
    private transient double[] scratchY;
    private transient AttentionState undo;
    private transient int dOut;

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

    LinearAttentionFunction(AttentionConfig config, AttentionWeights weights, EmitMode emit, Duration stateTtl,
            int maxTokensPerRecord) {
        this.config = config;
        this.weights = weights;
        this.emit = emit;
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
        engine = new RecurrentLinearAttention(config, weights);
        // which hot loops this TaskManager runs (the Vector API needs --add-modules jdk.incubator.vector)
        org.slf4j.LoggerFactory.getLogger(LinearAttentionFunction.class)
                .info("linear attention engine kernels: {}", org.flinkla.engine.VectorSupport.describe());
        validator = RecordValidator.forModel(config, weights, maxTokensPerRecord);
        dOut = config.dOut();
        scratchY = new double[dOut];
        state = getRuntimeContext().getState(stateDescriptor());

        registerMetrics(getRuntimeContext().getMetricGroup(),
                SequenceStateSerializer.serializedBytes(config.statePrecision(), engine.stateLength()));
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
        String reason = validator.validate(record);
        if (reason != null) {
            reject(record, reason, ctx);
            return;
        }
        if (record.kind() == TokenRecord.Kind.RESET) {
            recordsIn.inc();
            state.clear();
            resets.inc();
            processingNanos.update(System.nanoTime() - t0);
            return;
        }
        int count = record.count();

        SequenceState s = state.value(); // the one read of this record
        if (s == null) {
            s = new SequenceState(engine.newState(), SequenceState.NO_POSITION);
        } else {
            checkShape(s, record.seq());
        }
        long next = s.nextPos();
        long start = record.hasPos() ? record.pos() : (next == SequenceState.NO_POSITION ? 0 : next);
        // next becomes start + count: it must stay a position (not wrap onto NO_POSITION = Long.MIN_VALUE)
        if (start > Long.MAX_VALUE - count) {
            reject(record, RejectReasons.of(RejectReasons.BAD_POS, "position " + start + " + " + count
                    + " tokens overflows"), ctx);
            return;
        }
        // start - next cannot overflow: both are >= 0 here
        if (next != SequenceState.NO_POSITION && start > next && start - next > maxPositionGap) {
            reject(record, RejectReasons.of(RejectReasons.BAD_POS, "pos " + start + " skips " + (start - next)
                    + " positions after the sequence's next position " + next + "; the bound is "
                    + maxPositionGap + " (max-position-gap)"), ctx);
            return;
        }
        int skip = 0;
        boolean gap = false;
        if (next != SequenceState.NO_POSITION) {
            if (start < next) {
                // replay: positions [start, next) were already absorbed (at-least-once producer)
                skip = (int) Math.min(count, next - start);
                if (skip == count) {
                    recordsIn.inc();
                    tokensIn.inc(count);
                    replayedTokens.inc(skip);
                    processingNanos.update(System.nanoTime() - t0);
                    return; // nothing new: the state is unchanged, no write
                }
            } else if (start > next) {
                gap = true;
            }
        }
        // the heap backend hands out the stored object itself: keep a copy to undo a failed record
        if (undo == null) {
            undo = engine.newState();
        }
        undo.copyFrom(s.attention());
        AttentionOutput output = run(record, s, start, skip);
        long nonFinite = nonFinite(output, s.attention());
        if (nonFinite > 0) {
            // an overflow (e.g. huge weights) would write NaN/Inf into the state, and every later output
            // of the sequence would be null: undo the record and reject it instead
            s.attention().copyFrom(undo);
            reject(record, RejectReasons.of(RejectReasons.NON_FINITE_OUTPUT, nonFinite + " output or state values"
                    + " are NaN or infinite (overflow); the sequence's state is left as before this record"), ctx);
            return;
        }
        recordsIn.inc();
        tokensIn.inc(count);
        replayedTokens.inc(skip);
        if (gap) {
            gaps.inc();
            gapTokens.inc(start - next);
        }
        s.setNextPos(start + count);
        state.update(s); // the one write of this record
        if (output != null) {
            outputsOut.inc(output.count());
            out.collect(output);
        }
        processingNanos.update(System.nanoTime() - t0);
    }

    /** Non-finite values among the emitted outputs and the new state (x·0 is NaN exactly for NaN and ±Inf). */
    private static long nonFinite(AttentionOutput output, AttentionState a) {
        long n = 0;
        if (output != null) {
            for (double v : output.ys()) {
                if (Double.isNaN(v * 0)) {
                    n++;
                }
            }
        }
        double acc = 0;
        if (a.doubles() != null) {
            for (double v : a.doubles()) {
                acc += v * 0;
            }
        } else {
            for (float v : a.floats()) {
                acc += v * 0f;
            }
        }
        if (Double.isNaN(acc)) {
            // counted only when needed: the sum above is the cheap test
            if (a.doubles() != null) {
                for (double v : a.doubles()) {
                    n += Double.isNaN(v * 0) ? 1 : 0;
                }
            } else {
                for (float v : a.floats()) {
                    n += Float.isNaN(v * 0f) ? 1 : 0;
                }
            }
        }
        return n;
    }

    /** Steps tokens [skip, count) of the record through the engine; returns the emitted outputs or null. */
    private AttentionOutput run(TokenRecord record, SequenceState s, long start, int skip) {
        AttentionState a = s.attention();
        int count = record.count();
        int fresh = count - skip;
        long absorbed = a.tokens(); // tokens of this sequence before the record (for every:n)
        int emitted;
        switch (emit.kind()) {
            case ALL:
                emitted = fresh;
                break;
            case LAST:
                emitted = 1;
                break;
            default: {
                long n = emit.n();
                emitted = (int) ((absorbed + fresh) / n - absorbed / n);
            }
        }
        double[] ys = emitted == 0 ? null : new double[emitted * dOut];
        long[] positions = emit.kind() == EmitMode.Kind.EVERY_NTH && emitted > 0 ? new long[emitted] : null;
        if (record.kind() == TokenRecord.Kind.VECTORS && emit.kind() == EmitMode.Kind.ALL) {
            // the whole chunk at once: the engine projects several vectors per pass over the weights
            engine.steps(a, record.vectors(), skip * record.dim(), fresh, ys, 0);
        } else {
            stepEach(record, a, start, skip, absorbed, ys, positions);
        }
        a.setTokens(absorbed + fresh);
        if (ys == null) {
            return null;
        }
        switch (emit.kind()) {
            case ALL:
                return new AttentionOutput(record.seq(), start + skip, dOut, ys, null, record.isChunk());
            case LAST:
                return new AttentionOutput(record.seq(), start + count - 1, dOut, ys, null, false);
            default:
                return new AttentionOutput(record.seq(), positions[0], dOut, ys,
                        record.isChunk() ? positions : null, record.isChunk());
        }
    }

    /**
     * Tokens [skip, count) one by one; the outputs the emit mode keeps go to {@code ys} (their
     * positions to {@code positions} for every:n), the others to a scratch row.
     */
    private void stepEach(TokenRecord record, AttentionState a, long start, int skip, long absorbed, double[] ys,
                          long[] positions) {
        int count = record.count();
        int k = 0;
        for (int i = skip; i < count; i++) {
            double[] y;
            int yOff;
            boolean keep;
            switch (emit.kind()) {
                case ALL:
                    keep = true;
                    break;
                case LAST:
                    keep = i == count - 1;
                    break;
                default:
                    keep = (absorbed + (i - skip) + 1) % emit.n() == 0;
            }
            if (keep) {
                y = ys;
                yOff = k * dOut;
            } else {
                y = scratchY;
                yOff = 0;
            }
            step(record, i, a, y, yOff);
            if (keep) {
                if (positions != null) {
                    positions[k] = start + i;
                }
                k++;
            }
        }
    }

    private void step(TokenRecord record, int i, AttentionState a, double[] y, int yOff) {
        switch (record.kind()) {
            case SYMBOLS:
                engine.stepToken(a, validator.symbolId(record.symbols().charAt(i)), y, yOff);
                break;
            case IDS:
                engine.stepToken(a, record.ids()[i], y, yOff);
                break;
            case VECTORS:
                engine.step(a, record.vectors(), i * record.dim(), y, yOff);
                break;
            default:
                throw new IllegalStateException(String.valueOf(record.kind()));
        }
    }

    private void checkShape(SequenceState s, String seq) {
        AttentionState a = s.attention();
        if (a.length() != engine.stateLength() || a.precision() != config.statePrecision()) {
            throw new IllegalStateException("the keyed state of sequence '" + seq + "' holds " + a.length() + " "
                    + a.precision() + " values but the model " + config + " needs " + engine.stateLength() + " "
                    + config.statePrecision() + " values: the job was restored from a savepoint of a different "
                    + "model; restore it with the same model, or start without the savepoint");
        }
    }

    private void reject(TokenRecord record, String reason, Context ctx) {
        rejected.inc();
        Counter c = rejectedByReason.get(RejectReasons.codeOf(reason));
        if (c == null) {
            c = metricGroup.addGroup(LinearAttentionMetrics.REASON_GROUP, RejectReasons.codeOf(reason))
                    .counter(LinearAttentionMetrics.REJECTED);
            rejectedByReason.put(RejectReasons.codeOf(reason), c);
        }
        c.inc();
        ctx.output(LinearAttention.REJECTED, RejectedRecord.of(record, reason));
    }

    static OutputTag<RejectedRecord> rejectedTag() {
        return new OutputTag<>("rejected", RecordTypes.REJECTED_RECORD);
    }
}
