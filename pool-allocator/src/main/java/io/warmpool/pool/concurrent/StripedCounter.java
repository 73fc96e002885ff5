package io.warmpool.pool.concurrent;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A count that threads change without writing a cache line that another thread writes: it is the
 * sum of a few cells, each alone on its 128 bytes (two cache lines: neighbouring lines are fetched
 * in pairs: {@link Padding}), and a thread changes the cell of its own {@link ThreadIndex}.
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
 * changes the same cell up and down for each thing counted (the pool's count of instances out does). Then every cell is
 * at least zero at every moment, so a sum taken while others come and go never misses a thing that
 * was there throughout.
 */
public final class StripedCounter {
    private static final int STRIDE = Padding.LONGS;
    private static final int READS = 1;
    private static final int OTHERS = 2;
    /** {@link #sumSeenFrom} reads the other cells once in this many calls. */
    static final int REFRESH_EVERY = 16;

    private final AtomicLongArray cells;
    private final int mask;

    /** A counter with {@link Striping#WAYS} cells. */
    public StripedCounter() {
        this(Striping.WAYS);
    }

    /** A counter with at least {@code atLeast} cells, a power of two. */
    public StripedCounter(int atLeast) {
        int count = Striping.powerOfTwoAtLeast(Math.max(1, atLeast));
        this.cells = new AtomicLongArray(Padding.length(count, STRIDE));
        this.mask = count - 1;
    }

    /** How many cells there are. */
    public int cells() {
        return mask + 1;
    }

    /** The cell of the calling thread. */
    public int cellOfThisThread() {
        return ThreadIndex.current() & mask;
    }

    /** Adds {@code delta} to the calling thread's cell. */
    public void add(long delta) {
        add(cellOfThisThread(), delta);
    }

    /** Adds {@code delta} to the cell of the thread with {@link ThreadIndex} {@code thread}. */
    public void addForThread(int thread, long delta) {
        add(thread & mask, delta);
    }

    /** Adds {@code delta} to cell {@code cell}. */
    public void add(int cell, long delta) {
        cells.getAndAdd(Padding.index(cell, STRIDE), delta);
    }

    /** The sum of every cell. */
    public long sum() {
        long sum = 0;
        for (int cell = 0; cell <= mask; cell++) {
            sum += cells.get(Padding.index(cell, STRIDE));
        }
        return sum;
    }

    /**
     * The sum as cell {@code cell} sees it cheaply: its own count now, and the other cells' as they
     * were at most {@link #REFRESH_EVERY} - 1 calls ago (from this cell). A thread alone in its cell
     * that counts only what it does itself gets the exact sum; for statistics, not for decisions.
     */
    public long sumSeenFrom(int cell) {
        int at = Padding.index(cell, STRIDE);
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
    public void clear() {
        for (int cell = 0; cell <= mask; cell++) {
            cells.set(Padding.index(cell, STRIDE), 0);
            cells.set(Padding.index(cell, STRIDE) + READS, 0);
            cells.set(Padding.index(cell, STRIDE) + OTHERS, 0);
        }
    }
}
