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

/**
 * Metric names of the linear-attention operator, registered under the operator's metric group in
 * the group {@value #GROUP} (README table "Metrics"). Counters are per subtask.
 */
public final class LinearAttentionMetrics {
    /** Metric group of the operator. */
    public static final String GROUP = "linearAttention";
    /** Counter: valid token records received (including resets and full replays). */
    public static final String RECORDS_IN = "recordsIn";
    /** Counter: tokens in valid records (including replayed ones). */
    public static final String TOKENS_IN = "tokensIn";
    /** Counter: output vectors emitted (one per token with emit mode all). */
    public static final String OUTPUTS_OUT = "outputsOut";
    /** Counter: rejected records, total. Per reason: group {@value #REASON_GROUP} = code, same counter name. */
    public static final String REJECTED = "rejected";
    /** Key of the key/value group that carries the rejection code (e.g. {@code wrong_dimension}). */
    public static final String REASON_GROUP = "reason";
    /** Counter: tokens dropped because their position was at or below the last seen (replays). */
    public static final String REPLAYED_TOKENS_DROPPED = "replayedTokensDropped";
    /** Counter: records whose first new position skipped ahead of the next expected one. */
    public static final String GAPS = "gaps";
    /** Counter: tokens skipped over by those gaps. */
    public static final String GAP_TOKENS = "gapTokens";
    /** Counter: {@code {"control":"reset"}} records applied. */
    public static final String RESETS = "resets";
    /** Gauge: serialized bytes of one key's state (fixed by the model). */
    public static final String STATE_BYTES_PER_KEY = "stateBytesPerKey";
    /** Histogram: processing time of one record in nanoseconds (state read + tokens + state write). */
    public static final String RECORD_PROCESSING_NANOS = "recordProcessingNanos";

    private LinearAttentionMetrics() {}
}
