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
package org.flinkla.sql;

import static org.apache.flink.table.api.Expressions.$;
import static org.apache.flink.table.api.Expressions.lit;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.flinkla.engine.SequenceModel;
import org.flinkla.flink.EmitMode;
import org.flinkla.flink.ModelReference;
import org.flinkla.flink.SequenceProcessor;
import org.flinkla.flink.SequenceState;
import org.flinkla.records.AttentionOutput;
import org.flinkla.records.BinaryRecords;
import org.apache.flink.table.data.GenericArrayData;
import org.flinkla.records.RejectReasons;
import org.flinkla.records.TokenRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

/**
 * LINEAR_ATTENTION on a local MiniCluster without Kafka: every output row equals what
 * {@link SequenceProcessor} (the DataStream operator's semantics) gives for the same records, in
 * order per sequence; bad rows become error rows and the query goes on; state TTL from the call;
 * the call's checks at planning time.
 */
class LinearAttentionSqlTest {
    /** The seeded model of flink-jobs/attention.yaml (SqlJobFilesTest checks the file is that model). */
    static final Path MODEL = Path.of("flink-jobs/models/attention.safetensors");
    static final String[] NAMES = {"seq", "pos", "token", "tokens", "id", "ids", "x", "xs", "control"};
    static final TypeInformation<Row> ROW_TYPE = Types.ROW_NAMED(NAMES, Types.STRING, Types.LONG, Types.STRING,
            Types.STRING, Types.INT, Types.OBJECT_ARRAY(Types.INT), Types.OBJECT_ARRAY(Types.DOUBLE),
            Types.OBJECT_ARRAY(Types.OBJECT_ARRAY(Types.DOUBLE)), Types.STRING);

    static StreamExecutionEnvironment env;
    static StreamTableEnvironment tEnv;
    static SequenceModel model;
    static String uri;

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @BeforeAll
    static void setUp() {
        env = StreamExecutionEnvironment.getExecutionEnvironment(); // the shared MiniCluster
        env.setParallelism(2);
        tEnv = StreamTableEnvironment.create(env);
        LinearAttentionSql.register(tEnv);
        LinearAttentionSql.register(tEnv); // idempotent
        uri = MODEL.toAbsolutePath().toUri().toString();
        model = ModelReference.uri(uri, Map.of()).resolve();
    }

    /** One input row and what it means: the record the DataStream job would get, or the expected reject code. */
    static final class Input {
        final Row row;
        final TokenRecord record;
        final String rejectCode;

        Input(Row row, TokenRecord record, String rejectCode) {
            this.row = row;
            this.record = record;
            this.rejectCode = rejectCode;
        }
    }

    static Row row(String seq, Long pos, String field, Object value) {
        Row r = Row.withNames();
        for (String n : NAMES) {
            r.setField(n, null);
        }
        r.setField("seq", seq);
        r.setField("pos", pos);
        if (field != null) {
            r.setField(field, value);
        }
        return r;
    }

    static long p(Long pos) {
        return pos == null ? TokenRecord.NO_POS : pos;
    }

    static Input symbols(String seq, Long pos, String s) {
        return new Input(row(seq, pos, s.length() == 1 ? "token" : "tokens", s),
                TokenRecord.symbols(seq, p(pos), s, s.length() != 1), null);
    }

    static Input ids(String seq, Long pos, int... ids) {
        Integer[] boxed = new Integer[ids.length];
        for (int i = 0; i < ids.length; i++) {
            boxed[i] = ids[i];
        }
        return new Input(row(seq, pos, "ids", boxed), TokenRecord.ids(seq, p(pos), ids, true), null);
    }

    static Input vectors(String seq, Long pos, double[][] xs) {
        int d = xs[0].length;
        double[] flat = new double[xs.length * d];
        Double[][] boxed = new Double[xs.length][];
        for (int i = 0; i < xs.length; i++) {
            boxed[i] = new Double[d];
            for (int j = 0; j < d; j++) {
                flat[i * d + j] = xs[i][j];
                boxed[i][j] = xs[i][j];
            }
        }
        if (xs.length == 1) {
            return new Input(row(seq, pos, "x", boxed[0]), TokenRecord.vectors(seq, p(pos), flat, d, false), null);
        }
        return new Input(row(seq, pos, "xs", boxed), TokenRecord.vectors(seq, p(pos), flat, d, true), null);
    }

