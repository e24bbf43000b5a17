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
package org.flinkla.flink;

import java.time.Duration;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.util.OutputTag;
import org.flinkla.engine.AttentionConfig;
import org.flinkla.engine.AttentionWeights;
import org.flinkla.engine.SequenceModel;
import org.flinkla.model.Model;
import org.flinkla.records.AttentionOutput;
import org.flinkla.records.RecordTypes;
import org.flinkla.records.RecordValidator;
import org.flinkla.records.RejectedRecord;
import org.flinkla.records.TokenRecord;

/**
 * A recurrent model as a keyed Flink operator: keys a stream of {@link TokenRecord}s by sequence
 * id and turns it into {@link AttentionOutput}s, keeping one fixed-size recurrent state per
 * sequence in Flink keyed state (heap or RocksDB). The model is any {@link SequenceModel} — a
 * single attention layer, a fast-transformers encoder stack, a flash-linear-attention LM.
 *
 * <pre>{@code
 * ModelReference model = ModelReference.uri("file:///models/dna/gdn", Map.of());
 * LinearAttention attention = LinearAttention.builder(model)
 *     .emit(EmitMode.ALL)                     // or EmitMode.LAST, EmitMode.everyNth(64)
 *     .emitFields(EmitFields.parse("probabilities, top-3, surprisal"))   // language models only
 *     .stateTtl(Duration.ofHours(6))          // drop sequences idle for 6 h (off by default)
 *     .maxTokensPerRecord(4096)
 *     .bundle(64, Duration.ofMillis(5))      // single tokens of many keys as one bundle (off by default)
 *     .build();
 * LinearAttention.Result result = attention.apply(records);   // DataStream<TokenRecord>
 * result.outputs().sinkTo(outputSink);
 * result.rejected().sinkTo(deadLetterSink);
 * }</pre>
 *
 * <p>The stateful operator gets the uid {@value #DEFAULT_UID} (change it with {@link Builder#uid})
 * so savepoints restore into it across job changes and parallelism changes.
 */
