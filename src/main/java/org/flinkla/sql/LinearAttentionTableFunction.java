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

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.table.annotation.ArgumentHint;
import org.apache.flink.table.annotation.ArgumentTrait;
import org.apache.flink.table.annotation.DataTypeHint;
import org.apache.flink.table.annotation.StateHint;
import org.apache.flink.table.api.dataview.MapView;
import org.apache.flink.table.catalog.DataTypeFactory;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.functions.FunctionContext;
import org.apache.flink.table.functions.FunctionDefinition;
import org.apache.flink.table.functions.ProcessTableFunction;
import org.apache.flink.table.functions.TableSemantics;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.inference.ArgumentCount;
import org.apache.flink.table.types.inference.CallContext;
import org.apache.flink.table.types.inference.InputTypeStrategy;
import org.apache.flink.table.types.inference.Signature;
import org.apache.flink.table.types.inference.StateTypeStrategy;
import org.apache.flink.table.types.inference.TypeInference;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.Row;
import org.flinkla.engine.SequenceModel;
import org.flinkla.flink.LinearAttentionMetrics;
import org.flinkla.flink.SequenceProcessor;
import org.flinkla.flink.SequenceState;
import org.flinkla.flink.SequenceStateSerializer;
import org.flinkla.records.AttentionOutput;
import org.flinkla.records.RejectReasons;
import org.flinkla.records.TokenRecord;

/**
 * {@code LINEAR_ATTENTION}: the model runtime as a process table function with set semantics, one
 * virtual processor per sequence. Same per-record semantics as the DataStream operator
 * ({@link SequenceProcessor}: replays dropped by position, gaps counted and accepted, reset,
 * validation), same state ({@link SequenceState}, kept as the bytes of
 * {@link SequenceStateSerializer}: one state read and at most one write per row, never per token).
 *
 * <p>The state entry {@value #STATE_NAME} is a map view with the single key 0 holding those bytes,
 * not a value entry: the PTF runtime reads a value entry before and writes it after every call,
 * hashing and comparing it in full to skip unchanged writes, which for a state of kilobytes costs
 * more than the row's work; a map view is read and written only where the function does.
 *
 * <pre>{@code
 * CREATE FUNCTION LINEAR_ATTENTION AS 'org.flinkla.sql.LinearAttentionTableFunction';
 * SELECT * FROM LINEAR_ATTENTION(
 *     input => TABLE tokens PARTITION BY seq,
 *     model => 'file:///models/dna.safetensors',
 *     uid   => 'dna-attention');
 * }</pre>
 *
 * <p>Output: the PARTITION BY column ({@code seq}), then {@code pos BIGINT}, {@code y
 * ARRAY<DOUBLE>}, the language-model fields {@code p ARRAY<DOUBLE>}, {@code logp ARRAY<DOUBLE>},
 * {@code top ARRAY<ROW<token STRING, id INT, p DOUBLE>>} (most likely first; {@code token} NULL
 * when the model has no symbols), {@code surprisal DOUBLE} (NULL unless
 * asked with {@code emit_fields}; computed by {@link SequenceProcessor} as in the DataStream job,
 * the previous prediction kept in the state), and {@code error STRING}. One row per emitted output
 * (a chunk of n tokens gives n rows, at pos, pos+1, ...). A row that cannot be used gives one row with {@code error} =
 * {@code "<code>: <detail>"} (the codes of {@link RejectReasons}), {@code pos} = the row's pos
 * (or NULL) and {@code y} NULL; it changes no state and does not fail the query.
 *
 * <p>Optional arguments: {@code model_options} ({@code 'key=value; ...'}, the model loader's
 * overrides), {@code emit} ({@code 'all'}, {@code 'last'}, {@code 'every:N'}), {@code max_tokens}
 * (largest chunk, default 16384), {@code state_ttl} (e.g. {@code '24 h'}: a sequence's state is
 * dropped after that long without a row; default: {@code table.exec.state.ttl}), {@code columns}
 * ({@code 'role=column, ...'} for other column names, roles of {@link InputColumns}),
 * {@code emit_fields} ({@code 'probabilities, log-probabilities, top-3, surprisal'}, the syntax of
 * the YAML job's {@code emit-fields}), {@code max_record_bytes} (largest {@code value} column,
 * default 1 MiB; larger values are error rows {@code oversize}). The call is
 * checked when the statement is planned: the model is loaded (a bad file fails with the loader's
 * message), the columns' types are checked (a wrong one is named with the accepted types), and
 * the table must be partitioned by the sequence column.
 *
 * <p>The model is resolved on the first row of each subtask through
 * {@link org.flinkla.flink.ModelReference}: loaded once per TaskManager JVM and shared.
 */
