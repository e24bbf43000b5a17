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
import org.apache.flink.api.common.operators.ProcessingTimeService.ProcessingTimeCallback;
import org.apache.flink.runtime.event.WatermarkEvent;
import org.apache.flink.streaming.api.operators.AbstractUdfStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.TimestampedCollector;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.flinkla.records.AttentionOutput;
import org.flinkla.records.TokenRecord;

/**
 * The keyed operator of {@link LinearAttention} with bundling on
 * ({@link LinearAttention.Builder#bundle}): records are buffered, up to {@code maxRecords} of
 * them and for at most {@code maxDelay} of processing time, then processed together so that
 * records carrying one new token of different sequences go through the model as one bundle
 * ({@link org.flinkla.engine.ModelStepper#stepAcross}: each weight matrix read once for all of
 * them instead of once per record).
 *
 * <p>A bundle is flushed when it is full, when its processing-time timer fires (registered when a
 * record enters an empty bundle, so no record waits longer than {@code maxDelay}), before every
 * checkpoint barrier ({@link #prepareSnapshotPreBarrier}: the snapshot never holds buffered
 * records, so exactly-once is that of the unbundled operator), before a watermark is forwarded
 * (outputs never fall behind it) and at the end of input.
 *
 * <p>Per record the semantics are those of the unbundled {@link LinearAttentionFunction} — the same
 * {@link SequenceProcessor} code in phases: prepare (validation, reset, replay, gap), the model
 * step, finish (outputs, fields, the undo of an overflow). A flush cuts the bundle, in arrival
 * order, into segments in which no key appears twice; per segment: each key's state is read once,
 * the records of one new token are stepped together (the others, e.g. chunks, one by one), each
 * state is written once, and outputs and dead letters go out in arrival order with the input
 * record's timestamp. The counters are those of the unbundled operator; a record's processing
 * time is its share of the flush.
 */
