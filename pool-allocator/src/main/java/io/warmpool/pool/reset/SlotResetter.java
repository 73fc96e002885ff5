package io.warmpool.pool.reset;

import io.warmpool.natives.Syscalls;
import io.warmpool.pagemap.PageCategory;
import io.warmpool.pagemap.PageCosts;
import io.warmpool.pagemap.WrittenPageTracker;
import io.warmpool.pool.config.ResetStrategy;
import io.warmpool.pool.config.SlotKind;
import io.warmpool.pool.event.ResetRecord;

/**
 * Makes the accessible bytes of one slot clean, by the strategy and within the keep-resident budget
 * it is given (the slot pool owns both: they can change at run time). It cleans in place what stays
 * resident, through the context's {@link Zeroing}, and lists in the context's {@code decommits} what
 * goes back to the kernel; the caller runs or queues those decommits. Its only other input is the
 * context's {@link DirtyPageScan}, so every plan below can be checked on made-up regions.
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
 * written-tracked:       zero the pages written in the keep-resident window since the last reset,
 *                        protect them again, give back the dirty pages beyond it (WrittenTracking)
 *
 * pagemap-shed-every-n:  pagemap-guided; every N resets give back everything accessible instead, N
 *                        from what piles up (ShedEveryN)
 *
 * memset-keep-resident:  zero the keep-resident window (the low end, a stack's top), decommit the rest
 * madvise-all:           decommit [lo, hi)
 *
 * with nothing to keep resident, every strategy is madvise-all, and the record says so.
 *
 * a slot with a memory image (its low bytes map the image's memfd, MAP_PRIVATE; ImageSlots):
 *   "zero" above means restore (ResetContext.clean): inside the image range copy the image's
 *   bytes back from its read-only source, beyond it write zeros. A decommit (MADV_DONTNEED) of
 *   the image range drops the private copies: the next read maps the image's page cache again.
 *   Untouched image pages are FILE pages, which the dirty-page scan does not report: they cost
 *   the scan nothing and need nothing. A restored page is a private page afterwards, like a
 *   zeroed one: the next scan reports it dirty (PRESENT, not FILE) and it is restored again, one
 *   copy (about a memset) a reset, while it stays within the budget.
 *
 * auto, per slot:   pagemap-guided, memset-keep-resident or written-tracked, as AutoChoice decides
 *                   from what the scans find and what whole cycles cost (the reset and the faults
 *                   it leaves the next tenant); madvise-all once to shed what piled up (every-N's
 *                   rule) or to undo a trial that lost. Without a scanner: memset-keep-resident.
 * </pre>
 *
 * Zeroing a page that is not resident would fault it in (1 to 14 µs on our machines) and make it
 * resident; decommitting a resident page means the next tenant faults on it; zeroing a resident
 * page costs about 0.2 µs. Hence: zero what is dirty and within budget, give back the rest.
 */
public final class SlotResetter {
    private final SlotKind kind;
    private final long pageSize;
    private final boolean growsDown;
    private final AutoChoice auto;
    /** The state of pagemap-shed-every-n, made on its first use. */
    private volatile ShedEveryN shed;
    /** The written-tracked reset's state, or null (then it runs as pagemap-guided). */
    private final WrittenTracking tracking;
    private final Syscalls os;

    /**
     * A resetter for the {@code slots} slots of {@code kind}, whose written-tracked resets use
     * {@code tracking} (null: they run as pagemap-guided) and whose pagemap-shed-every-n measures a
     * page fault through {@code os}, the pool's system calls.
     */
    public SlotResetter(SlotKind kind, long pageSize, int slots, WrittenTracking tracking, Syscalls os) {
        this.os = os;
        this.kind = kind;
        this.pageSize = pageSize;
        this.growsDown = kind == SlotKind.STACK;
        this.auto = new AutoChoice(slots, () -> PageCosts.measuredOnce(os));
        this.tracking = tracking;
    }

    /** A new tenant takes the slot: what auto learned of the last one does not apply. */
    public void forget(int slot) {
        auto.forget(slot);
        ShedEveryN every = shed;
        if (every != null) {
            every.forget(slot);
        }
    }

