package io.warmpool.pagemap;

import io.warmpool.natives.Mman;
import io.warmpool.natives.NativeMemory;
import io.warmpool.natives.Syscalls;

import java.util.Arrays;

/**
 * What the first write to a write-protected page costs a tenant here (userfaultfd async mode: the
 * kernel resolves the fault itself), measured on the spot, per 4 KiB page:
 *
 * <pre>
 *  mapping of PAGES resident pages, MADV_NOHUGEPAGE, registered with a WrittenPageTracker; ROUNDS rounds of:
 *    protect all pages                       (not timed)
 *    write one byte to each page             -> one write-protect fault per page
 *  the figure is the median round divided by PAGES
 * </pre>
 *
 * This is the price tracking puts on every page a tenant writes in a registered window, once per
 * tenant; set it against the page-fault cost ({@code warmpool probe} measures both) and the scan it
 * saves. The whole measurement takes about {@code ROUNDS * PAGES} faults: some 5 ms where a fault
 * costs 1 µs.
 *
 * @param nanosPerPage nanoseconds of the first write to one protected, resident page
 * @param pages        pages per round
 * @param rounds       rounds measured
 */
public record FirstWriteCost(double nanosPerPage, int pages, int rounds) {
    static final int PAGES = 512;
    static final int ROUNDS = 9;

    /**
     * Measures the cost through {@code os}.
     *
     * @throws io.warmpool.natives.NativeCallException where written-page tracking does not work
     *                                                 ({@link WrittenPageTracker#support} says why)
     */
    public static FirstWriteCost measure(Syscalls os) {
        return measure(os, PAGES, ROUNDS);
    }

    static FirstWriteCost measure(Syscalls os, int pages, int rounds) {
        long page = os.pageSize();
        long bytes = pages * page;
        long base = os.mmap(0, bytes, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, -1, 0);
        try (WrittenPageTracker tracker = WrittenPageTracker.open(os)) {
            os.madvise(base, bytes, Mman.MADV_NOHUGEPAGE);
            NativeMemory.fill(base, bytes, (byte) 1);
            tracker.register(base, bytes);
            long[] samples = new long[rounds];
            touch(base, page, pages); // the code path once, unprotected
            for (int r = 0; r < rounds; r++) {
                tracker.protect(base, bytes);
                long t0 = System.nanoTime();
                touch(base, page, pages);
                samples[r] = System.nanoTime() - t0;
            }
            tracker.unregister(base, bytes);
            Arrays.sort(samples);
            return new FirstWriteCost((double) samples[rounds / 2] / pages, pages, rounds);
        } finally {
            os.munmap(base, bytes);
        }
    }

    private static void touch(long base, long page, int pages) {
        for (int p = 0; p < pages; p++) {
            NativeMemory.putByte(base + p * page, (byte) 2);
        }
    }
}
