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
package org.flinkla.kafka.testutils;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.flinkla.engine.ModelState;
import org.flinkla.engine.RecurrentLinearAttention;
import org.flinkla.jobs.AttentionJob;
import org.flinkla.jobs.JobDefinition;
import org.flinkla.kafka.TopicReader;
import org.flinkla.engine.ModelStepper;
import org.flinkla.engine.SequenceModel;
import org.flinkla.records.TokenRecord;

/**
 * Shared pieces of the Kafka ITCases: a small job definition, deterministic token streams, the
 * engine's reference outputs, and parsing/checking of committed JSON outputs.
 */
public final class PipelineTestSupport {
    public static final int D_MODEL = 8;
    public static final int D_OUT = 8;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration OUTPUT_WAIT = Duration.ofSeconds(90);

    private PipelineTestSupport() {}

    /** A job definition on topics {@code prefix-in/-out/-dlq}, seeded model (d_model 8, vocab ACGTN). */
    public static JobDefinition job(String prefix, String guarantee, String extraYaml) {
        String yaml = String.join("\n",
                "name: " + prefix,
                "parallelism: 2",
                "source: {topic: " + prefix + "-in, partitions: 3, max-record-bytes: 4096}",
                "sink: {topic: " + prefix + "-out, dead-letter-topic: " + prefix + "-dlq}",
                "model:",
                "  seeded: {seed: 11, d-model: 8, heads: 2, d-key: 4, d-value: 4, d-out: 8, vocab: ACGTN}",
                "guarantee: " + guarantee,
                "checkpoint-interval: 300ms",
                "max-tokens-per-record: 256",
                extraYaml,
                "");
        return JobDefinition.parse(prefix + ".yaml", yaml, k -> null);
    }

