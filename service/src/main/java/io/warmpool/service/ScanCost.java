package io.warmpool.service;

import io.warmpool.bench.Samples;
import io.warmpool.natives.Mman;
import io.warmpool.natives.NativeMemory;
import io.warmpool.natives.Syscalls;
import io.warmpool.pagemap.PagemapScanner;
import io.warmpool.pagemap.RegionVisitor;
import io.warmpool.pagemap.ScanMode;

/**
 * What one dirty-page scan of a slot costs on this host, measured on the spot for the slot's size:
 *
 * <pre>
 *  a private anonymous mapping of rangeBytes (MAP_NORESERVE, MADV_NOHUGEPAGE), as a slot
 *    write LOW pages, scan the whole range ROUNDS times          -> median t(LOW)
 *    write HIGH pages, scan ROUNDS times                         -> median t(HIGH)
 *    MADV_DONTNEED all, then ROUNDS times again, nothing resident -> median: emptyDecommit
 *  perPage = (t(HIGH) - t(LOW)) / (HIGH - LOW);  base = t(LOW) - LOW * perPage
 *  a scan that finds n pages costs base + n * perPage
 * </pre>
 *
 * The base is the walk of the range's page tables (it grows with the range, not the dirty pages);
 * the slope is the kernel's cost of each page it reports; the empty decommit is the walk that an
 * {@code madvise} of the range pays when there is nothing left to give back. The scans are timed
 * after at least {@code WARMUP} unmeasured rounds and {@code WARMUP_NANOS} of them, so that the
 * scanner's Java code is compiled by the JIT's last tier (with a thousand rounds, 20 ms, four runs
 * of {@code tune} here gave 4.5 to 6.3 µs for the same 256 MiB scan: the early ones ran half-compiled
 * code). About a quarter of a second.
 *
 * @param rangeBytes         the range scanned
 * @param baseNanos          a scan that finds nothing
 * @param perPageNanos       each page found
 * @param emptyDecommitNanos {@code MADV_DONTNEED} of the whole range with nothing resident
 */
public record ScanCost(long rangeBytes, double baseNanos, double perPageNanos, double emptyDecommitNanos) {
    static final int LOW = 16;
    static final int HIGH = 512;
    static final int ROUNDS = 201;
    static final int WARMUP = 10_000;
    static final long WARMUP_NANOS = 100_000_000L;

    /** The cost of {@code MADV_DONTNEED} of {@code bytes} of the range with nothing resident there. */
    public double emptyDecommitNanos(double bytes) {
        return emptyDecommitNanos * Math.min(1, bytes / rangeBytes);
    }

    /** The cost of a scan that finds {@code pages} pages. */
    public double nanos(double pages) {
        return baseNanos + pages * perPageNanos;
    }

    /** Measures a scan of {@code rangeBytes} (rounded up to pages) on this host. */
    public static ScanCost measure(Syscalls os, long rangeBytes) {
        long page = os.pageSize();
        long bytes = Math.max(HIGH * page, (rangeBytes + page - 1) / page * page);
        long base = os.mmap(0, bytes, Mman.PROT_READ | Mman.PROT_WRITE,
                Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS | Mman.MAP_NORESERVE, -1, 0);
        try (PagemapScanner scanner = PagemapScanner.open(ScanMode.AUTO, os).orElseThrow()) {
            os.madvise(base, bytes, Mman.MADV_NOHUGEPAGE);
            RegionVisitor ignore = (start, end, categories) -> { };
            NativeMemory.fill(base, LOW * page, (byte) 1);
            double low = median(scanner, base, bytes, ignore);
            NativeMemory.fill(base, HIGH * page, (byte) 1);
            double high = median(scanner, base, bytes, ignore);
            double perPage = Math.max(0, (high - low) / (HIGH - LOW));
            os.madvise(base, bytes, Mman.MADV_DONTNEED);
            Samples t = new Samples(ROUNDS);
            for (int r = 0; r < ROUNDS; r++) {
                long t0 = System.nanoTime();
                os.madvise(base, bytes, Mman.MADV_DONTNEED);
                t.add(System.nanoTime() - t0);
            }
            return new ScanCost(bytes, Math.max(0, low - LOW * perPage), perPage, t.quantile(0.5));
        } finally {
            os.munmap(base, bytes);
        }
    }

    private static double median(PagemapScanner scanner, long base, long bytes, RegionVisitor visitor) {
        long warmupEnds = System.nanoTime() + WARMUP_NANOS;
        for (int r = 0; r < WARMUP || System.nanoTime() < warmupEnds; r++) {
            scanner.scan(base, base + bytes, 0, visitor);
        }
        Samples t = new Samples(ROUNDS);
        for (int r = 0; r < ROUNDS; r++) {
            long t0 = System.nanoTime();
            scanner.scan(base, base + bytes, 0, visitor);
            t.add(System.nanoTime() - t0);
        }
        return t.quantile(0.5);
    }
}
