package io.warmpool.service;

import io.warmpool.bench.Samples;
import io.warmpool.natives.Mman;
import io.warmpool.natives.NativeMemory;
import io.warmpool.natives.Syscalls;

/**
 * What the three operations of a reset cost on this host, per 4 KiB page, measured on the spot:
 *
 * <pre>
 *  mapping of PAGES pages, MADV_NOHUGEPAGE, private and anonymous; ROUNDS rounds of:
 *    madvise(MADV_DONTNEED) of all pages        then write every page   -> fault  (first touch, kernel zeroes)
 *    memset of all pages (all resident now)                           -> zero   (what a kept page costs)
 *    madvise(MADV_DONTNEED) of all pages (all resident)               -> decommit (what a given-back page costs)
 *  each figure is the median of the rounds, divided by PAGES
 *  then, ROUNDS times: mprotect(PROT_NONE) and mprotect(PROT_READ|PROT_WRITE) of all pages, nothing
 *  resident                                                          -> mprotect (median / 2, a call)
 * </pre>
 *
 * The first-touch figure includes the write that faults, as a tenant's would. The whole measurement
 * takes about {@code ROUNDS * PAGES * (fault cost)}: some 60 ms on a VM whose faults cost 10 µs.
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
        long page = os.pageSize();
        long bytes = pages * page;
        long base = os.mmap(0, bytes, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, -1, 0);
        try {
            os.madvise(base, bytes, Mman.MADV_NOHUGEPAGE);
            Samples fault = new Samples(rounds);
            Samples zero = new Samples(rounds);
            Samples decommit = new Samples(rounds);
            NativeMemory.fill(base, bytes, (byte) 1); // warm up the code paths once
            for (int r = 0; r < rounds; r++) {
                os.madvise(base, bytes, Mman.MADV_DONTNEED);
                long t0 = System.nanoTime();
                NativeMemory.fill(base, bytes, (byte) 1);
                long t1 = System.nanoTime();
                NativeMemory.zero(base, bytes);
                long t2 = System.nanoTime();
                os.madvise(base, bytes, Mman.MADV_DONTNEED);
                long t3 = System.nanoTime();
                fault.add(t1 - t0);
                zero.add(t2 - t1);
                decommit.add(t3 - t2);
            }
            Samples protect = new Samples(rounds);
            for (int r = 0; r < rounds; r++) {
                long t0 = System.nanoTime();
                os.mprotect(base, bytes, Mman.PROT_NONE);
                os.mprotect(base, bytes, Mman.PROT_READ | Mman.PROT_WRITE);
                protect.add(System.nanoTime() - t0);
            }
            return new HostCosts(perPage(fault, pages), perPage(zero, pages), perPage(decommit, pages), pages, rounds,
                    protect.quantile(0.5) / 2.0);
        } finally {
            os.munmap(base, bytes);
        }
    }

    private static double perPage(Samples rounds, int pages) {
        return (double) rounds.quantile(0.5) / pages;
    }

    /** How many times cheaper keeping a dirty page resident and zeroing it is than faulting it in again. */
    public double faultToZeroRatio() {
        return faultNanos / zeroNanos;
    }
}
