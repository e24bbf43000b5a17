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
package org.flinkla.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a main class of this classpath in a child JVM (same java binary, given {@code -Xmx}, serial
 * GC) and collects its stdout lines, so a method can run out of memory, or a TaskManager can have
 * a bounded heap, without touching the benchmark's own JVM. Every child is waited for with a bound.
 *
 * <pre>{@code
 * ChildJvm.Output o = ChildJvm.run("32m", List.of(), ScalingProbe.class, List.of("kv", "1000000", "60"), 600);
 * }</pre>
 */
final class ChildJvm {
    private ChildJvm() {}

    /** What the child printed and how it ended. */
    record Output(List<String> lines, int exitCode, String stderrTail, boolean timedOut) {}

    static Output run(String xmx, List<String> jvmArgs, Class<?> main, List<String> args, long timeoutSeconds)
            throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.add("-Xmx" + xmx);
        cmd.add("-Xms" + xmx);
        // Serial GC: System.gc() is one full compacting collection, so heap after GC is what is live.
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"));
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(main.getName());
        cmd.addAll(args);
        Path err = Files.createTempFile("flinkla-bench-child", ".err");
        Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
        List<String> lines = new ArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l = r.readLine(); l != null; l = r.readLine()) {
                    synchronized (lines) {
                        lines.add(l);
                    }
                }
            } catch (IOException e) {
                // the child died: what was read is kept
            }
        }, "bench-child-reader");
        reader.start();
        boolean timedOut = false;
        try {
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                timedOut = true;
                p.destroyForcibly();
                p.waitFor(30, TimeUnit.SECONDS);
            }
            reader.join(10_000);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for " + main.getSimpleName(), e);
        }
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        Files.deleteIfExists(err);
        String tail = stderr.length() > 2000 ? stderr.substring(stderr.length() - 2000) : stderr;
        synchronized (lines) {
            return new Output(new ArrayList<>(lines), timedOut ? -1 : p.exitValue(), tail.strip(), timedOut);
        }
    }
}
