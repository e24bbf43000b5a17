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
