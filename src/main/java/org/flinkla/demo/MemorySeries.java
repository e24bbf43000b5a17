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
package org.flinkla.demo;

import java.util.List;
import java.util.Locale;

/**
 * The memory curve of one method streamed through a child JVM: heap used after a full GC at
 * sampled token counts, and how the run ended.
 *
 * @param method   {@code linear}, {@code kv}, {@code naive} or {@code softmax} (the {@code memory.csv}
 *                 method column)
 * @param samples  (tokens, heap_used_bytes) in token order
 * @param outcome  how the child ended
 * @param tokens   tokens fully processed when it ended
 * @param seconds  wall time of the streaming loop in the child
 * @param heapLimitBytes the child's maximum heap (its {@code -Xmx})
 * @param detail   one line for people (e.g. the error message)
 * @param label    the name people see (e.g. "Gated DeltaNet (gdn), recurrent state")
 * @param bits     bits per base of a language model streamed by the child (index = position, NaN
 *                 where not scored), or null
 */
public record MemorySeries(String method, List<Sample> samples, Outcome outcome, long tokens, double seconds,
        long heapLimitBytes, String detail, String label, double[] bits) {

    public MemorySeries(String method, List<Sample> samples, Outcome outcome, long tokens, double seconds,
            long heapLimitBytes, String detail) {
        this(method, samples, outcome, tokens, seconds, heapLimitBytes, detail, displayName(method), null);
    }

    public MemorySeries withLabel(String name) {
        return new MemorySeries(method, samples, outcome, tokens, seconds, heapLimitBytes, detail, name, bits);
    }

    public MemorySeries withBits(double[] b) {
        return new MemorySeries(method, samples, outcome, tokens, seconds, heapLimitBytes, detail, label, b);
    }

    /** One point of the curve. */
    public record Sample(long tokens, long heapUsedBytes) {}

    /** How a child run ended. */
    public enum Outcome {
        /** All requested tokens were processed. */
        COMPLETED,
        /** OutOfMemoryError under the shared heap limit. */
        OUT_OF_MEMORY,
        /** Stopped at the time budget (the method's time per token grows with the sequence). */
        TIME_BUDGET,
        /** Anything else (the detail says what). */
        FAILED;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Human name of a method key. */
    public static String displayName(String method) {
        switch (method) {
            case "linear": return "linear attention (recurrent)";
            case "kv": return "softmax, KV cache";
            case "naive": return "softmax, naive (N\u00d7N scores)";
            case "softmax": return "softmax encoder (trained), KV cache";
            default: return method;
        }
    }

    /** Largest sampled heap use, or 0 without samples. */
    public long maxSampleBytes() {
        return samples.stream().mapToLong(Sample::heapUsedBytes).max().orElse(0);
    }

    /** Smallest sampled heap use, or 0 without samples. */
    public long minSampleBytes() {
        return samples.stream().mapToLong(Sample::heapUsedBytes).min().orElse(0);
    }

    /** One line for the terminal, e.g. "softmax, naive: OutOfMemoryError after 3,912 tokens". */
    public String describe() {
        String name = label;
        switch (outcome) {
            case COMPLETED:
                return String.format(Locale.ROOT, "%s: %,d tokens in %.1f s, heap after GC %.1f-%.1f MiB",
                        name, tokens, seconds, minSampleBytes() / MIB, maxSampleBytes() / MIB);
            case OUT_OF_MEMORY:
                return String.format(Locale.ROOT, "%s: OutOfMemoryError after %,d tokens (heap limit %.0f MiB)",
                        name, tokens, heapLimitBytes / MIB);
            case TIME_BUDGET:
                return String.format(Locale.ROOT,
                        "%s: stopped at the %.0f s time budget after %,d tokens, heap after GC up to %.1f MiB",
                        name, seconds, tokens, maxSampleBytes() / MIB);
            default:
                return name + ": failed: " + detail;
        }
    }

    static final double MIB = 1024.0 * 1024.0;
}