    /** A local environment for the job; {@code restarts} fixed-delay attempts (0 = none). */
    public static StreamExecutionEnvironment environment(JobDefinition job, int restarts) {
        Configuration conf = AttentionJob.flinkConfiguration(job);
        if (restarts == 0) {
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        } else {
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, restarts);
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        }
        return StreamExecutionEnvironment.createLocalEnvironment(conf);
    }

    /**
     * Deterministic records for {@code keys} sequences of {@code tokensPerKey} tokens each, in
     * mixed forms (single vectors, vector chunks, symbol chunks, single symbols), all with pos.
     * Returned in per-key order, keys interleaved.
     */
    public static List<TokenRecord> records(int keys, int tokensPerKey, long seed) {
        Random rnd = new Random(seed);
        List<List<TokenRecord>> perKey = new ArrayList<>();
        for (int k = 0; k < keys; k++) {
            String seq = "seq-" + k;
            List<TokenRecord> recs = new ArrayList<>();
            int pos = 0;
            int form = 0;
            while (pos < tokensPerKey) {
                int n = Math.min(tokensPerKey - pos, 1 + rnd.nextInt(12));
                switch (form++ % 4) {
                    case 0:
                        recs.add(TokenRecord.vectors(seq, pos, vector(rnd, 1), D_MODEL, false));
                        n = 1;
                        break;
                    case 1:
                        recs.add(TokenRecord.vectors(seq, pos, vector(rnd, n), D_MODEL, true));
                        break;
                    case 2:
                        recs.add(TokenRecord.symbols(seq, pos, symbols(rnd, n), true));
                        break;
                    default:
                        recs.add(TokenRecord.symbols(seq, pos, symbols(rnd, 1), false));
                        n = 1;
                }
                pos += n;
            }
            perKey.add(recs);
        }
        return interleave(perKey);
    }

    /** The lists' elements round-robin: the first of each list, then the second of each, ... */
    public static <T> List<T> interleave(List<List<T>> perKey) {
        List<T> out = new ArrayList<>();
        for (int i = 0; ; i++) {
            boolean any = false;
            for (List<T> l : perKey) {
                if (i < l.size()) {
                    out.add(l.get(i));
                    any = true;
                }
            }
            if (!any) {
                return out;
            }
        }
    }

    private static double[] vector(Random rnd, int n) {
        double[] v = new double[n * D_MODEL];
        for (int i = 0; i < v.length; i++) {
            v[i] = rnd.nextGaussian();
        }
        return v;
    }

    private static String symbols(Random rnd, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append("ACGTN".charAt(rnd.nextInt(5)));
        }
        return sb.toString();
    }

    /** The engine's outputs, per sequence and position, for records given in per-key order (no replays). */
    public static Map<String, Map<Long, double[]>> reference(SequenceModel model, List<TokenRecord> records) {
        ModelStepper layer = model.newStepper();
        Map<String, ModelState> states = new HashMap<>();
        Map<String, Map<Long, double[]>> out = new HashMap<>();
        for (TokenRecord r : records) {
            ModelState s = states.computeIfAbsent(r.seq(), k -> model.newState());
            Map<Long, double[]> ys = out.computeIfAbsent(r.seq(), k -> new TreeMap<>());
            for (int i = 0; i < r.count(); i++) {
                double[] y = new double[model.outputWidth()];
                if (r.kind() == TokenRecord.Kind.VECTORS) {
                    layer.step(s, r.vectors(), i * r.dim(), y, 0);
                } else {
                    layer.stepToken(s, model.tokenId(r.symbols().charAt(i)), y, 0);
                }
                ys.put(r.pos() + i, y);
            }
        }
        return out;
    }

    /** One parsed output: sequence, position, vector. */
    public static final class Output {
        public final String seq;
        public final long pos;
        public final double[] y;

        Output(String seq, long pos, double[] y) {
            this.seq = seq;
            this.pos = pos;
            this.y = y;
        }
    }

    /** Every output vector carried by committed JSON output records. */
    public static List<Output> outputs(List<ConsumerRecord<byte[], byte[]>> records) {
        List<Output> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            try {
                JsonNode n = JSON.readTree(r.value());
                String seq = n.get("seq").asText();
                assertThat(new String(r.key(), StandardCharsets.UTF_8)).as("output key").isEqualTo(seq);
                long pos = n.get("pos").asLong();
                if (n.has("y")) {
                    out.add(new Output(seq, pos, vector(n.get("y"))));
                } else {
                    JsonNode positions = n.get("positions");
                    for (int i = 0; i < n.get("ys").size(); i++) {
                        long p = positions != null ? positions.get(i).asLong() : pos + i;
                        out.add(new Output(seq, p, vector(n.get("ys").get(i))));
                    }
                }
            } catch (IOException e) {
                throw new AssertionError("output is not JSON: " + new String(r.value(), StandardCharsets.UTF_8), e);
            }
        }
        return out;
    }

    /**
     * Reads the job's committed outputs until {@code n} output vectors arrived (at most 90 s), then
     * 1.5 s longer: a duplicate committed late (two more checkpoint intervals) shows up too.
     */
    public static List<ConsumerRecord<byte[], byte[]>> readOutputs(String bootstrapServers, JobDefinition job, int n) {
        try (TopicReader r = TopicReader.open(bootstrapServers, new Properties(), job.sink().topic(), null)) {
            List<ConsumerRecord<byte[], byte[]>> got = new ArrayList<>(r.readUntil(l -> count(l) >= n, OUTPUT_WAIT));
            got.addAll(r.readUntil(l -> false, Duration.ofMillis(1500)));
            return got;
        }
    }

    /** Number of output vectors in the records (for readUntil). */
    public static int count(List<ConsumerRecord<byte[], byte[]>> records) {
        return outputs(records).size();
    }

    private static double[] vector(JsonNode a) {
        double[] v = new double[a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = a.get(i).asDouble();
        }
        return v;
    }

    /**
     * Asserts that {@code outputs} holds exactly one output per reference position (nothing lost,
     * nothing duplicated) and each equals the engine's to 1e-9 relative (of the vector's max norm).
     */
    public static void assertMatchesReference(List<Output> outputs, Map<String, Map<Long, double[]>> reference) {
        Map<String, Map<Long, double[]>> seen = new HashMap<>();
        for (Output o : outputs) {
            double[] prev = seen.computeIfAbsent(o.seq, k -> new HashMap<>()).put(o.pos, o.y);
            assertThat(prev).as("duplicate output for %s@%d", o.seq, o.pos).isNull();
        }
        int expected = reference.values().stream().mapToInt(Map::size).sum();
        assertThat(outputs).as("number of outputs").hasSize(expected);
        for (Map.Entry<String, Map<Long, double[]>> e : reference.entrySet()) {
            Map<Long, double[]> got = seen.getOrDefault(e.getKey(), Map.of());
            assertThat(got.keySet()).as("positions of %s", e.getKey()).isEqualTo(e.getValue().keySet());
            for (Map.Entry<Long, double[]> p : e.getValue().entrySet()) {
                double[] want = p.getValue();
                double[] have = got.get(p.getKey());
                assertThat(have).as("width of %s@%d", e.getKey(), p.getKey()).hasSize(want.length);
                double scale = 0;
                for (double w : want) {
                    scale = Math.max(scale, Math.abs(w));
                }
                for (int i = 0; i < want.length; i++) {
                    assertThat(Math.abs(have[i] - want[i])).as("%s@%d[%d]: %s vs engine %s", e.getKey(), p.getKey(),
                            i, have[i], want[i]).isLessThanOrEqualTo(1e-9 * Math.max(scale, 1e-300));
                }
            }
        }
    }
}
