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
package org.flinkla.jobs;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.api.internal.TableEnvironmentInternal;
import org.apache.flink.table.catalog.CatalogManager;
import org.apache.flink.table.catalog.CatalogTable;
import org.apache.flink.table.catalog.ContextResolvedTable;
import org.apache.flink.table.catalog.ObjectIdentifier;
import org.apache.flink.table.catalog.ResolvedCatalogBaseTable;
import org.apache.flink.table.catalog.ResolvedCatalogTable;
import org.apache.flink.table.operations.ModifyOperation;
import org.apache.flink.table.operations.Operation;
import org.apache.flink.table.operations.SinkModifyOperation;
import org.apache.flink.table.operations.StatementSetOperation;

/**
 * A SQL job file planned in a table environment: its DDL executed in order, its {@code INSERT}s
 * (plain or in an {@code EXECUTE STATEMENT SET} block) gathered into one Flink job, and the Kafka
 * tables it reads and writes found (for the {@code sql} command: topics to create, the input
 * topic to fill, the output topics to read back).
 *
 * <pre>{@code
 * List<SqlJobFile.Statement> s = SqlJobFile.load(path).resolve(Map.of("bootstrap.servers", bs), System::getenv);
 * StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(SqlPipeline.configuration(s));
 * SqlPipeline p = SqlPipeline.plan(StreamTableEnvironment.create(env), s, false);
 * p.execute();   // one job with all INSERTs
 * }</pre>
 *
 * <p>A Kafka table is a table with {@code 'connector' = 'kafka'}. Tables written by an INSERT are
 * sinks, the other Kafka tables sources. A sink with a column named {@code error} is an error
 * sink (its rows are the rejected input rows); the other sinks carry outputs.
 */
public final class SqlPipeline {
    /** A Kafka table of the job. */
    public static final class KafkaTable {
        private final ObjectIdentifier id;
        private final Map<String, String> options;
        private final List<String> columns;

        KafkaTable(ObjectIdentifier id, Map<String, String> options, List<String> columns) {
            this.id = id;
            this.options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
            this.columns = Collections.unmodifiableList(columns);
        }

        public String name() { return id.getObjectName(); }
        public ObjectIdentifier identifier() { return id; }
        public Map<String, String> options() { return options; }
        public List<String> columns() { return columns; }

        /** Topics of {@code 'topic'} ({@code ;}-separated list); empty for a {@code topic-pattern}. */
        public List<String> topics() {
            String t = options.get("topic");
            List<String> out = new ArrayList<>();
            if (t != null) {
                for (String s : t.split(";")) {
                    if (!s.isBlank()) {
                        out.add(s.trim());
                    }
                }
            }
            return out;
        }

        /** The single topic, or an error naming the table. */
        public String topic() {
            List<String> t = topics();
            if (t.size() != 1) {
                throw new JobDefinitionException("table " + name() + " must name exactly one topic ('topic' = '...'), got "
                        + options.get("topic"));
            }
            return t.get(0);
        }

        public String valueFormat() {
            String f = options.get("value.format");
            return f != null ? f : options.getOrDefault("format", "json");
        }

        public String bootstrapServers() {
            return options.get("properties.bootstrap.servers");
        }

        /** True for an error sink (it has a column {@code error}). */
        public boolean isErrorSink() {
            return columns.stream().anyMatch(c -> c.equalsIgnoreCase("error"));
        }

        /** The table's {@code properties.*} for our own clients (security etc.), without the ones clients set themselves. */
        public Properties clientProperties() {
            Properties p = new Properties();
            options.forEach((k, v) -> {
                if (k.startsWith("properties.")) {
                    String key = k.substring("properties.".length());
                    if (!RESERVED_CLIENT_KEYS.contains(key)) {
                        p.put(key, v);
                    }
                }
            });
            return p;
        }

        @Override
        public String toString() {
            return name() + " (" + String.join(";", topics()) + ", " + valueFormat() + ")";
        }
    }

