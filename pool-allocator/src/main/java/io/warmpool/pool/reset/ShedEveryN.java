package io.warmpool.pool.reset;

import java.util.Arrays;
import java.util.function.DoubleSupplier;

/**
 * The {@code pagemap-shed-every-n} reset of one kind's slots: pagemap-guided resets that give back
 * the slot's whole resident set every N resets, N chosen per slot from what piles up. It needs no
 * tracking: it bounds what a pagemap-guided slot accumulates (a page zeroed and kept resident is
 * reported again by every later scan) by starting over now and then. {@code auto} runs the same
 * rule on its scanning slots ({@link AutoChoice}).
 *
 * <pre>
 *  after a shed (and at a slot's first reset), the first scan finds what its tenant wrote:
 *      base  = that scan's cost (scan + zeroing),  pages = the pages it found
 *  every later scan reset that finds more than pages adds its waste:
 *      waste += its cost - base                     (what the pages piled up cost)
 *  (one that finds no more adds nothing: a hot set written every time piles nothing up, and a
 *  slow scan of it is noise, not waste)
 *  the next reset sheds (MADV_DONTNEED of everything accessible) once
 *      waste >= pages * fault cost                  (what the next tenant pays to fault its pages in)
 *  so N = resets between sheds follows the pile-up: a hot set is never shed; a tenant writing new
 *  pages each time is shed as soon as re-faulting them is cheaper than zeroing what piled up (the
 *  ski-rental rule: at most twice the best fixed N's cost).
 *  fault cost: one first-touch page fault, measured once per process (PageCosts.measuredOnce).
 * </pre>
 *
 * Per-slot state is written by the thread that resets the slot (one at a time per slot).
 */
final class ShedEveryN {
    private final DoubleSupplier faultNanos;
    private final double[] base;
    private final long[] pages;
    private final double[] waste;
    private final boolean[] shedNext;

    /**
     * @param faultNanos what one first-touch page fault costs, asked when a pile-up is first weighed
     */
    ShedEveryN(int slots, DoubleSupplier faultNanos) {
        this.faultNanos = faultNanos;
        this.base = new double[slots];
        this.pages = new long[slots];
        this.waste = new double[slots];
        this.shedNext = new boolean[slots];
        Arrays.fill(pages, -1);
    }

    /** A new tenant, or a fresh mapping: start over. */
    void forget(int slot) {
        pages[slot] = -1;
        waste[slot] = 0;
        shedNext[slot] = false;
    }

    /** Whether the slot's next reset sheds its resident set; if so, the slot starts over after it. */
    boolean shedsNow(int slot) {
        if (!shedNext[slot]) {
            return false;
        }
        forget(slot);
        return true;
    }

    /**
     * A scan reset of the slot cost {@code nanos} and found {@code found} dirty pages; returns whether
     * its next reset should shed.
     */
    boolean scanned(int slot, double nanos, long found) {
        if (pages[slot] < 0) {
            pages[slot] = found;
            base[slot] = nanos;
            return false;
        }
        if (found > pages[slot]) {
            waste[slot] += Math.max(0, nanos - base[slot]);
        }
        base[slot] = Math.min(base[slot], nanos); // a preempted first scan does not inflate the base
        if (waste[slot] > 0 && waste[slot] >= Math.max(1, pages[slot]) * faultNanos.getAsDouble()) {
            shedNext[slot] = true;
        }
        return shedNext[slot];
    }
}
