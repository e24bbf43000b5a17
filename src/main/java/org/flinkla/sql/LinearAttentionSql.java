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

import org.apache.flink.table.api.TableEnvironment;

/**
 * Registers the SQL functions of this project in a {@link TableEnvironment} (Table API programs;
 * on a cluster SQL client use {@code CREATE FUNCTION ... USING JAR}, see docs/sql.md):
 *
 * <pre>{@code
 * StreamTableEnvironment tEnv = StreamTableEnvironment.create(env);
 * LinearAttentionSql.register(tEnv);
 * Table out = tEnv.from("tokens").partitionBy($("seq"))
 *     .process(LinearAttentionSql.FUNCTION, lit("file:///models/dna.safetensors").asArgument("model"),
 *              lit("dna-attention").asArgument("uid"));
 * }</pre>
 */
@org.apache.flink.annotation.PublicEvolving
public final class LinearAttentionSql {
    /** The process table function, {@link LinearAttentionTableFunction}. */
    public static final String FUNCTION = "LINEAR_ATTENTION";
    /** The binary output encoder, {@link LinearAttentionBytesFunction}. */
    public static final String BYTES_FUNCTION = "LINEAR_ATTENTION_BYTES";

    private LinearAttentionSql() {}

    /** Registers {@value #FUNCTION} and {@value #BYTES_FUNCTION} as temporary system functions (if not there yet). */
    public static void register(TableEnvironment tEnv) {
        register(tEnv, FUNCTION, BYTES_FUNCTION);
    }

    /** Registers the two functions under other names. */
    public static void register(TableEnvironment tEnv, String functionName, String bytesFunctionName) {
        if (!java.util.Arrays.asList(tEnv.listFunctions()).contains(functionName.toLowerCase(java.util.Locale.ROOT))) {
            tEnv.createTemporarySystemFunction(functionName, LinearAttentionTableFunction.class);
        }
        if (!java.util.Arrays.asList(tEnv.listFunctions()).contains(bytesFunctionName.toLowerCase(java.util.Locale.ROOT))) {
            tEnv.createTemporarySystemFunction(bytesFunctionName, LinearAttentionBytesFunction.class);
        }
    }
}
