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
        double[][] huge = new double[2][d];
        for (double[] x : huge) {
            java.util.Arrays.fill(x, 1e160); // finite, but k·v ~ 1e320 overflows: non_finite_output
        }
        in.add(vectors(seq, 3L, huge));
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
                Object error = r.getField(7);
                if (error != null) {
                    assertThat(r.getField(2)).isNull();
                    rows.add(r.getField(1) + " " + RejectReasons.codeOf((String) error));
                } else {
                    for (int f = 3; f <= 6; f++) {
                        assertThat(r.getField(f)).as("language-model column %d without emit_fields", f).isNull();
                    }
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
        assertThat(t.getResolvedSchema().getColumnNames())
                .containsExactly("seq", "pos", "y", "p", "logp", "top", "surprisal", "error");
        Map<String, List<String>> got = collect(t);
        Map<String, List<String>> want = expected(inputs, EmitMode.ALL);
        assertThat(got.keySet()).containsExactlyInAnyOrderElementsOf(want.keySet());
        want.forEach((seq, rows) -> assertThat(got.get(seq)).as(seq).containsExactlyElementsOf(rows));
        // the bad sequence: 3 outputs, 11 error rows (the last one an overflow), then the output at 3
        assertThat(got.get("bad")).hasSize(3 + 11 + 1);
        assertThat(got.get("bad").get(3 + 10)).isEqualTo("3 " + RejectReasons.NON_FINITE_OUTPUT);
        assertThat(got.get("null")).containsExactly("3 " + RejectReasons.MISSING_SEQ);
    }

    @Test
    void tableApiCallWithEmitEveryAndRenamedColumns() throws Exception {
        List<Input> inputs = inputs().subList(0, 20);
        Table t = table(inputs, null).renameColumns($("seq").as("sid"), $("tokens").as("bases"))
                .partitionBy($("sid"))
                .process(LinearAttentionSql.FUNCTION, lit(uri).asArgument("model"), lit("every:3").asArgument("emit"),
                        lit("seq=sid, tokens=bases").asArgument("columns"), lit("b").asArgument("uid"));
        assertThat(t.getResolvedSchema().getColumnNames())
                .containsExactly("sid", "pos", "y", "p", "logp", "top", "surprisal", "error");
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
    // language-model fields

    /** A fast-transformers stack with embedding and LM head over ACGTN (outputs = logits over 5 ids). */
    static final Path LM = Path.of("src/test/resources/fixtures/fast-transformers/lm_elu_2layer_gelu_norm_acgtn.safetensors");

    /** Symbols and ids over a few sequences, with a replay, a gap and a reset (surprisal none after the last two). */
    static List<Input> lmInputs() {
        Random r = new Random(11);
        List<Input> in = new ArrayList<>();
        for (int s = 0; s < 3; s++) {
            String seq = "lm-" + s;
            long pos = 0;
            for (int k = 0; k < 5; k++) {
                String chunk = dna(r, 1 + r.nextInt(7));
                in.add(symbols(seq, pos, chunk));
                pos += chunk.length();
            }
            in.add(ids(seq, pos, 3, 1, 4));
            pos += 3;
            in.add(symbols(seq, pos - 2, "GTA")); // 2 replayed, 1 new
            pos += 1;
            in.add(symbols(seq, pos + 2, "CC")); // a gap
            pos += 4;
            if (s == 1) {
                in.add(reset(seq));
                in.add(symbols(seq, 100L, "ACG"));
            }
            in.add(symbols(seq, null, "T"));
        }
        return in;
    }

    /** Rows of a call with emit fields: "pos y=… p=… logp=… top=[token/id:p,…] s=…" per output, or "pos code". */
    static Map<String, List<String>> collectLm(Table t) throws Exception {
        Map<String, List<String>> out = new LinkedHashMap<>();
        try (CloseableIterator<Row> it = t.execute().collect()) {
            while (it.hasNext()) {
                Row r = it.next();
                List<String> rows = out.computeIfAbsent(String.valueOf(r.getField(0)), k -> new ArrayList<>());
                if (r.getField(7) != null) {
                    rows.add(r.getField(1) + " " + RejectReasons.codeOf((String) r.getField(7)));
                    continue;
                }
                StringBuilder sb = new StringBuilder().append(r.getField(1));
                sb.append(" y=").append(java.util.Arrays.toString((Double[]) r.getField(2)));
                sb.append(" p=").append(r.getField(3) == null ? "-" : java.util.Arrays.toString((Double[]) r.getField(3)));
                sb.append(" logp=").append(r.getField(4) == null ? "-" : java.util.Arrays.toString((Double[]) r.getField(4)));
                sb.append(" top=");
                if (r.getField(5) == null) {
                    sb.append('-');
                } else {
                    for (Row e : (Row[]) r.getField(5)) {
                        sb.append(e.getField(0)).append('/').append(e.getField(1)).append(':').append(e.getField(2)).append(',');
                    }
                }
                sb.append(" s=").append(r.getField(6));
                rows.add(sb.toString());
            }
        }
        return out;
    }

    /** The same strings from {@link SequenceProcessor} with the fields (NaN surprisal = null, as the SQL NULL). */
    static Map<String, List<String>> expectedLm(SequenceModel m, List<Input> inputs, EmitMode emit,
            org.flinkla.flink.EmitFields fields) {
        SequenceProcessor p = new SequenceProcessor(m, emit, fields, 16_384);
        Map<String, SequenceState> states = new HashMap<>();
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (Input in : inputs) {
            String seq = in.record.seq();
            List<String> rows = out.computeIfAbsent(seq, k -> new ArrayList<>());
            SequenceProcessor.Outcome o = p.process(in.record, states.get(seq));
            if (o.rejectReason != null) {
                rows.add((in.record.hasPos() ? in.record.pos() : null) + " " + RejectReasons.codeOf(o.rejectReason));
            } else if (o.clearState) {
                states.remove(seq);
            } else {
                if (o.stateChanged) {
                    states.put(seq, o.state.copy());
                }
                AttentionOutput a = o.output;
                for (int i = 0; a != null && i < a.count(); i++) {
                    int d = a.dim();
                    int k = a.topK();
                    StringBuilder sb = new StringBuilder().append(a.positionOf(i));
                    sb.append(" y=").append(java.util.Arrays.toString(java.util.Arrays.copyOfRange(a.ys(), i * d, (i + 1) * d)));
                    sb.append(" p=").append(a.ps() == null ? "-"
                            : java.util.Arrays.toString(java.util.Arrays.copyOfRange(a.ps(), i * d, (i + 1) * d)));
                    sb.append(" logp=").append(a.logps() == null ? "-"
                            : java.util.Arrays.toString(java.util.Arrays.copyOfRange(a.logps(), i * d, (i + 1) * d)));
                    sb.append(" top=");
                    if (a.topIds() == null) {
                        sb.append('-');
                    } else {
                        for (int j = 0; j < k; j++) {
                            int at = i * k + j;
                            sb.append(a.topTokens() == null ? null : a.topTokens().charAt(at)).append('/')
                                    .append(a.topIds()[at]).append(':').append(a.topPs()[at]).append(',');
                        }
                    }
                    double sv = a.surprisals() == null ? Double.NaN : a.surprisals()[i];
                    sb.append(" s=").append(Double.isNaN(sv) ? null : sv);
                    rows.add(sb.toString());
                }
            }
        }
        out.values().removeIf(List::isEmpty);
        return out;
    }

    @Test
    void languageModelFieldsEqualTheOperatorsEmitFields() throws Exception {
        String lm = LM.toAbsolutePath().toUri().toString();
        SequenceModel m = ModelReference.uri(lm, Map.of()).resolve();
        List<Input> inputs = lmInputs();
        tEnv.createTemporaryView("tokens_lm", table(inputs, null));
        String all = "probabilities, log-probabilities, top-3, surprisal";
        Map<String, List<String>> got = collectLm(tEnv.sqlQuery("SELECT * FROM LINEAR_ATTENTION(input => TABLE tokens_lm "
                + "PARTITION BY seq, model => '" + lm + "', emit_fields => '" + all + "', uid => 'lm')"));
        Map<String, List<String>> want = expectedLm(m, inputs, EmitMode.ALL, org.flinkla.flink.EmitFields.parse(all));
        assertThat(got).isEqualTo(want);
        // the fields are there: every output has p, logp and 3 top tokens with symbols; surprisal is NULL only
        // at the first token, after the gap and after the reset
        List<String> rows = new ArrayList<>();
        got.values().forEach(rows::addAll);
        assertThat(rows).allMatch(r -> !r.contains("p=-") && !r.contains("top=-") && !r.contains("top=null"));
        assertThat(rows).filteredOn(r -> r.endsWith(" s=null")).hasSize(3 + 3 + 1);
        // every:2 with surprisal and top-1: the prediction still follows every token (thinned rows, same values)
        String some = "p, top-1, surprisal";
        Map<String, List<String>> thinned = collectLm(tEnv.sqlQuery("SELECT * FROM LINEAR_ATTENTION(input => TABLE "
                + "tokens_lm PARTITION BY seq, model => '" + lm + "', emit => 'every:2', emit_fields => '" + some
                + "', uid => 'lm2')"));
        assertThat(thinned).isEqualTo(expectedLm(m, inputs, EmitMode.everyNth(2), org.flinkla.flink.EmitFields.parse(some)));
    }

    // ------------------------------------------------------------------------------------------
    // whole records in a value column

    @Test
    void aValueColumnIsParsedLikeTheKafkaSourceAndBadValuesAreErrorRows() throws Exception {
        // the typed inputs as JSON values (key = seq), with malformed values in the middle
        List<Input> typed = inputs().subList(0, 30);
        List<Row> rows = new ArrayList<>();
        for (Input in : typed) {
            if (in.record != null) {
                rows.add(Row.of(in.record.seq(), org.flinkla.records.JsonRecords.toJson(in.record)
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            }
        }
        byte[] notJson = "{not json".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] big = ("{\"tokens\":\"" + "A".repeat(5000) + "\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] noPayload = "{\"pos\":2}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] keyless = "{\"seq\":\"seq-0\",\"pos\":0,\"tokens\":\"A\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int mid = rows.size() / 2;
        rows.add(mid, Row.of("seq-0", notJson));
        rows.add(mid + 1, Row.of("seq-0", big));
        rows.add(mid + 2, Row.of("seq-0", new byte[0]));
        rows.add(mid + 3, Row.of("seq-0", noPayload));
        rows.add(mid + 4, Row.of(null, keyless));
        TypeInformation<Row> type = Types.ROW_NAMED(new String[] {"seq", "value"}, Types.STRING,
                Types.PRIMITIVE_ARRAY(Types.BYTE));
        tEnv.createTemporaryView("values_v", tEnv.fromDataStream(env.fromData(rows, type)));
        Table t = tEnv.sqlQuery("SELECT * FROM LINEAR_ATTENTION(input => TABLE values_v PARTITION BY seq, model => '"
                + uri + "', max_record_bytes => 4096, uid => 'v')");
        Map<String, List<String>> got = collect(t);
        Map<String, List<String>> want = expected(typed.stream().filter(i -> i.record != null).toList(), EmitMode.ALL);
        want.values().removeIf(List::isEmpty);
        List<String> seq0 = got.get("seq-0");
        // the bad values give error rows (no pos: they have none before parsing) with the source's codes ...
        assertThat(seq0).containsSubsequence("null " + RejectReasons.BAD_JSON, "null " + RejectReasons.OVERSIZE,
                "null " + RejectReasons.BAD_RECORD, "null " + RejectReasons.BAD_RECORD);
        assertThat(got.get("null")).containsExactly("null " + RejectReasons.MISSING_SEQ);
        // ... and every valid record gives exactly the outputs of the typed path
        seq0.removeIf(r -> r.startsWith("null "));
        got.remove("null");
        assertThat(got).isEqualTo(want);
    }

    @Test
    void valueRejectionsCarryTheDataStreamReasons() throws Exception {
        byte[] notJson = "[1,".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] big = ("{\"tokens\":\"" + "C".repeat(100) + "\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        TypeInformation<Row> type = Types.ROW_NAMED(new String[] {"seq", "value"}, Types.STRING, Types.STRING);
        tEnv.createTemporaryView("values_r", tEnv.fromDataStream(env.fromData(List.of(
                Row.of("r", new String(notJson, java.nio.charset.StandardCharsets.UTF_8)),
                Row.of("r", new String(big, java.nio.charset.StandardCharsets.UTF_8))), type)));
        List<String> errors = new ArrayList<>();
        try (CloseableIterator<Row> it = tEnv.sqlQuery("SELECT error FROM LINEAR_ATTENTION(input => TABLE values_r "
                + "PARTITION BY seq, model => '" + uri + "', max_record_bytes => 64, uid => 'r')").execute().collect()) {
            it.forEachRemaining(r -> errors.add((String) r.getField(0)));
        }
        // the texts of the DataStream job's dead letters for the same bytes
        assertThat(errors).containsExactly(org.flinkla.records.JsonRecords.parse("r", notJson).reason(),
                org.flinkla.records.JsonLines.oversize(big.length, 64));
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
    void badEmitFieldsAndValueColumnsAreExplained() {
        String lm = LM.toAbsolutePath().toUri().toString();
        assertThat(plan(GOOD_TABLE, "model => '" + lm + "', emit_fields => 'probabilities, surprisal'")).isNull();
        assertThat(plan(GOOD_TABLE, "model => '" + lm + "', emit_fields => 'probabilities, colour'"))
                .contains("argument 'emit_fields': unknown emit field 'colour' (expected probabilities (or p), "
                        + "log-probabilities (or logp), top-K (K >= 1) and surprisal)");
        assertThat(plan(GOOD_TABLE, "model => '" + lm + "', emit_fields => 'top-9'"))
                .contains("argument 'emit_fields': emit field top-9 asks for more tokens than the model's 5 token ids");
        assertThat(plan(GOOD_TABLE, "model => '" + uri + "', emit_fields => 'surprisal'"))
                .contains("argument 'emit_fields': emit fields [surprisal] need a language model whose outputs are "
                        + "logits over its token ids").contains("has output width 16 and 5 token ids");
        assertThat(plan(GOOD_TABLE, "model => '" + uri + "', max_record_bytes => 0"))
                .contains("argument 'max_record_bytes' must be at least 1, got 0");
        assertThat(plan("SELECT * FROM (VALUES ('s', 1)) AS v(seq, `value`)", "model => '" + uri + "'"))
                .contains("input column 'value' (value) has type INT NOT NULL; accepted: BYTES or STRING");
        assertThat(plan("SELECT * FROM (VALUES ('s', CAST('{}' AS BYTES))) AS v(seq, `value`)", "model => '" + uri + "'"))
                .isNull();
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
        // with the language-model columns: each non-NULL one becomes its part of the record
        GenericArrayData p = new GenericArrayData(new double[] {0.25, 0.75});
        GenericArrayData top = new GenericArrayData(new Object[] {
            org.apache.flink.table.data.GenericRowData.of(org.apache.flink.table.data.StringData.fromString("C"), 1, 0.75),
            org.apache.flink.table.data.GenericRowData.of(org.apache.flink.table.data.StringData.fromString("A"), 0, 0.25)});
        AttentionOutput lm = BinaryRecords.decodeOutput("s", f.eval(7L, y, p, null, top, 1.5, "float64"));
        assertThat(lm.ps()).containsExactly(0.25, 0.75);
        assertThat(lm.logps()).isNull();
        assertThat(lm.topK()).isEqualTo(2);
        assertThat(lm.topIds()).containsExactly(1, 0);
        assertThat(lm.topPs()).containsExactly(0.75, 0.25);
        assertThat(lm.topTokens()).isEqualTo("CA");
        assertThat(lm.surprisals()).containsExactly(1.5);
        AttentionOutput noSurprisal = BinaryRecords.decodeOutput("s", f.eval(7L, y, p, null, null, null));
        assertThat(noSurprisal.surprisals()).isNull();
        assertThat(noSurprisal.topIds()).isNull();
        assertThat(noSurprisal.ps()).containsExactly(0.25, 0.75);
        assertThat(f.eval(7L, new GenericArrayData(new Object[] {0.5, null}))).isNull();
    }
}