    private static final Set<String> RESERVED_CLIENT_KEYS = Set.of("bootstrap.servers", "group.id", "isolation.level",
            "transaction.timeout.ms", "transactional.id", "max.request.size", "auto.offset.reset", "client.id.prefix");

    private final StreamTableEnvironment tEnv;
    private final List<ModifyOperation> inserts;
    private final List<KafkaTable> sources;
    private final List<KafkaTable> sinks;

    private SqlPipeline(StreamTableEnvironment tEnv, List<ModifyOperation> inserts, List<KafkaTable> sources,
            List<KafkaTable> sinks) {
        this.tEnv = tEnv;
        this.inserts = inserts;
        this.sources = sources;
        this.sinks = sinks;
    }

    /** The job's Flink configuration: every {@code SET 'key' = 'value'} of the file. */
    public static Configuration configuration(List<SqlJobFile.Statement> statements) {
        Map<String, String> m = new LinkedHashMap<>();
        for (SqlJobFile.Statement s : statements) {
            if (s.kind() == SqlJobFile.Kind.SET) {
                m.put(s.setKey(), s.setValue());
            }
        }
        return Configuration.fromMap(m);
    }

    /**
     * Executes the DDL, then plans the INSERTs. With {@code bounded}, every Kafka source table is
     * switched to {@code 'scan.bounded.mode' = 'latest-offset'} first, so the job ends at the end
     * offsets the sources see when it starts.
     *
     * @throws JobDefinitionException naming the statement's line when a statement fails
     */
    public static SqlPipeline plan(StreamTableEnvironment tEnv, List<SqlJobFile.Statement> statements, boolean bounded) {
        List<SqlJobFile.Statement> insertStatements = new ArrayList<>();
        for (SqlJobFile.Statement s : statements) {
            switch (s.kind()) {
                case SET:
                    break; // part of the configuration the environment was made with
                case QUERY:
                    throw new JobDefinitionException(s + ": a job file writes to tables; a query without INSERT INTO "
                            + "has no sink (run it in the SQL client instead)");
                case INSERT:
                    insertStatements.add(s);
                    break;
                default:
                    try {
                        tEnv.executeSql(s.sql());
                    } catch (RuntimeException e) {
                        throw failure(s, e);
                    }
            }
        }
        if (insertStatements.isEmpty()) {
            throw new JobDefinitionException("the job file has no INSERT INTO statement: nothing to run");
        }
        CatalogManager catalogs = ((TableEnvironmentInternal) tEnv).getCatalogManager();
        // first pass: which tables are written (sinks); the other Kafka tables are sources
        Set<ObjectIdentifier> written = new LinkedHashSet<>();
        for (ModifyOperation op : parseInserts(tEnv, insertStatements)) {
            if (op instanceof SinkModifyOperation) {
                written.add(((SinkModifyOperation) op).getContextResolvedTable().getIdentifier());
            }
        }
        List<KafkaTable> sources = new ArrayList<>();
        List<KafkaTable> sinks = new ArrayList<>();
        for (ObjectIdentifier id : tables(catalogs)) {
            KafkaTable t = kafkaTable(catalogs, id);
            if (t == null) {
                continue;
            }
            if (written.contains(id)) {
                sinks.add(t);
            } else {
                if (bounded) {
                    setOption(tEnv, catalogs, id, "scan.bounded.mode", "latest-offset");
                    t = kafkaTable(catalogs, id);
                }
                sources.add(t);
            }
        }
        List<ModifyOperation> inserts = parseInserts(tEnv, insertStatements); // planned against the final tables
        return new SqlPipeline(tEnv, inserts, sources, sinks);
    }

