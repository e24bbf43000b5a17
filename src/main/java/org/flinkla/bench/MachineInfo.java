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

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * The machine a benchmark ran on, recorded next to its numbers: cores, {@code os.arch}, the CPU
 * model from {@code /proc/cpuinfo}, the JVM, the maximum heap and the load average (the machine
 * may be shared: absolute numbers only mean something with the load next to them).
 *
 * <pre>{@code
 * ObjectNode m = MachineInfo.capture().toJson();
 * }</pre>
 */
public record MachineInfo(int cores, String osArch, String osName, String cpuModel, String jvm, long maxHeapBytes,
        String loadAverage, String date) {

    /** The machine right now. */
    public static MachineInfo capture() {
        Runtime rt = Runtime.getRuntime();
        return new MachineInfo(rt.availableProcessors(), System.getProperty("os.arch"),
                System.getProperty("os.name") + " " + System.getProperty("os.version"), readCpuModel(),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
                rt.maxMemory(), readLoadAverage(), Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    }

    /** First {@code model name} line of /proc/cpuinfo, or "unknown" where there is none. */
    static String readCpuModel() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/cpuinfo"));
            for (String l : lines) {
                if (l.startsWith("model name")) {
                    return l.substring(l.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: fall through
        }
        return "unknown";
    }

    /** The 1, 5 and 15 minute load averages from /proc/loadavg, or "unknown". */
    public static String readLoadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    public ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("cores", cores);
        n.put("os_arch", osArch);
        n.put("os", osName);
        n.put("cpu_model", cpuModel);
        n.put("jvm", jvm);
        n.put("max_heap_bytes", maxHeapBytes);
        n.put("load_average", loadAverage);
        n.put("date", date);
        return n;
    }

    /** One line for people, e.g. in BENCHMARKS.md. */
    public String describe() {
        return String.format("%d cores (%s, %s), %s, max heap %d MiB, load average %s, %s", cores, osArch, cpuModel,
                jvm, maxHeapBytes >> 20, loadAverage, date);
    }
}
