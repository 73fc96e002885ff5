package io.warmpool.pool.concurrent;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Counters that any number of threads add to, in a bounded number of cells: a thread claims a
 * cell, adds to it with plain stores, and frees it. Memory does not grow with the threads that come
 * and go, no lock is taken, and a reader sums the cells without stopping anyone.
 *
 * <pre>
 *  cells[0 .. capacity)    null (not needed yet) or a cell; capacity = Striping.WAYS
 *  a cell: long[FIRST + width + PADDING]
 *    [0]                    the claim word: FREE 0 | TAKEN 1 | OVERFLOW 2 (a cell of one claim only, never in cells)
 *    [FIRST, FIRST+width)   the counts: plain longs that only the claiming thread writes
 *    [.., +PADDING)         padding: whatever the heap puts next (another cell) starts two cache lines on
 *
 *  claim():    from the thread's start index (its id, hashed), over every element once:
 *                null ──► a new cell, installed by compareAndSet (a loser takes the winner's)
 *                FREE and compareAndSet(FREE, TAKEN) ──► this cell, the thread's alone until release
 *              every cell TAKEN (more threads inside at once than cells) ──► a new OVERFLOW cell
 *  release(c): TAKEN ──► setRelease(FREE): a reader that then reads FREE sees the counts written before
 *              OVERFLOW ──► folded into the shared overflow cell, getAndAdd per non-zero count
 *  sum():      per cell, getAcquire of its claim word, then its counts; then the overflow cell's
 * </pre>
 *
 * <p>One claim costs a compareAndSet and a release store, a few nanoseconds; a thread keeps finding
 * its cell at its start index, so the cell's lines stay in its core's cache. The claim calls nothing
 * that waits: a thread that stops while holding a cell (preempted, or absent from a forked child)
 * makes the others take the next one, or an overflow cell. In a forked child the cells that parent
 * threads held stay TAKEN until {@link #freeAllAfterFork()} frees them; what those threads had
 * half-added stays as it was.
 */
public final class CounterCells {
    /** The index of a cell's first count. */
    public static final int FIRST = 1;
    private static final long FREE = 0;
    private static final long TAKEN = 1;
    private static final long OVERFLOW = 2;
    private static final int PADDING = Padding.LONGS;
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

    private final int width;
    private final AtomicReferenceArray<long[]> cells;
    private final int mask;
    private final long[] overflow;

    /** Cells of {@code width} counts each. */
    public CounterCells(int width) {
        this.width = width;
        int capacity = Striping.WAYS;
        this.cells = new AtomicReferenceArray<>(capacity);
        this.mask = capacity - 1;
        this.overflow = newCell(FREE);
    }

    /** How many cells there can be at most (besides the overflow cell and passing overflow cells). */
    public int capacity() {
        return cells.length();
    }

    /** How many cells exist now. */
    public int cellCount() {
        int n = 0;
        for (int i = 0; i <= mask; i++) {
            if (cells.get(i) != null) {
                n++;
            }
        }
        return n;
    }

    private long[] newCell(long claim) {
        long[] cell = new long[FIRST + width + PADDING];
        cell[0] = claim;
        return cell;
    }

    /** A cell for the calling thread to add to, at indices {@code FIRST ..}; give it to {@link #release}. */
    public long[] claim() {
        int start = (int) (Thread.currentThread().getId() * 0x9E3779B97F4A7C15L >>> 32);
        for (int i = 0; i <= mask; i++) {
            int at = (start + i) & mask;
            long[] cell = cells.get(at);
            if (cell == null) {
                cell = newCell(FREE);
                if (!cells.compareAndSet(at, null, cell)) {
                    cell = cells.get(at);
                }
            }
            if ((long) LONGS.getOpaque(cell, 0) == FREE && LONGS.compareAndSet(cell, 0, FREE, TAKEN)) {
                return cell;
            }
        }
        return newCell(OVERFLOW);
    }

    /** Gives back a cell from {@link #claim}, its counts added to. */
    public void release(long[] cell) {
        if (cell[0] == OVERFLOW) {
            for (int i = FIRST; i < FIRST + width; i++) {
                if (cell[i] != 0) {
                    LONGS.getAndAdd(overflow, i, cell[i]);
                }
            }
        } else {
            LONGS.setRelease(cell, 0, FREE);
        }
    }

    /**
     * Every cell's counts summed, at the same indices as in a cell. A count that a thread is adding to
     * now may lack its latest adds.
     */
    public long[] sum() {
        long[] sum = new long[FIRST + width];
        for (int i = 0; i <= mask; i++) {
            long[] cell = cells.get(i);
            if (cell != null) {
                long claimWord = (long) LONGS.getAcquire(cell, 0); // pairs with release's setRelease
                addInto(sum, cell);
            }
        }
        addInto(sum, overflow);
        return sum;
    }

    private void addInto(long[] sum, long[] cell) {
        for (int i = FIRST; i < FIRST + width; i++) {
            sum[i] += (long) LONGS.getOpaque(cell, i);
        }
    }

    /**
     * In a forked child, before any of its threads claims a cell: frees the cells that parent threads
     * held at the fork (those threads do not exist here).
     */
    public void freeAllAfterFork() {
        for (int i = 0; i <= mask; i++) {
            long[] cell = cells.get(i);
            if (cell != null) {
                LONGS.setRelease(cell, 0, FREE);
            }
        }
    }
}
