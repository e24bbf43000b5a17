package org.flinkla.records;

/**
 * Outcome of parsing one input value: either a {@link TokenRecord} or a rejection reason (see
 * {@link RejectReasons}). Bad data is a value, not an exception, so a streaming job can route it
 * to a dead-letter output and keep running.
 */
public final class ParseResult {
    private final TokenRecord record;
    private final String reason;

    private ParseResult(TokenRecord record, String reason) {
        this.record = record;
        this.reason = reason;
    }

    public static ParseResult ok(TokenRecord record) {
        return new ParseResult(record, null);
    }

    public static ParseResult rejected(String reason) {
        return new ParseResult(null, reason);
    }

    public boolean isOk() {
        return record != null;
    }

    /** The parsed record, or null when rejected. */
    public TokenRecord record() {
        return record;
    }

    /** {@code "<code>: <detail>"}, or null when parsed. */
    public String reason() {
        return reason;
    }

    @Override
    public String toString() {
        return isOk() ? "ok(" + record + ")" : "rejected(" + reason + ")";
    }
}
