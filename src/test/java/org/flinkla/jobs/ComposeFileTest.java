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

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.flinkla.kafka.KafkaSettings;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml cannot be started here (no Docker engine), so this checks that everything it
 * names exists and agrees with the build: image versions = pom versions, mounted jars = shade
 * outputs, the cluster jar's main class, the job file, its topics = the topics created, the shipped
 * demo data, and the broker's transaction ceiling above the sink's timeout.
 */
class ComposeFileTest {
    private static JsonNode compose;
    private static String pom;
    private static String composeText;

    @BeforeAll
    static void read() throws Exception {
        composeText = Files.readString(Path.of("docker-compose.yml"));
        compose = new YAMLMapper().readTree(composeText);
        pom = Files.readString(Path.of("pom.xml"));
    }

    private static String pomProperty(String name) {
        Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</").matcher(pom);
        assertThat(m.find()).as("pom property " + name).isTrue();
        return m.group(1).trim();
    }

    private static JsonNode service(String name) {
        JsonNode s = compose.get("services").get(name);
        assertThat(s).as("service " + name).isNotNull();
        return s;
    }

    /** command/entrypoint of a service as one string. */
    private static String commandLine(JsonNode s) {
        StringBuilder sb = new StringBuilder();
        for (String f : List.of("entrypoint", "command")) {
            JsonNode n = s.get(f);
            if (n == null) {
                continue;
            }
            if (n.isArray()) {
                n.forEach(e -> sb.append(e.asText()).append(' '));
            } else {
                sb.append(n.asText()).append(' ');
            }
        }
        return sb.toString();
    }

    private static String jobFileOfSubmit() {
        Matcher m = Pattern.compile("--job\\s+/opt/flinkla/(flink-jobs/[\\w.-]+\\.yaml)").matcher(commandLine(service("submit")));
        assertThat(m.find()).as("submit names a job file").isTrue();
        return m.group(1);
    }

    @Test
    void imagesMatchTheBuildVersions() {
        String kafka = "apache/kafka:" + pomProperty("kafka.version");
        String flink = "flink:" + pomProperty("flink.version") + "-java17";
        compose.get("services").fields().forEachRemaining(e -> {
            String image = e.getValue().get("image").asText();
            assertThat(image).as("image of " + e.getKey()).isIn(kafka, flink);
        });
        assertThat(service("kafka").get("image").asText()).isEqualTo(kafka);
        assertThat(service("jobmanager").get("image").asText()).isEqualTo(flink);
        assertThat(service("taskmanager").get("image").asText()).isEqualTo(flink);
    }

    @Test
    void mountedFilesAreBuildOutputsOrExist() {
        List<String> sources = new ArrayList<>();
        compose.get("services").forEach(s -> {
            if (s.has("volumes")) {
                s.get("volumes").forEach(v -> {
                    String src = v.asText().split(":")[0];
                    if (src.startsWith("./")) {
                        sources.add(src.substring(2));
                    }
                });
            }
        });
        assertThat(sources).contains("target/flink-linear-attention-cluster.jar", "target/flink-linear-attention.jar",
                "flink-jobs");
        for (String src : sources) {
            if (src.startsWith("target/")) {
                // built by `mvn package`: must be an output of the shade plugin
                assertThat(pom).as(src + " is a shade output").contains("<outputFile>${project.build.directory}/"
                        + src.substring("target/".length()) + "</outputFile>");
            } else {
                assertThat(Path.of(src)).as(src).exists();
            }
        }
    }

    @Test
    void clusterJarMainClassIsTheJobEntryPoint() throws Exception {
        Matcher m = Pattern.compile("<id>cluster</id>.*?<mainClass>([\\w.]+)</mainClass>", Pattern.DOTALL).matcher(pom);
        assertThat(m.find()).isTrue();
        assertThat(m.group(1)).isEqualTo(ClusterJob.class.getName());
        assertThat(Class.forName(m.group(1)).getMethod("main", String[].class)).isNotNull();
        String submit = commandLine(service("submit"));
        assertThat(submit).contains("flink run -d").contains("/opt/flinkla/flink-linear-attention-cluster.jar")
                .contains("--bootstrap-servers kafka:9092");
        assertThat(service("kafka").get("environment").get("KAFKA_ADVERTISED_LISTENERS").asText())
                .contains("PLAINTEXT://kafka:9092");
    }

