package io.warmpool.pagemap;

import io.warmpool.natives.Mman;
import io.warmpool.natives.NativeMemory;
import io.warmpool.natives.Syscalls;

import java.util.Arrays;

/**
 * What the three things a reset can do to a page cost here, per 4 KiB page, measured on the spot:
 *
 * <pre>
 *  mapping of PAGES pages, private and anonymous, MADV_NOHUGEPAGE; every page written once (the
 *  code paths warm, not timed); ROUNDS rounds of:
 *    madvise(MADV_DONTNEED) of all pages, then write every page      -> fault    (first touch: the
 *                                                                       kernel allocates and zeroes)
 *    memset of all pages (all resident now)                           -> zero     (what a kept page costs)
 *    madvise(MADV_DONTNEED) of all pages (all resident)               -> decommit (what a given-back page costs)
 *  each figure is the median of the rounds, divided by PAGES
 * </pre>
 *
 * The fault is what a reset that gives a page back makes the next tenant pay when it writes the page
 * again; zeroing is what keeping it costs instead ({@code warmpool probe} shows both, and
 * {@link FirstWriteCost}, the write-protect fault that written-page tracking costs in their place).
 * The pool's {@code auto} and {@code pagemap-shed-every-n} weigh them. The measurement takes about
 * {@code ROUNDS * PAGES} faults: some 10 ms where a fault costs 2 µs. The memset runs over PAGES
 * pages in cache, so it runs low for a window larger than the cache.
 *
 * @param faultNanos    nanoseconds of the first write to one page that is not resident
 * @param zeroNanos     nanoseconds to zero one resident page
 * @param decommitNanos nanoseconds of MADV_DONTNEED per resident page
 * @param pages         pages per round
 * @param rounds        rounds measured
 */
public record PageCosts(double faultNanos, double zeroNanos, double decommitNanos, int pages, int rounds) {
    static final int PAGES = 512;
    static final int ROUNDS = 9;
    private static volatile PageCosts kept;

    /**
     * This host's costs, measured once per process (through the first caller's {@code os}) and kept:
     * for choices made on every reset, which must not measure again. {@link #measure} measures anew.
     */
    public static PageCosts measuredOnce(Syscalls os) {
        PageCosts costs = kept;
        if (costs == null) {
            synchronized (PageCosts.class) {
                if (kept == null) {
                    kept = measure(os);
                }
                costs = kept;
            }
        }
        return costs;
    }

    /** Measures the costs through {@code os}; a failing call throws its {@link io.warmpool.natives.NativeCallException}. */
    public static PageCosts measure(Syscalls os) {
        return measure(os, PAGES, ROUNDS);
    }

    /** Measures with {@code pages} pages a round and {@code rounds} rounds. */
    public static PageCosts measure(Syscalls os, int pages, int rounds) {
        if (pages < 1 || rounds < 1) {
            throw new IllegalArgumentException("pages and rounds must be positive: " + pages + ", " + rounds);
        }
        long page = os.pageSize();
        long bytes = pages * page;
        long base = os.mmap(0, bytes, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, -1, 0);
        try {
            os.madvise(base, bytes, Mman.MADV_NOHUGEPAGE);
            NativeMemory.fill(base, bytes, (byte) 1);
            long[] fault = new long[rounds];
            long[] zero = new long[rounds];
            long[] decommit = new long[rounds];
            for (int r = 0; r < rounds; r++) {
                os.madvise(base, bytes, Mman.MADV_DONTNEED);
                long t0 = System.nanoTime();
                NativeMemory.fill(base, bytes, (byte) 1);
                long t1 = System.nanoTime();
                NativeMemory.zero(base, bytes);
                long t2 = System.nanoTime();
                os.madvise(base, bytes, Mman.MADV_DONTNEED);
                long t3 = System.nanoTime();
                fault[r] = t1 - t0;
                zero[r] = t2 - t1;
                decommit[r] = t3 - t2;
            }
            return new PageCosts(median(fault, pages), median(zero, pages), median(decommit, pages), pages, rounds);
        } finally {
            os.munmap(base, bytes);
        }
    }

    private static double median(long[] rounds, int pages) {
        long[] sorted = rounds.clone();
        Arrays.sort(sorted);
        return (double) sorted[sorted.length / 2] / pages;
    }
}
