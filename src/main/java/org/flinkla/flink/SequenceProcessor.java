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

import org.flinkla.engine.ModelState;
import org.flinkla.engine.ModelStepper;
import org.flinkla.engine.SequenceModel;
import org.flinkla.records.AttentionOutput;
import org.flinkla.records.RecordValidator;
import org.flinkla.records.RejectReasons;
import org.flinkla.records.TokenRecord;

/**
 * The per-record semantics of one sequence, shared by the DataStream operator
 * ({@link LinearAttentionFunction}) and the SQL process table function: validation, replays,
 * gaps, resets, the model steps and what is emitted. It knows nothing of Flink state: the caller
 * reads the key's {@link SequenceState} once, hands it over, and writes back
 * {@link Outcome#state} when {@link Outcome#stateChanged} says so.
 *
 * <p>Semantics per record, for a key whose next expected position is {@code next}: a record
 * without {@code pos} starts at {@code next}; tokens at positions below {@code next} are replays
 * and dropped (a chunk overlapping {@code next} keeps only its new tokens); a record starting
 * above {@code next} is a gap, counted and accepted. {@code {"control":"reset"}} clears the key.
 * Invalid records get a reason (see {@link RecordValidator}) and change nothing.
 *
 * <p>With {@link EmitFields} (a language model: outputs are logits over the token ids) each
 * emitted output also carries probabilities, log-probabilities, the top-k tokens and/or the
 * surprisal of its token. For surprisal the log-probabilities of the last absorbed position are
 * kept in the key's state ({@link SequenceState#prediction()}): they are updated at every token,
 * emitted or not, so chunking, restarts and rescaling do not change the values; a reset clears
 * them and a gap invalidates them (the next token has no surprisal).
 *
 * <p>Not thread-safe (it owns the model's stepper); one per subtask.
 */
@org.apache.flink.annotation.Internal
public final class SequenceProcessor {

    /** What one record did. Reused between calls: read it before the next {@link #process}. */
    public static final class Outcome {
        /** The reason the record was rejected ({@code "<code>: <detail>"}), or null. */
        public String rejectReason;
        /** True when the key's state must be cleared (reset). */
        public boolean clearState;
        /** True when {@link #state} must be written back. */
        public boolean stateChanged;
        /** The key's state after the record (when {@link #stateChanged}). */
        public SequenceState state;
        /** The outputs to emit, or null. */
        public AttentionOutput output;
        /** New tokens absorbed, tokens dropped as replays, and the gap before the record (0 when none). */
        public long tokens;
        public long replayed;
        public long gap;

        // between prepare and compute: the key's state (created when it had none), the record's start and replayed prefix
        SequenceState work;
        boolean created; // work was created for a key without state (nothing stored to undo)
        long start;
        int skip;

        void clear() {
            work = null;
            created = false;
            start = 0;
            skip = 0;
            rejectReason = null;
            clearState = false;
            stateChanged = false;
            state = null;
            output = null;
            tokens = 0;
            replayed = 0;
            gap = 0;
        }
    }

    private static final double LN2 = Math.log(2.0);

    private final SequenceModel model;
    private final ModelStepper stepper;
    private final RecordValidator validator;
    private final EmitMode emit;
    private final EmitFields fields;
    private final int dOut;
    private final long fingerprint;
    private final double[] scratchY;
    /** Symbols of the token ids for the top tokens, or null (ids only). */
    private final String topVocab;
    /** Token ids of a symbols chunk; grows to the largest chunk seen (bounded by maxTokensPerRecord). */
    private int[] idScratch = new int[64];
    /** Outputs of one piece of a chunk whose outputs are not all emitted. */
    private final double[] pieceYs;
    private static final int PIECE = 64;
    private final Outcome outcome = new Outcome();
    private long maxPositionGap = LinearAttention.DEFAULT_MAX_POSITION_GAP;
    /**
     * The state before the record being processed, to undo a record that overflowed; only kept
     * when the state handed over is the stored object itself (see {@link #statesAreCopies}).
     */
    private ModelState undo;
    private double[] undoPrediction;
    /** True when every state handed to {@link #process} is the caller's private copy of the stored one. */
    private boolean statesAreCopies;
    /** While a bundled record finishes: the output of its token, already stepped (see {@link Bundle}). */
    private double[] stepped;
    private int steppedOff;

