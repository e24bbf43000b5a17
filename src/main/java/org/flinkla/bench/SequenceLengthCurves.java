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

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Time per token and memory against sequence length for recurrent linear attention, KV-cache
 * softmax and naive (N×N) softmax, each in its own child JVM ({@link ScalingProbe}) with the same
 * {@code -Xmx}, so that the softmax forms run until they fail with OutOfMemoryError or pass the
 * time budget — where each one stopped is part of the result.
 *
 * <pre>{@code
 * List<SequenceLengthCurves.Series> s = new SequenceLengthCurves("32m", 10_000_000, 120).run(System.err::println);
 * }</pre>
 */
public final class SequenceLengthCurves {
    public static final List<String> METHODS = List.of("linear", "kv", "naive");

    /** One measured length. */
    public record Point(long tokens, double nsPerToken, long heapBytes) {}

    /** One method's curve and how its child ended. */
    public record Series(String method, List<Point> points, String outcome, long tokens, double seconds,
            long maxHeapBytes, String detail) {
        public String describe() {
            return String.format(Locale.ROOT, "%s: %s after %,d tokens (%.1f s)%s", method, outcome, tokens, seconds,
                    detail.isEmpty() ? "" : ": " + detail);
        }
    }

    private final String xmx;
    private final long maxTokens;
    private final double budgetSeconds;

    public SequenceLengthCurves(String xmx, long maxTokens, double budgetSeconds) {
        this.xmx = xmx;
        this.maxTokens = maxTokens;
        this.budgetSeconds = budgetSeconds;
    }

    public List<Series> run(Consumer<String> log) throws IOException {
        List<Series> out = new ArrayList<>();
        for (String m : METHODS) {
            Series s = runOne(m);
            log.accept("  sequence length: " + s.describe());
            out.add(s);
        }
        return out;
    }

    Series runOne(String method) throws IOException {
        ChildJvm.Output o = ChildJvm.run(xmx, List.of(), ScalingProbe.class,
                List.of(method, Long.toString(maxTokens), Double.toString(budgetSeconds)),
                (long) budgetSeconds + 300);
        return parse(method, o);
    }

    static Series parse(String method, ChildJvm.Output o) {
        List<Point> points = new ArrayList<>();
        String end = null;
        for (String l : o.lines()) {
            if (l.startsWith(ScalingProbe.END)) {
                end = l;
            } else if (l.startsWith(method + ",")) {
                String[] f = l.split(",");
                points.add(new Point(Long.parseLong(f[1]), Double.parseDouble(f[2]), Long.parseLong(f[3])));
            }
        }
        long last = points.isEmpty() ? 0 : points.get(points.size() - 1).tokens();
        if (end == null) {
            boolean oom = o.stderrTail().contains("OutOfMemoryError");
            return new Series(method, points, o.timedOut() ? "timeout" : oom ? "out_of_memory" : "failed", last, 0, 0,
                    o.timedOut() ? "child JVM killed at its time limit" : "exit " + o.exitCode() + ": "
                            + firstLine(o.stderrTail()));
        }
        // "#end <outcome> tokens=<n> seconds=<s> max_heap=<bytes> [detail]"
        String[] f = end.split(" ", 6);
        return new Series(method, points, f[1], Long.parseLong(f[2].substring(7)),
                Double.parseDouble(f[3].substring(8)), Long.parseLong(f[4].substring(9)), f.length > 5 ? f[5].strip() : "");
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return s.isEmpty() ? "(no error output)" : nl < 0 ? s : s.substring(0, nl);
    }
}
