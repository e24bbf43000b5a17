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

import java.util.Arrays;
import org.flinkla.engine.ModelState;

/**
 * The keyed state of one sequence: the model's flat {@link ModelState} (every layer's recurrent
 * state, plus the tokens absorbed), the fingerprint of the model that wrote it, the next expected
 * position (to drop replays and count gaps), and — when surprisal is emitted — the log-probabilities
 * the model gave at the previous position. Serialized in bulk by {@link SequenceStateSerializer}.
 */
public final class SequenceState {
    /** {@link #nextPos()} before the sequence has seen any token. */
    public static final long NO_POSITION = Long.MIN_VALUE;
    /** {@link #fingerprint()} of a state restored from format 1, which did not record it. */
    public static final long UNKNOWN_FINGERPRINT = 0L;

    private final ModelState model;
    private long fingerprint;
    private long nextPos;
    /** log p of every token id at the previous position, or null when there is none. */
    private double[] prediction;
    private boolean hasPrediction;

    public SequenceState(ModelState model, long nextPos) {
        this(model, UNKNOWN_FINGERPRINT, nextPos, null, false);
    }

    public SequenceState(ModelState model, long fingerprint, long nextPos, double[] prediction, boolean hasPrediction) {
        this.model = model;
        this.fingerprint = fingerprint;
        this.nextPos = nextPos;
        this.prediction = prediction;
        this.hasPrediction = hasPrediction && prediction != null;
    }

    /** The model's state (live). */
    public ModelState model() {
        return model;
    }

    /** {@link org.flinkla.engine.SequenceModel#fingerprint()} of the model that wrote it. */
    public long fingerprint() {
        return fingerprint;
    }

    public void setFingerprint(long fingerprint) {
        this.fingerprint = fingerprint;
    }

    /** Position the next new token would have; {@link #NO_POSITION} for a fresh sequence. */
    public long nextPos() {
        return nextPos;
    }

    public void setNextPos(long nextPos) {
        this.nextPos = nextPos;
    }

    /** Buffer of the previous position's log-probabilities ({@code width} values), allocated once. */
    public double[] predictionBuffer(int width) {
        if (prediction == null || prediction.length != width) {
            prediction = new double[width];
            hasPrediction = false;
        }
        return prediction;
    }

    /** The previous position's log-probabilities, or null when there is none (first token, after a gap). */
    public double[] prediction() {
        return hasPrediction ? prediction : null;
    }

    /** Raw buffer, also when no prediction is valid (for serializers). */
    double[] predictionRaw() {
        return prediction;
    }

    public void setHasPrediction(boolean has) {
        this.hasPrediction = has && prediction != null;
    }

    /** Drops the stored prediction and its buffer (surprisal is no longer emitted: no stale value, no bytes). */
    void clearPrediction() {
        prediction = null;
        hasPrediction = false;
    }

    /** Serialized size in bytes (the "state bytes per key" metric). */
    public long serializedBytes() {
        return SequenceStateSerializer.serializedBytes(model.precision(), model.length(),
                prediction == null ? 0 : prediction.length);
    }

    public SequenceState copy() {
        return new SequenceState(model.copy(), fingerprint, nextPos, prediction == null ? null : prediction.clone(),
                hasPrediction);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof SequenceState)) {
            return false;
        }
        SequenceState s = (SequenceState) o;
        return s.nextPos == nextPos && s.fingerprint == fingerprint && s.model.equals(model)
                && s.hasPrediction == hasPrediction && (!hasPrediction || Arrays.equals(s.prediction, prediction));
    }

    @Override
    public int hashCode() {
        return 31 * model.hashCode() + Long.hashCode(nextPos);
    }

    @Override
    public String toString() {
        return "SequenceState{tokens=" + model.tokens() + ", nextPos=" + nextPos + ", "
                + model.precision() + "[" + model.length() + "]" + (hasPrediction ? ", prediction" : "") + "}";
    }
}
