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
package org.flinkla.testutils;

/**
 * Measures what the current thread allocates in a round of work once the JIT has compiled it:
 * the escape analysis, and the Vector API kernels (which run their allocating Java fallback until
 * C2 has compiled them), allocate in the first rounds.
 */
public final class Allocations {
    private Allocations() {}

    /**
     * Runs {@code round} until one run allocates less than {@code below} bytes, at most
     * {@code maxRounds} times, and returns the bytes the last run allocated.
     */
    public static long afterWarmUp(int maxRounds, long below, Runnable round) {
        com.sun.management.ThreadMXBean mx =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long allocated = Long.MAX_VALUE;
        for (int i = 0; i < maxRounds && allocated >= below; i++) {
            long before = mx.getCurrentThreadAllocatedBytes();
            round.run();
            allocated = mx.getCurrentThreadAllocatedBytes() - before;
        }
        return allocated;
    }
}
