package org.flinkla.flink;

import org.flinkla.engine.ModelState;
import org.flinkla.engine.ModelStepper;
import org.flinkla.engine.SequenceModel;
import org.flinkla.records.AttentionOutput;
import org.flinkla.records.RecordValidator;
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
 * <p>Not thread-safe (it owns the model's stepper); one per subtask.
 */
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

        void clear() {
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

    private final SequenceModel model;
    private final ModelStepper stepper;
    private final RecordValidator validator;
    private final EmitMode emit;
    private final int dOut;
    private final long fingerprint;
    private final double[] scratchY;
    /** Token ids of a symbols chunk; grows to the largest chunk seen (bounded by maxTokensPerRecord). */
    private int[] idScratch = new int[64];
    /** Outputs of one piece of a chunk whose outputs are not all emitted. */
    private final double[] pieceYs;
    private static final int PIECE = 64;
    private final Outcome outcome = new Outcome();

    public SequenceProcessor(SequenceModel model, EmitMode emit, int maxTokensPerRecord) {
        this.model = model;
        this.stepper = model.newStepper();
        this.validator = RecordValidator.forModel(model, maxTokensPerRecord);
        this.emit = emit;
        this.dOut = model.outputWidth();
        this.fingerprint = model.fingerprint();
        this.scratchY = new double[dOut];
        this.pieceYs = new double[PIECE * dOut];
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
        o.clear();
        String reason = validator.validate(record);
        if (reason != null) {
            o.rejectReason = reason;
            return o;
        }
        if (record.kind() == TokenRecord.Kind.RESET) {
            o.clearState = true;
            return o;
        }
        int count = record.count();
        if (s == null) {
            s = new SequenceState(model.newState(), fingerprint, SequenceState.NO_POSITION, null, false);
        } else {
            checkShape(s, record.seq());
        }
        long next = s.nextPos();
        long start = record.hasPos() ? record.pos() : (next == SequenceState.NO_POSITION ? 0 : next);
        int skip = 0;
        if (next != SequenceState.NO_POSITION) {
            if (start < next) {
                // replay: positions [start, next) were already absorbed (at-least-once producer)
                skip = (int) Math.min(count, next - start);
                o.replayed = skip;
                if (skip == count) {
                    return o; // nothing new: the state is unchanged, no write
                }
            } else if (start > next) {
                o.gap = start - next;
            }
        }
        o.output = run(record, s, start, skip);
        o.tokens = count - skip;
        s.setNextPos(start + count);
        s.setFingerprint(fingerprint);
        o.state = s;
        o.stateChanged = true;
        return o;
    }

    /** Steps tokens [skip, count) of the record; returns the emitted outputs or null. */
    private AttentionOutput run(TokenRecord record, SequenceState s, long start, int skip) {
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
        if (fresh == 1) {
            stepEach(record, a, start, skip, absorbed, ys, positions);
        } else if (emit.kind() == EmitMode.Kind.ALL) {
            // the whole chunk at once: the model may run several tokens per pass over its weights
            // (same bits as token by token: the ModelStepper contract)
            stepRange(record, a, skip, fresh, ys, 0);
        } else {
            stepPieces(record, a, start, skip, absorbed, ys, positions);
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
     * emit last / every:n over a chunk: pieces of up to {@value #PIECE} tokens through the chunk
     * methods into a scratch block, keeping the rows the emit mode wants (positions as in {@link #stepEach}).
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
            step(record, i, a, y, yOff);
            if (keep) {
                if (positions != null) {
                    positions[k] = start + i;
                }
                k++;
            }
        }
    }

    private void step(TokenRecord record, int i, ModelState a, double[] y, int yOff) {
        switch (record.kind()) {
            case SYMBOLS:
                stepper.stepToken(a, validator.symbolId(record.symbols().charAt(i)), y, yOff);
                break;
            case IDS:
                stepper.stepToken(a, record.ids()[i], y, yOff);
                break;
            case VECTORS:
                stepper.step(a, record.vectors(), i * record.dim(), y, yOff);
                break;
            default:
                throw new IllegalStateException(String.valueOf(record.kind()));
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
