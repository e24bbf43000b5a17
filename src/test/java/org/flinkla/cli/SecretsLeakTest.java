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
package org.flinkla.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.flinkla.jobs.JobDefinition;
import org.flinkla.jobs.Secrets;
import org.flinkla.kafka.TokenProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No value of a secret Kafka property reaches stdout or stderr, on every path that echoes a job
 * file's input: YAML syntax errors, unknown keys, wrong types, keys given twice, property errors,
 * and the Kafka client's own config errors.
 */
class SecretsLeakTest {
    private static final String HEAD = String.join("\n",
            "name: t",
            "source: {topic: in}",
            "sink: {topic: out, dead-letter-topic: dlq}",
            "model: {seeded: {d-model: 8}}",
            "");

    @TempDir
    Path dir;

    /** Output of one command: exit code and everything it printed. */
    private record Outcome(int code, String out, String err) {
        String all() {
            return out + err;
        }
    }

    private Outcome main(String... args) {
        PrintStream out0 = System.out;
        PrintStream err0 = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Main.execute(args);
        } finally {
            System.setOut(out0);
            System.setErr(err0);
        }
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Runs produce, tail and run on a job file; returns the produce outcome after checking all three. */
    private Outcome everyCommand(String yaml, String secret) throws Exception {
        Path job = dir.resolve("job-" + Math.abs(yaml.hashCode()) + ".yaml");
        Files.writeString(job, yaml);
        Path in = dir.resolve("in.jsonl");
        Files.writeString(in, "{\"seq\":\"a\",\"token\":\"A\"}\n");
        Outcome produce = main("produce", "--job", job.toString(), "--input", in.toString(),
                "--bootstrap-servers", "localhost:1");
        Outcome tail = main("tail", "--job", job.toString(), "--timeout", "2", "--bootstrap-servers", "localhost:1");
        Outcome run = main("run", job.toString(), "--bootstrap-servers", "localhost:1", "--timeout", "5");
        for (Outcome o : new Outcome[] {produce, tail, run}) {
            assertThat(o.code()).as(o.all()).isNotZero();
            assertThat(o.all()).as("output of a failed command").doesNotContain(secret);
            assertThat(o.err()).contains("error: ").contains(job.toString());
        }
        return produce;
    }

    @Test
    void yamlSyntaxErrorsDoNotEchoTheLine() throws Exception {
        String secret = "hunter2-nested-quotes";
        Outcome o = everyCommand(HEAD + String.join("\n",
                "kafka:",
                "  properties:",
                "    sasl.jaas.config: \"org.apache.kafka.common.security.plain.PlainLoginModule required"
                        + " username=\"u\" password=\"" + secret + "\";\"",
                ""), secret);
        assertThat(o.err()).contains("not valid YAML at line 7").contains("'kafka.properties.sasl.jaas.config'")
                .contains("quoted as a whole");

        String flow = "hunter2-flow'quote";
        everyCommand(HEAD + "kafka: {properties: {ssl.key.password: '" + flow + "'}}\n", "hunter2-flow");
        String open = "hunter2-unterminated";
        Outcome u = everyCommand(HEAD + "kafka:\n  properties:\n    ssl.truststore.password: \"" + open + "\n", open);
        assertThat(u.err()).contains("not valid YAML");
    }

    @Test
    void unknownKeysWrongTypesAndDuplicatesDoNotEchoValues() throws Exception {
        String s1 = "hunter2-unknown-key";
        assertThat(everyCommand(HEAD + "kafka: {propertys: {ssl.key.password: " + s1 + "}}\n", s1).err())
                .contains("'kafka.propertys' is not a known key");
        String s2 = "hunter2-wrong-type";
        assertThat(everyCommand(HEAD + "kafka: {properties: {sasl.jaas.config: {password: " + s2 + "}}}\n", s2).err())
                .contains("'kafka.properties.sasl.jaas.config' must be a single value");
        String s3 = "hunter2-list";
        everyCommand(HEAD + "kafka: {properties: [ssl.keystore.password, " + s3 + "]}\n", s3);
        String s4 = "hunter2-duplicate";
        assertThat(everyCommand(HEAD + "kafka:\n  properties:\n    ssl.truststore.password: first-one\n"
                + "    ssl.truststore.password: " + s4 + "\n", s4).err())
                .contains("'kafka.properties.ssl.truststore.password' is given twice");
    }

