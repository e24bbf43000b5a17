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

import java.io.PrintStream;
import java.util.Locale;

/**
 * A progress bar on a terminal: one line redrawn in place with {@code \r} at most ~10 times per
 * second; when the stream is not a terminal (a log file, CI), a plain line at every 10%.
 *
 * <p>Two counts: {@link #update} the tokens done (for the demo: outputs committed, what a
 * {@code read_committed} consumer sees, drawn {@code #}), and {@link #ahead} the tokens already
 * processed but not yet committed (outputs written inside a transaction that the next checkpoint
 * commits, drawn {@code +}), so the bar moves while the job computes, not only at each commit.
 * Before the first token, {@link #status} names what is happening: the start-up before
 * {@link #restart}, the job's own start (scheduling, deploying its tasks, the first records) after
 * it, next to the still empty bar and the job's clock. On a terminal a ticker redraws the line
 * every {@value #TICK_MILLIS} ms, so the clock moves from the first second.
 *
 * <pre>{@code
 * ProgressBar bar = new ProgressBar(System.err, "tokens", 100_000, ProgressBar.isTerminal());
 * bar.startTicker();
 * bar.status("starting broker and cluster");
 * bar.restart();            // the job is submitted: the rate counts from here
 * bar.ahead(60_000);
 * bar.update(50_000);
 * bar.finish();
 * }</pre>
 *
 * Thread-safe: the consumer thread may call {@link #update} while another thread finishes it.
 */
public final class ProgressBar {
    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 100_000_000L;
    private static final long TICK_MILLIS = 200;

    private final PrintStream out;
    private final String label;
    private final long total;
    private final boolean terminal;
    private final long createdNanos = System.nanoTime();
    private long startNanos = createdNanos;
    private long lastDraw;
    private int lastDecile = -1;
    private boolean finished;
    private boolean started;
    private long done;
    private long processed;
    private String status = "";
    private int lastLength;
    private Thread ticker;

    public ProgressBar(PrintStream out, String label, long total, boolean terminal) {
        this.out = out;
        this.label = label;
        this.total = Math.max(total, 1);
        this.terminal = terminal;
    }

    /** True when stderr is an interactive terminal (no redirection). */
    public static boolean isTerminal() {
        return System.console() != null && System.getenv("FLA_PLAIN_PROGRESS") == null;
    }

    /** On a terminal: redraws every {@value #TICK_MILLIS} ms until {@link #finish} (a daemon thread). */
    public synchronized void startTicker() {
        if (!terminal || ticker != null || finished) {
            return;
        }
        ticker = new Thread(() -> {
            while (true) {
                try {
                    Thread.sleep(TICK_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
                synchronized (this) {
                    if (finished) {
                        return;
                    }
                    draw(System.nanoTime());
                }
            }
        }, "demo-progress");
        ticker.setDaemon(true);
        ticker.start();
    }

    /** What happens before the first token (shown until the first token is processed or done). */
    public synchronized void status(String text) {
        status = text == null ? "" : text;
        if (terminal && !finished) {
            draw(System.nanoTime());
        } else if (!terminal && !status.isEmpty()) {
            out.println(label + ": " + status);
        }
    }

    /** Starts the clock (and the rate) now, e.g. when the job is submitted after start-up. */
    public synchronized void restart() {
        startNanos = System.nanoTime();
        lastDraw = 0;
        started = true;
        status = "";
    }

    /** Tokens processed so far, committed or not (at least {@link #update}'s count). */
    public synchronized void ahead(long processedNow) {
        if (finished) {
            return;
        }
        processed = Math.max(processed, Math.min(processedNow, total));
        long now = System.nanoTime();
        if (terminal && now - lastDraw >= REDRAW_NANOS) {
            draw(now);
        }
    }

    public synchronized void update(long doneNow) {
        if (finished) {
            return;
        }
        done = doneNow;
        started = true;
        long now = System.nanoTime();
        if (terminal) {
            if (now - lastDraw >= REDRAW_NANOS || doneNow >= total) {
                draw(now);
            }
        } else {
            int decile = (int) Math.min(10, doneNow * 10 / total);
            if (decile > lastDecile) {
                lastDecile = decile;
                out.println(line(now));
            }
        }
    }

    private void draw(long now) {
        lastDraw = now;
        out.print("\r" + padded(line(now)));
        out.flush();
    }

    /** The line padded with blanks to the last one's length, so a shorter line overwrites all of it. */
    private String padded(String line) {
        String s = line.length() < lastLength ? line + " ".repeat(lastLength - line.length()) : line;
        lastLength = line.length();
        return s;
    }

    /** Draws the final state and ends the line. */
    public synchronized void finish() {
        if (finished) {
            return;
        }
        long now = System.nanoTime();
        if (terminal) {
            out.print("\r" + padded(line(now)) + "\n");
        } else if (lastDecile < 10) {
            out.println(line(now));
        }
        out.flush();
        finished = true;
        if (ticker != null) {
            ticker.interrupt();
        }
    }

    String line(long now) {
        if (!started && !status.isEmpty()) {
            return String.format(Locale.ROOT, "%s [%s] %s  %.1f s", label, ".".repeat(WIDTH), status,
                    (now - createdNanos) / 1e9);
        }
        if (done == 0 && processed == 0 && !status.isEmpty()) {
            // the job has started but nothing has come out yet: what it is doing, on the job's clock
            return String.format(Locale.ROOT, "%s [%s]   0%%  0/%,d  %s  %.1f s", label, ".".repeat(WIDTH), total,
                    status, (now - startNanos) / 1e9);
        }
        double fraction = Math.min(1.0, (double) done / total);
        long aheadOf = Math.max(done, processed);
        int filled = (int) Math.round(fraction * WIDTH);
        int pending = (int) Math.round(Math.min(1.0, (double) aheadOf / total) * WIDTH) - filled;
        double seconds = (now - startNanos) / 1e9;
        double rate = seconds > 0 ? aheadOf / seconds : 0;
        StringBuilder bar = new StringBuilder(WIDTH);
        for (int i = 0; i < WIDTH; i++) {
            bar.append(i < filled ? '#' : i < filled + pending ? '+' : '.');
        }
        String extra = processed > done ? String.format(Locale.ROOT, " (%,d processed)", processed) : "";
        return String.format(Locale.ROOT, "%s [%s] %3.0f%%  %,d/%,d%s  %.1f s  %,.0f %s/s",
                label, bar, fraction * 100, done, total, extra, seconds, rate, label);
    }
}
