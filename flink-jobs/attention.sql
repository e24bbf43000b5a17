-- Copyright 2026 The flink-linear-attention authors
-- SPDX-License-Identifier: Apache-2.0
-- The SQL twin of attention.yaml: the same topics and record forms, the same model (the seeded model
-- of attention.yaml, saved in models/attention.safetensors), run by the LINEAR_ATTENTION process table
-- function instead of the DataStream operator.
--   java -jar target/flink-linear-attention.jar sql flink-jobs/attention.sql --input-file in.jsonl --output-file out.jsonl
--   flink run target/flink-linear-attention-cluster.jar --sql flink-jobs/attention.sql --bootstrap-servers kafka:9092
-- Another model: --define model=file:///path/to/model.safetensors; the language-model fields of a model
-- with an LM head: --define emit.fields=probabilities,top-3,surprisal (the YAML key emit-fields).
-- docs/sql.md has the details.

SET 'pipeline.name' = 'attention-sql';
SET 'parallelism.default' = '2';
SET 'execution.checkpointing.interval' = '2s';  -- the exactly-once sinks commit on checkpoints
SET 'pipeline.generic-types' = 'false';

CREATE TEMPORARY SYSTEM FUNCTION IF NOT EXISTS LINEAR_ATTENTION AS 'org.flinkla.sql.LinearAttentionTableFunction';

-- Input records as the YAML job reads them: key = sequence id, value = one JSON record
-- ({"pos": 0, "tokens": "ACGT"}, {"x": [...16 values]}, {"control": "reset"}, ...). The value is read
-- as bytes and parsed by LINEAR_ATTENTION with the YAML job's own parser: a value that is not JSON, not
-- a record or over max_record_bytes is an error row (bad_json, bad_record, oversize), not a gap.
CREATE TABLE tokens_in (
  `key`   STRING,                -- the record key
  `value` BYTES                  -- the record value
) WITH (
  'connector' = 'kafka',
  'topic' = 'attention-in',
  'properties.bootstrap.servers' = '${bootstrap.servers}',
  'properties.group.id' = 'flinkla-attention-sql',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'earliest-offset',
  'key.format' = 'raw',
  'key.fields' = 'key',
  'value.format' = 'raw',
  'value.fields-include' = 'EXCEPT_KEY'
);

-- the key is the sequence id; a record without key names it in the value's "seq" (as in the YAML job)
CREATE TEMPORARY VIEW tokens AS
  SELECT COALESCE(`key`, JSON_VALUE(CAST(`value` AS STRING), '$.seq')) AS seq, `value` FROM tokens_in;

CREATE TEMPORARY VIEW attended AS
  SELECT * FROM LINEAR_ATTENTION(
    input            => TABLE tokens PARTITION BY seq,
    model            => '${model:-file://${job.dir}/models/attention.safetensors}',
    emit_fields      => '${emit.fields:-}',
    max_record_bytes => 1048576,
    state_ttl        => '24 h',
    uid              => 'attention');

-- One record per output: key = seq, value {"seq": "s1", "pos": 17, "y": [...16 values]} (plus "p",
-- "logp", "top", "surprisal" when emit.fields asks for them: NULL columns are left out).
CREATE TABLE attention_out (
  seq       STRING,
  pos       BIGINT,
  y         ARRAY<DOUBLE>,
  p         ARRAY<DOUBLE>,
  logp      ARRAY<DOUBLE>,
  top       ARRAY<ROW<token STRING, id INT, p DOUBLE>>,
  surprisal DOUBLE
) WITH (
  'connector' = 'kafka',
  'topic' = 'attention-out',
  'properties.bootstrap.servers' = '${bootstrap.servers}',
  'key.format' = 'raw',
  'key.fields' = 'seq',
  'value.format' = 'json',
  'value.json.encode.ignore-null-fields' = 'true',
  'sink.delivery-guarantee' = 'exactly-once',
  'sink.transactional-id-prefix' = 'flinkla-attention-sql',
  'properties.transaction.timeout.ms' = '600000'  -- within the broker's transaction.max.timeout.ms
);

-- Rejected rows: key = seq, value {"seq", "pos", "error": "<code>: <detail>"}, header reason = error.
CREATE TABLE attention_dead_letters (
  seq     STRING,
  pos     BIGINT,
  error   STRING,
  headers MAP<STRING, BYTES> METADATA
) WITH (
  'connector' = 'kafka',
  'topic' = 'attention-dead-letters',
  'properties.bootstrap.servers' = '${bootstrap.servers}',
  'key.format' = 'raw',
  'key.fields' = 'seq',
  'value.format' = 'json',
  'sink.delivery-guarantee' = 'exactly-once',
  'sink.transactional-id-prefix' = 'flinkla-attention-sql-dlq',
  'properties.transaction.timeout.ms' = '600000'
);

-- one job, one LINEAR_ATTENTION operator (both INSERTs read the same call, uid 'attention')
EXECUTE STATEMENT SET
BEGIN
  INSERT INTO attention_out SELECT seq, pos, y, p, logp, top, surprisal FROM attended WHERE error IS NULL;
  INSERT INTO attention_dead_letters
    SELECT seq, pos, error, MAP['reason', CAST(error AS BYTES)] FROM attended WHERE error IS NOT NULL;
END;
