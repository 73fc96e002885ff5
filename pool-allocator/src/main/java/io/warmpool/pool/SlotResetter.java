package io.warmpool.pool;

import io.warmpool.natives.NativeMemory;
import io.warmpool.pagemap.PageCategory;

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
 * auto, per slot:   pagemap-guided or memset-keep-resident, as AutoChoice decides from what the
 *                   scans find and cost (and madvise-all once, to undo a memset trial that lost).
 *                   Without a scanner: memset-keep-resident.
 * </pre>
 *
 * Zeroing a page that is not resident would fault it in (about 10 µs here) and make it resident;
 * decommitting a resident page means the next tenant faults on it; zeroing a resident page costs
 * about 0.2 µs. Hence: zero what is dirty and within budget, give back the rest.
 */
final class SlotResetter {
    private final SlotKind kind;
    private final Slab slab;
    private final long pageSize;
    private final boolean growsDown;
    private final AutoChoice auto;
    private volatile long keepResidentBytes;
    private volatile ResetStrategy strategy;

    SlotResetter(SlotKind kind, Slab slab, long pageSize, long keepResidentBytes, ResetStrategy strategy) {
        this.kind = kind;
        this.slab = slab;
        this.pageSize = pageSize;
        this.growsDown = kind == SlotKind.STACK;
        this.auto = new AutoChoice(slab.slots());
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
        auto.forget(slot);
    }

    /**
     * The slot's reset is over, its decommit run (or queued, when batched: then it costs the release
     * nothing): auto judges a memset trial by what the release paid, zeroing and decommit.
     */
    void resetDone(int slot, ResetRecord record) {
        if (strategy == ResetStrategy.AUTO && record.strategy == ResetStrategy.MEMSET_KEEP_RESIDENT) {
            auto.memsetDone(slot, record.zeroNanos + record.decommitNanos);
        }
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
        long finished;
        switch (chosen) {
            case MADVISE_ALL -> {
                ctx.decommits.add(lo, hi);
                finished = System.nanoTime();
            }
            case MEMSET_KEEP_RESIDENT -> finished = memsetKeepResident(ctx, lo, hi, keep, started);
            case PAGEMAP_GUIDED -> finished = pagemapGuided(ctx, slot, lo, hi, keep, started);
            default -> throw new IllegalStateException("no reset for " + chosen);
        }
        record.decommittedBytes = ctx.decommits.bytes();
        record.totalNanos = finished - started;
    }

    private ResetStrategy choose(ResetContext ctx, int slot) {
        ResetStrategy configured = strategy;
        if (configured == ResetStrategy.MADVISE_ALL || configured == ResetStrategy.MEMSET_KEEP_RESIDENT) {
            return configured;
        }
        if (ctx.scanner == null) {
            return ResetStrategy.MEMSET_KEEP_RESIDENT;
        }
        return configured == ResetStrategy.PAGEMAP_GUIDED ? configured : auto.choose(slot);
    }

    /** Returns when it finished, by {@link System#nanoTime()}; its zeroing counts from {@code started}. */
    private long memsetKeepResident(ResetContext ctx, long lo, long hi, long keep, long started) {
        if (growsDown) {
            NativeMemory.zero(hi - keep, keep);
            ctx.decommits.add(lo, hi - keep);
        } else {
            NativeMemory.zero(lo, keep);
            ctx.decommits.add(lo + keep, hi);
        }
        long finished = System.nanoTime();
        ctx.record.zeroNanos = finished - started;
        ctx.record.zeroedBytes = keep;
        return finished;
    }

    /** Returns when it finished, by {@link System#nanoTime()}; its scan counts from {@code started}. */
    private long pagemapGuided(ResetContext ctx, int slot, long lo, long hi, long keep, long started) {
        ResetRecord record = ctx.record;
        long budget = keep / pageSize;
        RangeList regions = ctx.regions;
        long stop = ctx.scanner.scan(lo, hi, growsDown ? 0 : budget, regions);
        long t1 = System.nanoTime();
        record.scanNanos = t1 - started;
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
        long finished = System.nanoTime();
        record.zeroNanos = finished - t1;
        record.zeroedBytes = zeroed;
        record.dirtyPages = dirtyPages;
        if (strategy == ResetStrategy.AUTO) {
            double memsetEstimate = largest == 0 ? Double.NaN
                    : AutoChoice.memsetEstimate(keep / pageSize, largestNanos, largest / pageSize);
            double share = dirtyShare(regions, growsDown ? hi - keep : lo, growsDown ? hi : lo + keep, budget);
            auto.scanned(slot, share, record.scanNanos + record.zeroNanos, memsetEstimate);
        }
        return finished;
    }

    /** The share of the keep-resident window {@code [windowStart, windowEnd)} of {@code budget} pages found dirty. */
    private double dirtyShare(RangeList regions, long windowStart, long windowEnd, long budget) {
        long inWindow = 0;
        for (int i = 0; i < regions.size(); i++) {
            long start = Math.max(regions.start(i), windowStart);
            long end = Math.min(regions.end(i), windowEnd);
            if (end > start) {
                inWindow += (end - start) / pageSize;
            }
        }
        return (double) inWindow / budget;
    }
}
