package org.flinkla.kafka;

/** Value format of records on a topic (docs/records.md): JSON, or the compact binary form of {@link org.flinkla.records.BinaryRecords}. */
public enum RecordFormat {
    JSON,
    BINARY
}