@DataTypeHint(value = "ROW<pos BIGINT, y ARRAY<DOUBLE>, p ARRAY<DOUBLE>, logp ARRAY<DOUBLE>, "
        + "top ARRAY<ROW<token STRING, id INT, p DOUBLE>>, surprisal DOUBLE, error STRING>", bridgedTo = RowData.class)
@org.apache.flink.annotation.PublicEvolving
public class LinearAttentionTableFunction extends ProcessTableFunction<RowData> {
    private static final long serialVersionUID = 1L;

    /** Name of the table argument. */
    public static final String ARG_INPUT = "input";
    /** Name of the state entry, {@code MAP<INT, BYTES>} (part of the savepoint layout with the call's uid). */
    public static final String STATE_NAME = "sequence";

    // positions of the arguments in the call (the eval parameters after context and state)
    private static final int POS_INPUT = 0;
    private static final int POS_MODEL = 1;
    private static final int POS_MODEL_OPTIONS = 2;
    private static final int POS_EMIT = 3;
    private static final int POS_MAX_TOKENS = 4;
    private static final int POS_STATE_TTL = 5;
    private static final int POS_COLUMNS = 6;
    private static final int POS_EMIT_FIELDS = 7;
    private static final int POS_MAX_RECORD_BYTES = 8;
    /** The one key of the state entry's map. */
    private static final Integer ENTRY = 0;

    private transient Runtime rt;
    private transient MetricGroup metricGroup;

    @Override
    public void open(FunctionContext context) throws Exception {
        metricGroup = context.getMetricGroup();
    }

    public void eval(Context ctx,
            @StateHint(name = STATE_NAME, type = @DataTypeHint("MAP<INT, BYTES>")) MapView<Integer, byte[]> sequence,
            @ArgumentHint(value = ArgumentTrait.SET_SEMANTIC_TABLE, name = ARG_INPUT) Row input,
            @ArgumentHint(name = "model") String model,
            @ArgumentHint(name = "model_options", isOptional = true) String modelOptions,
            @ArgumentHint(name = "emit", isOptional = true) String emit,
            @ArgumentHint(name = "max_tokens", isOptional = true) Integer maxTokens,
            @ArgumentHint(name = "state_ttl", isOptional = true) String stateTtl,
            @ArgumentHint(name = "columns", isOptional = true) String columns,
            @ArgumentHint(name = "emit_fields", isOptional = true) String emitFields,
            @ArgumentHint(name = "max_record_bytes", isOptional = true) Integer maxRecordBytes) throws Exception {
        Runtime r = rt;
        if (r == null) {
            CallOptions o = CallOptions.parse(model, modelOptions, emit, maxTokens, stateTtl, columns, emitFields,
                    maxRecordBytes);
            RowType type = (RowType) ctx.tableSemanticsFor(ARG_INPUT).dataType().getLogicalType();
            r = rt = new Runtime(o, InputColumns.resolve(type, o.columnNames), metricGroup);
        }
        r.process(input, sequence);
    }

