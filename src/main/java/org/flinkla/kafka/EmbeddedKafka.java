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

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * An in-process single-node KRaft Kafka broker (Kafka 4.2.0 jars, combined broker + controller)
 * for the embedded default of {@code run} and for tests. Starts in a few seconds, listens on a
 * free localhost port, and deletes its log directory on {@link #close()}.
 *
 * <pre>{@code
 * try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
 *     kafka.createTopics(4, "attention-in", "attention-out");
 *     String bootstrap = kafka.bootstrapServers();
 *     ...
 * }
 * }</pre>
 *
 * <p>Settings for one node (BUILD-FACTS): replication factor 1 and min ISR 1 for the internal
 * offsets and transaction-state topics, no initial rebalance delay, and a transaction timeout
 * ceiling ({@value #TRANSACTION_MAX_TIMEOUT_MS} ms) above the sink's
 * {@link KafkaSettings#SINK_TRANSACTION_TIMEOUT_MS}, and records up to
 * {@link KafkaSettings#MAX_RECORD_BYTES} (large chunk outputs).
 */
public final class EmbeddedKafka implements AutoCloseable {
    /** Broker-side ceiling for producer transaction timeouts (Kafka's default, 15 min). */
    public static final int TRANSACTION_MAX_TIMEOUT_MS = 900_000;

    private final KafkaClusterTestKit cluster;
    private final String bootstrapServers;

    private EmbeddedKafka(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
        this.bootstrapServers = cluster.bootstrapServers();
    }

    /** Starts a broker with its data under {@code java.io.tmpdir}. */
    public static EmbeddedKafka start() throws Exception {
        return start(Map.of());
    }

    /** Starts a broker; {@code extraBrokerConfig} overrides or adds broker settings. */
    public static EmbeddedKafka start(Map<String, ?> extraBrokerConfig) throws Exception {
        return start(Files.createTempDirectory("kraft-"), extraBrokerConfig);
    }

    /** Starts a broker with its data under {@code base} (deleted on {@link #close()}). */
    public static EmbeddedKafka start(Path base, Map<String, ?> extraBrokerConfig) throws Exception {
        TestKitNodes nodes = new TestKitNodes.Builder()
                .setCombined(true)
                .setNumBrokerNodes(1)
                .setNumControllerNodes(1)
                .setBaseDirectory(base)
                .build();
        KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes)
                .setDeleteOnClose(true)
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("offsets.topic.num.partitions", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("transaction.state.log.num.partitions", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .setConfigProp("transaction.max.timeout.ms", String.valueOf(TRANSACTION_MAX_TIMEOUT_MS))
                .setConfigProp("auto.create.topics.enable", "false")
                .setConfigProp("num.partitions", "1")
                .setConfigProp("message.max.bytes", String.valueOf(KafkaSettings.MAX_RECORD_BYTES));
        extraBrokerConfig.forEach(builder::setConfigProp);
        KafkaClusterTestKit kit = builder.build();
        java.io.PrintStream stdout = System.out;
        try {
            // the test kit's formatter prints its bootstrap metadata to stdout: keep the CLI's output clean
            System.setOut(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
            kit.format();
            System.setOut(stdout);
            kit.startup();
            kit.waitForReadyBrokers();
        } catch (Exception e) {
            System.setOut(stdout);
            try {
                kit.close();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new IllegalStateException("the in-process Kafka broker did not start: " + e.getMessage(), e);
        }
        return new EmbeddedKafka(kit);
    }

    /** {@code host:port} of the broker's client listener. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Creates the topics if they do not exist yet. */
    public void createTopics(int partitions, String... topics) throws Exception {
        createTopics(bootstrapServers, new Properties(), partitions, List.of(topics));
    }

    /**
     * Creates {@code topics} with {@code partitions} partitions and the broker's default replication
     * factor on any cluster reachable with {@code clientProperties}; topics that already exist are
     * left alone.
     */
    public static void createTopics(String bootstrapServers, Properties clientProperties, int partitions,
            Collection<String> topics) throws Exception {
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        long wait = KafkaClients.apiTimeout(p).toMillis();
        Admin admin = Admin.create(p);
        try {
            Set<String> existing = admin.listTopics().names().get(wait, TimeUnit.MILLISECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (String t : topics) {
                if (!existing.contains(t) && missing.stream().noneMatch(n -> n.name().equals(t))) {
                    missing.add(new NewTopic(t, Optional.of(partitions), Optional.empty()));
                }
            }
            if (missing.isEmpty()) {
                return;
            }
            try {
                admin.createTopics(missing).all().get(wait, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("could not create topics " + topics + ": "
                            + e.getCause().getMessage(), e.getCause());
                }
            }
            awaitLeaders(admin, missing.stream().map(NewTopic::name).collect(java.util.stream.Collectors.toList()), wait);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new KafkaUnreachableException(bootstrapServers, "no answer to listing or creating topics within "
                    + Math.max(1, wait / 1000) + " s", e);
        } finally {
            admin.close(Duration.ofSeconds(2));
        }
    }

    /**
     * Waits (up to {@code waitMs}) until every partition of the new topics has a leader, so that the
     * first records sent to them do not sit in a producer's batch while the leaders are elected.
     */
    private static void awaitLeaders(Admin admin, List<String> names, long waitMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
        while (System.nanoTime() < deadline) {
            try {
                boolean ready = admin.describeTopics(names).allTopicNames().get(waitMs, TimeUnit.MILLISECONDS)
                        .values().stream()
                        .allMatch(d -> d.partitions().stream().allMatch(pi -> pi.leader() != null && !pi.leader().isEmpty()));
                if (ready) {
                    return;
                }
            } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                // not visible yet (UnknownTopicOrPartition) or slow: ask again
            }
            Thread.sleep(50);
        }
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