    @Test
    void propertyErrorsDoNotEchoValues() throws Exception {
        String s1 = "hunter2-env-ref";
        assertThat(everyCommand(HEAD + "kafka: {properties: {sasl.jaas.config: 'x password=\"" + s1
                + "\" ${FLINKLA_TEST_UNSET_VARIABLE}'}}\n", s1).err())
                .contains("FLINKLA_TEST_UNSET_VARIABLE").contains("not set");
        String s2 = "hunter2-reserved";
        assertThat(everyCommand(HEAD + "kafka: {properties: {ssl.key.password: " + s2
                + ", bootstrap.servers: 'h:1'}}\n", s2).err()).contains("'kafka.properties.bootstrap.servers'");
    }

    @Test
    void kafkaClientConfigErrorsAreMasked() throws Exception {
        // Kafka reports a stray word of a JAAS line as "Invalid login module control flag '<word>'"
        String word = "hunter2jaasword";
        String password = "hunter2-jaas-password";
        String yaml = HEAD + String.join("\n",
                "kafka:",
                "  properties:",
                "    security.protocol: SASL_PLAINTEXT",
                "    sasl.mechanism: PLAIN",
                "    sasl.jaas.config: 'org.apache.kafka.common.security.plain.PlainLoginModule " + word
                        + " username=\"u\" password=\"" + password + "\";'",
                "");
        Path job = dir.resolve("kafka.yaml");
        Files.writeString(job, yaml);
        JobDefinition def = JobDefinition.load(job);
        Throwable failure = null;
        try (TokenProducer p = TokenProducer.create("localhost:1", def.kafkaClientProperties(), "in",
                def.source().format())) {
            p.flush();
        } catch (RuntimeException e) {
            failure = e;
        }
        assertThat(failure).as("the client refuses the JAAS line").isNotNull();
        StringWriter trace = new StringWriter();
        failure.printStackTrace(new PrintWriter(trace));
        assertThat(trace.toString()).as("what the client echoes").contains(word);
        assertThat(Secrets.redact(trace.toString())).doesNotContain(word).doesNotContain(password)
                .contains("control flag").contains("JAAS config");

        Path in = dir.resolve("in.jsonl");
        Files.writeString(in, "{\"seq\":\"a\",\"token\":\"A\"}\n");
        for (String[] args : new String[][] {
                {"produce", "--job", job.toString(), "--input", in.toString(), "--bootstrap-servers", "localhost:1"},
                {"tail", "--job", job.toString(), "--timeout", "2", "--bootstrap-servers", "localhost:1"}}) {
            Outcome o = main(args);
            assertThat(o.code()).isNotZero();
            assertThat(o.all()).doesNotContain(word).doesNotContain(password);
            // the error line names Kafka's root cause, masked; the log file holds the whole trace, masked
            assertThat(o.err()).contains("Invalid login module control flag '" + Secrets.MASK + "'");
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\(full trace: (\\S+\\.log)").matcher(o.err());
            assertThat(m.find()).as(o.err()).isTrue();
            String log = Files.readString(Path.of(m.group(1)));
            assertThat(log).contains("control flag").contains("\tat ").doesNotContain(word).doesNotContain(password);
        }
    }

    @Test
    void commentsAndOrdinaryValuesAreNotMasked() {
        JobDefinition.load(Path.of("flink-jobs/attention.yaml"));   // mentions sasl.jaas.config in a comment
        String text = "reachable from the environment; read it";
        assertThat(Secrets.redact(text)).isEqualTo(text);
    }

    @Test
    void theRedactingStreamFindsASecretWrittenInPieces() throws Exception {
        Secrets.register("hunter2-in-pieces");
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        RedactingOutputStream r = new RedactingOutputStream(sink);
        byte[] text = "before hunter2-in-pieces after\nnext hunter2-in-pieces".getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < text.length; i += 5) {
            r.write(text, i, Math.min(5, text.length - i));
        }
        r.flush();
        assertThat(sink.toString(StandardCharsets.UTF_8))
                .isEqualTo("before " + Secrets.MASK + " after\nnext " + Secrets.MASK);
        assertThat(JobDefinition.isSecretKey("sasl.oauthbearer.client.credentials.client.secret")).isTrue();
        assertThat(JobDefinition.isSecretKey("ssl.keystore.key")).isTrue();
        assertThat(JobDefinition.isSecretKey("ssl.truststore.password")).isTrue();
        assertThat(JobDefinition.isSecretKey("security.protocol")).isFalse();
    }
}
