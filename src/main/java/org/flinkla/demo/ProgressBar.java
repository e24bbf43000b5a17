package org.flinkla.demo;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A progress bar on a terminal: one line redrawn in place with {@code \r} at most ~10 times per
 * second; when the stream is not a terminal (a log file, CI), a plain line at every 10%.
 *
 * <pre>{@code
 * ProgressBar bar = new ProgressBar(System.err, "tokens", 100_000, ProgressBar.isTerminal());
 * bar.update(50_000);
 * bar.finish();
 * }</pre>
 *
 * Thread-safe: the consumer thread may call {@link #update} while another thread finishes it.
 */
public final class ProgressBar {
    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintStream out;
    private final String label;
    private final long total;
    private final boolean terminal;
    private long startNanos = System.nanoTime();
    private long lastDraw;
    private int lastDecile = -1;
    private boolean finished;
    private long done;

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

    /** Starts the clock (and the rate) now, e.g. when the job is submitted after start-up. */
    public synchronized void restart() {
        startNanos = System.nanoTime();
        lastDraw = 0;
    }

    public synchronized void update(long doneNow) {
        if (finished) {
            return;
        }
        done = doneNow;
        long now = System.nanoTime();
        if (terminal) {
            if (now - lastDraw >= REDRAW_NANOS || doneNow >= total) {
                lastDraw = now;
                out.print("\r" + line(now));
                out.flush();
            }
        } else {
            int decile = (int) Math.min(10, doneNow * 10 / total);
            if (decile > lastDecile) {
                lastDecile = decile;
                out.println(line(now));
            }
        }
    }

    /** Draws the final state and ends the line. */
    public synchronized void finish() {
        if (finished) {
            return;
        }
        long now = System.nanoTime();
        if (terminal) {
            out.print("\r" + line(now) + "\n");
        } else if (lastDecile < 10) {
            out.println(line(now));
        }
        out.flush();
        finished = true;
    }

    String line(long now) {
        double fraction = Math.min(1.0, (double) done / total);
        int filled = (int) Math.round(fraction * WIDTH);
        double seconds = (now - startNanos) / 1e9;
        double rate = seconds > 0 ? done / seconds : 0;
        StringBuilder bar = new StringBuilder(WIDTH);
        for (int i = 0; i < WIDTH; i++) {
            bar.append(i < filled ? '#' : '.');
        }
        return String.format(Locale.ROOT, "%s [%s] %3.0f%%  %,d/%,d  %.1f s  %,.0f %s/s",
                label, bar, fraction * 100, done, total, seconds, rate, label);
    }
}