    @Test
    void createdTopicsAreTheJobsTopics() {
        JobDefinition job = JobDefinition.load(Path.of(jobFileOfSubmit()));
        Matcher m = Pattern.compile("for t in ([\\w .-]+); do").matcher(commandLine(service("topics")));
        assertThat(m.find()).as("topics service loops over the topic names").isTrue();
        List<String> created = Arrays.asList(m.group(1).trim().split("\\s+"));
        assertThat(created).containsExactlyInAnyOrderElementsOf(job.topics());
    }

    @Test
    void producerStreamsTheShippedChromosomeToTheJobsInput() {
        String producer = commandLine(service("producer"));
        assertThat(producer).contains("/opt/flinkla/flink-linear-attention.jar produce");
        Matcher m = Pattern.compile("--input classpath:(\\S+)").matcher(producer);
        assertThat(m.find()).isTrue();
        assertThat(Path.of("src/main/resources", m.group(1))).as("shipped demo data").exists();
        Matcher job = Pattern.compile("--job /opt/flinkla/(\\S+)").matcher(producer);
        assertThat(job.find()).isTrue();
        assertThat(job.group(1)).isEqualTo(jobFileOfSubmit());
    }

    @Test
    void brokerTransactionCeilingFitsTheSink() {
        JsonNode env = service("kafka").get("environment");
        assertThat(env.get("KAFKA_TRANSACTION_MAX_TIMEOUT_MS").asInt())
                .isGreaterThanOrEqualTo(KafkaSettings.SINK_TRANSACTION_TIMEOUT_MS);
        assertThat(env.get("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR").asInt()).isEqualTo(1);
        assertThat(env.get("KAFKA_MESSAGE_MAX_BYTES").asInt()).isEqualTo(KafkaSettings.MAX_RECORD_BYTES);
        assertThat(env.get("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR").asInt()).isEqualTo(1);
        assertThat(env.get("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR").asInt()).isEqualTo(1);
        // jobmanager and taskmanager share the x-flink-properties block (a YAML alias)
        String flinkProps = compose.get("x-flink-properties").get("FLINK_PROPERTIES").asText();
        assertThat(composeText).containsPattern("(?s)jobmanager:.*?environment: \\*flink-properties")
                .containsPattern("(?s)taskmanager:.*?environment: \\*flink-properties");
        assertThat(flinkProps).contains("state.backend.type: rocksdb").contains("execution.checkpointing.dir: file:///flink-checkpoints");
        // TaskManagers resolve the incubating Vector API module, so the engine's vector kernels run
        assertThat(flinkProps).contains(org.apache.flink.configuration.CoreOptions.FLINK_TM_JVM_OPTIONS.key()
                + ": --add-modules jdk.incubator.vector");
    }

    @Test
    void theSqlSubmitRunsTheSqlTwinWhoseModelTheTaskManagersCanRead() throws Exception {
        JsonNode sqlSubmit = service("submit-sql");
        assertThat(sqlSubmit.get("profiles").toString()).as("not started by a plain `up`").contains("sql");
        String cmd = commandLine(sqlSubmit);
        assertThat(cmd).contains("flink run -d").contains("/opt/flinkla/flink-linear-attention-cluster.jar")
                .contains("--bootstrap-servers kafka:9092");
        Matcher m = Pattern.compile("--sql\\s+/opt/flinkla/(flink-jobs/[\\w.-]+\\.sql)").matcher(cmd);
        assertThat(m.find()).as("submit-sql names a SQL job file").isTrue();
        Path sql = Path.of(m.group(1));
        // the SQL twin of the YAML job `submit` runs: the same topics, which the topics service creates
        assertThat(sql.getFileName().toString().replace(".sql", ".yaml"))
                .isEqualTo(Path.of(jobFileOfSubmit()).getFileName().toString());
        // its model resolves (job.dir = /opt/flinkla/flink-jobs) to a file under flink-jobs/, mounted on the TaskManagers
        String resolved = String.join("\n", SqlJobFile.parse(sql.toString(), Path.of("/opt/flinkla/flink-jobs"),
                Files.readString(sql)).resolve(java.util.Map.of("bootstrap.servers", "kafka:9092"), k -> null).stream()
                .map(SqlJobFile.Statement::sql).toList());
        Matcher model = Pattern.compile("model\\s*=>\\s*'file:///opt/flinkla/(flink-jobs/[^']+)'").matcher(resolved);
        assertThat(model.find()).as("model of " + sql).isTrue();
        assertThat(Path.of(model.group(1))).exists();
        assertThat(service("taskmanager").get("volumes").toString()).contains("./flink-jobs:/opt/flinkla/flink-jobs");
    }
}