    /** The per-subtask machinery, built on the first row (the call's literals arrive with it). */
    private final class Runtime {
        final InputColumns columns;
        final SequenceProcessor processor;
        final SequenceStateSerializer serializer = new SequenceStateSerializer();
        final DataInputDeserializer in = new DataInputDeserializer();
        final DataOutputSerializer out;
        final InputColumns.Conversion conversion = new InputColumns.Conversion();
        final SequenceState reuse;
        final int dOut;
        final Counter recordsIn;
        final Counter tokensIn;
        final Counter outputsOut;
        final Counter rejected;
        final Counter replayed;
        final Counter gaps;
        final Counter gapTokens;
        final Counter resets;
        final Map<String, Counter> rejectedByReason = new HashMap<>();
        final MetricGroup group;

        Runtime(CallOptions o, InputColumns columns, MetricGroup metrics) {
            SequenceModel model = o.modelReference().resolve();
            this.columns = columns;
            // every state is decoded from the stored bytes: a rejected row's state is just not written back
            this.processor = new SequenceProcessor(model, o.emit, o.emitFields, o.maxTokensPerRecord)
                    .statesAreCopies(true);
            conversion.maxRecordBytes = o.maxRecordBytes;
            this.dOut = model.outputWidth();
            this.reuse = new SequenceState(model.newState(), model.fingerprint(), SequenceState.NO_POSITION, null, false);
            long stateBytes = SequenceStateSerializer.serializedBytes(model.statePrecision(), model.stateLength(),
                    o.emitFields.surprisal() ? model.outputWidth() : 0);
            this.out = new DataOutputSerializer((int) Math.min(Integer.MAX_VALUE, stateBytes));
            org.slf4j.LoggerFactory.getLogger(LinearAttentionTableFunction.class)
                    .info("model {} ({}), kernels: {}", model.source(), model.architecture(),
                            org.flinkla.engine.VectorSupport.describe());
            MetricGroup g = metrics.addGroup(LinearAttentionMetrics.GROUP);
            group = g;
            recordsIn = g.counter(LinearAttentionMetrics.RECORDS_IN);
            tokensIn = g.counter(LinearAttentionMetrics.TOKENS_IN);
            outputsOut = g.counter(LinearAttentionMetrics.OUTPUTS_OUT);
            rejected = g.counter(LinearAttentionMetrics.REJECTED);
            replayed = g.counter(LinearAttentionMetrics.REPLAYED_TOKENS_DROPPED);
            gaps = g.counter(LinearAttentionMetrics.GAPS);
            gapTokens = g.counter(LinearAttentionMetrics.GAP_TOKENS);
            resets = g.counter(LinearAttentionMetrics.RESETS);
            g.gauge(LinearAttentionMetrics.STATE_BYTES_PER_KEY, () -> stateBytes);
        }

        void process(Row row, MapView<Integer, byte[]> sequence) throws Exception {
            columns.read(row, conversion);
            if (conversion.reason != null) {
                reject(columns.pos(row), conversion.reason);
                return;
            }
            TokenRecord record = conversion.record;
            SequenceState current = null;
            boolean reset = record.kind() == TokenRecord.Kind.RESET;
            if (!reset && record.seq() != null) {
                byte[] stored = sequence.get(ENTRY); // the one state read of this row
                current = stored == null ? null : decode(stored);
            }
            SequenceProcessor.Outcome o = processor.process(record, current);
            if (o.rejectReason != null) {
                reject(record.hasPos() ? record.pos() : TokenRecord.NO_POS, o.rejectReason);
                return;
            }
            recordsIn.inc();
            if (o.clearState) {
                sequence.remove(ENTRY);
                resets.inc();
                return;
            }
            tokensIn.inc(record.count());
            if (o.replayed > 0) {
                replayed.inc(o.replayed);
            }
            if (o.gap > 0) {
                gaps.inc();
                gapTokens.inc(o.gap);
            }
            if (o.stateChanged) {
                sequence.put(ENTRY, encode(o.state)); // the one write of this row
            }
            if (o.output != null) {
                emit(o.output);
            }
        }