    // the language-model fields of the record being processed (null when not asked)
    private double[] ps;
    private double[] logps;
    private int[] topIds;
    private double[] topPs;
    private double[] surprisals;
    /** The key's prediction buffer (log p at the previous position) while surprisal is emitted. */
    private double[] prediction;
    private boolean hasPrediction;

    public SequenceProcessor(SequenceModel model, EmitMode emit, int maxTokensPerRecord) {
        this(model, emit, EmitFields.NONE, maxTokensPerRecord);
    }

    /**
     * @throws IllegalArgumentException when the model cannot give {@code fields} (see {@link EmitFields#check})
     */
    public SequenceProcessor(SequenceModel model, EmitMode emit, EmitFields fields, int maxTokensPerRecord) {
        fields.check(model);
        this.model = model;
        this.stepper = model.newStepper();
        this.validator = RecordValidator.forModel(model, maxTokensPerRecord);
        this.emit = emit;
        this.fields = fields;
        this.dOut = model.outputWidth();
        this.fingerprint = model.fingerprint();
        this.scratchY = new double[dOut];
        String v = model.vocab();
        this.topVocab = v != null && v.length() == dOut ? v : null;
        this.pieceYs = new double[PIECE * dOut];
    }

    /** The language-model fields added to the outputs. */
    public EmitFields fields() {
        return fields;
    }

    /**
     * Largest accepted gap (default {@value LinearAttention#DEFAULT_MAX_POSITION_GAP}): a record
     * starting more than this many positions after the next expected one is rejected {@code bad_pos}.
     */
    public SequenceProcessor maxPositionGap(long gap) {
        if (gap < 0) {
            throw new IllegalArgumentException("maxPositionGap must be >= 0, got " + gap);
        }
        this.maxPositionGap = gap;
        return this;
    }

    /**
     * Whether the states handed to {@link #process} are the caller's private copies of what its
     * store holds (default false). A record whose outputs or new state are not finite must leave
     * the sequence as it was before the record. The model steps the state in place, so:
     * <ul>
     *   <li>false — the state may be the stored object itself (Flink's heap state backend hands out
     *       the object it stores): the processor copies the model state (and the stored prediction)
     *       before each record that steps, and writes the copy back over the state when the record
     *       is rejected {@code non_finite_output};
     *   <li>true — the state is a copy (RocksDB deserializes a new object at every read; the SQL
     *       function decodes its stored bytes): a rejected record's state is simply not written
     *       back ({@link Outcome#stateChanged} is false), the stored bytes are the undo, and no copy
     *       is taken. The state object handed over is then left as the failed step made it.
     * </ul>
     * A state the processor creates itself (a key without state) is never copied: it is not stored
     * until {@link Outcome#stateChanged} says so.
     *
     * <p>Why not step into a second buffer and hand that to {@code update()} (double-buffering)?
     * The model steppers update a state in place, so the second buffer would first need the same
     * copy: nothing saved. (It would be sound on the heap backend only when the object given back
     * is never touched again: its copy-on-write map copies an entry that a running snapshot still
     * holds before {@code value()} returns it, so the object read is not shared and may serve as
     * the next scratch; but an object handed to {@code update()} is shared with any snapshot that
     * starts afterwards, until the key is read again.)
     */
    public SequenceProcessor statesAreCopies(boolean copies) {
        this.statesAreCopies = copies;
        return this;
    }

    /** See {@link #statesAreCopies(boolean)}. */
    public boolean statesAreCopies() {
        return statesAreCopies;
    }

