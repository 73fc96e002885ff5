package io.warmpool.pool;

import io.warmpool.natives.NativeMemory;
import io.warmpool.pagemap.PageCategory;

import java.util.Arrays;

/**
 * Makes the accessible bytes of one slot clean, by the configured strategy. It zeroes in place what
 * stays resident and lists in the context's {@code decommits} what goes back to the kernel; the
 * caller runs or queues those decommits.
 *
 * <pre>
 * pagemap-guided, a memory or table (grows up):        budget = keepResident / pageSize
 *   stop = scan [lo, hi) for dirty pages, at most budget pages        one PAGEMAP_SCAN, usually
 *   zero every PRESENT region found                                   they stay resident
 *   decommit every SWAPPED region found                               a memset would swap them in
 *   decommit [stop, hi)                                               past the budget: unscanned
 *
 * pagemap-guided, a stack (grows down, its hot end is the top):
 *   scan all of [lo, hi); walk the regions from the top down, zeroing PRESENT pages while the
 *   budget lasts and decommitting the rest
 *
 * memset-keep-resident:  zero the keep-resident window (the low end, a stack's top), decommit the rest
 * madvise-all:           decommit [lo, hi)
 *
 * with nothing to keep resident, every strategy is madvise-all, and the record says so.
 *
 * auto, per slot:   scan (as pagemap-guided) while that is the cheaper way; switch to zeroing the
 *                   window outright once its dirty pages fill 3/4 of it, or, once they fill 1/4,
 *                   when the scan's reset (scan + zeroing, measured; the cheaper of the last two,
 *                   so that one preempted scan does not decide) costs more than 1/0.6 times what
 *                   zeroing the whole window is estimated to cost (below 1/4 the window is at
 *                   least four times the zeroing). The margin is wide because the estimate runs
 *                   low (the window's memset leaves the cache the timed region fit in, and
 *                   memset-keep-resident also gives back the rest of the slot: measured here, a
 *                   1 MiB window cost 1.7x the estimate from its 256 KiB dirty region) and because
 *                   a wrong switch costs more than a missed one. Costs count only after the kind's first 10,000 scans:
 *                   until the JIT has compiled the reset path, the scan's timings are inflated,
 *                   and a switch to memset cannot be undone (it leaves the whole window resident,
 *                   so later scans find it all dirty):
 *                     estimate = CALL + window pages * rate,
 *                     rate = (time to zero the largest dirty region - CALL) / its pages
 *                   (CALL, one native call's overhead, is taken as 0.08 µs, so that a one-page
 *                   region still gives a fair rate: many small regions are what makes a scan lose)
 *                   In memset mode, scan again every 32nd reset: below 1/2, go back to scanning.
 *                   A new tenant (no affinity) starts over with scanning. Without a scanner:
 *                   memset-keep-resident.
 * </pre>
 *
 * Zeroing a page that is not resident would fault it in (about 10 µs here) and make it resident;
 * decommitting a resident page means the next tenant faults on it; zeroing a resident page costs
 * about 0.2 µs. Hence: zero what is dirty and within budget, give back the rest.
 */
final class SlotResetter {
    static final double MEMSET_ABOVE = 0.75;
    static final double SCAN_BELOW = 0.5;
    static final int PROBE_EVERY = 32;
    /** Below this share of the window dirty, auto does not weigh costs: it scans. */
    static final double COSTS_ABOVE = 0.25;
    /** Scans of the kind before auto weighs costs (the JIT compiles the reset path meanwhile). */
    static final long COSTS_AFTER_RESETS = 10_000;
    /** Switch to memset when the window's estimated memset costs less than this share of the scan's reset. */
    static final double MEMSET_CHEAPER = 0.6;
    /** What one native call costs beyond its work, about: the estimate of a memset's rate leaves it out. */
    static final double CALL_NANOS = 80;

    private final SlotKind kind;
    private final Slab slab;
    private final long pageSize;
    private final boolean growsDown;
    private final boolean[] memsetMode;
    private final int[] sinceProbe;
    private final double[] lastScanReset;
    private long resets;
    private volatile long keepResidentBytes;
    private volatile ResetStrategy strategy;

