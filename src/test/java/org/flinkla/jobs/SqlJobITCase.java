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
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.flinkla.engine.SequenceModel;
import org.flinkla.kafka.EmbeddedKafka;
import org.flinkla.kafka.RecordFormat;
import org.flinkla.kafka.TokenProducer;
import org.flinkla.kafka.TopicReader;
import org.flinkla.model.ModelLoader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SQL job files on a MiniCluster with the in-process broker, against the DataStream job (the YAML
 * twin with the same model file) as reference: the committed outputs are the same (every position
 * once, values identical), the same bad rows are rejected with the same codes; a savepoint and
 * resume of the SQL job changes nothing; a malformed row does not stop it.
 *
 * <p>To cover another model, add a {@link Case}: the YAML job (its topics and settings; the model
 * is replaced by the file), the SQL job, the model file or directory.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class SqlJobITCase {
    /** A model to check: the DataStream job is {@code yaml} with {@code model.file = model}, the SQL job {@code sql}. */
    record Case(String name, String yaml, String sql, Path model, String emitFields, boolean inTheFiles) {
        Case(String name, String yaml, String sql, Path model) {
            this(name, yaml, sql, model, "", false);
        }

        /** Both jobs emit {@code emitFields}: given to them by the test, or {@code inTheFiles} already. */
        Case(String name, String yaml, String sql, Path model, String emitFields) {
            this(name, yaml, sql, model, emitFields, false);
        }

        /** The output fields every output must have ({@code y} and the asked ones but surprisal, which may be none). */
        java.util.Set<String> alwaysPresent() {
            org.flinkla.flink.EmitFields f = org.flinkla.flink.EmitFields.parse(emitFields);
            java.util.Set<String> s = new java.util.TreeSet<>(List.of("y"));
            if (f.probabilities()) {
                s.add("p");
            }
            if (f.logProbabilities()) {
                s.add("logp");
            }
            if (f.topK() > 0) {
                s.add("top");
            }
            return s;
        }

        @Override
        public String toString() {
            return name + ": " + sql + " with " + model + (emitFields.isEmpty() ? "" : ", emit fields " + emitFields);
        }

        /** The job file's text on this case's own topics and transactional ids (cases share the broker). */
        String onOwnTopics(String text, String side) {
            String prefix = side + "-" + name + "-";
            return text.replaceAll("(?m)^(\\s*(?:dead-letter-)?topic: )(\\S+)", "$1" + prefix + "$2")
                    .replaceAll("(?m)^(\\s*transactional-id-prefix: )(\\S+)", "$1" + prefix + "$2")
                    .replaceAll("(?m)^(\\s*group-id: )(\\S+)", "$1" + prefix + "$2")
                    .replaceAll("'topic' = '([^']+)'", "'topic' = '" + prefix + "$1'")
                    .replaceAll("'sink.transactional-id-prefix' = '([^']+)'", "'sink.transactional-id-prefix' = '"
                            + prefix + "$1'")
                    .replaceAll("'properties.group.id' = '([^']+)'", "'properties.group.id' = '" + prefix + "$1'");
        }
    }

    private static final String FIXTURES = "src/test/resources/fixtures/";

    /**
     * The attention job pair with: the seeded single layer of attention.yaml (symbols, ids, vectors);
     * a fast-transformers encoder stack of 2 layers over vectors (d_model 6, no vocabulary); a
     * fast-transformers stack with embedding and LM head over ACGTN (symbols and ids); an FLA Gated
     * DeltaNet of 2 layers over 16 token ids (ids only). The two language models also emit
     * language-model fields ({@code emit-fields} of the YAML job, {@code emit.fields} of the SQL job).
     * And the chromosome demo pair as shipped (trained Gated DeltaNet, probabilities and surprisal,
     * binary float32 outputs).
     */
    static Stream<Case> cases() {
        return Stream.of(
                new Case("single", "flink-jobs/attention.yaml", "flink-jobs/attention.sql",
                        Path.of("flink-jobs/models/attention.safetensors")),
                new Case("ftstack", "flink-jobs/attention.yaml", "flink-jobs/attention.sql",
                        Path.of(FIXTURES + "fast-transformers/elu_2layer_gelu_norm.safetensors")),
                new Case("ftlm", "flink-jobs/attention.yaml", "flink-jobs/attention.sql",
                        Path.of(FIXTURES + "fast-transformers/lm_elu_2layer_gelu_norm_acgtn.safetensors"),
                        "probabilities, log-probabilities, top-3, surprisal"),
                new Case("fla", "flink-jobs/attention.yaml", "flink-jobs/attention.sql",
                        Path.of(FIXTURES + "fla/gated_deltanet_default"), "probabilities, top-2, surprisal"),
                new Case("chr1", "flink-jobs/chr1-demo.yaml", "flink-jobs/chr1-demo.sql",
                        Path.of("src/main/resources/models/dna/gdn"), "probabilities, surprisal", true));
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<Case, Reference> REFERENCES = new ConcurrentHashMap<>();
    private static EmbeddedKafka kafka;
    @TempDir
    static Path tmp;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopKafka() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    private static PrintStream quiet() {
        return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------------------------------
    // inputs and the DataStream reference

    /**
     * JSON lines for the model's inputs: chunks, single tokens, ids, vectors, replays, a gap, a
     * reset, and bad rows both jobs reject (unknown symbol, id out of range, wrong dimension).
     */
    static List<String> inputLines(SequenceModel m) {
        Random r = new Random(17);
        List<String> lines = new ArrayList<>();
        String vocab = m.vocab();
        for (int s = 0; s < 6; s++) {
            String seq = "seq-" + s;
            long pos = 0;
            for (int k = 0; k < 8; k++) {
                ObjectNode o = JSON.createObjectNode().put("seq", seq).put("pos", pos);
                int n = 1 + r.nextInt(12);
                int kind = r.nextInt(3);
                if (vocab != null && kind == 0) {
                    StringBuilder sb = new StringBuilder();
                    for (int i = 0; i < n; i++) {
                        sb.append(vocab.charAt(r.nextInt(vocab.length())));
                    }
                    if (n == 1) {
                        o.put("token", sb.toString());
                    } else {
                        o.put("tokens", sb.toString());
                    }
                } else if (m.vocabSize() > 0 && (kind == 1 || m.inputWidth() == 0)) {
                    ArrayNode ids = o.putArray("ids");
                    for (int i = 0; i < n; i++) {
                        ids.add(r.nextInt(m.vocabSize()));
                    }
                } else {
                    ArrayNode xs = o.putArray("xs");
                    for (int i = 0; i < n; i++) {
                        ArrayNode x = xs.addArray();
                        for (int j = 0; j < m.inputWidth(); j++) {
                            x.add(r.nextGaussian());
                        }
                    }
                }
                lines.add(o.toString());
                pos += n;
                if (k == 3) {
                    lines.add(lines.get(lines.size() - 2)); // the previous record again: a replay
                }
                if (k == 5) {
                    pos += 3; // a gap
                }
            }
            if (s == 1) {
                lines.add(JSON.createObjectNode().put("seq", seq).put("control", "reset").toString());
                // after a reset the sequence starts afresh wherever the next record says (here past the old
                // positions, so that every (seq, pos) has one output)
                lines.add(lines.get(lines.size() - 9).replaceFirst("\"pos\":\\d+", "\"pos\":1000"));
            }
        }
        if (vocab != null) {
            lines.add("{\"seq\":\"seq-2\",\"tokens\":\"" + vocab.charAt(0) + "\u00a7\"}");
        }
        if (m.vocabSize() > 0) {
            lines.add("{\"seq\":\"seq-3\",\"ids\":[0," + m.vocabSize() + "]}");
        }
        if (m.inputWidth() > 0) {
            lines.add("{\"seq\":\"seq-4\",\"x\":[1.0,2.0]}");
        }
        return lines;
    }

    /** The DataStream job's committed outputs and dead-letter reasons for a case's input. */
    record Reference(List<String> lines, Map<List<Object>, Map<String, Object>> outputs, Map<String, Long> reasons) {}

    static Reference reference(Case c) {
        return REFERENCES.computeIfAbsent(c, k -> {
            try {
                SequenceModel m = ModelLoader.load(c.model());
                List<String> lines = inputLines(m);
                Path in = tmp.resolve("in-" + Math.abs(c.hashCode()) + ".jsonl");
                Files.write(in, lines);
                String yaml = c.onOwnTopics(Files.readString(Path.of(c.yaml())), "ds")
                        .replaceAll("(?m)^model:\\n(?:[ \\t]+[^\\n]*\\n|\\n)*", "model:\n  file: "
                                + c.model().toAbsolutePath() + "\n")
                        .replaceAll("(?m)^checkpoint-interval: \\S+", "checkpoint-interval: 200ms") // a short run
                        + (c.inTheFiles() || c.emitFields().isEmpty() ? "" : "\nemit-fields: " + c.emitFields() + "\n");
                JobDefinition job = JobDefinition.parse(c.yaml(), yaml, e -> null);
                Path out = tmp.resolve("ds-" + Math.abs(c.hashCode()) + ".jsonl");
                JobRunner.Result r = JobRunner.run(job, new JobRunner.Options().bootstrapServers(kafka.bootstrapServers())
                        .inputFile(in).outputFile(out).timeout(Duration.ofSeconds(120)).log(quiet()));
                return new Reference(lines, outputs(Files.readAllLines(out)), r.deadLetterReasons);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** The output fields of run's form: single name, chunk name. */
    private static final String[][] FIELDS = {{"y", "ys"}, {"p", "ps"}, {"logp", "logps"}, {"top", "tops"},
        {"surprisal", "surprisals"}};

    /**
     * (seq, pos) → the output's fields ({@code y}, and {@code p}, {@code logp}, {@code top},
     * {@code surprisal} when present) of JSON output lines in single ({@code y}, ...) or chunk form
     * ({@code ys}, ...), numbers as doubles; a surprisal that is null or absent counts as none. A
     * position twice fails.
     */
    static Map<List<Object>, Map<String, Object>> outputs(List<String> lines) throws Exception {
        Map<List<Object>, Map<String, Object>> m = new TreeMap<>((a, b) -> {
            int s = ((String) a.get(0)).compareTo((String) b.get(0));
            return s != 0 ? s : Long.compare((Long) a.get(1), (Long) b.get(1));
        });
        for (String line : lines) {
            JsonNode o = JSON.readTree(line);
            String seq = o.get("seq").asText();
            long pos = o.get("pos").asLong();
            boolean chunk = o.has("ys");
            int n = chunk ? o.get("ys").size() : 1;
            for (int i = 0; i < n; i++) {
                Map<String, Object> fields = new TreeMap<>();
                for (String[] f : FIELDS) {
                    JsonNode v = chunk ? (o.has(f[1]) ? o.get(f[1]).get(i) : null) : o.get(f[0]);
                    if (v != null && !v.isNull()) {
                        fields.put(f[0], plain(v));
                    }
                }
                long at = o.has("positions") ? o.get("positions").get(i).asLong() : pos + i;
                Map<String, Object> before = m.put(List.of(seq, at), fields);
                assertThat(before).as("output at " + seq + " " + at + " once").isNull();
            }
        }
        return m;
    }

    /** A JSON value as lists, sorted maps, doubles and strings. */
    private static Object plain(JsonNode v) {
        if (v.isArray()) {
            List<Object> l = new ArrayList<>();
            v.forEach(e -> l.add(plain(e)));
            return l;
        }
        if (v.isObject()) {
            Map<String, Object> o = new TreeMap<>();
            v.fields().forEachRemaining(e -> o.put(e.getKey(), plain(e.getValue())));
            return o;
        }
        if (v.isNumber()) {
            return v.doubleValue();
        }
        return v.isNull() ? null : v.asText();
    }

    // ------------------------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("cases")
    void theSqlJobCommitsTheDataStreamJobsOutputs(Case c) throws Exception {
        Reference ref = reference(c);
        assertThat(ref.outputs()).hasSizeGreaterThan(100);
        // the reference has the asked fields (else the equality below would prove little)
        ref.outputs().values().forEach(f -> assertThat(f).containsKeys(c.alwaysPresent().toArray(String[]::new)));
        if (org.flinkla.flink.EmitFields.parse(c.emitFields()).surprisal()) {
            // (tokens given as vectors, the first of a sequence, after a reset or gap have none)
            assertThat(ref.outputs().values()).filteredOn(f -> f.containsKey("surprisal")).hasSizeGreaterThan(40);
        }
        Path in = tmp.resolve("sql-in-" + c.name() + ".jsonl");
        Files.write(in, ref.lines());
        Path out = tmp.resolve("sql-out-" + c.name() + ".jsonl");
        // the shipped file as it is, but on the case's topics and for a shorter checkpoint interval (the
        // run ends after a final checkpoint)
        Path sql = tmp.resolve(c.name() + "-" + Path.of(c.sql()).getFileName());
        Files.writeString(sql, c.onOwnTopics(Files.readString(Path.of(c.sql())), "sql").replaceAll(
                "'execution.checkpointing.interval' = '[^']+'", "'execution.checkpointing.interval' = '200ms'"));
        SqlJobRunner.Options o = new SqlJobRunner.Options().bootstrapServers(kafka.bootstrapServers())
                .define("model", c.model().toAbsolutePath().toUri().toString());
        if (!c.inTheFiles() && !c.emitFields().isEmpty()) {
            o.define("emit.fields", c.emitFields());
        }
        SqlJobRunner.Result r = SqlJobRunner.run(SqlJobFile.load(sql), o
                .inputFile(in).outputFile(out).timeout(Duration.ofSeconds(120)).partitions(3).log(quiet()));
        Map<List<Object>, Map<String, Object>> got = outputs(Files.readAllLines(out));
        assertThat(got.keySet()).containsExactlyElementsOf(ref.outputs().keySet());
        assertThat(got).isEqualTo(ref.outputs());
        assertThat(r.outputTokens).isEqualTo(ref.outputs().size());
        assertThat(r.errorReasons).isEqualTo(ref.reasons()).isNotEmpty();
    }

    @Test
    void aSavepointAndResumeOfTheSqlJobChangesNothingAndBadRowsDoNotStopIt() throws Exception {
        Case c = cases().findFirst().orElseThrow();
        Reference ref = reference(c);
        // the SQL job on its own topics, checkpointing more often
        String sql = Files.readString(Path.of(c.sql()))
                .replaceAll("'topic' = '([^']+)'", "'topic' = 'sp-$1'")
                .replaceAll("'sink.transactional-id-prefix' = '([^']+)'", "'sink.transactional-id-prefix' = 'sp-$1'")
                .replace("'execution.checkpointing.interval' = '2s'", "'execution.checkpointing.interval' = '300ms'")
                .replace("max_record_bytes => 1048576", "max_record_bytes => 16384"); // the largest valid line has ~5 kB
        Path file = tmp.resolve("savepoint.sql");
        Files.writeString(file, sql);
        SqlJobRunner.Options o = new SqlJobRunner.Options().define("model", c.model().toAbsolutePath().toUri().toString())
                .log(quiet());
        List<SqlJobFile.Statement> statements = SqlJobRunner.resolve(SqlJobFile.load(file), Map.of("model",
                c.model().toAbsolutePath().toUri().toString()), kafka.bootstrapServers());
        SqlPipeline first = SqlJobRunner.plan(statements, o, false);
        EmbeddedKafka.createTopics(kafka.bootstrapServers(), new Properties(), 3, first.topics());
        String inTopic = first.source().topic();
        String outTopic = "sp-attention-out";
        String dlqTopic = "sp-attention-dead-letters";

        List<String> lines = ref.lines();
        int half = lines.size() / 2;
        produce(inTopic, lines.subList(0, half));
        JobClient job = first.execute().getJobClient().orElseThrow();
        awaitOutputs(outTopic, 1);
        String savepoint = job.stopWithSavepoint(false, tmp.resolve("savepoints").toUri().toString(),
                SavepointFormatType.CANONICAL).get(120, TimeUnit.SECONDS);

        List<String> rest = new ArrayList<>(lines.subList(half, lines.size()));
        // malformed values in the middle of the input: each one error row, every valid record still gives its outputs
        rest.add(0, "{not json");                               // not JSON, no key: bad_json
        rest.add(1, "{\"seq\":\"seq-0\",\"pos\":2}");           // no payload: bad_record
        rest.add(2, "{\"seq\":\"seq-big\",\"tokens\":\"" + "A".repeat(20_000) + "\"}"); // over 16384 bytes: oversize
        rest.add(3, "\u00ff\u00fe binary?");                    // not JSON: bad_json
        rest.add(4, "{\"pos\":0,\"tokens\":\"AC\"}");             // no key, no seq: missing_seq
        produce(inTopic, rest);
        o.fromSavepoint(savepoint);
        JobClient resumed = SqlJobRunner.plan(statements, o, false).execute().getJobClient().orElseThrow();
        awaitOutputs(outTopic, ref.outputs().size());
        Thread.sleep(1000); // room for duplicates to show up
        resumed.stopWithSavepoint(false, tmp.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL)
                .get(120, TimeUnit.SECONDS);

        List<String> got = new ArrayList<>();
        try (TopicReader r = TopicReader.open(kafka.bootstrapServers(), new Properties(), outTopic, null)) {
            for (ConsumerRecord<byte[], byte[]> rec : r.readToEnd(Duration.ofSeconds(60))) {
                got.add(SqlJobRunner.jsonLine(new String(rec.key(), StandardCharsets.UTF_8), rec.value()));
            }
        }
        assertThat(outputs(got)).isEqualTo(ref.outputs());
        Map<String, Long> reasons = new HashMap<>();
        try (TopicReader r = TopicReader.open(kafka.bootstrapServers(), new Properties(), dlqTopic, null)) {
            for (ConsumerRecord<byte[], byte[]> rec : r.readToEnd(Duration.ofSeconds(60))) {
                reasons.merge(SqlJobRunner.reasonCode(rec), 1L, Long::sum);
            }
        }
        Map<String, Long> want = new HashMap<>(ref.reasons());
        want.merge("bad_record", 1L, Long::sum);
        want.merge("bad_json", 2L, Long::sum);
        want.merge("oversize", 1L, Long::sum);
        want.merge("missing_seq", 1L, Long::sum);
        assertThat(reasons).isEqualTo(want);
    }

    @Test
    void theChromosomeDemoTwinPlansWithItsBinarySink() throws Exception {
        List<SqlJobFile.Statement> s = SqlJobRunner.resolve(SqlJobFile.load(Path.of("flink-jobs/chr1-demo.sql")), Map.of(),
                kafka.bootstrapServers());
        SqlPipeline p = SqlJobRunner.plan(s, new SqlJobRunner.Options().log(quiet()), true);
        assertThat(p.source().topic()).isEqualTo("chr1-bases");
        assertThat(p.source().options()).containsEntry("scan.bounded.mode", "latest-offset");
        assertThat(p.sinks()).extracting(SqlPipeline.KafkaTable::topic)
                .containsExactlyInAnyOrder("chr1-attention", "chr1-dead-letters");
        assertThat(p.sinks()).filteredOn(t -> !t.isErrorSink()).extracting(SqlPipeline.KafkaTable::valueFormat)
                .containsExactly("raw");
    }

    private static void produce(String topic, List<String> lines) throws Exception {
        Properties raw = new Properties();
        raw.put("bootstrap.servers", kafka.bootstrapServers());
        raw.put("key.serializer", org.apache.kafka.common.serialization.ByteArraySerializer.class.getName());
        raw.put("value.serializer", org.apache.kafka.common.serialization.ByteArraySerializer.class.getName());
        try (TokenProducer p = TokenProducer.create(kafka.bootstrapServers(), new Properties(), topic, RecordFormat.JSON);
                org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]> bad =
                        new org.apache.kafka.clients.producer.KafkaProducer<>(raw)) {
            // a line that is no record goes to the topic as it is: the SQL job must survive it
            p.jsonLines(new org.flinkla.records.JsonLines(new java.io.ByteArrayInputStream(
                    String.join("\n", lines).getBytes(java.nio.charset.StandardCharsets.UTF_8)), 1 << 20),
                    (line, reason) -> bad.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, line.bytes())));
            bad.flush();
        }
    }

    private static void awaitOutputs(String topic, int n) {
        try (TopicReader r = TopicReader.open(kafka.bootstrapServers(), new Properties(), topic, null)) {
            List<ConsumerRecord<byte[], byte[]>> got = r.readUntil(l -> l.size() >= n, Duration.ofSeconds(90));
            assertThat(got).as("committed outputs on " + topic).hasSizeGreaterThanOrEqualTo(n);
        }
    }
}