@org.apache.flink.annotation.PublicEvolving
public final class LinearAttention implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    /** Default uid of the keyed operator (part of the savepoint format). */
    public static final String DEFAULT_UID = "linear-attention";

    /** Default of {@link Builder#maxPositionGap}: a record may skip at most this many positions. */
    public static final long DEFAULT_MAX_POSITION_GAP = 1_000_000L;

    /** Largest {@link Builder#bundle} size. */
    public static final int MAX_BUNDLE_RECORDS = 4096;

    /** Side output of records that could not be used, with the reason. */
    public static final OutputTag<RejectedRecord> REJECTED = LinearAttentionFunction.rejectedTag();

    private final ModelReference model;
    private final EmitMode emit;
    private final EmitFields emitFields;
    private final Duration stateTtl;
    private final int maxTokensPerRecord;
    private final long maxPositionGap;
    private final String uid;
    private final String name;
    private final int parallelism;
    private final int bundleMaxRecords;
    private final Duration bundleMaxDelay;

    private LinearAttention(Builder b) {
        this.bundleMaxRecords = b.bundleMaxRecords;
        this.bundleMaxDelay = b.bundleMaxDelay;
        this.model = b.model;
        this.emit = b.emit;
        this.emitFields = b.emitFields;
        this.stateTtl = b.stateTtl;
        this.maxTokensPerRecord = b.maxTokensPerRecord;
        this.maxPositionGap = b.maxPositionGap;
        this.uid = b.uid;
        this.name = b.name;
        this.parallelism = b.parallelism;
    }

    /**
     * A builder for a model by reference: each TaskManager loads it once from its URI (see
     * {@link ModelReference}).
     */
    public static Builder builder(ModelReference model) {
        if (model == null) {
            throw new IllegalArgumentException("the model is missing: give ModelReference.uri(\"file:///path/model\", options)");
        }
        return new Builder(model);
    }

    /** A builder for a model object shipped with the job (it must be serializable, e.g. a seeded {@link Model}). */
    public static Builder builder(SequenceModel model) {
        if (model == null) {
            throw new IllegalArgumentException("the model is missing: load one with ModelLoader.load(path)");
        }
        return new Builder(ModelReference.of(model));
    }

    /** A builder for a single attention layer given as configuration and weights (checked here). */
    public static Builder builder(AttentionConfig config, AttentionWeights weights) {
        if (config == null || weights == null) {
            throw new IllegalArgumentException("the model configuration or weights are missing: pass both (e.g. from "
                    + "the loaded model) to LinearAttention.builder(config, weights)");
        }
        return builder(new Model(config, weights, "in-memory model"));
    }

    /** The outputs and the rejected records of {@link #apply}. */
    public static final class Result {
        private final SingleOutputStreamOperator<AttentionOutput> outputs;

        Result(SingleOutputStreamOperator<AttentionOutput> outputs) {
            this.outputs = outputs;
        }

        /** One record per input record with emitted outputs (see {@link EmitMode}). */
        public SingleOutputStreamOperator<AttentionOutput> outputs() {
            return outputs;
        }

        /** Records rejected by the operator (wrong dimension, unknown symbol, ...), with the reason. */
        public DataStream<RejectedRecord> rejected() {
            return outputs.getSideOutput(REJECTED);
        }
    }

    /** Keys {@code records} by sequence id and runs the attention operator on them. */
    public Result apply(DataStream<TokenRecord> records) {
        SingleOutputStreamOperator<AttentionOutput> out;
        if (bundleMaxRecords > 1) {
            // the same function and keyed state (name and uid), run by the bundling operator
            out = records.keyBy(new SeqKey(), Types.STRING)
                    .transform(name, RecordTypes.ATTENTION_OUTPUT,
                            new BundledAttentionOperator(function(), bundleMaxRecords, bundleMaxDelay.toMillis()))
                    .uid(uid);
        } else {
            out = records.keyBy(new SeqKey(), Types.STRING)
                    .process(function(), RecordTypes.ATTENTION_OUTPUT)
                    .uid(uid)
                    .name(name);
        }
        if (parallelism > 0) {
            out.setParallelism(parallelism);
        }
        return new Result(out);
    }

    /** The keyed function, for wiring it yourself: {@code keyBy(LinearAttention.keySelector()).process(fn)}. */
    public LinearAttentionFunction function() {
        return new LinearAttentionFunction(model, emit, emitFields, stateTtl, maxTokensPerRecord)
                .maxPositionGap(maxPositionGap);
    }

    /** The key selector (sequence id) the operator expects. */
    public static KeySelector<TokenRecord, String> keySelector() {
        return new SeqKey();
    }

    /** The model reference the operator's tasks load. */
    public ModelReference modelReference() { return model; }
    /** The model (loaded in this JVM on first call, then shared). */
    public SequenceModel model() { return model.resolve(); }
    public EmitMode emit() { return emit; }
    /** The language-model fields added to each output ({@link EmitFields#NONE} by default). */
    public EmitFields emitFields() { return emitFields; }
    /** State TTL, or null when off. */
    public Duration stateTtl() { return stateTtl; }
    public int maxTokensPerRecord() { return maxTokensPerRecord; }
    public long maxPositionGap() { return maxPositionGap; }
    public String uid() { return uid; }
    /** Most records per bundle, or 0 when bundling is off (the default). */
    public int bundleMaxRecords() { return bundleMaxRecords; }
    /** Longest a record waits in a bundle, or null when bundling is off. */
    public Duration bundleMaxDelay() { return bundleMaxDelay; }

    /** A validator with this operator's model and limits (for checks before {@code keyBy}). */
    public RecordValidator validator() {
        return RecordValidator.forModel(model.resolve(), maxTokensPerRecord);
    }

    private static final class SeqKey implements KeySelector<TokenRecord, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(TokenRecord r) {
            return r.seq();
        }
    }

    /** Builder of {@link LinearAttention}; {@link #build()} checks the options and the model. */
    public static final class Builder {
        private final ModelReference model;
        private EmitMode emit = EmitMode.ALL;
        private EmitFields emitFields = EmitFields.NONE;
        private Duration stateTtl;
        private int maxTokensPerRecord = RecordValidator.DEFAULT_MAX_TOKENS_PER_RECORD;
        private long maxPositionGap = DEFAULT_MAX_POSITION_GAP;
        private String uid = DEFAULT_UID;
        private String name = "Linear attention";
        private int parallelism = -1;
        private int bundleMaxRecords;
        private Duration bundleMaxDelay;

        private Builder(ModelReference model) {
            this.model = model;
        }

        /** Which outputs to emit (default {@link EmitMode#ALL}). */
        public Builder emit(EmitMode emit) {
            this.emit = emit;
            return this;
        }

        /**
         * Language-model fields added to each emitted output: probabilities, log-probabilities,
         * top-k tokens, surprisal (default none). The model's outputs must be logits over its token
         * ids; {@link #build()} checks it.
         */
        public Builder emitFields(EmitFields fields) {
            this.emitFields = fields;
            return this;
        }

        /**
         * Processing-time TTL of a sequence's state: a key that receives no record for this long is
         * dropped, as if reset. Null or zero turns it off (the default).
         */
        public Builder stateTtl(Duration ttl) {
            this.stateTtl = ttl;
            return this;
        }

        /** Largest number of tokens one record may carry; larger records are rejected ({@code oversize}). */
        public Builder maxTokensPerRecord(int n) {
            this.maxTokensPerRecord = n;
            return this;
        }

        /**
         * Largest gap accepted (default {@value LinearAttention#DEFAULT_MAX_POSITION_GAP}): a record
         * starting more than this many positions after the sequence's next position is rejected
         * {@code bad_pos} and leaves the state untouched. 0 allows no gaps.
         */
        public Builder maxPositionGap(long gap) {
            this.maxPositionGap = gap;
            return this;
        }

        /** uid of the keyed operator (default {@value LinearAttention#DEFAULT_UID}). */
        public Builder uid(String uid) {
            this.uid = uid;
            return this;
        }

        /**
         * Bundles records of different sequences (off by default): up to {@code maxRecords}
         * records, none waiting longer than {@code maxDelay} of processing time, are processed
         * together, and those carrying one new token go through the model as one bundle (its
         * weight matrices read once for all of them). Outputs, dead letters, state and counters
         * are those without bundling; a bundle is also flushed before every checkpoint barrier,
         * before a watermark and at the end of input. It adds up to {@code maxDelay} of latency;
         * it pays for many sequences each sending single tokens to a large model.
         * {@code maxRecords} 0 or 1 turns it off.
         */
        public Builder bundle(int maxRecords, Duration maxDelay) {
            this.bundleMaxRecords = maxRecords;
            this.bundleMaxDelay = maxDelay;
            return this;
        }

        /** Display name of the operator. */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /** Parallelism of the operator (default: the environment's). */
        public Builder parallelism(int parallelism) {
            this.parallelism = parallelism;
            return this;
        }

        public LinearAttention build() {
            // fail now, at job construction, with the loader's message naming the file and tensor or key
            SequenceModel m = model.resolve();
            Objects.requireNonNull(emit, "emit mode must not be null (use EmitMode.ALL, LAST or everyNth(n))");
            Objects.requireNonNull(emitFields, "emit fields must not be null (use EmitFields.NONE)");
            emitFields.check(m); // names the fields, the model's shapes and what to do
            if (stateTtl != null && (stateTtl.isNegative() || stateTtl.isZero())) {
                if (stateTtl.isNegative()) {
                    throw new IllegalArgumentException("stateTtl must be positive (or null/zero for no TTL), got " + stateTtl);
                }
                stateTtl = null;
            }
            if (stateTtl != null && stateTtl.toMillis() < 1) {
                throw new IllegalArgumentException("stateTtl must be at least 1 ms, got " + stateTtl);
            }
            if (maxTokensPerRecord < 1) {
                throw new IllegalArgumentException("maxTokensPerRecord must be >= 1, got " + maxTokensPerRecord);
            }
            if ((long) maxTokensPerRecord * m.outputWidth() > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("maxTokensPerRecord " + maxTokensPerRecord + " × output width "
                        + m.outputWidth() + " outputs do not fit in one array; lower maxTokensPerRecord");
            }
            if (maxPositionGap < 0) {
                throw new IllegalArgumentException("maxPositionGap must be >= 0, got " + maxPositionGap);
            }
            if (uid == null || uid.isBlank()) {
                throw new IllegalArgumentException("uid must not be blank: savepoints find the operator's state by it");
            }
            if (name == null || name.isBlank()) {
                name = "Linear attention";
            }
            if (parallelism == 0 || parallelism < -1) {
                throw new IllegalArgumentException("parallelism must be >= 1, got " + parallelism);
            }
            if (bundleMaxRecords < 0 || bundleMaxRecords > MAX_BUNDLE_RECORDS) {
                throw new IllegalArgumentException("bundle max-records must be in [0, " + MAX_BUNDLE_RECORDS
                        + "] (0 or 1: no bundling), got " + bundleMaxRecords);
            }
            if (bundleMaxRecords <= 1) {
                bundleMaxRecords = 0;
                bundleMaxDelay = null;
            } else if (bundleMaxDelay == null || bundleMaxDelay.toMillis() < 1) {
                throw new IllegalArgumentException("bundle max-delay must be at least 1 ms, got " + bundleMaxDelay);
            }
            m.newStepper(); // a stepper builds its tables: fail here rather than in the tasks
            return new LinearAttention(this);
        }
    }
}