    public SequenceModel model() {
        return model;
    }

    public RecordValidator validator() {
        return validator;
    }

    /**
     * Processes one record of a key whose current state is {@code s} (null when the key has none).
     *
     * @throws IllegalStateException when {@code s} was written by another model (a restore from
     *     a savepoint of a different model): the message names the sequence and both fingerprints
     */
    public Outcome process(TokenRecord record, SequenceState s) {
        Outcome o = outcome;
        if (!prepare(record, s, o)) {
            return o;
        }
        return complete(record, o);
    }

    /** {@link #process} of a record {@link #prepare} accepted (its remaining phases, with the undo). */
    Outcome complete(TokenRecord record, Outcome o) {
        ModelState before = null;
        if (needsUndo(o)) {
            // the heap backend hands out the stored object itself: keep a copy to undo a failed record
            if (undo == null) {
                undo = model.newState();
            }
            undo.copyFrom(o.work.model());
            before = undo;
        }
        return compute(record, o, before);
    }

    /** True when a failed record of the prepared state must be undone by a copy (see {@link #statesAreCopies}). */
    private boolean needsUndo(Outcome o) {
        return !statesAreCopies && !o.created;
    }

    /**
     * The first phase of {@link #process}: validation, reset, replay and gap. Returns false when
     * the record is done ({@code o} says what it did: rejected, reset, or all replays), true when
     * it has new tokens to step: then {@link #process}'s remaining phases run in
     * {@link #compute}, or in a {@link Bundle} for a record of one new token.
     *
     * @throws IllegalStateException when {@code s} was written by another model (see {@link #process})
     */
    boolean prepare(TokenRecord record, SequenceState s, Outcome o) {
        o.clear();
        String reason = validator.validate(record);
        if (reason != null) {
            o.rejectReason = reason;
            return false;
        }
        if (record.kind() == TokenRecord.Kind.RESET) {
            o.clearState = true;
            return false;
        }
        int count = record.count();
        boolean created = s == null;
        if (created) {
            s = new SequenceState(model.newState(), fingerprint, SequenceState.NO_POSITION, null, false);
        } else {
            checkShape(s, record.seq());
        }
        long next = s.nextPos();
        long start = record.hasPos() ? record.pos() : (next == SequenceState.NO_POSITION ? 0 : next);
        // next becomes start + count: it must stay a position (not wrap onto NO_POSITION = Long.MIN_VALUE)
        if (start > Long.MAX_VALUE - count) {
            o.rejectReason = RejectReasons.of(RejectReasons.BAD_POS, "position " + start + " + " + count
                    + " tokens overflows");
            return false;
        }
        // start - next cannot overflow: both are >= 0 here
        if (next != SequenceState.NO_POSITION && start > next && start - next > maxPositionGap) {
            o.rejectReason = RejectReasons.of(RejectReasons.BAD_POS, "pos " + start + " skips " + (start - next)
                    + " positions after the sequence's next position " + next + "; the bound is "
                    + maxPositionGap + " (max-position-gap)");
            return false;
        }
        int skip = 0;
        if (next != SequenceState.NO_POSITION) {
            if (start < next) {
                // replay: positions [start, next) were already absorbed (at-least-once producer)
                skip = (int) Math.min(count, next - start);
                o.replayed = skip;
                if (skip == count) {
                    return false; // nothing new: the state is unchanged, no write
                }
            } else if (start > next) {
                o.gap = start - next;
            }
        }
        o.work = s;
        o.created = created;
        o.start = start;
        o.skip = skip;
        return true;
    }

    /** True when a prepared record steps exactly one new token (a one-token record, or a chunk of replays and one new token). */
    static boolean oneNewToken(TokenRecord record, Outcome o) {
        return record.count() - o.skip == 1;
    }

