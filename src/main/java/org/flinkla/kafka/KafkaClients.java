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

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigException;

/**
 * Kafka client settings of the commands: every wait of a client is bounded by the command's own
 * timeout (Kafka's defaults are 60 s for {@code max.block.ms} and {@code default.api.timeout.ms},
 * so an unreachable broker used to take a minute to be reported), and a first probe of the broker
 * that fails with the address tried.
 */
public final class KafkaClients {
    /** Bound on client waits of a command without a --timeout of its own. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    /** Longest single request: {@code delivery.timeout.ms} (2 min by default) must stay above it. */
    private static final long MAX_REQUEST_MS = 30_000;

    private KafkaClients() {}

    /**
     * A copy of {@code client} whose waits are bounded by {@code timeout}: {@code default.api.timeout.ms}
     * (consumer and admin calls), {@code max.block.ms} (producer metadata and buffer waits) and
     * {@code request.timeout.ms}; values set in the job file's {@code kafka.properties} win.
     */
    public static Properties bounded(Properties client, Duration timeout) {
        long ms = Math.max(1000, timeout.toMillis());
        Properties p = new Properties();
        p.putAll(client);
        p.putIfAbsent(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(ms));
        p.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(ms));
        p.putIfAbsent(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(Math.min(ms, MAX_REQUEST_MS)));
        return p;
    }

    /** The bound of explicit waits on clients made from {@code p} ({@code default.api.timeout.ms}, else 60 s). */
    public static Duration apiTimeout(Properties p) {
        Object v = p.get(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG);
        if (v != null) {
            try {
                return Duration.ofMillis(Long.parseLong(v.toString().trim()));
            } catch (NumberFormatException e) {
                // the client itself reports the bad value
            }
        }
        return Duration.ofSeconds(60);
    }

    /**
     * Asks the cluster for its brokers, waiting at most {@code timeout}: fails with a
     * {@link KafkaUnreachableException} naming {@code bootstrapServers} when no broker answers or the
     * address does not resolve.
     */
    public static void probe(String bootstrapServers, Properties client, Duration timeout) {
        Properties p = bounded(client, timeout);
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        Admin admin;
        try {
            admin = Admin.create(p);
        } catch (RuntimeException e) {
            if (isUnresolvable(e)) {
                throw new KafkaUnreachableException(bootstrapServers, "does not resolve to any address", e);
            }
            throw e;
        }
        try {
            admin.describeCluster().nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new KafkaUnreachableException(bootstrapServers, "no broker answered within "
                    + Math.max(1, timeout.toSeconds()) + " s", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
                throw new KafkaUnreachableException(bootstrapServers, "no broker answered within "
                        + Math.max(1, timeout.toSeconds()) + " s", e.getCause());
            }
            throw new IllegalStateException("Kafka at " + bootstrapServers + " refused to describe the cluster: "
                    + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while connecting to Kafka at " + bootstrapServers, e);
        } finally {
            admin.close(Duration.ofSeconds(1));
        }
    }

    /** Offsets of {@code topic} committed by consumer group {@code groupId} (partitions without a commit left out). */
    public static Map<Integer, Long> committedOffsets(String bootstrapServers, Properties client, String groupId,
            String topic) {
        Properties p = new Properties();
        p.putAll(client);
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        Duration wait = apiTimeout(p);
        Admin admin = Admin.create(p);
        try {
            Map<Integer, Long> out = new HashMap<>();
            admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata()
                    .get(wait.toMillis(), TimeUnit.MILLISECONDS).forEach((tp, om) -> {
                        if (om != null && tp.topic().equals(topic)) {
                            out.put(tp.partition(), om.offset());
                        }
                    });
            return out;
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot read the offsets of consumer group " + groupId + ": "
                    + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new KafkaUnreachableException(bootstrapServers, "no answer about consumer group " + groupId
                    + " within " + Math.max(1, wait.toSeconds()) + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } finally {
            admin.close(Duration.ofSeconds(1));
        }
    }

    private static boolean isUnresolvable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConfigException && String.valueOf(t.getMessage()).contains("resolvable bootstrap")) {
                return true;
            }
        }
        return false;
    }
}
