package org.flinkla.records;

import java.util.Objects;

/**
 * A record that could not be used, with the reason (DESIGN §4: dead-letter output). {@code original}
 * is the original text when it is known (the input line, the Kafka value), otherwise the record
 * rendered back to JSON by {@link JsonRecords#toJson(TokenRecord)}.
 */
@org.apache.flink.api.common.typeinfo.TypeInfo(RecordTypes.RejectedRecordFactory.class)
public final class RejectedRecord {
    private final String seq;
    private final String reason;
    private final String original;

    /**
     * @param seq the sequence id, or null when unknown
     * @param reason {@code "<code>: <detail>"} (see {@link RejectReasons})
     * @param original the original record text
     */
    public RejectedRecord(String seq, String reason, String original) {
        this.seq = seq;
        this.reason = Objects.requireNonNull(reason, "reason");
        this.original = Objects.requireNonNull(original, "original");
    }

    public String seq() { return seq; }
    public String reason() { return reason; }
    public String original() { return original; }

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
        return Objects.equals(seq, r.seq) && reason.equals(r.reason) && original.equals(r.original);
    }

    @Override
    public int hashCode() {
        return Objects.hash(seq, reason, original);
    }

    @Override
    public String toString() {
        return "RejectedRecord{seq=" + seq + ", reason=" + reason + "}";
    }
}
