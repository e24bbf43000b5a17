package org.flinkla.kafka;

/** Value format of records on a topic (DESIGN §4): JSON, or the compact binary form of {@link org.flinkla.records.BinaryRecords}. */
public enum RecordFormat {
    JSON,
    BINARY
}
