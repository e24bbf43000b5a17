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

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * Tracks the peak heap used by this JVM while a run is going, by polling every {@code periodMillis}
 * on a daemon thread (no GC is forced: it is the real footprint of broker, cluster and consumer).
 *
 * <pre>{@code
 * try (HeapSampler heap = HeapSampler.start(20)) {
 *     ... run ...
 *     long peak = heap.peakBytes();
 * }
 * }</pre>
 */
public final class HeapSampler implements AutoCloseable {
    private final MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long peak;

    private HeapSampler(long periodMillis) {
        peak = mem.getHeapMemoryUsage().getUsed();
        thread = new Thread(() -> {
            while (running) {
                poll();
                try {
                    Thread.sleep(periodMillis);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "demo-heap-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    public static HeapSampler start(long periodMillis) {
        return new HeapSampler(periodMillis);
    }

    private void poll() {
        long used = mem.getHeapMemoryUsage().getUsed();
        if (used > peak) {
            peak = used;
        }
    }

    /** Peak heap used seen so far (bytes). */
    public long peakBytes() {
        poll();
        return peak;
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