    /**
     * The remaining phases of {@link #process} for a prepared record: the steps, the outputs, and
     * the undo of a record whose outputs or state overflowed ({@code undo}: a copy of the state
     * before it, or null when the state is not the stored one and is just not written back).
     */
    private Outcome compute(TokenRecord record, Outcome o, ModelState undo) {
        SequenceState s = o.work;
        long start = o.start;
        int skip = o.skip;
        int count = record.count();
        double[] pred = undo == null ? null : s.predictionRaw();
        boolean hadPrediction = s.prediction() != null;
        if (pred != null) {
            if (undoPrediction == null || undoPrediction.length != pred.length) {
                undoPrediction = new double[pred.length];
            }
            System.arraycopy(pred, 0, undoPrediction, 0, pred.length);
        }
        o.output = run(record, s, start, skip, o.gap > 0);
        long nonFinite = nonFinite(o.output, s.model());
        if (nonFinite > 0) {
            // an overflow (e.g. huge weights) would write NaN/Inf into the state, and every later output
            // of the sequence would be null: undo the record and reject it instead (without a copy the
            // state is not the stored one: not writing it back is the undo)
            if (undo != null) {
                s.model().copyFrom(undo);
            }
            if (pred != null && s.predictionRaw() == pred) {
                System.arraycopy(undoPrediction, 0, pred, 0, pred.length);
                s.setHasPrediction(hadPrediction);
            }
            o.output = null;
            o.replayed = 0;
            o.gap = 0;
            o.rejectReason = RejectReasons.of(RejectReasons.NON_FINITE_OUTPUT, nonFinite + " output or state values"
                    + " are NaN or infinite (overflow); the sequence's state is left as before this record");
            return o;
        }
        o.tokens = count - skip;
        s.setNextPos(start + count);
        s.setFingerprint(fingerprint);
        o.state = s;
        o.stateChanged = true;
        return o;
    }

    /** Non-finite values among the emitted outputs and the new state (x·0 is NaN exactly for NaN and ±Inf). */
    private static long nonFinite(AttentionOutput output, ModelState a) {
        long n = 0;
        if (output != null) {
            for (double v : output.ys()) {
                if (Double.isNaN(v * 0)) {
                    n++;
                }
            }
        }
        if (!(a.doubles() != null ? allFinite(a.doubles()) : allFinite(a.floats()))) {
            // counted only when needed: allFinite is the cheap test
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

    /**
     * True when every value is finite: Σ v·0 is ±0 when all are finite and NaN as soon as one is NaN
     * or ±Inf. Eight independent sums, so the loop runs at the rate of the multiplies and adds
     * rather than the latency of one chain of adds (a single sum cost more than a small model's step).
     */
    public static boolean allFinite(double[] a) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        int n = a.length;
        int i = 0;
        for (; i + 8 <= n; i += 8) {
            s0 += a[i] * 0;
            s1 += a[i + 1] * 0;
            s2 += a[i + 2] * 0;
            s3 += a[i + 3] * 0;
            s4 += a[i + 4] * 0;
            s5 += a[i + 5] * 0;
            s6 += a[i + 6] * 0;
            s7 += a[i + 7] * 0;
        }
        for (; i < n; i++) {
            s0 += a[i] * 0;
        }
        return !Double.isNaN(((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)));
    }

    /** {@link #allFinite(double[])} of a float32 state. */
    public static boolean allFinite(float[] a) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        int n = a.length;
        int i = 0;
        for (; i + 8 <= n; i += 8) {
            s0 += a[i] * 0f;
            s1 += a[i + 1] * 0f;
            s2 += a[i + 2] * 0f;
            s3 += a[i + 3] * 0f;
            s4 += a[i + 4] * 0f;
            s5 += a[i + 5] * 0f;
            s6 += a[i + 6] * 0f;
            s7 += a[i + 7] * 0f;
        }
        for (; i < n; i++) {
            s0 += a[i] * 0f;
        }
        return !Float.isNaN(((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)));
    }

