package io.warmpool.service;

import io.warmpool.bench.Samples;
import io.warmpool.natives.Mman;
import io.warmpool.natives.Syscalls;
import io.warmpool.pagemap.PageCosts;

/**
 * What a reset's operations cost on this host, per 4 KiB page, measured on the spot: the fault,
 * zeroing and decommit of {@link PageCosts} (the figures the pool's own choices use), and
 *
 * <pre>
 *  ROUNDS times, over a mapping of PAGES pages with nothing resident: mprotect(PROT_NONE) and
 *  mprotect(PROT_READ|PROT_WRITE) of all of it                       -> mprotect (median / 2, a call)
 * </pre>
 *
 * @param faultNanos    nanoseconds to fault in one page by writing to it, after MADV_DONTNEED
 * @param zeroNanos     nanoseconds to zero one resident page
 * @param decommitNanos nanoseconds of MADV_DONTNEED per resident page
 * @param pages         pages per round
 * @param rounds        rounds measured
 * @param mprotectNanos nanoseconds of one {@code mprotect} of a slot's range with nothing resident:
 *                      what a cold slot costs to open at acquire, and an evicted one to close
 */
public record HostCosts(double faultNanos, double zeroNanos, double decommitNanos, int pages, int rounds,
                        double mprotectNanos) {
    static final int PAGES = 512;
    static final int ROUNDS = 9;

    /** Measures the costs on this host. */
    public static HostCosts measure(Syscalls os) {
        return measure(os, PAGES, ROUNDS);
    }

    static HostCosts measure(Syscalls os, int pages, int rounds) {
        PageCosts costs = PageCosts.measure(os, pages, rounds);
        long bytes = pages * os.pageSize();
        long base = os.mmap(0, bytes, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, -1, 0);
        try {
            Samples protect = new Samples(rounds);
            for (int r = 0; r < rounds; r++) {
                long t0 = System.nanoTime();
                os.mprotect(base, bytes, Mman.PROT_NONE);
                os.mprotect(base, bytes, Mman.PROT_READ | Mman.PROT_WRITE);
                protect.add(System.nanoTime() - t0);
            }
            return new HostCosts(costs.faultNanos(), costs.zeroNanos(), costs.decommitNanos(), pages, rounds,
                    protect.quantile(0.5) / 2.0);
        } finally {
            os.munmap(base, bytes);
        }
    }

    /** How many times cheaper keeping a dirty page resident and zeroing it is than faulting it in again. */
    public double faultToZeroRatio() {
        return faultNanos / zeroNanos;
    }
}