    SlotResetter(SlotKind kind, Slab slab, long pageSize, long keepResidentBytes, ResetStrategy strategy) {
        this.kind = kind;
        this.slab = slab;
        this.pageSize = pageSize;
        this.growsDown = kind == SlotKind.STACK;
        this.memsetMode = new boolean[slab.slots()];
        this.sinceProbe = new int[slab.slots()];
        this.lastScanReset = new double[slab.slots()];
        Arrays.fill(lastScanReset, Double.POSITIVE_INFINITY);
        this.keepResidentBytes = keepResidentBytes;
        this.strategy = strategy;
    }

    long keepResidentBytes() {
        return keepResidentBytes;
    }

    void keepResidentBytes(long bytes) {
        if (bytes < 0 || bytes % pageSize != 0 || bytes > slab.slotBytes()) {
            throw new IllegalArgumentException(kind.label() + " keep-resident bytes = " + bytes
                    + ": must be a multiple of " + pageSize + " between 0 and " + slab.slotBytes());
        }
        keepResidentBytes = bytes;
    }

    ResetStrategy strategy() {
        return strategy;
    }

    void strategy(ResetStrategy value) {
        strategy = value;
    }

    /** A new tenant takes the slot: what auto learned of the last one does not apply. */
    void forget(int slot) {
        memsetMode[slot] = false;
        sinceProbe[slot] = 0;
        lastScanReset[slot] = Double.POSITIVE_INFINITY;
    }

    /** The lowest accessible byte of a slot whose accessible size is {@code accessible}. */
    long accessibleStart(int slot, long accessible) {
        return growsDown ? slab.slotEnd(slot) - accessible : slab.slotBase(slot);
    }

    /**
     * Resets slot {@code slot}, of which {@code accessible} bytes were reachable: zeroes in place and
     * fills {@code ctx.decommits} and {@code ctx.record}. Throws whatever native failure it meets.
     */
    void reset(ResetContext ctx, int slot, long accessible) {
        long started = System.nanoTime();
        ResetRecord record = ctx.record;
        record.begin(kind, slot, slab.slotBase(slot), accessible);
        ctx.decommits.clear();
        ctx.regions.clear();
        long lo = accessibleStart(slot, accessible);
        long hi = lo + accessible;
        long keep = Math.min(keepResidentBytes, accessible);
        ResetStrategy chosen = keep == 0 ? ResetStrategy.MADVISE_ALL : choose(ctx, slot);
        record.strategy = chosen;
        switch (chosen) {
            case MADVISE_ALL -> ctx.decommits.add(lo, hi);
            case MEMSET_KEEP_RESIDENT -> memsetKeepResident(ctx, lo, hi, keep);
            case PAGEMAP_GUIDED -> pagemapGuided(ctx, slot, lo, hi, keep);
            default -> throw new IllegalStateException("no reset for " + chosen);
        }
        record.decommittedBytes = ctx.decommits.bytes();
        record.totalNanos = System.nanoTime() - started;
    }

    private ResetStrategy choose(ResetContext ctx, int slot) {
        ResetStrategy configured = strategy;
        if (configured == ResetStrategy.MADVISE_ALL || configured == ResetStrategy.MEMSET_KEEP_RESIDENT) {
            return configured;
        }
        if (ctx.scanner == null) {
            return ResetStrategy.MEMSET_KEEP_RESIDENT;
        }
        if (configured == ResetStrategy.PAGEMAP_GUIDED || !memsetMode[slot]) {
            return ResetStrategy.PAGEMAP_GUIDED;
        }
        if (++sinceProbe[slot] >= PROBE_EVERY) {
            sinceProbe[slot] = 0;
            return ResetStrategy.PAGEMAP_GUIDED;
        }
        return ResetStrategy.MEMSET_KEEP_RESIDENT;
    }

    private void memsetKeepResident(ResetContext ctx, long lo, long hi, long keep) {
        long t0 = System.nanoTime();
        if (growsDown) {
            NativeMemory.zero(hi - keep, keep);
            ctx.decommits.add(lo, hi - keep);
        } else {
            NativeMemory.zero(lo, keep);
            ctx.decommits.add(lo + keep, hi);
        }
        ctx.record.zeroNanos = System.nanoTime() - t0;
        ctx.record.zeroedBytes = keep;
    }

