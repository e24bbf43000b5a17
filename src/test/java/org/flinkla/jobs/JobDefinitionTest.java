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

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.flinkla.engine.FeatureMapKind;
import org.flinkla.kafka.RecordFormat;
import org.junit.jupiter.api.Test;

class JobDefinitionTest {

    private static final String MINIMAL = String.join("\n",
            "name: t",
            "source: {topic: in}",
            "sink: {topic: out, dead-letter-topic: dlq}",
            "model: {file: m.safetensors}",
            "");

    private static JobDefinition parse(String yaml) {
        return JobDefinition.parse("job.yaml", yaml, Map.of("JAAS", "secret-jaas-line")::get);
    }

    @Test
    void shippedAttentionJobLoads() {
        JobDefinition job = JobDefinition.load(Path.of("flink-jobs/attention.yaml"));
        assertThat(job.name()).isEqualTo("attention");
        assertThat(job.topics()).containsExactly("attention-in", "attention-out", "attention-dead-letters");
        assertThat(job.guarantee()).isEqualTo(DeliveryGuarantee.EXACTLY_ONCE);
        assertThat(job.model().isSeeded()).isTrue();
        assertThat(job.model().seededConfig().dModel()).isEqualTo(16);
        assertThat(job.model().seededConfig().vocab()).isEqualTo("ACGTN");
        assertThat(job.model().seededConfig().featureMap()).isEqualTo(FeatureMapKind.ELU);
    }

