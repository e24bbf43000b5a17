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

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;

/**
 * A pass-through map that fails the job once, on the first record after a checkpoint completed,
 * for a test running a MiniCluster in its own JVM.
 *
 * <p>Its two flags live in this JVM under a name unique to the instance made by {@link #create},
 * so they outlast the restart (the restarted task gets a fresh copy of the function) and every
 * instance starts unarmed: a second job or test is not disturbed by the failure of the first.
 */
public final class FailOnceAfterCheckpoint<T> implements MapFunction<T, T>, CheckpointListener {
    private static final long serialVersionUID = 1L;
    private static final Map<String, AtomicBoolean[]> FLAGS = new ConcurrentHashMap<>();
    private static final AtomicLong NEXT = new AtomicLong();

    private final String name;

    private FailOnceAfterCheckpoint(String name) {
        this.name = name;
    }

    /** A new instance: no checkpoint seen, not failed. */
    public static <T> FailOnceAfterCheckpoint<T> create() {
        String name = "fail-once#" + NEXT.incrementAndGet();
        FLAGS.put(name, new AtomicBoolean[] {new AtomicBoolean(), new AtomicBoolean()});
        return new FailOnceAfterCheckpoint<>(name);
    }

    private AtomicBoolean[] flags() {
        AtomicBoolean[] f = FLAGS.get(name);
        if (f == null) {
            throw new IllegalStateException("no flags " + name
                    + " in this JVM: the function only works in a MiniCluster inside the test's JVM");
        }
        return f;
    }

    /** Set once a checkpoint of the job completed (at any subtask of this map). */
    public AtomicBoolean checkpointed() {
        return flags()[0];
    }

    /** Set once the failure was thrown. */
    public AtomicBoolean failed() {
        return flags()[1];
    }

    @Override
    public T map(T record) {
        if (checkpointed().get() && failed().compareAndSet(false, true)) {
            throw new IllegalStateException("injected failure (test)");
        }
        return record;
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        checkpointed().set(true);
    }
}