    private static List<ModifyOperation> parseInserts(StreamTableEnvironment tEnv, List<SqlJobFile.Statement> statements) {
        List<ModifyOperation> ops = new ArrayList<>();
        for (SqlJobFile.Statement s : statements) {
            List<Operation> parsed;
            try {
                parsed = ((TableEnvironmentInternal) tEnv).getParser().parse(s.sql());
            } catch (RuntimeException e) {
                throw failure(s, e);
            }
            for (Operation op : parsed) {
                if (op instanceof StatementSetOperation) {
                    ops.addAll(((StatementSetOperation) op).getOperations());
                } else if (op instanceof ModifyOperation) {
                    ops.add((ModifyOperation) op);
                } else {
                    throw new JobDefinitionException(s + ": expected INSERT INTO, got " + op.getClass().getSimpleName());
                }
            }
        }
        return ops;
    }

    private static List<ObjectIdentifier> tables(CatalogManager catalogs) {
        List<ObjectIdentifier> ids = new ArrayList<>();
        String catalog = catalogs.getCurrentCatalog();
        String db = catalogs.getCurrentDatabase();
        Set<String> views = catalogs.listViews();
        for (String name : catalogs.listTables()) {
            if (!views.contains(name)) {
                ids.add(ObjectIdentifier.of(catalog, db, name));
            }
        }
        return ids;
    }

    private static KafkaTable kafkaTable(CatalogManager catalogs, ObjectIdentifier id) {
        ContextResolvedTable t = catalogs.getTable(id).orElse(null);
        if (t == null) {
            return null;
        }
        ResolvedCatalogBaseTable<?> rt = t.getResolvedTable();
        Map<String, String> options = rt.getOptions();
        if (!"kafka".equals(options.get("connector"))) {
            return null;
        }
        return new KafkaTable(id, options, rt.getResolvedSchema().getColumnNames());
    }

    private static void setOption(StreamTableEnvironment tEnv, CatalogManager catalogs, ObjectIdentifier id, String key,
            String value) {
        ContextResolvedTable t = catalogs.getTableOrError(id);
        Map<String, String> options = new HashMap<>(t.getResolvedTable().getOptions());
        options.put(key, value);
        if (t.isTemporary()) {
            ResolvedCatalogTable old = t.getResolvedTable();
            CatalogTable copy = old.copy(options);
            catalogs.dropTemporaryTable(id, false);
            catalogs.createTemporaryTable(copy, id, false);
        } else {
            tEnv.executeSql("ALTER TABLE " + id.asSerializableString() + " SET ('" + key + "' = '" + value + "')");
        }
    }

    private static JobDefinitionException failure(SqlJobFile.Statement s, RuntimeException e) {
        StringBuilder msg = new StringBuilder(s.toString()).append(": ").append(e.getMessage());
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            if (c.getMessage() != null && !msg.toString().contains(c.getMessage())) {
                msg.append("\n  caused by: ").append(c.getMessage());
            }
        }
        return new JobDefinitionException(msg.toString(), e);
    }

    /** Submits the INSERTs as one job. */
    public TableResult execute() {
        return ((TableEnvironmentInternal) tEnv).executeInternal(inserts);
    }

    /** Kafka tables only read. */
    public List<KafkaTable> sources() { return sources; }

    /** Kafka tables written. */
    public List<KafkaTable> sinks() { return sinks; }

    /** The single Kafka source (where an input file goes), or an error listing them. */
    public KafkaTable source() {
        if (sources.size() != 1) {
            throw new JobDefinitionException("the job must read exactly one Kafka table for --input-file, it reads "
                    + (sources.isEmpty() ? "none" : sources.toString()));
        }
        return sources.get(0);
    }

    /** Every topic of the job's Kafka tables. */
    public List<String> topics() {
        Set<String> t = new LinkedHashSet<>();
        sources.forEach(k -> t.addAll(k.topics()));
        sinks.forEach(k -> t.addAll(k.topics()));
        return new ArrayList<>(t);
    }

    @Override
    public String toString() {
        return "sources " + sources + " -> sinks " + sinks;
    }

}
