package io.warmpool.pool.reset;

import io.warmpool.natives.Mman;
import io.warmpool.natives.NativeMemory;
import io.warmpool.natives.Syscalls;

import java.util.Arrays;

/**
 * The {@code pagemap-shed-every-n} reset of one kind's slots: pagemap-guided resets that give back
 * the slot's whole resident set every N resets, N chosen per slot from what piles up. It needs no
 * tracking: it bounds what a pagemap-guided slot accumulates (a page zeroed and kept resident is
 * reported again by every later scan) by starting over now and then.
 *
 * <pre>
 *  after a shed (and at a slot's first reset), the first scan finds what its tenant wrote:
 *      base  = that scan's cost (scan + zeroing),  pages = the pages it found
 *  every later scan reset adds its waste:  waste += its cost - base   (what the pages piled up cost)
 *  the next reset sheds (MADV_DONTNEED of everything accessible) once
 *      waste >= pages * fault cost                  (what the next tenant pays to fault its pages in)
 *  so N = resets between sheds follows the pile-up: a hot set written every time piles nothing up
 *  and is never shed; a tenant writing new pages each time is shed as soon as re-faulting them is
 *  cheaper than zeroing what piled up (the ski-rental rule: at most twice the best fixed N's cost).
 *  fault cost: one first-touch page fault, measured once per process (FAULT_PAGES pages, median of
 *  FAULT_ROUNDS rounds after MADV_DONTNEED).
 * </pre>
 *
 * Per-slot state is written by the thread that resets the slot (one at a time per slot).
 */
final class ShedEveryN {
    static final int FAULT_PAGES = 128;
    static final int FAULT_ROUNDS = 5;
    private static volatile double faultNanos = Double.NaN;

    private final Syscalls os;
    private final double[] base;
    private final long[] pages;
    private final double[] waste;
    private final boolean[] shedNext;

    ShedEveryN(Syscalls os, int slots) {
        this.os = os;
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

    /** A scan reset of the slot cost {@code nanos} and found {@code found} dirty pages. */
    void scanned(int slot, double nanos, long found) {
        if (pages[slot] < 0) {
            pages[slot] = found;
            base[slot] = nanos;
            return;
        }
        waste[slot] += Math.max(0, nanos - base[slot]);
        base[slot] = Math.min(base[slot], nanos); // a preempted first scan does not inflate the base
        if (waste[slot] >= Math.max(1, pages[slot]) * faultNanos()) {
            shedNext[slot] = true;
        }
    }

    /** One first-touch page fault here, in nanoseconds, measured once per process. */
    double faultNanos() {
        double nanos = faultNanos;
        if (Double.isNaN(nanos)) {
            synchronized (ShedEveryN.class) {
                if (Double.isNaN(faultNanos)) {
                    faultNanos = measure(os);
                }
                nanos = faultNanos;
            }
        }
        return nanos;
    }

    private static double measure(Syscalls os) {
        long page = os.pageSize();
        long bytes = FAULT_PAGES * page;
        long base = os.mmap(0, bytes, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, -1, 0);
        try {
            os.madvise(base, bytes, Mman.MADV_NOHUGEPAGE);
            long[] rounds = new long[FAULT_ROUNDS];
            for (int r = 0; r < FAULT_ROUNDS; r++) {
                os.madvise(base, bytes, Mman.MADV_DONTNEED);
                long t0 = System.nanoTime();
                for (long p = 0; p < FAULT_PAGES; p++) {
                    NativeMemory.putByte(base + p * page, (byte) 1);
                }
                rounds[r] = System.nanoTime() - t0;
            }
            Arrays.sort(rounds);
            return (double) rounds[FAULT_ROUNDS / 2] / FAULT_PAGES;
        } finally {
            os.munmap(base, bytes);
        }
    }
}