    @Test
    void everyShippedJobFileLoads() throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(Path.of("flink-jobs"), "*.yaml")) {
            for (Path f : files) {
                assertThat(JobDefinition.load(f).name()).as(f.toString()).isNotBlank();
            }
        }
    }

    @Test
    void bundleSectionSetsBundlingAndCopiesKeepIt() {
        assertThat(parse(MINIMAL).bundleMaxRecords()).as("off by default").isZero();
        assertThat(parse(MINIMAL).bundleMaxDelay()).isNull();
        JobDefinition job = parse(MINIMAL + "bundle: {max-records: 32, max-delay: 2ms}\n");
        assertThat(job.bundleMaxRecords()).isEqualTo(32);
        assertThat(job.bundleMaxDelay()).isEqualTo(Duration.ofMillis(2));
        assertThat(job.withParallelism(3).bundleMaxRecords()).isEqualTo(32);
        assertThat(job.withParallelism(3).bundleMaxDelay()).isEqualTo(Duration.ofMillis(2));
        JobDefinition defaults = parse(MINIMAL + "bundle: {}\n");
        assertThat(defaults.bundleMaxRecords()).isEqualTo(64);
        assertThat(defaults.bundleMaxDelay()).isEqualTo(Duration.ofMillis(5));
        assertThat(parse(MINIMAL + "bundle: {max-records: 1}\n").bundleMaxRecords()).as("1: off").isZero();
        assertThatThrownBy(() -> parse(MINIMAL + "bundle: {max-records: 64, max-delay: 0ms}\n"))
                .hasMessageContaining("bundle.max-delay");
        assertThatThrownBy(() -> parse(MINIMAL + "bundle: {max-records: 100000}\n"))
                .hasMessageContaining("max-records");
        assertThatThrownBy(() -> parse(MINIMAL + "bundle: {max-record: 64}\n"))
                .hasMessageContaining("max-record");
    }

    @Test
    void defaultsApply() {
        JobDefinition job = parse(MINIMAL);
        assertThat(job.source().format()).isEqualTo(RecordFormat.JSON);
        assertThat(job.source().groupId()).isEqualTo("flinkla-t");
        assertThat(job.sink().transactionalIdPrefix()).isEqualTo("flinkla-t");
        assertThat(job.guarantee()).isEqualTo(DeliveryGuarantee.EXACTLY_ONCE);
        assertThat(job.stateBackend()).as("unset: the cluster's default").isNull();
        assertThat(job.parallelism()).isEqualTo(1);
        assertThat(job.checkpointInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(job.stateTtl()).isNull();
        assertThat(job.model().file()).isEqualTo("m.safetensors");
    }

    @Test
    void unknownKeysAreNamedWithTheirPath() {
        assertThatThrownBy(() -> parse(MINIMAL + "paralelism: 2\n"))
                .isInstanceOf(JobDefinitionException.class)
                .hasMessageContaining("job.yaml").hasMessageContaining("'paralelism' is not a known key");
        assertThatThrownBy(() -> parse(MINIMAL.replace("{topic: in}", "{topic: in, fromat: json}")))
                .hasMessageContaining("'source.fromat' is not a known key");
        assertThatThrownBy(() -> parse(MINIMAL.replace("{file: m.safetensors}",
                "{seeded: {d-model: 8, hedas: 2}}"))).hasMessageContaining("'model.seeded.hedas'");
    }

    @Test
    void unknownKeysGetTheClosestKnownKeyAndTheKeysKnownThere() {
        assertThatThrownBy(() -> parse(MINIMAL + "paralelism: 2\n"))
                .hasMessageContaining("did you mean 'parallelism'?")
                .hasMessageContaining("(known here: name, parallelism, source, sink, model, guarantee,");
        assertThatThrownBy(() -> parse(MINIMAL + "kafka: {bootstrap-servrs: 'h:1'}\n"))
                .hasMessageContaining("'kafka.bootstrap-servrs' is not a known key")
                .hasMessageContaining("(known here: properties)").hasMessageNotContaining("did you mean");
        assertThatThrownBy(() -> parse(MINIMAL.replace("{file: m.safetensors}", "{seeded: {d-model: 8, hedas: 2}}")))
                .hasMessageContaining("did you mean 'heads'?");
        assertThatThrownBy(() -> parse(MINIMAL.replace("dead-letter-topic: dlq", "dead-letter-topic: dlq, transactional-id: x")))
                .hasMessageContaining("'sink.transactional-id' is not a known key")
                .hasMessageContaining("transactional-id-prefix");
    }

    @Test
    void wrongTypesNameTheKeyAndTheTypeExpected() {
        assertThatThrownBy(() -> parse(MINIMAL + "parallelism: 2.5\n"))
                .hasMessageContaining("job.yaml: 'parallelism' must be an integer, got '2.5'");
        assertThatThrownBy(() -> parse(MINIMAL + "parallelism: 99999999999999999999\n"))
                .hasMessageContaining("'parallelism' must be an integer, got a number out of range");
        assertThatThrownBy(() -> parse(MINIMAL + "unaligned-checkpoints: 1\n"))
                .hasMessageContaining("'unaligned-checkpoints' must be true or false, got '1'");
        assertThatThrownBy(() -> parse(MINIMAL + "guarantee: [exactly-once]\n"))
                .hasMessageContaining("'guarantee' must be one of exactly-once, at-least-once, got a list");
        assertThatThrownBy(() -> parse(MINIMAL.replace("{topic: in}", "in")))
                .hasMessageContaining("'source' must be a mapping of keys to values, got 'in'");
        assertThatThrownBy(() -> parse(MINIMAL.replace("{topic: in}", "{topic: {name: in}}")))
                .hasMessageContaining("'source.topic' must be a single value, got a mapping");
        assertThatThrownBy(() -> parse(MINIMAL + "state-ttl: [1h]\n"))
                .hasMessageContaining("'state-ttl' must be a duration like 500ms, 2s, 10min or 24h, got a list");
        assertThatThrownBy(() -> parse(MINIMAL.replace("{file: m.safetensors}", "{seeded: {d-model: 8, eps: small}}")))
                .hasMessageContaining("'model.seeded.eps' must be a number, got 'small'");
        assertThatThrownBy(() -> parse(MINIMAL + "kafka: {properties: {linger.ms: }}\n"))
                .hasMessageContaining("'kafka.properties.linger.ms' must be a single value");
        assertThatThrownBy(() -> parse("- name: t\n")).hasMessageContaining("job.yaml: the file must be a mapping");
        assertThatThrownBy(() -> parse("# nothing\n")).hasMessageContaining("job.yaml: the file is empty");
        // the values of the file are kept as written, quoted numbers are numbers, choices ignore case
        JobDefinition job = parse(MINIMAL.replace("{file: m.safetensors}", "{file: m.safetensors, overrides: {eps: 1e-6}}")
                + "parallelism: '3'\nguarantee: AT-LEAST-ONCE\n");
        assertThat(job.model().overrides()).containsEntry("eps", "1e-6");
        assertThat(job.parallelism()).isEqualTo(3);
        assertThat(job.guarantee()).isEqualTo(DeliveryGuarantee.AT_LEAST_ONCE);
    }

    @Test
    void aWrongTypeUnderASecretKeyDoesNotShowTheValue() {
        assertThatThrownBy(() -> parse(MINIMAL + "kafka: {properties: {ssl.key.password: [hunter2-list]}}\n"))
                .hasMessageContaining("'kafka.properties.ssl.key.password' must be a single value, got a list")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void aKeyGivenTwiceIsRejectedWithItsPathAndLine() {
        assertThatThrownBy(() -> parse(MINIMAL + "parallelism: 2\nparallelism: 3\n"))
                .isInstanceOf(JobDefinitionException.class)
                .hasMessageContaining("job.yaml").hasMessageContaining("'parallelism' is given twice")
                .hasMessageContaining("line 6");
        assertThatThrownBy(() -> parse(MINIMAL.replace("source: {topic: in}", "source:\n  topic: in\n  format: json\n  topic: in2")))
                .hasMessageContaining("'source.topic' is given twice").hasMessageContaining("line 5");
        assertThatThrownBy(() -> parse(MINIMAL + "kafka: {properties: {linger.ms: 5, linger.ms: 6}}\n"))
                .hasMessageContaining("'kafka.properties.linger.ms' is given twice").hasMessageContaining("line 5");
        assertThatThrownBy(() -> parse(MINIMAL.replace("{file: m.safetensors}",
                "\n  seeded: {d-model: 8, heads: 2}\n  seeded: {d-model: 4}")))
                .hasMessageContaining("'model.seeded' is given twice");
    }

    @Test
    void badValuesAreNamed() {
        assertThatThrownBy(() -> parse(MINIMAL + "parallelism: two\n")).hasMessageContaining("'parallelism' must be an integer");
        assertThatThrownBy(() -> parse(MINIMAL + "parallelism: 0\n")).hasMessageContaining("'parallelism' must be between");
        assertThatThrownBy(() -> parse(MINIMAL + "guarantee: maybe\n")).hasMessageContaining("'guarantee' must be one of");
        assertThatThrownBy(() -> parse(MINIMAL + "state-backend: disk\n")).hasMessageContaining("'state-backend'");
        assertThatThrownBy(() -> parse(MINIMAL + "checkpoint-interval: soon\n")).hasMessageContaining("'checkpoint-interval' must be a duration");
        assertThatThrownBy(() -> parse(MINIMAL.replace("topic: in", "topic: 'in put'"))).hasMessageContaining("'source.topic'");
        assertThatThrownBy(() -> parse(MINIMAL.replace("{topic: in}", "{topic: in, format: xml}"))).hasMessageContaining("'source.format'");
        assertThatThrownBy(() -> parse(MINIMAL.replace("dead-letter-topic: dlq", "dead-letter-topic: out")))
                .hasMessageContaining("three different topics");
        assertThatThrownBy(() -> parse(MINIMAL.replace("{file: m.safetensors}", "{seeded: {d-model: 8, feature-map: cosine}}")))
                .hasMessageContaining("model.seeded").hasMessageContaining("cosine");
        assertThatThrownBy(() -> parse(MINIMAL.replace("{file: m.safetensors}", "{}")))
                .hasMessageContaining("exactly one of 'file' or 'seeded'");
        assertThatThrownBy(() -> parse(MINIMAL.replace("name: t\n", ""))).hasMessageContaining("'name' is missing");
        assertThatThrownBy(() -> parse("name: [")).hasMessageContaining("not valid YAML");
    }

    @Test
    void unalignedCheckpointsAreOffUnlessTheJobAsks() {
        JobDefinition plain = parse(MINIMAL);
        assertThat(plain.unalignedCheckpoints()).isFalse();
        assertThat(AttentionJob.flinkConfiguration(plain)
                .get(org.apache.flink.configuration.CheckpointingOptions.ENABLE_UNALIGNED)).isFalse();
        JobDefinition unaligned = parse(MINIMAL + "unaligned-checkpoints: true\n");
        assertThat(unaligned.unalignedCheckpoints()).isTrue();
        assertThat(unaligned.withParallelism(2).unalignedCheckpoints()).isTrue();
        assertThat(AttentionJob.flinkConfiguration(unaligned)
                .get(org.apache.flink.configuration.CheckpointingOptions.ENABLE_UNALIGNED)).isTrue();
        assertThatThrownBy(() -> parse(MINIMAL + "unaligned-checkpoints: sometimes\n"))
                .hasMessageContaining("'unaligned-checkpoints'");
    }

    @Test
    void emitFieldsAreAListOrACommaString() {
        org.flinkla.flink.EmitFields all = org.flinkla.flink.EmitFields.parse(
                "probabilities, log-probabilities, top-3, surprisal");
        assertThat(parse(MINIMAL).emitFields().isEmpty()).isTrue();
        assertThat(parse(MINIMAL + "emit-fields: [probabilities, log-probabilities, top-3, surprisal]\n").emitFields())
                .isEqualTo(all);
        assertThat(parse(MINIMAL + "emit-fields: \"probabilities, log-probabilities, top-3, surprisal\"\n")
                .emitFields()).isEqualTo(all);
        assertThat(parse(MINIMAL + "emit-fields: []\n").emitFields().isEmpty()).isTrue();
        assertThat(parse(MINIMAL + "emit-fields: surprisal\n").withParallelism(3).emitFields())
                .isEqualTo(org.flinkla.flink.EmitFields.NONE.withSurprisal(true));
    }

    @Test
    void badEmitFieldsAreNamed() {
        assertThatThrownBy(() -> parse(MINIMAL + "emit-fields: [probabilities, entropy]\n"))
                .isInstanceOf(JobDefinitionException.class)
                .hasMessageContaining("job.yaml").hasMessageContaining("'emit-fields'")
                .hasMessageContaining("unknown emit field 'entropy'");
        assertThatThrownBy(() -> parse(MINIMAL + "emit-fields: [top-0]\n")).hasMessageContaining("'emit-fields'")
                .hasMessageContaining("between 1 and");
        assertThatThrownBy(() -> parse(MINIMAL + "emit-fields: [[p]]\n")).hasMessageContaining("'emit-fields[0]'");
        assertThatThrownBy(() -> parse(MINIMAL + "emit-fields: {p: 1}\n")).hasMessageContaining("'emit-fields'");
        assertThatThrownBy(() -> parse(MINIMAL + "emit-fields: \"p,,logp\"\n")).hasMessageContaining("empty entry");
        // a model whose outputs are not logits: named at build time, with the key
        String notLm = MINIMAL.replace("{file: m.safetensors}",
                "{seeded: {d-model: 8, heads: 2, d-out: 6, vocab: ACGT}}") + "emit-fields: [surprisal]\n";
        assertThatThrownBy(() -> AttentionJob.attention(parse(notLm)))
                .isInstanceOf(JobDefinitionException.class)
                .hasMessageContaining("job.yaml: 'emit-fields'").hasMessageContaining("logits")
                .hasMessageContaining("output width 6");
        String lm = MINIMAL.replace("{file: m.safetensors}",
                "{seeded: {d-model: 8, heads: 2, d-out: 4, vocab: ACGT}}") + "emit-fields: [top-2, surprisal]\n";
        assertThat(AttentionJob.attention(parse(lm)).emitFields().topK()).isEqualTo(2);
        assertThatThrownBy(() -> AttentionJob.attention(parse(lm.replace("top-2", "top-9"))))
                .hasMessageContaining("'emit-fields'").hasMessageContaining("K <= 4");
    }

    @Test
    void kafkaPropertiesPassThroughWithSecretsMasked() {
        JobDefinition job = parse(MINIMAL + String.join("\n",
                "kafka:",
                "  properties:",
                "    security.protocol: SASL_SSL",
                "    sasl.jaas.config: ${JAAS}",
                "    ssl.truststore.password: hunter2",
                ""));
        assertThat(job.kafkaProperties()).containsEntry("sasl.jaas.config", "secret-jaas-line")
                .containsEntry("ssl.truststore.password", "hunter2")
                .containsEntry("security.protocol", "SASL_SSL");
        assertThat(job.maskedKafkaProperties()).containsEntry("sasl.jaas.config", "******")
                .containsEntry("ssl.truststore.password", "******")
                .containsEntry("security.protocol", "SASL_SSL");
        assertThat(job.toString()).doesNotContain("hunter2").doesNotContain("secret-jaas-line");
        assertThatThrownBy(() -> parse(MINIMAL + "kafka: {properties: {sasl.jaas.config: '${NOPE}'}}\n"))
                .hasMessageContaining("NOPE").hasMessageContaining("not set").hasMessageNotContaining("secret-jaas-line");
        assertThatThrownBy(() -> parse(MINIMAL + "kafka: {properties: {bootstrap.servers: 'h:1'}}\n"))
                .hasMessageContaining("'kafka.properties.bootstrap.servers'");
    }
}
