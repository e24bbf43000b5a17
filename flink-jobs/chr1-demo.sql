-- Copyright 2026 The flink-linear-attention authors
-- SPDX-License-Identifier: Apache-2.0
-- The SQL twin of chr1-demo.yaml: the same model (the trained Gated DeltaNet shipped in the jar,
-- classpath:/models/dna/gdn) and the same topics: FASTA-line chunks
-- {"pos": 1200, "tokens": "ACGT...60 bases"} with key humanchr1_frag in, binary float32 outputs
-- (LY records, one per base) out, so `tail --job flink-jobs/chr1-demo.yaml` reads either job's
-- outputs. Like the YAML job it asks for the probabilities and the surprisal of each base (emit_fields),
-- written into the binary records by LINEAR_ATTENTION_BYTES.
--   java -jar target/flink-linear-attention.jar sql flink-jobs/chr1-demo.sql --input-file bases.jsonl --output-file out.jsonl
-- docs/sql.md has the details.

SET 'pipeline.name' = 'chr1-demo-sql';
SET 'parallelism.default' = '1';                 -- one sequence = one key: a single subtask does the work
SET 'execution.checkpointing.interval' = '500ms'; -- outputs become visible when a checkpoint commits them
SET 'state.backend.type' = 'hashmap';
SET 'pipeline.generic-types' = 'false';

CREATE TEMPORARY SYSTEM FUNCTION IF NOT EXISTS LINEAR_ATTENTION AS 'org.flinkla.sql.LinearAttentionTableFunction';
CREATE TEMPORARY SYSTEM FUNCTION IF NOT EXISTS LINEAR_ATTENTION_BYTES AS 'org.flinkla.sql.LinearAttentionBytesFunction';

-- the value is parsed by LINEAR_ATTENTION (bad values are error rows, as in the YAML job)
CREATE TABLE chr1_bases (
  `key`   STRING,
  `value` BYTES
) WITH (
  'connector' = 'kafka',
  'topic' = 'chr1-bases',
  'properties.bootstrap.servers' = '${bootstrap.servers}',
  'properties.group.id' = 'flinkla-chr1-demo-sql',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'earliest-offset',
  'key.format' = 'raw',
  'key.fields' = 'key',
  'value.format' = 'raw',
  'value.fields-include' = 'EXCEPT_KEY'
);

CREATE TEMPORARY VIEW bases AS
  SELECT COALESCE(`key`, JSON_VALUE(CAST(`value` AS STRING), '$.seq')) AS seq, `value` FROM chr1_bases;

CREATE TEMPORARY VIEW attended AS
  SELECT * FROM LINEAR_ATTENTION(
    input            => TABLE bases PARTITION BY seq,
    model            => '${model:-classpath:/models/dna/gdn}',
    emit_fields      => 'probabilities, surprisal',
    max_record_bytes => 1048576,
    max_tokens       => 16384,
    uid              => 'chr1-attention');

-- value = a binary output record (float32: 5 logits, 5 probabilities and the surprisal per base),
-- key = the sequence id
CREATE TABLE chr1_attention (
  seq     STRING,
  payload BYTES
) WITH (
  'connector' = 'kafka',
  'topic' = 'chr1-attention',
  'properties.bootstrap.servers' = '${bootstrap.servers}',
  'key.format' = 'raw',
  'key.fields' = 'seq',
  'value.format' = 'raw',
  'value.fields-include' = 'EXCEPT_KEY',
  'sink.delivery-guarantee' = 'exactly-once',
  'sink.transactional-id-prefix' = 'flinkla-chr1-demo-sql',
  'properties.transaction.timeout.ms' = '600000'
);

CREATE TABLE chr1_dead_letters (
  seq     STRING,
  pos     BIGINT,
  error   STRING,
  headers MAP<STRING, BYTES> METADATA
) WITH (
  'connector' = 'kafka',
  'topic' = 'chr1-dead-letters',
  'properties.bootstrap.servers' = '${bootstrap.servers}',
  'key.format' = 'raw',
  'key.fields' = 'seq',
  'value.format' = 'json',
  'sink.delivery-guarantee' = 'exactly-once',
  'sink.transactional-id-prefix' = 'flinkla-chr1-demo-sql-dlq',
  'properties.transaction.timeout.ms' = '600000'
);

EXECUTE STATEMENT SET
BEGIN
  INSERT INTO chr1_attention
    SELECT seq, LINEAR_ATTENTION_BYTES(pos, y, p, logp, top, surprisal) FROM attended WHERE error IS NULL;
  INSERT INTO chr1_dead_letters
    SELECT seq, pos, error, MAP['reason', CAST(error AS BYTES)] FROM attended WHERE error IS NOT NULL;
END;