    private void pagemapGuided(ResetContext ctx, int slot, long lo, long hi, long keep) {
        ResetRecord record = ctx.record;
        long budget = keep / pageSize;
        RangeList regions = ctx.regions;
        long t0 = System.nanoTime();
        long stop = ctx.scanner.scan(lo, hi, growsDown ? 0 : budget, regions);
        long t1 = System.nanoTime();
        record.scanNanos = t1 - t0;
        record.regions = regions;

        long dirtyPages = 0;
        long zeroed = 0;
        long largest = 0;
        long largestNanos = 0;
        if (growsDown) {
            long left = budget;
            for (int i = regions.size() - 1; i >= 0; i--) {
                long start = regions.start(i);
                long end = regions.end(i);
                dirtyPages += (end - start) / pageSize;
                if ((regions.categories(i) & PageCategory.PRESENT) == 0) {
                    ctx.decommits.add(start, end);
                    continue;
                }
                long kept = Math.min(left, (end - start) / pageSize) * pageSize;
                NativeMemory.zero(end - kept, kept);
                zeroed += kept;
                left -= kept / pageSize;
                ctx.decommits.add(start, end - kept);
            }
        } else {
            boolean timing = strategy == ResetStrategy.AUTO;
            for (int i = 0; i < regions.size(); i++) {
                long start = regions.start(i);
                long end = regions.end(i);
                dirtyPages += (end - start) / pageSize;
                if ((regions.categories(i) & PageCategory.PRESENT) == 0) {
                    ctx.decommits.add(start, end);
                } else if (timing && end - start > largest) {
                    long z0 = System.nanoTime();
                    NativeMemory.zero(start, end - start);
                    largestNanos = System.nanoTime() - z0;
                    largest = end - start;
                    zeroed += end - start;
                } else {
                    NativeMemory.zero(start, end - start);
                    zeroed += end - start;
                }
            }
            ctx.decommits.add(stop, hi);
        }
        record.zeroNanos = System.nanoTime() - t1;
        record.zeroedBytes = zeroed;
        record.dirtyPages = dirtyPages;
        if (strategy == ResetStrategy.AUTO) {
            boolean warm = ++resets > COSTS_AFTER_RESETS; // racy across threads: a count, not an invariant
            double memsetEstimate = largest == 0 || !warm ? Double.NaN
                    : memsetEstimate(keep / pageSize, largestNanos, largest / pageSize);
            learn(slot, regions, growsDown ? hi - keep : lo, growsDown ? hi : lo + keep, budget,
                    record.scanNanos + record.zeroNanos, memsetEstimate);
        }
    }

    /**
     * What zeroing a whole window of {@code windowPages} is estimated to cost, from the time a
     * region of {@code pages} took to zero.
     */
    static double memsetEstimate(long windowPages, long regionNanos, long pages) {
        double rate = Math.max(0, regionNanos - CALL_NANOS) / pages;
        return CALL_NANOS + windowPages * rate;
    }

    /**
     * Whether auto zeroes the window outright from now on: the dirty pages fill most of it, or a fair
     * share of it and the scan's reset cost more than zeroing all of it is estimated to (NaN: no
     * estimate).
     */
    static boolean preferMemset(double share, double scanResetNanos, double memsetEstimateNanos) {
        return share >= MEMSET_ABOVE
                || (share >= COSTS_ABOVE && memsetEstimateNanos < MEMSET_CHEAPER * scanResetNanos);
    }

    /** Updates auto's choice for the slot from the share of the keep-resident window found dirty and the costs. */
    private void learn(int slot, RangeList regions, long windowStart, long windowEnd, long budget,
                       double scanResetNanos, double memsetEstimateNanos) {
        long inWindow = 0;
        for (int i = 0; i < regions.size(); i++) {
            long start = Math.max(regions.start(i), windowStart);
            long end = Math.min(regions.end(i), windowEnd);
            if (end > start) {
                inWindow += (end - start) / pageSize;
            }
        }
        double share = (double) inWindow / budget;
        double cheaperOfTwo = Math.min(scanResetNanos, lastScanReset[slot]);
        lastScanReset[slot] = scanResetNanos;
        memsetMode[slot] = memsetMode[slot] ? share >= SCAN_BELOW
                : preferMemset(share, cheaperOfTwo, memsetEstimateNanos);
    }
}
