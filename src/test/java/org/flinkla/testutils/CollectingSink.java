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

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * A sink that collects a job's records in memory for a test running a MiniCluster in its own JVM.
 *
 * <p>Each sink made by {@link #create} has a collection of its own under a name made unique in
 * this JVM, so two jobs or two runs of one test never see each other's records. The sink itself
 * is only that name: Flink serializes it into the job, and each parallel writer looks the
 * collection up again in the same JVM. The same sink may be given to several jobs (a job and its
 * restart from a savepoint): they add to one collection. Records are kept in arrival order, which
 * per writer is the order it was given them.
 */
public final class CollectingSink<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;
    private static final Map<String, ConcurrentLinkedQueue<Object>> COLLECTIONS = new ConcurrentHashMap<>();
    private static final AtomicLong NEXT = new AtomicLong();

    private final String name;

    private CollectingSink(String name) {
        this.name = name;
    }

    /** A sink with a new, empty collection; {@code label} only makes its name readable. */
    public static <T> CollectingSink<T> create(String label) {
        String name = label + "#" + NEXT.incrementAndGet();
        COLLECTIONS.put(name, new ConcurrentLinkedQueue<>());
        return new CollectingSink<>(name);
    }

    public String name() {
        return name;
    }

    private ConcurrentLinkedQueue<Object> queue() {
        ConcurrentLinkedQueue<Object> q = COLLECTIONS.get(name);
        if (q == null) {
            throw new IllegalStateException("no collection " + name
                    + " in this JVM: the sink only works in a MiniCluster inside the test's JVM");
        }
        return q;
    }

    /** A copy of what was collected so far, in arrival order. */
    @SuppressWarnings("unchecked")
    public List<T> collected() {
        return new ArrayList<>((ConcurrentLinkedQueue<T>) (ConcurrentLinkedQueue<?>) queue());
    }

    public int size() {
        return queue().size();
    }

    public void clear() {
        queue().clear();
    }

    /**
     * Waits until at least {@code n} records were collected or {@code timeout} passed, polling every
     * 20 ms; returns the number collected then (less than {@code n} on a timeout).
     */
    public int awaitSize(int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (size() < n && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return size();
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
        ConcurrentLinkedQueue<Object> q = queue();
        return new SinkWriter<>() {
            @Override
            public void write(T element, Context c) {
                q.add(element);
            }

            @Override
            public void flush(boolean endOfInput) {}

            @Override
            public void close() {}
        };
    }
}
