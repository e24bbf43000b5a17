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
package org.flinkla.records;

import java.util.Objects;

/**
 * A record that could not be used, with the reason (docs/records.md: dead-letter output). {@code original}
 * is the original text when it is known (the input line, the Kafka value), otherwise the record
 * rendered back to JSON by {@link JsonRecords#toJson(TokenRecord)}. {@code partition}/{@code offset}
 * name the Kafka record it came from (-1 when unknown).
 */
@org.apache.flink.api.common.typeinfo.TypeInfo(RecordTypes.RejectedRecordFactory.class)
public final class RejectedRecord {
    private final String seq;
    private final String reason;
    private final String original;
    private final int partition;
    private final long offset;

    /**
     * @param seq the sequence id, or null when unknown
     * @param reason {@code "<code>: <detail>"} (see {@link RejectReasons})
     * @param original the original record text
     */
    public RejectedRecord(String seq, String reason, String original) {
        this(seq, reason, original, -1, -1L);
    }

    /** With the Kafka partition and offset of the original record (-1 when unknown). */
    public RejectedRecord(String seq, String reason, String original, int partition, long offset) {
        this.seq = seq;
        this.reason = Objects.requireNonNull(reason, "reason");
        this.original = Objects.requireNonNull(original, "original");
        this.partition = partition;
        this.offset = offset;
    }

    /** {@code r} rejected for {@code reason}: its JSON form and its Kafka origin. */
    public static RejectedRecord of(TokenRecord r, String reason) {
        return new RejectedRecord(r.seq(), reason, JsonRecords.toJson(r), r.originPartition(), r.originOffset());
    }

    public String seq() { return seq; }
    public String reason() { return reason; }
    public String original() { return original; }
    /** Kafka partition of the original record, or -1. */
    public int partition() { return partition; }
    /** Kafka offset of the original record, or -1. */
    public long offset() { return offset; }

    /** The stable code of the reason, e.g. {@code wrong_dimension}. */
    public String reasonCode() {
        return RejectReasons.codeOf(reason);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof RejectedRecord)) {
            return false;
        }
        RejectedRecord r = (RejectedRecord) o;
        return Objects.equals(seq, r.seq) && reason.equals(r.reason) && original.equals(r.original)
                && partition == r.partition && offset == r.offset;
    }

    @Override
    public int hashCode() {
        return Objects.hash(seq, reason, original, partition, offset);
    }

    @Override
    public String toString() {
        return "RejectedRecord{seq=" + seq + ", reason=" + reason + "}";
    }
}