    /** Steps tokens [skip, count) of the record; returns the emitted outputs or null. */
    private AttentionOutput run(TokenRecord record, SequenceState s, long start, int skip, boolean gap) {
        ModelState a = s.model();
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
        allocateFields(emitted);
        if (fields.surprisal()) {
            // the prediction made at position start-1 (kept in the state); none after a gap
            prediction = s.predictionBuffer(dOut);
            hasPrediction = s.prediction() != null && !gap;
        } else if (s.predictionRaw() != null) {
            s.clearPrediction(); // written while surprisal was emitted: stale from now on
        }
        if (fresh == 1) {
            stepEach(record, a, start, skip, absorbed, ys, positions);
        } else if (emit.kind() == EmitMode.Kind.ALL) {
            // the whole chunk at once: the model may run several tokens per pass over its weights
            // (same bits as token by token: the ModelStepper contract)
            stepRange(record, a, skip, fresh, ys, 0);
            if (!fields.isEmpty()) {
                deriveChunk(record, skip, fresh, ys);
            }
        } else if (fields.isEmpty()) {
            stepPieces(record, a, start, skip, absorbed, ys, positions);
        } else {
            // thinned outputs with fields: the prediction still follows every token
            stepEach(record, a, start, skip, absorbed, ys, positions);
        }
        a.setTokens(absorbed + fresh);
        if (fields.surprisal()) {
            s.setHasPrediction(hasPrediction);
            prediction = null;
        }
        if (ys == null) {
            return null;
        }
        long first;
        long[] pos = null;
        boolean chunk;
        switch (emit.kind()) {
            case ALL:
                first = start + skip;
                chunk = record.isChunk();
                break;
            case LAST:
                first = start + count - 1;
                chunk = false;
                break;
            default:
                first = positions[0];
                pos = record.isChunk() ? positions : null;
                chunk = record.isChunk();
        }
        if (fields.isEmpty()) {
            return new AttentionOutput(record.seq(), first, dOut, ys, pos, chunk);
        }
        String topTokens = null;
        if (topIds != null && topVocab != null) {
            char[] c = new char[topIds.length];
            for (int i = 0; i < c.length; i++) {
                c[i] = topVocab.charAt(topIds[i]);
            }
            topTokens = new String(c);
        }
        AttentionOutput out = new AttentionOutput(record.seq(), first, dOut, ys, pos, chunk, ps, logps,
                fields.topK(), topIds, topPs, topTokens, surprisals);
        ps = null;
        logps = null;
        topIds = null;
        topPs = null;
        surprisals = null;
        return out;
    }

    /** The output arrays of the language-model fields for {@code emitted} outputs (null when not asked). */
    private void allocateFields(int emitted) {
        boolean any = emitted > 0;
        ps = any && fields.probabilities() ? new double[emitted * dOut] : null;
        logps = any && fields.logProbabilities() ? new double[emitted * dOut] : null;
        int k = fields.topK();
        topIds = any && k > 0 ? new int[emitted * k] : null;
        topPs = any && k > 0 ? new double[emitted * k] : null;
        surprisals = any && fields.surprisal() ? new double[emitted] : null;
    }

    /** Tokens [from, from + n) of the record through the model's chunk methods; outputs to ys[yOff ..]. */
    private void stepRange(TokenRecord record, ModelState a, int from, int n, double[] ys, int yOff) {
        switch (record.kind()) {
            case VECTORS:
                stepper.steps(a, record.vectors(), from * record.dim(), n, ys, yOff);
                break;
            case IDS:
                stepper.stepTokens(a, record.ids(), from, n, ys, yOff);
                break;
            case SYMBOLS: {
                if (idScratch.length < n) {
                    idScratch = new int[Math.max(n, 2 * idScratch.length)];
                }
                int[] ids = idScratch;
                String symbols = record.symbols();
                for (int i = 0; i < n; i++) {
                    ids[i] = validator.symbolId(symbols.charAt(from + i));
                }
                stepper.stepTokens(a, ids, 0, n, ys, yOff);
                break;
            }
            default:
                throw new IllegalStateException(String.valueOf(record.kind()));
        }
    }

