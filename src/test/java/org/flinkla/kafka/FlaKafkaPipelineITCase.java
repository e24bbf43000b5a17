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
package org.flinkla.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.flinkla.kafka.testutils.PipelineTestSupport.assertMatchesReference;
import static org.flinkla.kafka.testutils.PipelineTestSupport.outputs;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.flinkla.engine.ModelState;
import org.flinkla.engine.ModelStepper;
import org.flinkla.engine.SequenceModel;
import org.flinkla.jobs.AttentionJob;
import org.flinkla.jobs.JobDefinition;
import org.flinkla.kafka.testutils.PipelineTestSupport;
import org.flinkla.model.FlaFixtures;
import org.flinkla.records.TokenRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Kafka → Flink → Kafka on an in-process broker with an FLA model directory of each model_type
 * ({@code model.file} pointing at the directory, {@code overrides: {state_precision: float64}}):
 * exactly-once outputs for three interleaved keys, sent as id chunks and single ids over three
 * partitions, equal the engine's, and the key carrying the fixture's ids gets the reference
 * logits within 1e-9.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class FlaKafkaPipelineITCase {
    private static EmbeddedKafka kafka;

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

    private static JobDefinition job(String prefix, String modelDir) {
        String yaml = String.join("\n",
                "name: " + prefix,
                "parallelism: 2",
                "source: {topic: " + prefix + "-in, partitions: 3, max-record-bytes: 65536}",
                "sink: {topic: " + prefix + "-out, dead-letter-topic: " + prefix + "-dlq}",
                "model:",
                "  file: " + modelDir,
                "  overrides: {state_precision: float64}",
                "guarantee: exactly-once",
                "checkpoint-interval: 300ms",
                "max-tokens-per-record: 256",
                "");
        return JobDefinition.parse(prefix + ".yaml", yaml, k -> null);
    }

    /** ids as records of 1, 4, 1, 9, ... tokens with positions. */
    private static List<TokenRecord> records(String seq, int[] ids) {
        int[] sizes = {1, 4, 1, 9, 2};
        List<TokenRecord> out = new ArrayList<>();
        for (int p = 0, k = 0; p < ids.length; k++) {
            int n = Math.min(sizes[k % sizes.length], ids.length - p);
            out.add(TokenRecord.ids(seq, p, Arrays.copyOfRange(ids, p, p + n), n > 1));
            p += n;
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"gated_deltanet_default", "delta_net_relu_gate_noconv", "gla_kv_conv_unfused_sharded", "retnet_kv_nogate"})
    void exactlyOnceOutputsOfAnFlaDirectoryEqualTheEngineAndTheReference(String fixture) throws Exception {
        FlaFixtures.Case c = FlaFixtures.get(fixture);
        String prefix = "fla-" + fixture.replace('_', '-');
        JobDefinition job = job(prefix, c.dir.toAbsolutePath().toString());
        kafka.createTopics(job.source().partitions(), job.topics().toArray(new String[0]));
        SequenceModel model = AttentionJob.loadModel(job);
        assertThat(model.architecture()).startsWith("fla-" + c.modelType);

        Map<String, int[]> seqs = new TreeMap<>();
        seqs.put("fixture", c.ids);
        int[] rev = new int[c.ids.length];
        int[] twice = new int[2 * c.ids.length];
        for (int i = 0; i < c.ids.length; i++) {
            rev[i] = c.ids[c.ids.length - 1 - i];
            twice[i] = c.ids[i];
            twice[c.ids.length + i] = rev[i];
        }
        seqs.put("reversed", rev);
        seqs.put("twice", twice);
        List<List<TokenRecord>> perKey = new ArrayList<>();
        Map<String, Map<Long, double[]>> reference = new HashMap<>();
        int total = 0;
        for (Map.Entry<String, int[]> e : seqs.entrySet()) {
            perKey.add(records(e.getKey(), e.getValue()));
            reference.put(e.getKey(), engine(model, e.getValue()));
            total += e.getValue().length;
        }
        try (TokenProducer p = TokenProducer.create(kafka.bootstrapServers(), new Properties(), job.source().topic(),
                job.source().format())) {
            PipelineTestSupport.interleave(perKey).forEach(p::send);
        }
        StreamExecutionEnvironment env = PipelineTestSupport.environment(job, 0);
        AttentionJob.pipeline(job, kafka.bootstrapServers(), false).addTo(env);
        JobClient jc = env.executeAsync(job.name());
        try {
            List<ConsumerRecord<byte[], byte[]>> got =
                    PipelineTestSupport.readOutputs(kafka.bootstrapServers(), job, total);
            List<PipelineTestSupport.Output> outs = outputs(got);
            assertMatchesReference(outs, reference);
            for (PipelineTestSupport.Output o : outs) {
                if (o.seq.equals("fixture")) {
                    assertThat(o.y).as("logits at %d", o.pos).isEqualTo(reference.get("fixture").get(o.pos));
                    assertThat(FlaFixtures.errorRatio(o.y, c.logits[(int) o.pos], 1e-9, 1e-12))
                            .as("reference logits at %d", o.pos).isLessThanOrEqualTo(1.0);
                }
            }
        } finally {
            jc.cancel().get(60, TimeUnit.SECONDS);
        }
    }

    /**
     * The engine fed the same records as {@link #records} (records of 8 tokens or more run FLA's
     * chunk form, whose results depend at rounding level on the record boundaries).
     */
    private static Map<Long, double[]> engine(SequenceModel m, int[] ids) {
        ModelStepper st = m.newStepper();
        ModelState s = m.newState();
        Map<Long, double[]> out = new TreeMap<>();
        int w = m.outputWidth();
        for (TokenRecord r : records("engine", ids)) {
            int[] chunk = r.ids();
            double[] ys = new double[chunk.length * w];
            st.stepTokens(s, chunk, 0, chunk.length, ys, 0);
            for (int t = 0; t < chunk.length; t++) {
                out.put(r.pos() + t, Arrays.copyOfRange(ys, t * w, (t + 1) * w));
            }
        }
        return out;
    }
}
