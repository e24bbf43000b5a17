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

import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * Flink TypeInformation of the record types, each backed by a dedicated bulk binary serializer.
 * {@link TokenRecord}, {@link AttentionOutput} and {@link RejectedRecord} carry a
 * {@code @TypeInfo} annotation pointing here, so Flink's type extraction finds them without
 * {@code .returns(...)}; pass these constants where a TypeInformation is asked for explicitly.
 *
 * <pre>{@code
 * DataStream<TokenRecord> in = env.fromData(RecordTypes.TOKEN_RECORD, r1, r2);
 * }</pre>
 */
public final class RecordTypes {
    public static final TypeInformation<TokenRecord> TOKEN_RECORD =
            new RecordTypeInfo<>(TokenRecord.class, TokenRecordSerializer::new);
    public static final TypeInformation<AttentionOutput> ATTENTION_OUTPUT =
            new RecordTypeInfo<>(AttentionOutput.class, AttentionOutputSerializer::new);
    public static final TypeInformation<RejectedRecord> REJECTED_RECORD =
            new RecordTypeInfo<>(RejectedRecord.class, RejectedRecordSerializer::new);

    private RecordTypes() {}

    /** Used by {@code @TypeInfo} on {@link TokenRecord}. */
    public static final class TokenRecordFactory extends TypeInfoFactory<TokenRecord> {
        @Override
        public TypeInformation<TokenRecord> createTypeInfo(Type t, Map<String, TypeInformation<?>> params) {
            return TOKEN_RECORD;
        }
    }

    /** Used by {@code @TypeInfo} on {@link AttentionOutput}. */
    public static final class AttentionOutputFactory extends TypeInfoFactory<AttentionOutput> {
        @Override
        public TypeInformation<AttentionOutput> createTypeInfo(Type t, Map<String, TypeInformation<?>> params) {
            return ATTENTION_OUTPUT;
        }
    }

    /** Used by {@code @TypeInfo} on {@link RejectedRecord}. */
    public static final class RejectedRecordFactory extends TypeInfoFactory<RejectedRecord> {
        @Override
        public TypeInformation<RejectedRecord> createTypeInfo(Type t, Map<String, TypeInformation<?>> params) {
            return REJECTED_RECORD;
        }
    }
}
