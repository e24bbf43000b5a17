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

import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import org.flinkla.jobs.JobDefinitionException;
import org.flinkla.jobs.JobFailedException;
import org.flinkla.kafka.KafkaUnreachableException;
import org.flinkla.model.ModelFileException;

/**
 * The one line a failed command ends with: the root cause, in words, and what to do about it. The
 * full trace goes to the command's log file (see {@link CliLogging}).
 */
final class Failures {
    private Failures() {}

    static String describe(Throwable t) {
        KafkaUnreachableException unreachable = find(t, KafkaUnreachableException.class);
        if (unreachable != null) {
            return unreachable.getMessage() + ". Check --bootstrap-servers (or $FLINKLA_BOOTSTRAP_SERVERS) and that"
                    + " the broker is running and reachable from here";
        }
        JobDefinitionException job = find(t, JobDefinitionException.class);
        if (job != null) {
            return job.getMessage() + ". Fix the job file (its keys: docs/jobs.md)";
        }
        ModelFileException model = find(t, ModelFileException.class);
        if (model != null) {
            return model.getMessage() + ". Fix or replace the model file (docs/models.md)";
        }
        Throwable root = root(t);
        String cause = text(root);
        String hint = hint(root);
        JobFailedException failed = find(t, JobFailedException.class);
        if (failed != null) {
            return failed.getMessage() + ": " + cause + (hint != null ? ". " + hint
                    : ". The job's log holds the whole failure");
        }
        if (t instanceof UsageException || root == t) {
            return cause + (hint != null ? ". " + hint : "");
        }
        return text(t) + (root != t ? ": " + cause : "") + (hint != null ? ". " + hint : "");
    }

    /** What to do for the causes users meet (null: no advice beyond the log). */
    static String hint(Throwable root) {
        String name = root.getClass().getName();
        String msg = String.valueOf(root.getMessage());
        if (name.endsWith("InvalidTxnTimeoutException") || msg.contains("transaction.max.timeout.ms")) {
            return "The sinks' transaction.timeout.ms (600000 unless kafka.properties sets it) must not exceed the"
                    + " broker's transaction.max.timeout.ms: lower one or raise the other";
        }
        if (name.equals("org.apache.kafka.common.errors.TimeoutException")) {
            return "Kafka did not answer in time: check that the broker is up and reachable at the bootstrap servers";
        }
        if (name.endsWith("RecordTooLargeException")) {
            return "An output record is larger than the broker accepts: raise the broker's message.max.bytes or the"
                    + " topic's max.message.bytes, or send smaller chunks";
        }
        if (msg.contains("restored from a savepoint of a different model")) {
            return "Run with the model the state was written with, or start over with --fresh";
        }
        if (root instanceof NoSuchFileException) {
            return "No such file: " + root.getMessage();
        }
        if (root instanceof AccessDeniedException) {
            return "Not allowed to access " + root.getMessage();
        }
        if (root instanceof OutOfMemoryError) {
            return "Give the JVM more memory (java -Xmx...) or lower the model size or parallelism";
        }
        return null;
    }

    static Throwable root(Throwable t) {
        Throwable r = t;
        while (r.getCause() != null && r.getCause() != r) {
            r = r.getCause();
        }
        return r;
    }

    private static String text(Throwable t) {
        String m = t.getMessage();
        if (m == null || m.isBlank()) {
            return t.getClass().getSimpleName();
        }
        // one line: the first line of a multi-line message
        int nl = m.indexOf('\n');
        m = nl < 0 ? m : m.substring(0, nl);
        boolean own = t.getClass().getName().startsWith("org.flinkla") || t instanceof IllegalArgumentException
                || t instanceof IllegalStateException;
        return own ? m : t.getClass().getSimpleName() + ": " + m;
    }

    private static <T extends Throwable> T find(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        return null;
    }
}
