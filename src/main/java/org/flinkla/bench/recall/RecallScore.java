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
package org.flinkla.bench.recall;

/**
 * Scores the read-outs of one stream.
 * <ul>
 *   <li>hit: among all values written (an overwritten old value included), the one with the
 *       largest cosine to the output is the queried one, by more than {@link #TIE_TOLERANCE} over
 *       every other; a zero output or a tie is a miss. The margin makes an output that is exactly
 *       halfway between two values (the overwrite task with one pair: (a + b)/2) a miss, instead
 *       of a hit or miss decided by the last bit of rounding;</li>
 *   <li>relative error: ‖y − v_true‖ / ‖v_true‖.</li>
 * </ul>
 * Hits are also counted separately for the older half of the pairs (written first, i &lt; ⌊P/2⌋)
 * and the newer half, which shows recency: decay and the delta rule favour recent writes.
 */
public final class RecallScore {
    /** Cosine margin below which two candidates count as tied. */
    public static final double TIE_TOLERANCE = 1e-9;

    private long queries;
    private long hits;
    private long olderQueries;
    private long olderHits;
    private double errorSum;

    /** Adds the outputs [P][d_v] of {@code stream}'s P queries (query i asks for value i). */
    public void add(RecallStream stream, double[][] outputs) {
        if (outputs.length != stream.pairs()) {
            throw new IllegalArgumentException(outputs.length + " outputs for " + stream.pairs() + " queries");
        }
        int half = outputs.length / 2;
        for (int i = 0; i < outputs.length; i++) {
            boolean hit = isHit(stream, i, outputs[i]);
            if (hit) {
                hits++;
            }
            if (i < half) {
                olderQueries++;
                olderHits += hit ? 1 : 0;
            }
            errorSum += relativeError(outputs[i], stream.value(i));
            queries++;
        }
    }

    /** Whether {@code y} is closest in cosine, by more than the tie margin, to query {@code truth}'s value among all written values. */
    public static boolean isHit(RecallStream stream, int truth, double[] y) {
        double ny = norm(y);
        if (!(ny > 0) || !Double.isFinite(ny)) {
            return false;
        }
        int t = stream.truth(truth);
        double best = cosine(y, ny, stream.writtenValue(t));
        for (int w = 0; w < stream.writes(); w++) {
            if (w != t && cosine(y, ny, stream.writtenValue(w)) >= best - TIE_TOLERANCE) {
                return false;
            }
        }
        return true;
    }

    /** ‖y − v‖ / ‖v‖. */
    public static double relativeError(double[] y, double[] v) {
        double d = 0;
        for (int j = 0; j < v.length; j++) {
            double e = y[j] - v[j];
            d += e * e;
        }
        return Math.sqrt(d) / norm(v);
    }

    private static double cosine(double[] y, double ny, double[] v) {
        double dot = 0;
        for (int j = 0; j < v.length; j++) {
            dot += y[j] * v[j];
        }
        return dot / (ny * norm(v));
    }

    private static double norm(double[] a) {
        double s = 0;
        for (double x : a) {
            s += x * x;
        }
        return Math.sqrt(s);
    }

    public long queries() {
        return queries;
    }

    /** Fraction of queries that were hits (NaN before any query). */
    public double accuracy() {
        return (double) hits / queries;
    }

    /** Accuracy over the older half of the pairs (NaN for P = 1). */
    public double olderHalfAccuracy() {
        return (double) olderHits / olderQueries;
    }

    /** Accuracy over the newer half of the pairs. */
    public double newerHalfAccuracy() {
        return (double) (hits - olderHits) / (queries - olderQueries);
    }

    /** Mean relative error over all queries (NaN before any query). */
    public double meanError() {
        return errorSum / queries;
    }
}
