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
