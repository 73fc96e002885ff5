package io.warmpool.service;

import io.warmpool.bench.Progress;
import io.warmpool.bench.Workload;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A progress bar for {@code warmpool bench} on a terminal: one line, redrawn in place on standard
 * error at most ten times a second, shown only once the run has taken a second, and erased at the
 * end. {@link #forConsole} gives {@link Progress#NONE} when the output is not a terminal, so piped
 * output stays plain.
 *
 * <pre>
 *  [##########..........]  48%  pagemap-guided  slot 256 MiB, keep resident 16 MiB, ...
 * </pre>
 */
final class TerminalProgress implements Progress {
    static final long SHOW_AFTER_NANOS = 1_000_000_000L;
    private static final long REDRAW_NANOS = 100_000_000L;
    private static final int WIDTH = 30;

    private final PrintStream err;
    private final long total;
    private final long startedAt;
    private final LongClock clock;
    private long done;
    private long drawnAt;
    private boolean drawn;
    private int drawnLength;
    private String current = "";
    private int planned;

    /** Reads the time; a test passes its own. */
    interface LongClock {
        long nanoTime();
    }

    TerminalProgress(PrintStream err, long totalCycles, LongClock clock) {
        this.err = err;
        this.total = Math.max(1, totalCycles);
        this.clock = clock;
        this.startedAt = clock.nanoTime();
    }

    /** A bar on {@code err} when this process talks to a terminal, else nothing. */
    static Progress forConsole(PrintStream err, long totalCycles) {
        return System.console() != null ? new TerminalProgress(err, totalCycles, System::nanoTime) : Progress.NONE;
    }

    @Override
    public void started(String contender, Workload workload, int cycles) {
        current = contender + "  " + workload.describe();
        planned = cycles;
        draw(false);
    }

    @Override
    public void advanced(int cycles) {
        done += cycles;
        draw(false);
    }

    @Override
    public void finished(String contender, int samples) {
        done += Math.max(0, planned - samples); // the cycles a time limit cut off count as done
        draw(true);
    }

    /** Erases the bar, if one was drawn. */
    void clear() {
        if (drawn) {
            err.print("\r" + " ".repeat(drawnLength) + "\r");
            err.flush();
            drawn = false;
        }
    }

    private void draw(boolean force) {
        long now = clock.nanoTime();
        if (now - startedAt < SHOW_AFTER_NANOS || (!force && drawn && now - drawnAt < REDRAW_NANOS)) {
            return;
        }
        String line = line();
        err.print("\r" + line + " ".repeat(Math.max(0, drawnLength - line.length())));
        err.flush();
        drawnLength = Math.max(drawnLength, line.length());
        drawn = true;
        drawnAt = now;
    }

    /** The bar as it stands. */
    String line() {
        double share = Math.min(1, (double) done / total);
        int filled = (int) Math.round(share * WIDTH);
        String text = String.format(Locale.ROOT, "[%s%s] %3d%%  %s", "#".repeat(filled), ".".repeat(WIDTH - filled),
                Math.round(share * 100), current);
        return text.length() > 110 ? text.substring(0, 110) : text;
    }
}
