package org.flinkla.flink;

import org.flinkla.engine.AttentionState;

/**
 * The keyed state of one sequence (DESIGN §3.2): the engine's {@link AttentionState} (S and z of
 * every head, in one flat float64/float32 array, plus tokens absorbed) and the next expected
 * position, used to drop replays and count gaps. Serialized by {@link SequenceStateSerializer}.
 */
public final class SequenceState {
    /** {@link #nextPos()} before the sequence has seen any token. */
    public static final long NO_POSITION = Long.MIN_VALUE;

    private final AttentionState attention;
    private long nextPos;

    public SequenceState(AttentionState attention, long nextPos) {
        this.attention = attention;
        this.nextPos = nextPos;
    }

    public AttentionState attention() {
        return attention;
    }

    /** Position the next new token would have; {@link #NO_POSITION} for a fresh sequence. */
    public long nextPos() {
        return nextPos;
    }

    public void setNextPos(long nextPos) {
        this.nextPos = nextPos;
    }

    /** Serialized size in bytes (the "state bytes per key" of the README). */
    public long serializedBytes() {
        return SequenceStateSerializer.serializedBytes(attention.precision(), attention.length());
    }

    public SequenceState copy() {
        return new SequenceState(attention.copy(), nextPos);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SequenceState && ((SequenceState) o).nextPos == nextPos
                && ((SequenceState) o).attention.equals(attention);
    }

    @Override
    public int hashCode() {
        return 31 * attention.hashCode() + Long.hashCode(nextPos);
    }

    @Override
    public String toString() {
        return "SequenceState{tokens=" + attention.tokens() + ", nextPos=" + nextPos + ", "
                + attention.precision() + "[" + attention.length() + "]}";
    }
}
