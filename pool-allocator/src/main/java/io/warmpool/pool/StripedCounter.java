package io.warmpool.pool;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A count that threads change without writing a cache line that another thread writes: it is the
 * sum of a few cells, each alone on its 128 bytes (two cache lines: neighbouring lines are fetched
 * in pairs), and a thread changes the cell of its own {@link ThreadIndex}.
 *
 * <pre>
 *  longs of one AtomicLongArray, 16 per 128 bytes:
 *  [ padding 16 ][ cell 0 | reads | others | 13 unused ] ... [ cell n-1 | ... ][ padding 16 ]
 *
 *  cell of a thread = ThreadIndex & (n - 1)   n = a power of two, at least 2 x processors: the
 *                                             indices go in order of first use, so threads spread evenly
 *  add(cell, delta)  one atomic add, to a line that threads of other cells do not write
 *  sum()             reads every cell: exact when nothing changes meanwhile
 *  sumSeenFrom(cell) this cell now, plus the other cells as they were at this cell's last full read
 *                    (one in every 16 calls): no read of other threads' lines on most calls
 * </pre>
 *
 * A reader that must never count less than is there (close() refusing while an instance is out)
 * changes the same cell up and down for each thing counted: see {@link WarmPool}. Then every cell is
 * at least zero at every moment, so a sum taken while others come and go never misses a thing that
 * was there throughout.
 */
final class StripedCounter {
    private static final int STRIDE = 16;
    private static final int READS = 1;
    private static final int OTHERS = 2;
    /** {@link #sumSeenFrom} reads the other cells once in this many calls. */
    static final int REFRESH_EVERY = 16;

    private final AtomicLongArray cells;
    private final int mask;

    /** A counter with a cell per thread of {@code 2 x processors}, rounded up to a power of two. */
    StripedCounter() {
        this(Math.max(2, 2 * Runtime.getRuntime().availableProcessors()));
    }

    StripedCounter(int atLeast) {
        int count = Integer.highestOneBit(Math.max(1, atLeast) * 2 - 1);
        this.cells = new AtomicLongArray((count + 2) * STRIDE);
        this.mask = count - 1;
    }

    /** How many cells there are. */
    int cells() {
        return mask + 1;
    }

    /** The cell of the calling thread. */
    int cellOfThisThread() {
        return ThreadIndex.current() & mask;
    }

    /** Adds {@code delta} to the calling thread's cell. */
    void add(long delta) {
        add(cellOfThisThread(), delta);
    }

    /** Adds {@code delta} to the cell of the thread with {@link ThreadIndex} {@code thread}. */
    void addForThread(int thread, long delta) {
        add(thread & mask, delta);
    }

    /** Adds {@code delta} to cell {@code cell}. */
    void add(int cell, long delta) {
        cells.getAndAdd((cell + 1) * STRIDE, delta);
    }

    /** The sum of every cell. */
    long sum() {
        long sum = 0;
        for (int cell = 0; cell <= mask; cell++) {
            sum += cells.get((cell + 1) * STRIDE);
        }
        return sum;
    }

    /**
     * The sum as cell {@code cell} sees it cheaply: its own count now, and the other cells' as they
     * were at most {@link #REFRESH_EVERY} - 1 calls ago (from this cell). A thread alone in its cell
     * that counts only what it does itself gets the exact sum; for statistics, not for decisions.
     */
    long sumSeenFrom(int cell) {
        int at = (cell + 1) * STRIDE;
        long reads = cells.getPlain(at + READS) + 1;
        cells.setPlain(at + READS, reads); // threads sharing the cell may lose a count: it only paces refreshes
        long own = cells.get(at);
        if (reads % REFRESH_EVERY == 1) {
            long others = sum() - own;
            cells.setPlain(at + OTHERS, others);
            return own + others;
        }
        return own + cells.getPlain(at + OTHERS);
    }

    /** Sets every cell to zero (a forked child, whose other threads are gone, recounts from there). */
    void clear() {
        for (int cell = 0; cell <= mask; cell++) {
            cells.set((cell + 1) * STRIDE, 0);
            cells.set((cell + 1) * STRIDE + READS, 0);
            cells.set((cell + 1) * STRIDE + OTHERS, 0);
        }
    }
}