        private SequenceState decode(byte[] bytes) {
            in.setBuffer(bytes);
            try {
                return serializer.deserialize(reuse, in);
            } catch (IOException e) {
                throw new UncheckedIOException("corrupt sequence state in the state entry '" + STATE_NAME + "'", e);
            }
        }

        /** A new array each time: the heap state backend keeps a reference to the value. */
        private byte[] encode(SequenceState s) {
            out.clear();
            try {
                serializer.serialize(s, out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return out.getCopyOfBuffer();
        }

        private void emit(AttentionOutput a) {
            int n = a.count();
            double[] ys = a.ys();
            outputsOut.inc(n);
            boolean lm = a.hasLmFields();
            for (int i = 0; i < n; i++) {
                // each row owns its arrays (rows may be buffered downstream); a single output reuses the record's
                GenericArrayData y = row(ys, i, dOut, n);
                if (!lm) {
                    collect(GenericRowData.of(a.positionOf(i), y, null, null, null, null, null));
                    continue;
                }
                GenericArrayData top = null;
                int k = a.topK();
                if (a.topIds() != null) {
                    // {token, id, p}: the token id always, its symbol when the model has one per token id
                    Object[] entries = new Object[k];
                    String symbols = a.topTokens();
                    for (int j = 0; j < k; j++) {
                        int at = i * k + j;
                        entries[j] = GenericRowData.of(
                                symbols == null ? null : StringData.fromString(symbols.substring(at, at + 1)),
                                a.topIds()[at], a.topPs()[at]);
                    }
                    top = new GenericArrayData(entries);
                }
                Double surprisal = null;
                if (a.surprisals() != null && !Double.isNaN(a.surprisals()[i])) {
                    surprisal = a.surprisals()[i]; // NaN = no prediction to score the token: NULL
                }
                collect(GenericRowData.of(a.positionOf(i), y, a.ps() == null ? null : row(a.ps(), i, dOut, n),
                        a.logps() == null ? null : row(a.logps(), i, dOut, n), top, surprisal, null));
            }
        }

        /** Row i of a row-major block of n rows of width w, as its own array. */
        private GenericArrayData row(double[] block, int i, int w, int n) {
            return new GenericArrayData(n == 1 ? block : Arrays.copyOfRange(block, i * w, (i + 1) * w));
        }

        private void reject(long pos, String reason) {
            rejected.inc();
            String code = RejectReasons.codeOf(reason);
            rejectedByReason.computeIfAbsent(code,
                    c -> group.addGroup(LinearAttentionMetrics.REASON_GROUP, c).counter(LinearAttentionMetrics.REJECTED))
                    .inc();
            collect(GenericRowData.of(pos == TokenRecord.NO_POS ? null : pos, null, null, null, null, null,
                    StringData.fromString(reason)));
        }
    }

    // ------------------------------------------------------------------------------------------
    // type inference: the reflective signature, plus checks of the call and a TTL from the call

    @Override
    public TypeInference getTypeInference(DataTypeFactory typeFactory) {
        TypeInference base = super.getTypeInference(typeFactory);
        LinkedHashMap<String, StateTypeStrategy> states = new LinkedHashMap<>();
        base.getStateTypeStrategies().forEach((name, s) -> states.put(name, new TtlFromCall(s)));
        return TypeInference.newBuilder()
                .staticArguments(base.getStaticArguments().orElseThrow())
                .inputTypeStrategy(new CallCheck(base.getInputTypeStrategy()))
                .stateTypeStrategies(states)
                .outputTypeStrategy(base.getOutputTypeStrategy())
                .build();
    }

    /** A scalar argument's literal value; null when not given. */
    private static <T> T literal(CallContext c, int pos, Class<T> type, String name) {
        if (pos >= c.getArgumentDataTypes().size() || c.isArgumentNull(pos)) {
            return null;
        }
        if (!c.isArgumentLiteral(pos)) {
            throw new IllegalArgumentException("argument '" + name + "' must be a literal");
        }
        return c.getArgumentValue(pos, type).orElse(null);
    }

    static CallOptions options(CallContext c) {
        return CallOptions.parse(literal(c, POS_MODEL, String.class, "model"),
                literal(c, POS_MODEL_OPTIONS, String.class, "model_options"),
                literal(c, POS_EMIT, String.class, "emit"),
                literal(c, POS_MAX_TOKENS, Integer.class, "max_tokens"),
                literal(c, POS_STATE_TTL, String.class, "state_ttl"),
                literal(c, POS_COLUMNS, String.class, "columns"),
                literal(c, POS_EMIT_FIELDS, String.class, "emit_fields"),
                literal(c, POS_MAX_RECORD_BYTES, Integer.class, "max_record_bytes"));
    }

    /**
     * Checks the call when it is planned: arguments, the model (loaded here: an unreadable file fails
     * with the loader's message naming the file and tensor or key), the input columns, and that the
     * table is partitioned by its sequence column.
     *
     * @return null when fine, else the message
     */
    static String check(CallContext c) {
        try {
            CallOptions o = options(c);
            DataType tableType = c.getArgumentDataTypes().get(POS_INPUT);
            LogicalType t = tableType.getLogicalType();
            if (!(t instanceof RowType)) {
                return "argument 'input' must be a table: input => TABLE t PARTITION BY seq";
            }
            InputColumns columns = InputColumns.resolve((RowType) t, o.columnNames);
            Optional<TableSemantics> semantics = c.getTableSemantics(POS_INPUT);
            if (semantics.isPresent()) {
                int[] keys = semantics.get().partitionByColumns();
                if (keys.length != 1 || keys[0] != columns.seqIndex()) {
                    List<String> names = ((RowType) t).getFieldNames();
                    String[] by = Arrays.stream(keys).mapToObj(names::get).toArray(String[]::new);
                    return "the input must be partitioned by its sequence column alone: TABLE ... PARTITION BY "
                            + columns.seqColumn() + (by.length == 0 ? "" : " (got PARTITION BY " + String.join(", ", by) + ")");
                }
            }
            SequenceModel model;
            try {
                model = o.modelReference().resolve();
            } catch (RuntimeException e) {
                return "argument 'model': " + e.getMessage();
            }
            columns.checkModel(model);
            try {
                o.emitFields.check(model);
            } catch (IllegalArgumentException e) {
                return "argument 'emit_fields': " + e.getMessage();
            }
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    /** The extracted input strategy, plus {@link #check}. */
    private static final class CallCheck implements InputTypeStrategy {
        private final InputTypeStrategy origin;

        CallCheck(InputTypeStrategy origin) {
            this.origin = origin;
        }

        @Override
        public ArgumentCount getArgumentCount() {
            return origin.getArgumentCount();
        }

        @Override
        public Optional<List<DataType>> inferInputTypes(CallContext c, boolean throwOnFailure) {
            Optional<List<DataType>> types = origin.inferInputTypes(c, throwOnFailure);
            if (types.isEmpty()) {
                return types;
            }
            String problem = check(c);
            if (problem != null) {
                return c.fail(throwOnFailure, "%s", problem);
            }
            return types;
        }

        @Override
        public List<Signature> getExpectedSignatures(FunctionDefinition definition) {
            return origin.getExpectedSignatures(definition);
        }
    }

    /** The state entry's type as extracted; its TTL from the call's {@code state_ttl} argument. */
    private static final class TtlFromCall implements StateTypeStrategy {
        private final StateTypeStrategy origin;

        TtlFromCall(StateTypeStrategy origin) {
            this.origin = origin;
        }

        @Override
        public Optional<DataType> inferType(CallContext c) {
            return origin.inferType(c);
        }

        @Override
        public Optional<Duration> getTimeToLive(CallContext c) {
            Duration ttl = CallOptions.parseTtl(literal(c, POS_STATE_TTL, String.class, "state_ttl"));
            return ttl != null ? Optional.of(ttl) : origin.getTimeToLive(c);
        }
    }
}
