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
package org.flinkla.kafka;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.flinkla.records.BinaryRecords;
import org.flinkla.records.JsonLines;
import org.flinkla.records.JsonRecords;
import org.flinkla.records.ParseResult;
import org.flinkla.records.RecordValidator;
import org.flinkla.records.RejectReasons;
import org.flinkla.records.TokenRecord;

/**
 * Turns raw Kafka records into {@link TokenRecord}s before {@code keyBy}, and everything that
 * cannot be used into {@link DeadLetter}s on {@link #DEAD_LETTERS} with the original bytes. Checks,
 * in order: key UTF-8 (it is the sequence id; a JSON value without key names it in {@code "seq"}),
 * value present and non-empty, value within the byte limit, value parses (JSON or binary), then the
 * model-aware
 * {@link RecordValidator} (dimension, finite values, vocabulary, ids, tokens per record). Never
 * throws on data.
 */
final class RecordParser extends ProcessFunction<RawKafkaRecord, TokenRecord> {
    private static final long serialVersionUID = 1L;

    /** Side output of records that go to the dead-letter topic. */
    static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters", DeadLetter.typeInfo());

    private final RecordFormat format;
    private final int maxRecordBytes;
    private final RecordValidator validator;
    private final SourceProgress progress;

    RecordParser(RecordFormat format, int maxRecordBytes, RecordValidator validator) {
        this(format, maxRecordBytes, validator, null);
    }

    RecordParser(RecordFormat format, int maxRecordBytes, RecordValidator validator, SourceProgress progress) {
        this.format = format;
        this.maxRecordBytes = maxRecordBytes;
        this.validator = validator;
        this.progress = progress;
    }

    @Override
    public void processElement(RawKafkaRecord raw, Context ctx, Collector<TokenRecord> out) {
        if (progress != null) {
            progress.seen(raw.partition(), raw.offset());
        }
        String reason = null;
        TokenRecord record = null;
        boolean keyless = raw.key() == null || raw.key().length == 0;
        String seq = keyless ? null : decodeKey(raw.key());
        if (!keyless && seq == null) {
            reason = RejectReasons.of(RejectReasons.MISSING_SEQ, "record key is not valid UTF-8");
        } else if (raw.value() == null || raw.value().length == 0) {
            reason = RejectReasons.of(RejectReasons.BAD_RECORD, "empty value");
        } else if (raw.value().length > maxRecordBytes) {
            reason = JsonLines.oversize(raw.value().length, maxRecordBytes);
        } else if (keyless && format == RecordFormat.BINARY) {
            reason = RejectReasons.of(RejectReasons.MISSING_SEQ, "record has no key (the key is the sequence id)");
        } else if (format == RecordFormat.JSON) {
            // without a key the value's "seq" names the sequence, as for a line of a JSON-lines file:
            // the same bytes get the same verdict on every path
            ParseResult r = JsonRecords.parse(seq, raw.value());
            if (r.isOk()) {
                record = r.record();
            } else {
                reason = r.reason();
            }
        } else {
            try {
                record = BinaryRecords.decodeTokens(seq, raw.value());
            } catch (IllegalArgumentException e) {
                reason = RejectReasons.of(RejectReasons.BAD_RECORD, e.getMessage());
            }
        }
        if (record != null) {
            reason = validator.validate(record);
        }
        if (reason == null) {
            // the origin travels with the record, so an operator reject still names its Kafka record
            out.collect(record.withOrigin(raw.partition(), raw.offset()));
        } else {
            ctx.output(DEAD_LETTERS, new DeadLetter(raw, reason));
        }
    }

    /** The key as strict UTF-8, or null when absent or malformed. */
    private static String decodeKey(byte[] key) {
        if (key == null) {
            return null;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(key)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
