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

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.flinkla.kafka.EmbeddedKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code run} leaves no temporary files behind: not after --timeout, not when stopped by SIGTERM. */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class RunCleanupITCase {
    @TempDir
    Path dir;

    private static Set<String> files(Path d) throws Exception {
        try (Stream<Path> s = Files.walk(d)) {
            return s.filter(p -> !p.equals(d)).map(p -> d.relativize(p).toString()).collect(Collectors.toSet());
        }
    }

    @Test
    void aTimedOutRunLeavesNoTemporaryFiles() throws Exception {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        Set<String> before = files(tmp);
        int rc = Main.execute(new String[] {"run", "flink-jobs/attention.yaml", "--timeout", "8"});
        assertThat(rc).isZero();
        Set<String> after = files(tmp);
        after.removeAll(before);
        after.removeIf(f -> f.equals("flinkla-logs")); // the folder of the (deleted) log file
        assertThat(after).as("files left in %s", tmp).isEmpty();
    }

    @Test
    void sigtermStopsTheRunAndDeletesItsTemporaryFiles() throws Exception {
        sigterm(List.of());
    }

    @Test
    void sigtermAgainstAnExternalKafkaSavesTheStateFirst() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            Path state = dir.resolve("state");
            String output = sigterm(List.of("--bootstrap-servers", kafka.bootstrapServers(), "--state-dir", state.toString()));
            assertThat(output).contains("Stopped with a savepoint in " + state.resolve("savepoints"));
            try (Stream<Path> s = Files.walk(state.resolve("savepoints"))) {
                assertThat(s.anyMatch(p -> p.getFileName().toString().equals("_metadata"))).isTrue();
            }
        }
    }

    /** Starts {@code run} of attention.yaml in a child JVM, sends SIGTERM, checks its temp dir is empty; returns its output. */
    private String sigterm(List<String> extra) throws Exception {
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-Djava.io.tmpdir=" + tmp, "-cp", System.getProperty("java.class.path"),
                "org.flinkla.cli.Main", "run", "flink-jobs/attention.yaml"));
        cmd.addAll(extra);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        CountDownLatch running = new CountDownLatch(1);
        StringBuilder output = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    synchronized (output) {
                        output.append(line).append('\n');
                    }
                    if (line.startsWith("Running job")) {
                        running.countDown();
                    }
                }
            } catch (Exception e) {
                // the process is gone
            }
        });
        reader.start();
        try {
            assertThat(running.await(120, TimeUnit.SECONDS)).as("the run started: %s", output).isTrue();
            assertThat(files(tmp)).as("the run works in its temporary directory").isNotEmpty();
            Thread.sleep(4000); // a checkpoint or two
            // SIGTERM; not Process.destroy(), which also closes our end of the child's output
            p.toHandle().destroy();
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("stopped: %s", output).isTrue();
        } finally {
            p.destroyForcibly();
        }
        reader.join(10_000);
        Set<String> left = files(tmp);
        left.removeIf(f -> f.equals("flinkla-logs"));
        assertThat(left).as("files left in %s after SIGTERM; output:%n%s", tmp, output).isEmpty();
        synchronized (output) {
            return output.toString();
        }
    }
}