    /**
     * The language-model fields of a chunk stepped at once (every output emitted), in token order:
     * each token's surprisal is read under the prediction before its own output replaces it.
     */
    private void deriveChunk(TokenRecord record, int skip, int n, double[] ys) {
        for (int k = 0; k < n; k++) {
            if (surprisals != null) {
                int id = tokenId(record, skip + k);
                surprisals[k] = hasPrediction && id >= 0 ? -prediction[id] / LN2 : Double.NaN;
            }
            derive(ys, k * dOut, k);
        }
    }

    /** Token id of token i of the record (-1 for a vector). */
    private int tokenId(TokenRecord record, int i) {
        switch (record.kind()) {
            case SYMBOLS:
                return validator.symbolId(record.symbols().charAt(i));
            case IDS:
                return record.ids()[i];
            default:
                return -1;
        }
    }

    /**
     * emit last / every:n over a chunk without fields: pieces of up to {@value #PIECE} tokens through
     * the chunk methods into a scratch block, keeping the rows the emit mode wants (positions as in
     * {@link #stepEach}).
     */
    private void stepPieces(TokenRecord record, ModelState a, long start, int skip, long absorbed, double[] ys,
                            long[] positions) {
        int count = record.count();
        int k = 0;
        for (int from = skip; from < count; from += PIECE) {
            int n = Math.min(PIECE, count - from);
            stepRange(record, a, from, n, pieceYs, 0);
            for (int j = 0; j < n; j++) {
                int i = from + j;
                boolean keep = emit.kind() == EmitMode.Kind.LAST ? i == count - 1
                        : (absorbed + (i - skip) + 1) % emit.n() == 0;
                if (keep) {
                    System.arraycopy(pieceYs, j * dOut, ys, k * dOut, dOut);
                    if (positions != null) {
                        positions[k] = start + i;
                    }
                    k++;
                }
            }
        }
    }

    /**
     * Tokens [skip, count) one by one; the outputs the emit mode keeps go to {@code ys} (their
     * positions to {@code positions} for every:n), the others to a scratch row.
     */
    private void stepEach(TokenRecord record, ModelState a, long start, int skip, long absorbed, double[] ys,
                          long[] positions) {
        int count = record.count();
        boolean lm = !fields.isEmpty();
        boolean surprisal = fields.surprisal();
        int k = 0;
        for (int i = skip; i < count; i++) {
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
            double[] y = keep ? ys : scratchY;
            int yOff = keep ? k * dOut : 0;
            int id = step(record, i, a, y, yOff);
            if (keep && surprisal) {
                // -log2 p_{t-1}(token_t), read before this token's prediction replaces the previous one
                surprisals[k] = hasPrediction && id >= 0 ? -prediction[id] / LN2 : Double.NaN;
            }
            if (lm && (keep || surprisal)) {
                derive(y, yOff, keep ? k : -1);
            }
            if (keep) {
                if (positions != null) {
                    positions[k] = start + i;
                }
                k++;
            }
        }
    }