    /**
     * The slot's reset is over, its decommit run (or queued, when batched: then it costs the release
     * nothing): auto judges a memset trial by what the release paid, zeroing and decommit.
     *
     * @param configured the strategy the reset was configured with
     */
    public void resetDone(int slot, ResetRecord record, ResetStrategy configured) {
        if (configured != ResetStrategy.AUTO) {
            return;
        }
        long zeroedPages = record.zeroedBytes() / pageSize;
        auto.resetDone(slot, record.strategy() == ResetStrategy.MADVISE_ALL ? -1 : zeroedPages);
        if (record.strategy() == ResetStrategy.MEMSET_KEEP_RESIDENT) {
            auto.memsetDone(slot, record.zeroNanos() + record.decommitNanos());
        } else if (record.strategy() == ResetStrategy.WRITTEN_TRACKED) {
            // the written pages of the window were zeroed; the dirty pages beyond it were given back
            long givenBack = Math.max(0, record.dirtyPages() - zeroedPages);
            auto.trackedDone(slot, record.totalNanos() + zeroedPages * tracking.firstWriteNanos()
                    + (givenBack == 0 ? 0 : givenBack * PageCosts.measuredOnce(os).faultNanos()), zeroedPages, record.budgetPages());
        }
    }

    /**
     * Resets slot {@code slot}, whose first byte is {@code slotBase} and whose tenant could reach
     * {@code [lo, hi)}: cleans in place and fills {@code ctx.decommits} and {@code ctx.record}.
     * Throws whatever native failure it meets.
     *
     * @param keepResident the keep-resident bytes per slot now, page-aligned
     * @param configured   the reset strategy now
     */
    public void reset(ResetContext ctx, int slot, long slotBase, long lo, long hi, long keepResident,
                      ResetStrategy configured) {
        long started = System.nanoTime();
        long keep = Math.min(keepResident, hi - lo);
        RecordedReset record = ctx.record;
        record.begin(kind, slot, slotBase, hi - lo, keepResident, keep / pageSize);
        ctx.decommits.clear();
        ctx.regions.clear();
        ResetStrategy chosen = keep == 0 ? ResetStrategy.MADVISE_ALL : choose(ctx, slot, configured);
        record.strategy = chosen;
        if (tracking != null && chosen != ResetStrategy.WRITTEN_TRACKED && tracking.registered(slot)) {
            tracking.untrack(slot); // a memset would fault on every protected page, a present-page scan misread them
        }
        long finished;
        switch (chosen) {
            case MADVISE_ALL -> {
                ctx.decommits.add(lo, hi);
                finished = System.nanoTime();
            }
            case MEMSET_KEEP_RESIDENT -> finished = memsetKeepResident(ctx, lo, hi, keep, started,
                    configured == ResetStrategy.AUTO ? auto.sampleToShed(slot) : -1);
            case PAGEMAP_GUIDED -> finished = pagemapGuided(ctx, slot, lo, hi, keep, started,
                    configured == ResetStrategy.AUTO);
            case PAGEMAP_SHED_EVERY_N -> finished = shedEveryN(ctx, slot, lo, hi, keep, started);
            case WRITTEN_TRACKED -> finished = writtenTracked(ctx, slot, lo, hi, keepResident, keep, started,
                    configured == ResetStrategy.AUTO);
            default -> throw new IllegalStateException("no reset for " + chosen);
        }
        record.decommittedBytes = ctx.decommits.bytes();
        record.imageDecommittedBytes = ctx.decommitsInImage();
        record.totalNanos = finished - started;
    }

    private ResetStrategy choose(ResetContext ctx, int slot, ResetStrategy configured) {
        if (configured == ResetStrategy.MADVISE_ALL || configured == ResetStrategy.MEMSET_KEEP_RESIDENT) {
            return configured;
        }
        if (!ctx.canScan()) {
            return ResetStrategy.MEMSET_KEEP_RESIDENT;
        }
        return configured == ResetStrategy.AUTO ? auto.choose(slot) : configured;
    }

    /** pagemap-guided, shedding everything accessible every N resets ({@link ShedEveryN}). */
    private long shedEveryN(ResetContext ctx, int slot, long lo, long hi, long keep, long started) {
        ShedEveryN every = shed;
        if (every == null) {
            synchronized (this) {
                if (shed == null) {
                    shed = new ShedEveryN(auto.slots(), () -> PageCosts.measuredOnce(os).faultNanos());
                }
                every = shed;
            }
        }
        if (every.shedsNow(slot)) {
            ctx.decommits.add(lo, hi);
            return System.nanoTime();
        }
        long finished = pagemapGuided(ctx, slot, lo, hi, keep, started, false);
        every.scanned(slot, finished - started, ctx.record.dirtyPages);
        return finished;
    }