    static Input reset(String seq) {
        return new Input(row(seq, null, "control", "reset"), TokenRecord.reset(seq), null);
    }

    static Input bad(Row row, String code) {
        return new Input(row, null, code);
    }

    static double[][] randomVectors(Random r, int n, int d) {
        double[][] xs = new double[n][d];
        for (double[] x : xs) {
            for (int j = 0; j < d; j++) {
                x[j] = r.nextGaussian();
            }
        }
        return xs;
    }

    static String dna(Random r, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append("ACGTN".charAt(r.nextInt(5)));
        }
        return sb.toString();
    }

    /** Chunks, single tokens, ids, vectors, replays, a gap, a reset, a position-less record, and bad rows. */
    static List<Input> inputs() {
        Random r = new Random(5);
        int d = model.inputWidth();
        List<Input> in = new ArrayList<>();
        for (int s = 0; s < 5; s++) {
            String seq = "seq-" + s;
            long pos = 0;
            for (int k = 0; k < 4; k++) {
                String chunk = dna(r, 1 + r.nextInt(9));
                in.add(symbols(seq, pos, chunk));
                pos += chunk.length();
            }
            in.add(symbols(seq, pos, "G"));
            pos += 1;
            in.add(symbols(seq, pos - 3, "ACGTA")); // overlaps: 3 replayed, 2 new
            pos += 2;
            in.add(ids(seq, pos, 0, 1, 2, 3, 4));
            pos += 5;
            in.add(vectors(seq, pos, randomVectors(r, 3, d)));
            pos += 3;
            in.add(vectors(seq, null, randomVectors(r, 1, d))); // no pos: next position
            pos += 1;
            in.add(symbols(seq, pos + 4, "TT")); // gap of 4
            pos += 6;
            if (s == 2) {
                in.add(reset(seq));
                in.add(symbols(seq, 0L, "ACGT"));
            }
            in.add(symbols(seq, 0L, "AC")); // a full replay: nothing emitted
        }
        String seq = "bad";
        in.add(symbols(seq, 0L, "ACG"));
        in.add(bad(row(seq, 3L, "tokens", "ACZ"), RejectReasons.UNKNOWN_SYMBOL));
        in.add(ids(seq, 3L, 1, 99)); // rejected by the processor, like the DataStream job: bad_id
        in.add(bad(row(seq, 3L, null, null), RejectReasons.BAD_RECORD)); // no payload
        Row both = row(seq, 3L, "token", "A");
        both.setField("tokens", "CC");
        in.add(bad(both, RejectReasons.BAD_RECORD));
        in.add(bad(row(seq, 3L, "token", "AC"), RejectReasons.BAD_RECORD));
        in.add(bad(row(seq, null, "control", "rewind"), RejectReasons.BAD_CONTROL));
        in.add(bad(row(seq, -1L, "token", "A"), RejectReasons.BAD_POS));
        in.add(bad(row(seq, 3L, "ids", new Integer[] {1, null}), RejectReasons.BAD_ID));
        in.add(bad(row(seq, 3L, "x", new Double[] {1.0, 2.0}), RejectReasons.WRONG_DIMENSION));
        Double[] full = new Double[d];
        Double[] shorter = new Double[d - 1];
        java.util.Arrays.fill(full, 0.25);
        java.util.Arrays.fill(shorter, 0.25);
        in.add(bad(row(seq, 3L, "xs", new Double[][] {full, shorter}), RejectReasons.WRONG_DIMENSION));
        in.add(bad(row(null, 3L, "token", "A"), RejectReasons.MISSING_SEQ));
        in.add(symbols(seq, 3L, "T")); // the bad rows changed nothing: continues at 3
        return in;
    }

    /** What the DataStream operator's semantics give, per sequence in order: "pos y" or "pos error-code" strings. */
    static Map<String, List<String>> expected(List<Input> inputs, EmitMode emit) {
        SequenceProcessor p = new SequenceProcessor(model, emit, 16_384);
        Map<String, SequenceState> states = new HashMap<>();
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (Input in : inputs) {
            String seq = (String) in.row.getField("seq");
            List<String> rows = out.computeIfAbsent(String.valueOf(seq), k -> new ArrayList<>());
            if (in.record == null) {
                rows.add(in.row.getField("pos") + " " + in.rejectCode);
                continue;
            }
            SequenceProcessor.Outcome o = p.process(in.record, states.get(seq));
            if (o.rejectReason != null) {
                rows.add((in.record.hasPos() ? in.record.pos() : null) + " " + RejectReasons.codeOf(o.rejectReason));
            } else if (o.clearState) {
                states.remove(seq);
            } else {
                if (o.stateChanged) {
                    states.put(seq, o.state.copy());
                }
                if (o.output != null) {
                    AttentionOutput a = o.output;
                    for (int i = 0; i < a.count(); i++) {
                        double[] y = java.util.Arrays.copyOfRange(a.ys(), i * a.dim(), (i + 1) * a.dim());
                        rows.add(a.positionOf(i) + " " + java.util.Arrays.toString(y));
                    }
                }
            }
        }
        return out;
    }

    static Map<String, List<String>> collect(Table t) throws Exception {
        Map<String, List<String>> out = new LinkedHashMap<>();
        try (CloseableIterator<Row> it = t.execute().collect()) {
            while (it.hasNext()) {
                Row r = it.next();
                List<String> rows = out.computeIfAbsent(String.valueOf(r.getField(0)), k -> new ArrayList<>());
                Object error = r.getField(3);
                if (error != null) {
                    assertThat(r.getField(2)).isNull();
                    rows.add(r.getField(1) + " " + RejectReasons.codeOf((String) error));
                } else {
                    Double[] y = (Double[]) r.getField(2);
                    double[] v = new double[y.length];
                    for (int i = 0; i < y.length; i++) {
                        v[i] = y[i];
                    }
                    rows.add(r.getField(1) + " " + java.util.Arrays.toString(v));
                }
            }
        }
        return out;
    }

    static Table table(List<Input> inputs, MapFunction<Row, Row> delay) {
        List<Row> rows = new ArrayList<>();
        inputs.forEach(i -> rows.add(i.row));
        DataStream<Row> s = env.fromData(rows, ROW_TYPE); // one source subtask: the order is kept per sequence
        if (delay != null) {
            s = s.map(delay, ROW_TYPE);
        }
        return tEnv.fromDataStream(s);
    }

    @Test
    void sqlRowsEqualTheOperatorSemanticsAndBadRowsAreErrorRows() throws Exception {
        List<Input> inputs = inputs();
        tEnv.createTemporaryView("tokens_a", table(inputs, null));
        Table t = tEnv.sqlQuery("SELECT * FROM LINEAR_ATTENTION(input => TABLE tokens_a PARTITION BY seq, "
                + "model => '" + uri + "', uid => 'a')");
        assertThat(t.getResolvedSchema().getColumnNames()).containsExactly("seq", "pos", "y", "error");
        Map<String, List<String>> got = collect(t);
        Map<String, List<String>> want = expected(inputs, EmitMode.ALL);
        assertThat(got.keySet()).containsExactlyInAnyOrderElementsOf(want.keySet());
        want.forEach((seq, rows) -> assertThat(got.get(seq)).as(seq).containsExactlyElementsOf(rows));
        // the bad sequence: 3 outputs, 11 error rows, then the output at 3
        assertThat(got.get("bad")).hasSize(3 + 10 + 1);
        assertThat(got.get("null")).containsExactly("3 " + RejectReasons.MISSING_SEQ);
    }

    @Test
    void tableApiCallWithEmitEveryAndRenamedColumns() throws Exception {
        List<Input> inputs = inputs().subList(0, 20);
        Table t = table(inputs, null).renameColumns($("seq").as("sid"), $("tokens").as("bases"))
                .partitionBy($("sid"))
                .process(LinearAttentionSql.FUNCTION, lit(uri).asArgument("model"), lit("every:3").asArgument("emit"),
                        lit("seq=sid, tokens=bases").asArgument("columns"), lit("b").asArgument("uid"));
        assertThat(t.getResolvedSchema().getColumnNames()).containsExactly("sid", "pos", "y", "error");
        Map<String, List<String>> got = collect(t);
        Map<String, List<String>> want = expected(inputs, EmitMode.everyNth(3));
        want.values().removeIf(List::isEmpty);
        assertThat(got).isEqualTo(want);
    }

    @Test
    void stateTtlFromTheCallDropsIdleSequences() throws Exception {
        // seq "t": tokens 0..3, then (after the TTL has passed) tokens 4..5 start from a fresh state
        List<Input> inputs = List.of(symbols("t", 0L, "ACGT"), symbols("t", 4L, "GG"));
        tEnv.createTemporaryView("tokens_ttl", table(inputs, r -> {
            if (Long.valueOf(4).equals(r.getField("pos"))) {
                Thread.sleep(2500); // > state_ttl: the state of "t" expires
            }
            return r;
        }));
        Map<String, List<String>> got = collect(tEnv.sqlQuery("SELECT * FROM LINEAR_ATTENTION(input => TABLE tokens_ttl "
                + "PARTITION BY seq, model => '" + uri + "', state_ttl => '1 s', uid => 'ttl')"));
        Map<String, List<String>> first = expected(inputs.subList(0, 1), EmitMode.ALL);
        Map<String, List<String>> fresh = expected(inputs.subList(1, 2), EmitMode.ALL); // from an empty state
        List<String> want = new ArrayList<>(first.get("t"));
        want.addAll(fresh.get("t"));
        assertThat(got.get("t")).containsExactlyElementsOf(want);
        // without the TTL the last two outputs continue the sequence and differ
        assertThat(expected(inputs, EmitMode.ALL).get("t")).isNotEqualTo(want);
    }

    // ------------------------------------------------------------------------------------------
    // planning-time checks

    private static final String GOOD_TABLE = "SELECT * FROM (VALUES ('s', CAST(0 AS BIGINT), 'ACGT')) AS v(seq, pos, tokens)";

    private static String plan(String table, String args) {
        String view = "v" + Integer.toHexString((table + args).hashCode() & 0x7fffffff);
        tEnv.createTemporaryView(view, tEnv.sqlQuery(table));
        try {
            tEnv.sqlQuery("SELECT * FROM LINEAR_ATTENTION(input => TABLE " + view + " "
                    + (args.startsWith("PARTITION BY ") ? "" : "PARTITION BY seq, ") + args + ")").getResolvedSchema();
            return null;
        } catch (ValidationException e) {
            StringBuilder sb = new StringBuilder();
            for (Throwable c = e; c != null; c = c.getCause()) {
                sb.append(c.getMessage()).append('\n');
            }
            return sb.toString();
        } finally {
            tEnv.dropTemporaryView(view);
        }
    }

    @Test
    void aGoodCallPlans() {
        assertThat(plan(GOOD_TABLE, "model => '" + uri + "', uid => 'ok'")).isNull();
    }

    @Test
    void anUnknownModelFailsWithTheLoadersMessage() {
        assertThat(plan(GOOD_TABLE, "model => 'file:///no/such/model.safetensors'"))
                .contains("argument 'model': /no/such/model.safetensors: file: no such file or directory");
        assertThat(plan(GOOD_TABLE, "model => '" + uri + "', model_options => 'heads=3'"))
                .contains("argument 'model': ").contains(MODEL.toAbsolutePath().toString()).contains("heads");
        assertThat(plan(GOOD_TABLE, "model => '" + uri + "', model_options => 'colour=blue'"))
                .contains("argument 'model_options': unknown key 'colour'").contains("state_precision");
    }

    @Test
    void aWrongColumnTypeIsNamedWithTheAcceptedTypes() {
        assertThat(plan("SELECT * FROM (VALUES ('s', 1)) AS v(seq, tokens)", "model => '" + uri + "'"))
                .contains("input column 'tokens' (tokens) has type INT NOT NULL; accepted: STRING");
        assertThat(plan("SELECT * FROM (VALUES ('s', 'A', ARRAY['a'])) AS v(seq, token, x)", "model => '" + uri + "'"))
                .contains("input column 'x' (x) has type ARRAY<CHAR(1) NOT NULL> NOT NULL; accepted: ARRAY<FLOAT> or ARRAY<DOUBLE>");
        assertThat(plan("SELECT * FROM (VALUES ('s', 'A', 1.5)) AS v(seq, token, pos)", "model => '" + uri + "'"))
                .contains("input column 'pos' (pos) has type DECIMAL(2, 1) NOT NULL; accepted: BIGINT or INT");
        assertThat(plan("SELECT * FROM (VALUES (1, 'A')) AS v(seq, token)", "model => '" + uri + "'"))
                .contains("input column 'seq' (seq) has type INT NOT NULL; accepted: STRING");
    }

    @Test
    void missingColumnsAndPartitioningAreExplained() {
        assertThat(plan("SELECT * FROM (VALUES ('s', 1)) AS v(seq, n)", "model => '" + uri + "'"))
                .contains("the input table has no token column").contains("[seq, n]");
        assertThat(plan("SELECT * FROM (VALUES ('s', 'A')) AS v(sid, token)",
                "PARTITION BY sid, model => '" + uri + "'"))
                .contains("no sequence id column 'seq'").contains("columns => 'seq=<column>'");
        assertThat(plan("SELECT * FROM (VALUES ('s', 'A')) AS v(seq, token)",
                "PARTITION BY token, model => '" + uri + "'"))
                .contains("partitioned by its sequence column alone: TABLE ... PARTITION BY seq (got PARTITION BY token)");
        assertThat(plan(GOOD_TABLE, "model => '" + uri + "', columns => 'tokens=bases'"))
                .contains("argument 'columns' names column 'bases' for tokens, but the input table has no such column");
        assertThat(plan(GOOD_TABLE, "model => '" + uri + "', columns => 'letters=tokens'"))
                .contains("argument 'columns': 'letters=tokens' is not role=column");
    }

    @Test
    void badOptionValuesNameTheArgument() {
        assertThat(plan(GOOD_TABLE, "model => '" + uri + "', emit => 'sometimes'"))
                .contains("argument 'emit': unknown emit mode 'sometimes' (expected all, last or every:N");
        assertThat(plan(GOOD_TABLE, "model => '" + uri + "', state_ttl => 'soon'"))
                .contains("argument 'state_ttl': 'soon' is not a duration");
        assertThat(plan(GOOD_TABLE, "model => '" + uri + "', max_tokens => 0"))
                .contains("argument 'max_tokens' must be at least 1, got 0");
        assertThat(plan(GOOD_TABLE, "model => ''")).contains("argument 'model' is missing");
    }

    @Test
    void theBytesFunctionWritesBinaryOutputRecords() {
        LinearAttentionBytesFunction f = new LinearAttentionBytesFunction();
        GenericArrayData y = new GenericArrayData(new double[] {0.5, 1.0 / 3});
        AttentionOutput f32 = BinaryRecords.decodeOutput("s", f.eval(7L, y));
        AttentionOutput f64 = BinaryRecords.decodeOutput("s", f.eval(7L, y, "float64"));
        assertThat(f32.pos()).isEqualTo(7);
        assertThat(f32.count()).isEqualTo(1);
        assertThat(f32.ys()).containsExactly(0.5, (double) (float) (1.0 / 3));
        assertThat(f64.ys()).containsExactly(0.5, 1.0 / 3);
        assertThat(f.eval(null, y)).isNull();
        assertThat(f.eval(7L, new GenericArrayData(new Object[] {0.5, null}))).isNull();
    }
}
