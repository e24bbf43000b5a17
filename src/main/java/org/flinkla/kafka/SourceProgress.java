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

import java.io.Serializable;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How far the job has read each input partition: the highest offset the parser has seen, per
 * partition. Lets {@code run} see when a job has consumed all of a finite input without bounding
 * the source (a bounded source finishes, and a finished job can take no savepoint to resume from).
 *
 * <p>Works within one JVM only (the local cluster of {@code run}): the parser instances and the
 * command share a static registry under this object's id. Each partition is read by one subtask,
 * so updates of one counter never contend.
 */
public final class SourceProgress implements Serializable, AutoCloseable {
    private static final long serialVersionUID = 1L;
    private static final Map<String, Map<Integer, AtomicLong>> SEEN = new ConcurrentHashMap<>();

    private final String id;
    private transient Map<Integer, AtomicLong> local;

    private SourceProgress(String id) {
        this.id = id;
    }

    /** A new, empty progress registry. */
    public static SourceProgress create() {
        SourceProgress p = new SourceProgress(UUID.randomUUID().toString());
        SEEN.put(p.id, new ConcurrentHashMap<>());
        return p;
    }

    /** Records that the record at {@code offset} of {@code partition} was read. */
    void seen(int partition, long offset) {
        if (local == null) {
            local = SEEN.get(id);
            if (local == null) {
                return; // not the JVM that created it: nobody is watching
            }
        }
        AtomicLong a = local.get(partition);
        if (a == null) {
            a = local.computeIfAbsent(partition, k -> new AtomicLong(-1));
        }
        if (offset > a.get()) {
            a.lazySet(offset);
        }
    }

    /** Highest offset read of {@code partition}, or -1. */
    public long highest(int partition) {
        Map<Integer, AtomicLong> m = SEEN.get(id);
        AtomicLong a = m == null ? null : m.get(partition);
        return a == null ? -1 : a.get();
    }

    @Override
    public void close() {
        SEEN.remove(id);
    }
}