    /**
     * From the logits {@code y[yOff .. yOff+V)} of one position: the fields of emitted output
     * {@code row} (-1: not emitted) and, for surprisal, the key's prediction. Computed stably with
     * m = max_i y_i, e_i = exp(y_i − m), S = Σ e_i:
     * p_i = e_i / S, log p_i = (y_i − m) − ln S (never −∞ for finite logits, so surprisal stays
     * finite); the top k are the largest logits (ties: the smaller id first), their p as above.
     */
    private void derive(double[] y, int yOff, int row) {
        int v = dOut;
        double m = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < v; i++) {
            m = Math.max(m, y[yOff + i]);
        }
        double[] pRow = row >= 0 ? ps : null;
        int pOff = row * v;
        double sum = 0;
        if (pRow != null) {
            for (int i = 0; i < v; i++) {
                double e = Math.exp(y[yOff + i] - m);
                pRow[pOff + i] = e;
                sum += e;
            }
            for (int i = 0; i < v; i++) {
                pRow[pOff + i] /= sum; // a division, as for the top-k p below: the same bits
            }
        } else {
            for (int i = 0; i < v; i++) {
                sum += Math.exp(y[yOff + i] - m);
            }
        }
        double logSum = Math.log(sum);
        if (row >= 0 && logps != null) {
            for (int i = 0; i < v; i++) {
                logps[pOff + i] = (y[yOff + i] - m) - logSum;
            }
        }
        if (prediction != null) {
            for (int i = 0; i < v; i++) {
                prediction[i] = (y[yOff + i] - m) - logSum;
            }
            hasPrediction = true;
        }
        if (row >= 0 && topIds != null) {
            int k = fields.topK();
            int off = row * k;
            selectTop(y, yOff, k, topIds, off);
            for (int j = 0; j < k; j++) {
                topPs[off + j] = Math.exp(y[yOff + topIds[off + j]] - m) / sum;
            }
        }
    }

    /**
     * The ids of the k largest of {@code y[yOff .. yOff+V)}, largest first, into {@code ids[off ..
     * off+k)}: insertion into the sorted top list, O(V) when most logits are below the k-th.
     */
    private void selectTop(double[] y, int yOff, int k, int[] ids, int off) {
        int n = 0;
        for (int i = 0; i < dOut; i++) {
            double x = y[yOff + i];
            int j;
            if (n < k) {
                j = n++;
            } else if (x > y[yOff + ids[off + k - 1]]) {
                j = k - 1;
            } else {
                continue;
            }
            // strict >: an equal logit stays behind the smaller id found before it
            while (j > 0 && x > y[yOff + ids[off + j - 1]]) {
                ids[off + j] = ids[off + j - 1];
                j--;
            }
            ids[off + j] = i;
        }
    }

    /** Steps token i of the record; returns its token id (-1 for a vector). */
    private int step(TokenRecord record, int i, ModelState a, double[] y, int yOff) {
        if (stepped != null) {
            // stepped in a bundle: the state holds the step already, its output is in the bundle's rows
            System.arraycopy(stepped, steppedOff, y, yOff, dOut);
            a.setTokens(a.tokens() + 1);
            return tokenId(record, i);
        }
        switch (record.kind()) {
            case SYMBOLS: {
                int id = validator.symbolId(record.symbols().charAt(i));
                stepper.stepToken(a, id, y, yOff);
                return id;
            }
            case IDS: {
                int id = record.ids()[i];
                stepper.stepToken(a, id, y, yOff);
                return id;
            }
            case VECTORS:
                stepper.step(a, record.vectors(), i * record.dim(), y, yOff);
                return -1;
            default:
                throw new IllegalStateException(String.valueOf(record.kind()));
        }
    }

    /** A bundle of up to {@code capacity} one-token records of different sequences (see {@link Bundle}). */
    Bundle newBundle(int capacity) {
        return new Bundle(capacity);
    }

    /**
     * One-token records of different sequences, stepped together through
     * {@link ModelStepper#stepAcross} (the model's dense layers once over all rows) with each
     * record's semantics those of {@link #process}: for each record, {@link #prepare} (true and
     * {@link #oneNewToken}), then {@link #add}; then {@link #step} once; then {@link #finish} for
     * each, which gives the same {@link Outcome} as {@link #process} would have (outputs, fields,
     * surprisal, the undo of an overflow). The sequences of one bundle must be distinct.
     */
    final class Bundle {
        private final ModelState[] undos;
        private final int[] row;            // slot -> row among the id (≥ 0) or vector (-1 - row) inputs
        private final ModelState[] idStates;
        private final int[] ids;
        private final double[] idYs;
        private int nIds;
        private final ModelState[] vecStates;
        private final double[] xs;
        private final double[] vecYs;
        private int nVecs;
        private final int xWidth;

        private Bundle(int capacity) {
            this.undos = new ModelState[capacity];
            this.row = new int[capacity];
            this.idStates = new ModelState[capacity];
            this.ids = new int[capacity];
            this.idYs = new double[capacity * dOut];
            this.vecStates = new ModelState[capacity];
            this.xWidth = model.inputWidth();
            this.xs = xWidth > 0 ? new double[capacity * xWidth] : null;
            this.vecYs = xWidth > 0 ? new double[capacity * dOut] : null;
        }

        int capacity() {
            return undos.length;
        }

        /** Empties the bundle (the states it held are released). */
        void clear() {
            java.util.Arrays.fill(idStates, 0, nIds, null);
            java.util.Arrays.fill(vecStates, 0, nVecs, null);
            nIds = 0;
            nVecs = 0;
        }

        /**
         * Adds the prepared one-token record at {@code slot} (a copy of its state is kept for the
         * undo when the state is the stored one, see {@link #statesAreCopies}).
         */
        void add(int slot, TokenRecord record, Outcome o) {
            ModelState a = o.work.model();
            if (needsUndo(o)) {
                if (undos[slot] == null) {
                    undos[slot] = model.newState();
                }
                undos[slot].copyFrom(a);
            }
            int i = o.skip;
            if (record.kind() == TokenRecord.Kind.VECTORS) {
                System.arraycopy(record.vectors(), i * record.dim(), xs, nVecs * xWidth, xWidth);
                vecStates[nVecs] = a;
                row[slot] = -1 - nVecs++;
            } else {
                ids[nIds] = tokenId(record, i);
                idStates[nIds] = a;
                row[slot] = nIds++;
            }
        }

        /** Steps every added record's token: one {@link ModelStepper#stepAcross} per input kind. */
        void step() {
            if (nIds > 0) {
                stepper.stepAcross(idStates, ids, nIds, idYs, 0, dOut);
            }
            if (nVecs > 0) {
                stepper.stepAcross(vecStates, xs, xWidth, nVecs, vecYs, 0, dOut);
            }
        }

        /** The rest of {@link #process} for the record added at {@code slot}, after {@link #step}. */
        Outcome finish(int slot, TokenRecord record, Outcome o) {
            int r = row[slot];
            stepped = r >= 0 ? idYs : vecYs;
            steppedOff = (r >= 0 ? r : -1 - r) * dOut;
            ModelState a = o.work.model();
            a.setTokens(a.tokens() - 1); // as before the step: compute counts it again
            try {
                // the same test as in add: whether undos[slot] holds the state before this record
                return compute(record, o, needsUndo(o) ? undos[slot] : null);
            } finally {
                stepped = null;
            }
        }
    }

    private void checkShape(SequenceState s, String seq) {
        ModelState a = s.model();
        boolean otherModel = s.fingerprint() != SequenceState.UNKNOWN_FINGERPRINT && s.fingerprint() != fingerprint;
        if (otherModel || a.length() != model.stateLength() || a.precision() != model.statePrecision()) {
            throw new IllegalStateException("the keyed state of sequence '" + seq + "' was written by a model with "
                    + "fingerprint " + (s.fingerprint() == SequenceState.UNKNOWN_FINGERPRINT ? "unknown (format 1)"
                            : SequenceModel.hex(s.fingerprint()))
                    + " (" + a.length() + " " + a.precision() + " values), but this job runs " + model.architecture()
                    + " with fingerprint " + SequenceModel.hex(fingerprint) + " (" + model.stateLength() + " "
                    + model.statePrecision() + " values): the job was restored from a savepoint of a different "
                    + "model; restore it with the same model, or start without the savepoint");
        }
    }
}
