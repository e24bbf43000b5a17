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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.flinkla.model.Dtype;
import org.flinkla.model.ModelFiles;
import org.junit.jupiter.api.Test;

/** The SQL job file format, and the shipped SQL jobs against their YAML twins. */
class SqlJobFileTest {

    @Test
    void splitsAtSemicolonsOutsideLiteralsIdentifiersAndComments() {
        String text = String.join("\n",
                "-- a comment; not a statement",
                "SET 'pipeline.name' = 'it''s; fine';",
                "/* block; comment",
                "   still */ CREATE TABLE `odd;name` (a STRING) WITH ('connector' = 'x;y');",
                "",
                "EXECUTE STATEMENT SET",
                "BEGIN",
                "  INSERT INTO a SELECT 1; -- first",
                "  INSERT INTO b SELECT ';';",
                "END;",
                "SELECT 1");
        List<SqlJobFile.Statement> s = SqlJobFile.parse("t.sql", null, text).statements();
        assertThat(s).hasSize(4);
        assertThat(s.get(0).kind()).isEqualTo(SqlJobFile.Kind.SET);
        assertThat(s.get(0).line()).isEqualTo(2);
        assertThat(s.get(0).setKey()).isEqualTo("pipeline.name");
        assertThat(s.get(0).setValue()).isEqualTo("it's; fine");
        assertThat(s.get(1).sql()).startsWith("CREATE TABLE `odd;name`").endsWith("'x;y')");
        assertThat(s.get(1).line()).isEqualTo(4);
        assertThat(s.get(1).kind()).isEqualTo(SqlJobFile.Kind.OTHER);
        assertThat(s.get(2).kind()).isEqualTo(SqlJobFile.Kind.INSERT);
        assertThat(s.get(2).line()).isEqualTo(6);
        assertThat(s.get(2).sql()).contains("INSERT INTO a SELECT 1;").contains("INSERT INTO b SELECT ';';")
                .endsWith("END").doesNotContain("first");
        assertThat(s.get(3).kind()).isEqualTo(SqlJobFile.Kind.QUERY);
    }

    @Test
    void unclosedThingsAreErrorsWithTheirLine() {
        assertThatThrownBy(() -> SqlJobFile.parse("t.sql", null, "SELECT 1;\nSELECT 'x"))
                .hasMessage("t.sql, line 2: unclosed ' quote");
        assertThatThrownBy(() -> SqlJobFile.parse("t.sql", null, "EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT 1;"))
                .hasMessageContaining("the EXECUTE STATEMENT SET block of line 1 has no END");
        assertThatThrownBy(() -> SqlJobFile.parse("t.sql", null, "-- only a comment\n"))
                .hasMessage("t.sql: no SQL statements");
    }

    @Test
    void placeholdersComeFromValuesBuiltInsTheEnvironmentOrDefaults() {
        SqlJobFile f = SqlJobFile.parse("t.sql", Path.of("/jobs"), String.join("\n",
                "-- ${not.replaced} in comments",
                "CREATE TABLE t (a STRING) WITH ('servers' = '${bootstrap.servers}', 'm' = '${model:-file://${job.dir}/m}',",
                "  'home' = '${HOME_FOR_TEST}', 'x' = '${x:-}');"));
        assertThat(f.placeholders()).containsExactly("bootstrap.servers", "model", "HOME_FOR_TEST", "x");
        String sql = f.resolve(Map.of("bootstrap.servers", "k:9092"), k -> k.equals("HOME_FOR_TEST") ? "/home" : null)
                .get(0).sql();
        assertThat(sql).contains("'servers' = 'k:9092'").contains("'m' = 'file:///jobs/m'").contains("'home' = '/home'")
                .contains("'x' = ''");
        assertThat(f.resolve(Map.of("bootstrap.servers", "k", "model", "s3://b/m"), k -> "/h").get(0).sql())
                .contains("'m' = 's3://b/m'");
        assertThatThrownBy(() -> f.resolve(Map.of(), k -> null))
                .hasMessageContaining("t.sql, line 2: unknown placeholder ${bootstrap.servers}: give it with --define");
    }

    @Test
    void setStatementsMakeTheConfiguration() {
        List<SqlJobFile.Statement> s = SqlJobFile.parse("t.sql", null,
                "SET 'parallelism.default' = '3'; SET 'execution.checkpointing.interval' = '2s';").statements();
        assertThat(SqlPipeline.configuration(s).toMap())
                .containsEntry("parallelism.default", "3").containsEntry("execution.checkpointing.interval", "2s");
        assertThatThrownBy(() -> SqlJobFile.parse("t.sql", null, "SET parallelism = 3").statements().get(0).setKey())
                .hasMessageContaining("SET needs the form SET 'key' = 'value'");
    }

    // ------------------------------------------------------------------------------------------
    // the shipped jobs

    private static Set<String> topicsOf(Path sql) throws Exception {
        Set<String> topics = new LinkedHashSet<>();
        Matcher m = Pattern.compile("'topic'\\s*=\\s*'([^']+)'").matcher(Files.readString(sql));
        while (m.find()) {
            topics.add(m.group(1));
        }
        return topics;
    }

    @Test
    void theSqlTwinsUseTheirYamlJobsTopicsAndModels() throws Exception {
        for (String name : List.of("attention", "chr1-demo")) {
            JobDefinition yaml = JobDefinition.load(Path.of("flink-jobs/" + name + ".yaml"));
            Path sql = Path.of("flink-jobs/" + name + ".sql");
            assertThat(topicsOf(sql)).as(sql.toString()).containsExactlyInAnyOrderElementsOf(yaml.topics());
            SqlJobFile f = SqlJobFile.load(sql);
            String all = String.join("\n", f.resolve(Map.of("bootstrap.servers", "kafka:9092"), k -> null).stream()
                    .map(SqlJobFile.Statement::sql).toList());
            if (yaml.model().isSeeded()) {
                // the saved model is the YAML job's seeded model, byte for byte
                byte[] saved = Files.readAllBytes(Path.of("flink-jobs/models/" + name + ".safetensors"));
                byte[] seeded = ModelFiles.encode(ModelFiles.random(yaml.model().seededConfig(), yaml.model().seed()),
                        Dtype.F64);
                assertThat(saved).as(name + " model").isEqualTo(seeded);
                assertThat(all).contains("file://" + Path.of("flink-jobs").toAbsolutePath() + "/models/" + name
                        + ".safetensors");
            } else {
                assertThat(all).as(name + " model").containsPattern("model\\s+=> '"
                        + java.util.regex.Pattern.quote(yaml.model().file()) + "'");
            }
            // the YAML job's emit fields and source record limit
            if (!yaml.emitFields().isEmpty()) {
                assertThat(all).as(name + " emit fields").containsPattern("emit_fields\\s+=> '"
                        + java.util.regex.Pattern.quote(yaml.emitFields().toString()) + "'");
            }
            assertThat(all).as(name + " record limit").containsPattern("max_record_bytes\\s+=> "
                    + yaml.source().maxRecordBytes() + "\\b");
            assertThat(all).contains("'sink.delivery-guarantee' = 'exactly-once'").contains("'sink.transactional-id-prefix'")
                    .contains("'properties.bootstrap.servers' = 'kafka:9092'");
            assertThat(SqlPipeline.configuration(f.statements()).toMap()).containsKey("execution.checkpointing.interval")
                    .containsEntry("parallelism.default", String.valueOf(yaml.parallelism()));
        }
    }
}
