package io.warmpool.pool;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * What a pool's tenants do, recorded cheaply as the pool runs: per kind, a histogram of the dirty
 * pages each reset found and of where in the slot they lie; and a histogram of how many instances
 * were in use at each acquire. {@code warmpool tune} turns it into settings.
 *
 * <pre>
 *  each thread counts in its own plain arrays (no atomic, no lock: a few adds per reset);
 *  snapshot() sums the arrays of every thread that ever counted
 *
 *  acquire   inUse[bucket(instances out)]++
 *  reset     scanned? (ResetRecord.dirtyPages() >= 0)
 *              no:  unscanned++
 *              yes: dirty[bucket(pages)]++; regions += n; accessible += bytes
 *                   budget full (pages == keep / page)? budgetFull++
 *                   for each dirty region, pages a..b counted from the hot end, 1 for the first page:
 *                     offsets[bucket] += pages of a..b in that bucket     one add per bucket it spans
 *                   (so the bucket le=K holds exactly the dirty pages among the first K)
 *  buckets: {@link ProfileBuckets}: dirty pages four to an octave, offsets by powers of two
 * </pre>
 *
 * Only resets that scanned see dirty pages (pagemap-guided always; auto while it scans); a scan
 * stops at the keep-resident budget, so {@code budgetFull} says how often the histograms were cut
 * there. Thread-safe: a {@link #snapshot()} taken while other threads reset reads their counts as
 * they stand, without waiting for them (a count may lag by the reset in progress). Only plain field
 * and array accesses run per reset, so a forked child can record too.
 */
public final class TenantProfile {
    private final long pageSize;
    private final ToLongFunction<SlotKind> keepResidentBytes;
    private final long[] inUseBounds;
    private final Map<SlotKind, Shape> shapes = new EnumMap<>(SlotKind.class);
    private final Shape[] shapeByKind = new Shape[SlotKind.values().length];
    private final List<Counters> all = new ArrayList<>();
    private final ThreadLocal<Counters> local;

    /** The bucket bounds of one kind, shared by every thread's counters. */
    private record Shape(long slotBytes, long[] pageBounds, long[] offsetBounds) {
    }

    /**
     * A profile of a pool of {@code config}'s shape.
     *
     * @param keepResidentBytes the keep-resident bytes of a kind now (they can change at run time)
     */
    TenantProfile(PoolConfig config, ToLongFunction<SlotKind> keepResidentBytes) {
        this.pageSize = config.pageSize();
        this.keepResidentBytes = keepResidentBytes;
        int instances = 0;
        for (SlotKind kind : SlotKind.values()) {
            if (config.total(kind) > 0) {
                Shape shape = new Shape(config.slotBytes(kind),
                        ProfileBuckets.logLinear(config.slotBytes(kind) / pageSize),
                        ProfileBuckets.powersOfTwo(config.slotBytes(kind) / pageSize));
                shapes.put(kind, shape);
                shapeByKind[kind.ordinal()] = shape;
                instances = Math.max(instances, config.total(kind));
            }
        }
        this.inUseBounds = ProfileBuckets.logLinear(instances);
        this.local = ThreadLocal.withInitial(this::newCounters);
    }

    private Counters newCounters() {
        Counters counters = new Counters(inUseBounds.length + 1, shapeByKind);
        synchronized (all) {
            all.add(counters);
        }
        return counters;
    }

    /** An instance is being acquired while {@code instancesInUse} others are out. */
    void acquiring(int instancesInUse) {
        Counters c = local.get();
        c.inUse[ProfileBuckets.logLinearIndex(inUseBounds, instancesInUse)]++;
        c.inUseSum += instancesInUse;
    }

    /** A slot was reset as {@code record} says. */
    void reset(ResetRecord record) {
        int kind = record.kind().ordinal();
        Shape shape = shapeByKind[kind];
        if (shape == null) {
            return;
        }
        KindCounters k = local.get().kinds[kind];
        long dirty = record.dirtyPages();
        if (dirty < 0) {
            k.unscanned++;
            return;
        }
        k.scanned++;
        k.dirty[ProfileBuckets.logLinearIndex(shape.pageBounds(), dirty)]++;
        k.dirtySum += dirty;
        k.accessible += record.accessibleBytes();
        int regions = record.dirtyRegionCount();
        k.regions += regions;
        long budget = keepResidentBytes.applyAsLong(record.kind()) / pageSize;
        if (budget > 0 && dirty >= budget) {
            k.budgetFull++;
        }
        boolean fromTop = record.kind() == SlotKind.STACK;
        for (int i = 0; i < regions; i++) {
            long offset = record.dirtyRegionOffset(i);
            long bytes = record.dirtyRegionBytes(i);
            long first = (fromTop ? shape.slotBytes() - offset - bytes : offset) / pageSize + 1;
            k.observeOffsets(shape.offsetBounds(), first, bytes / pageSize);
        }
    }

    /** The profile now: every thread's counts, summed. */
    public ProfileSnapshot snapshot() {
        List<Counters> threads;
        synchronized (all) {
            threads = new ArrayList<>(all);
        }
        long[] inUse = new long[inUseBounds.length + 1];
        long inUseSum = 0;
        for (Counters c : threads) {
            add(inUse, c.inUse);
            inUseSum += c.inUseSum;
        }
        Map<SlotKind, ProfileSnapshot.KindProfile> out = new EnumMap<>(SlotKind.class);
        for (Map.Entry<SlotKind, Shape> e : shapes.entrySet()) {
            Shape shape = e.getValue();
            KindCounters sum = new KindCounters(shape.pageBounds().length + 1, shape.offsetBounds().length + 1);
            for (Counters c : threads) {
                sum.add(c.kinds[e.getKey().ordinal()]);
            }
            out.put(e.getKey(), new ProfileSnapshot.KindProfile(shape.slotBytes(),
                    keepResidentBytes.applyAsLong(e.getKey()), sum.scanned, sum.unscanned, sum.budgetFull, sum.regions,
                    sum.accessible, new ProfileSnapshot.Histogram(shape.pageBounds(), sum.dirty, sum.dirtySum),
                    new ProfileSnapshot.Histogram(shape.offsetBounds(), sum.offsets, sum.offsetSum)));
        }
        return new ProfileSnapshot(pageSize, new ProfileSnapshot.Histogram(inUseBounds, inUse, inUseSum), out);
    }

    /** The profile now, as Prometheus text ({@link ProfileExposition}). */
    public String toExposition() {
        return ProfileExposition.write(snapshot());
    }

    private static void add(long[] into, long[] from) {
        for (int i = 0; i < into.length; i++) {
            into[i] += from[i];
        }
    }

    /** One thread's counts. */
    private static final class Counters {
        final long[] inUse;
        long inUseSum;
        final KindCounters[] kinds;

        Counters(int inUseBuckets, Shape[] shapes) {
            this.inUse = new long[inUseBuckets];
            this.kinds = new KindCounters[shapes.length];
            for (int i = 0; i < shapes.length; i++) {
                kinds[i] = shapes[i] == null ? null
                        : new KindCounters(shapes[i].pageBounds().length + 1, shapes[i].offsetBounds().length + 1);
            }
        }
    }

    /** One thread's counts of one kind. */
    private static final class KindCounters {
        long scanned;
        long unscanned;
        long budgetFull;
        long regions;
        long accessible;
        long dirtySum;
        long offsetSum;
        final long[] dirty;
        final long[] offsets;

        KindCounters(int dirtyBuckets, int offsetBuckets) {
            this.dirty = new long[dirtyBuckets];
            this.offsets = new long[offsetBuckets];
        }

        /** Counts {@code pages} pages from page {@code first} in their offset buckets. */
        void observeOffsets(long[] bounds, long first, long pages) {
            long end = first + pages;
            long page = first;
            while (page < end) {
                int i = ProfileBuckets.powerOfTwoIndex(bounds, page);
                long last = i < bounds.length ? Math.min(end - 1, bounds[i]) : end - 1;
                offsets[i] += last - page + 1;
                page = last + 1;
            }
            offsetSum += pages * (first + end - 1) / 2;
        }

        void add(KindCounters o) {
            scanned += o.scanned;
            unscanned += o.unscanned;
            budgetFull += o.budgetFull;
            regions += o.regions;
            accessible += o.accessible;
            dirtySum += o.dirtySum;
            offsetSum += o.offsetSum;
            TenantProfile.add(dirty, o.dirty);
            TenantProfile.add(offsets, o.offsets);
        }
    }
}