@org.apache.flink.annotation.Internal
final class BundledAttentionOperator extends AbstractUdfStreamOperator<AttentionOutput, LinearAttentionFunction>
        implements OneInputStreamOperator<TokenRecord, AttentionOutput>, BoundedOneInput, ProcessingTimeCallback {
    private static final long serialVersionUID = 1L;

    private final int maxRecords;
    private final long maxDelayMillis;

    private transient TokenRecord[] records;
    private transient long[] timestamps;
    private transient boolean[] hasTimestamp;
    private transient SequenceProcessor.Outcome[] outcomes;
    private transient boolean[] bundled;
    private transient int size;
    private transient SequenceProcessor processor;
    private transient SequenceProcessor.Bundle bundle;
    private transient TimestampedCollector<AttentionOutput> collector;
    private transient KeySet segmentKeys;
    private transient boolean timerPending;

    BundledAttentionOperator(LinearAttentionFunction function, int maxRecords, long maxDelayMillis) {
        super(function);
        this.maxRecords = maxRecords;
        this.maxDelayMillis = maxDelayMillis;
    }

    @Override
    public void open() throws Exception {
        super.open(); // opens the function: its processor, state, metrics
        records = new TokenRecord[maxRecords];
        timestamps = new long[maxRecords];
        hasTimestamp = new boolean[maxRecords];
        outcomes = new SequenceProcessor.Outcome[maxRecords];
        for (int i = 0; i < maxRecords; i++) {
            outcomes[i] = new SequenceProcessor.Outcome();
        }
        bundled = new boolean[maxRecords];
        processor = userFunction.processor();
        bundle = processor.newBundle(maxRecords);
        collector = new TimestampedCollector<>(output);
        segmentKeys = new KeySet(maxRecords);
    }

    @Override
    public void processElement(StreamRecord<TokenRecord> element) throws Exception {
        int i = size++;
        records[i] = element.getValue();
        hasTimestamp[i] = element.hasTimestamp();
        timestamps[i] = element.getTimestamp();
        if (size == maxRecords) {
            flush();
        } else if (!timerPending) {
            // the first record of a bundle: it waits at most maxDelay (a timer left from a flushed
            // bundle fires earlier, which only flushes this one earlier)
            timerPending = true;
            getProcessingTimeService().registerTimer(
                    getProcessingTimeService().getCurrentProcessingTime() + maxDelayMillis, this);
        }
    }

    @Override
    public void onProcessingTime(long time) throws Exception {
        timerPending = false;
        flush();
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        flush(); // before the barrier goes downstream and before the state is snapshotted
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        flush(); // the outputs of records before the watermark go out before it
        super.processWatermark(mark);
    }

    @Override
    public void processWatermark(WatermarkEvent watermark) throws Exception {
        flush();
        super.processWatermark(watermark);
    }

    @Override
    public void endInput() throws Exception {
        flush();
    }

    @Override
    public void finish() throws Exception {
        flush(); // end of input
        super.finish();
    }

    /** Processes the buffered records in arrival order, in segments without a repeated key. */
    void flush() throws Exception {
        if (size == 0) {
            return;
        }
        long t0 = System.nanoTime();
        int accepted = 0;
        for (int from = 0; from < size; ) {
            segmentKeys.clear();
            int to = from;
            while (to < size && (records[to].seq() == null || segmentKeys.add(records[to].seq()))) {
                to++;
            }
            accepted += segment(from, to);
            from = to;
        }
        long share = accepted == 0 ? 0 : (System.nanoTime() - t0) / accepted;
        for (int i = 0; i < accepted; i++) {
            userFunction.recordNanos(share);
        }
        Arrays.fill(records, 0, size, null);
        size = 0;
    }

    /** Records [from, to) of distinct keys; returns how many were accepted. */
    private int segment(int from, int to) throws Exception {
        bundle.clear();
        int stepped = 0;
        for (int i = from; i < to; i++) {
            TokenRecord r = records[i];
            SequenceProcessor.Outcome o = outcomes[i];
            bundled[i] = false;
            if (r.seq() != null) {
                setCurrentKey(r.seq());
            }
            if (processor.prepare(r, userFunction.readState(r), o)) {
                if (SequenceProcessor.oneNewToken(r, o)) {
                    bundle.add(i, r, o);
                    bundled[i] = true;
                    stepped++;
                } else {
                    processor.complete(r, o); // a chunk: as in the unbundled operator
                }
            }
        }
        if (stepped > 0) {
            bundle.step();
        }
        int accepted = 0;
        for (int i = from; i < to; i++) {
            TokenRecord r = records[i];
            SequenceProcessor.Outcome o = outcomes[i];
            if (r.seq() != null) {
                setCurrentKey(r.seq());
            }
            if (bundled[i]) {
                bundle.finish(i, r, o);
            }
            if (hasTimestamp[i]) {
                collector.setAbsoluteTimestamp(timestamps[i]);
            } else {
                collector.eraseTimestamp();
            }
            if (o.rejectReason != null) {
                // as the keyed process function's side output: the input record's timestamp
                output.collect(LinearAttention.REJECTED,
                        new StreamRecord<>(userFunction.rejected(r, o.rejectReason), timestamps[i]));
            } else {
                userFunction.apply(r, o, collector);
                accepted++;
            }
            o.clear();
        }
        bundle.clear();
        return accepted;
    }

    /**
     * The distinct sequence ids of one segment: open addressing over arrays sized once for the
     * bundle, emptied by a new generation number, so a flush allocates nothing (a HashSet would
     * allocate a node per record).
     */
    static final class KeySet {
        private final String[] keys;
        private final int[] generation;
        private final int mask;
        private int current = 1;

        KeySet(int capacity) {
            int n = Integer.highestOneBit(Math.max(2, capacity) * 2 - 1) * 2; // ≥ 2·capacity, a power of two
            keys = new String[n];
            generation = new int[n];
            mask = n - 1;
        }

        /** Empties the set. */
        void clear() {
            if (++current == 0) { // wrapped after 2³² clears: forget every slot
                java.util.Arrays.fill(generation, 0);
                current = 1;
            }
        }

        /** Adds {@code key}; false when it is already in the set. At most the capacity's keys between clears. */
        boolean add(String key) {
            int i = key.hashCode() * 0x9E3779B9 >>> 1 & mask;
            while (generation[i] == current) {
                if (keys[i].equals(key)) {
                    return false;
                }
                i = (i + 1) & mask;
            }
            keys[i] = key;
            generation[i] = current;
            return true;
        }
    }
}