    /**
     * The written-tracked reset ({@link WrittenTracking}): tracked where the slot's window is
     * registered where the keep-resident bytes put it; else pagemap-guided, then the window is
     * registered (after the zeroing: the slot is clean), so that the next reset is tracked.
     */
    private long writtenTracked(ResetContext ctx, int slot, long lo, long hi, long keepResident, long keep,
                                long started, boolean learning) {
        WrittenPageTracker tracker = tracking == null ? null : tracking.trackerFor(ctx.scanner);
        if (tracker != null && tracking.tracks(slot, lo, hi, keepResident)) {
            return tracking.reset(ctx, tracker, slot, lo, hi, started);
        }
        if (tracking != null) {
            tracking.untrack(slot); // its window was elsewhere: the tenant's pages there are plain again
        }
        if (learning && tracker == null) {
            auto.untrackable(slot);
        }
        ctx.record.strategy = ResetStrategy.PAGEMAP_GUIDED;
        long finished = pagemapGuided(ctx, slot, lo, hi, keep, started, learning && tracker == null);
        if (tracker != null) {
            tracking.track(tracker, slot, lo, hi, keepResident);
        }
        return finished;
    }

    /**
     * Returns when it finished, by {@link System#nanoTime()}; its zeroing counts from {@code started}.
     * {@code shed} is auto's probe sample to give back after the zeroing (see {@link AutoChoice}), or -1.
     */
    private long memsetKeepResident(ResetContext ctx, long lo, long hi, long keep, long started, int shed) {
        if (growsDown) {
            ctx.clean(hi - keep, keep);
            ctx.decommits.add(lo, hi - keep);
        } else {
            ctx.clean(lo, keep);
        }
        if (shed >= 0) {
            long from = sampleStart(growsDown ? hi - keep : lo, keep, shed);
            ctx.decommits.add(from, from + samplePages(keep) * pageSize);
        }
        if (!growsDown) {
            ctx.decommits.add(lo + keep, hi);
        }
        long finished = System.nanoTime();
        ctx.record.zeroNanos = finished - started;
        ctx.record.zeroedBytes = keep;
        return finished;
    }

    /**
     * Returns when it finished, by {@link System#nanoTime()}; its scan counts from {@code started}.
     * With {@code learning} (auto), it also tells auto what the scan found and cost.
     */
    private long pagemapGuided(ResetContext ctx, int slot, long lo, long hi, long keep, long started,
                               boolean learning) {
        RecordedReset record = ctx.record;
        long budget = keep / pageSize;
        RangeList regions = ctx.regions;
        long stop = ctx.scan.scan(lo, hi, growsDown ? 0 : budget, regions);
        long t1 = System.nanoTime();
        record.scanNanos = t1 - started;
        record.regions = regions;

        long dirtyPages = 0;
        long zeroed = 0;
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
                if (kept > 0) {
                    ctx.clean(end - kept, kept);
                }
                zeroed += kept;
                left -= kept / pageSize;
                ctx.decommits.add(start, end - kept);
            }
        } else {
            for (int i = 0; i < regions.size(); i++) {
                long start = regions.start(i);
                long end = regions.end(i);
                dirtyPages += (end - start) / pageSize;
                if ((regions.categories(i) & PageCategory.PRESENT) == 0) {
                    ctx.decommits.add(start, end);
                } else {
                    ctx.clean(start, end - start);
                    zeroed += end - start;
                }
            }
            ctx.decommits.add(stop, hi);
        }
        long finished = System.nanoTime();
        record.zeroNanos = finished - t1;
        record.zeroedBytes = zeroed;
        record.dirtyPages = dirtyPages;
        if (learning) {
            double memsetEstimate = auto.weighsCosts() ? auto.memsetEstimate(budget) : Double.NaN;
            long window = growsDown ? hi - keep : lo;
            int sample = auto.sampleMeasured(slot);
            double share = sample < 0 ? dirtyShare(regions, window, window + keep, budget)
                    : dirtyShare(regions, sampleStart(window, keep, sample),
                            sampleStart(window, keep, sample) + samplePages(keep) * pageSize, samplePages(keep));
            long found = sample < 0 ? Math.round(share * budget) : -1;
            auto.scanned(slot, share, found, dirtyPages, record.scanNanos + record.zeroNanos, memsetEstimate,
                    auto.wouldTrack(slot, share, found) && canTrack(ctx));
        }
        return finished;
    }

    /** Whether written-page tracking works for this reset: a tracker, a PAGEMAP_SCAN scanner, its first-write cost known. */
    private boolean canTrack(ResetContext ctx) {
        return tracking != null && tracking.trackerFor(ctx.scanner) != null && tracking.firstWriteNanos() >= 0;
    }

    /** The pages of one of auto's probe samples of a window of {@code keep} bytes. */
    private long samplePages(long keep) {
        return Math.max(1, keep / pageSize / AutoChoice.SAMPLES);
    }

    /** Where sample {@code sample} of the window {@code [window, window + keep)} starts (inside it, whatever the window's size). */
    private long sampleStart(long window, long keep, int sample) {
        long pages = samplePages(keep);
        return window + Math.min(sample * pages, keep / pageSize - pages) * pageSize;
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
