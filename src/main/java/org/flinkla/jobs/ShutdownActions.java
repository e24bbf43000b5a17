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
package org.flinkla.jobs;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What a command must do when the process is stopped (Ctrl-C, SIGTERM): stop its job, close the
 * in-process broker, delete temporary files. The signal handlers (and a JVM shutdown hook) run the registered actions in
 * reverse order of registration (the innermost first), each at most once, so that a job is stopped
 * before the broker it writes to goes away and before its files are deleted.
 */
public final class ShutdownActions {
    private static final Deque<Action> ACTIONS = new ArrayDeque<>();
    private static Thread hook;
    /** Set when a signal or the JVM's shutdown started running the actions. */
    private static volatile boolean stopping;

    private ShutdownActions() {}

    /** A registered action; closing it unregisters it (the command ended normally). */
    public static final class Action implements AutoCloseable {
        private final Runnable body;
        private boolean done;

        private Action(Runnable body) {
            this.body = body;
        }

        private synchronized void runOnce() {
            if (!done) {
                done = true;
                body.run();
            }
        }

        /** Runs the action now (if it has not run) and unregisters it. */
        public void runNow() {
            runOnce();
            close();
        }

        @Override
        public void close() {
            synchronized (ShutdownActions.class) {
                ACTIONS.remove(this);
            }
        }
    }

    /** Registers {@code body} to run if the process is stopped before the action is closed. */
    public static synchronized Action add(Runnable body) {
        if (hook == null) {
            hook = new Thread(ShutdownActions::runAll, "flinkla-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            handleSignals();
        }
        Action a = new Action(body);
        ACTIONS.push(a);
        return a;
    }

    /**
     * SIGTERM and SIGINT run the actions before the JVM starts shutting down, then exit (143, 130).
     * In a shutdown hook they would run concurrently with the hooks of Flink's local cluster and the
     * Kafka clients, which may take the job down underneath its savepoint; the hook stays as the
     * fallback (e.g. for System.exit).
     */
    private static void handleSignals() {
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> {
                    stopping = true;
                    System.err.println("Stopping (SIG" + sig.getName() + ") ...");
                    runAll();
                    System.exit(128 + sig.getNumber());
                });
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                // the signal is not available here (or the JVM uses it): the shutdown hook remains
            }
        }
    }

    /**
     * True once Ctrl-C, SIGTERM or the JVM's shutdown is stopping the process: a command that fails
     * from then on (its job cancelled underneath it) is being stopped, not failing.
     */
    public static boolean stopping() {
        return stopping;
    }

    /**
     * Blocks the calling thread until the process exits (for a command's main thread while
     * {@link #stopping()}: the signal handler runs the actions and exits).
     */
    public static void awaitExit() {
        while (true) {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                // keep waiting: the process is exiting
            }
        }
    }

    private static void runAll() {
        stopping = true;
        while (true) {
            Action a;
            synchronized (ShutdownActions.class) {
                a = ACTIONS.poll();
            }
            if (a == null) {
                return;
            }
            try {
                a.runOnce();
            } catch (RuntimeException | Error e) {
                // the next action still runs
            }
        }
    }
}
