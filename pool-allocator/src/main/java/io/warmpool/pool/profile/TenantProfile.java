package io.warmpool.pool.profile;

import io.warmpool.pool.concurrent.CounterCells;
import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.config.SlotKind;
import io.warmpool.pool.event.AcquireKind;
import io.warmpool.pool.event.ResetRecord;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What a pool's tenants do, recorded cheaply as the pool runs: per kind, a histogram of the dirty
 * pages each reset found and of where in the slot they lie; and a histogram of how many instances
 * were in use at each acquire. {@code warmpool tune} turns it into settings.
 *
 * <pre>
 *  the counts live in {@link CounterCells}: a reset or acquire claims a cell (one compareAndSet),
 *  adds with plain stores and frees it; snapshot() sums the cells. A cell's counts, from FIRST:
 *    IN_USE_SUM, inUse[bucket]                                         instances out at each acquire
 *    per kind the pool has, from its base: SCANNED UNSCANNED BUDGET_FULL REGIONS ACCESSIBLE DIRTY_SUM
 *                                           OFFSET_SUM ACQUIRES COLD AFFINITY, dirty[bucket], offsets[bucket]
 *
 *  acquire   inUse[bucket(instances out)]++
 *  a slot    ACQUIRES++; COLD++ or AFFINITY++ when it was so     (what the warm-slot bound costs)
 *  reset     scanned? (ResetRecord.dirtyPages() >= 0)
 *              no:  unscanned++
 *              yes: dirty[bucket(pages)]++; regions += n; accessible += bytes
 *                   record.stoppedAtBudget()? budgetFull++
 *                   for each dirty region, pages a..b counted from the hot end, 1 for the first page:
 *                     offsets[bucket] += pages of a..b in that bucket     one add per bucket it spans
 *                   (so the bucket le=K holds exactly the dirty pages among the first K)
 *  buckets: {@link ProfileBuckets}: dirty pages four to an octave, offsets by powers of two
 * </pre>
 *
 * Only resets that scanned see dirty pages (pagemap-guided always; auto while it scans); a scan
 * stops at the keep-resident budget, so {@code budgetFull} says how often the histograms were cut
 * there. A scan for present pages cannot tell a page the tenant wrote from one an earlier reset
 * zeroed and kept: both are resident. So where tenants write scattered pages, the kept pages pile up
 * to the budget and the dirty counts hold them too (16 pages written a cycle at random in a 4 MiB
 * window kept resident: some 770 found a reset); where they write the same pages each time, the
 * counts are exact. Written-page tracking (userfaultfd write-protect) is what tells them apart. Thread-safe, and no count is lost whatever the threads do; a {@link #snapshot()} taken
 * while other threads reset reads their counts as they stand, without waiting for them (a count
 * may lag by the reset in progress). The memory is a bounded number of cells whatever the number
 * of threads that ever reset, and recording waits on nothing, so a forked child records too.
 */
public final class TenantProfile {
    private static final int IN_USE_SUM = CounterCells.FIRST;
    private static final int IN_USE = IN_USE_SUM + 1;
    private static final int SCANNED = 0;
    private static final int UNSCANNED = 1;
    private static final int BUDGET_FULL = 2;
    private static final int REGIONS = 3;
    private static final int ACCESSIBLE = 4;
    private static final int DIRTY_SUM = 5;
    private static final int OFFSET_SUM = 6;
    private static final int ACQUIRES = 7;
    private static final int COLD = 8;
    private static final int AFFINITY = 9;
    private static final int DIRTY = 10;

    private final long pageSize;
    /** Per kind, the keep-resident bytes its latest reset ran with: written only when they change. */
    private final AtomicLongArray keepResidentBytes = new AtomicLongArray(SlotKind.values().length);
    /** Per kind, the stripes of its slot allocator, as the pool reports them ({@link #stripes}). */
    private final int[] stripes = new int[SlotKind.values().length];
    private volatile int maxUnusedWarmSlots;
    private final long[] inUseBounds;
    private final Map<SlotKind, Shape> shapes = new EnumMap<>(SlotKind.class);
    private final Shape[] shapeByKind = new Shape[SlotKind.values().length];
    private final CounterCells cells;

    /**
     * The bucket bounds of one kind, and where its counts start in a cell: {@code base} (the scalars,
     * then the dirty-page buckets) and {@code offsets} (the offset buckets).
     */
    private record Shape(long slotBytes, long[] pageBounds, long[] offsetBounds, int base, int offsets) {
        int end() {
            return offsets + offsetBounds.length + 1;
        }
    }

    /** A profile of a pool of {@code config}'s shape. */
    public TenantProfile(PoolConfig config) {
        this.pageSize = config.pageSize();
        this.maxUnusedWarmSlots = config.maxUnusedWarmSlots();
        Arrays.fill(stripes, 1);
        int instances = 0;
        for (SlotKind kind : SlotKind.values()) {
            instances = Math.max(instances, config.kind(kind).count());
            keepResidentBytes.set(kind.ordinal(), config.kind(kind).keepResidentBytes());
        }
        this.inUseBounds = ProfileBuckets.logLinear(instances);
        int next = IN_USE + inUseBounds.length + 1;
        for (SlotKind kind : SlotKind.values()) {
            long slotBytes = config.kind(kind).slotBytes();
            if (config.kind(kind).count() > 0) {
                long[] pages = ProfileBuckets.logLinear(slotBytes / pageSize);
                Shape shape = new Shape(slotBytes, pages,
                        ProfileBuckets.powersOfTwo(slotBytes / pageSize), next, next + DIRTY + pages.length + 1);
                shapes.put(kind, shape);
                shapeByKind[kind.ordinal()] = shape;
                next = shape.end();
            }
        }
        this.cells = new CounterCells(next - CounterCells.FIRST);
    }

    /** An instance is being acquired while {@code instancesInUse} others are out. */
    public void acquiring(int instancesInUse) {
        long[] c = cells.claim();
        c[IN_USE + ProfileBuckets.logLinearIndex(inUseBounds, instancesInUse)]++;
        c[IN_USE_SUM] += instancesInUse;
        cells.release(c);
    }

    /** The slot allocator of {@code kind} has {@code count} stripes (the pool says so once it made it). */
    public void stripes(SlotKind kind, int count) {
        if (count < 1) {
            throw new IllegalArgumentException("stripes = " + count + ": must be at least 1");
        }
        stripes[kind.ordinal()] = count;
    }

    /** The bound on unused warm slots is now {@code bound} (the pool says so when it changes). */
    public void maxUnusedWarmSlots(int bound) {
        maxUnusedWarmSlots = bound;
    }

    /** A slot of {@code kind} was acquired as {@code how} says (an exhausted attempt counts nothing). */
    public void acquired(SlotKind kind, AcquireKind how) {
        Shape shape = shapeByKind[kind.ordinal()];
        if (shape == null || how == AcquireKind.EXHAUSTED) {
            return;
        }
        long[] c = cells.claim();
        c[shape.base() + ACQUIRES]++;
        if (how == AcquireKind.COLD) {
            c[shape.base() + COLD]++;
        } else if (how == AcquireKind.AFFINITY) {
            c[shape.base() + AFFINITY]++;
        }
        cells.release(c);
    }

    /** A slot was reset as {@code record} says. */
    public void reset(ResetRecord record) {
        Shape shape = shapeByKind[record.kind().ordinal()];
        if (shape == null) {
            return;
        }
        int kind = record.kind().ordinal();
        if (keepResidentBytes.get(kind) != record.keepResidentBytes()) {
            keepResidentBytes.set(kind, record.keepResidentBytes()); // mostly unchanged: no write to a line every reset reads
        }
        long[] c = cells.claim();
        try {
            count(c, shape, record);
        } finally {
            cells.release(c);
        }
    }

    private void count(long[] c, Shape shape, ResetRecord record) {
        int k = shape.base();
        long dirty = record.dirtyPages();
        if (dirty < 0) {
            c[k + UNSCANNED]++;
            return;
        }
        c[k + SCANNED]++;
        c[k + DIRTY + ProfileBuckets.logLinearIndex(shape.pageBounds(), dirty)]++;
        c[k + DIRTY_SUM] += dirty;
        c[k + ACCESSIBLE] += record.accessibleBytes();
        int regions = record.dirtyRegionCount();
        c[k + REGIONS] += regions;
        if (record.stoppedAtBudget()) {
            c[k + BUDGET_FULL]++;
        }
        boolean fromTop = record.kind() == SlotKind.STACK;
        for (int i = 0; i < regions; i++) {
            long offset = record.dirtyRegionOffset(i);
            long bytes = record.dirtyRegionBytes(i);
            long first = (fromTop ? shape.slotBytes() - offset - bytes : offset) / pageSize + 1;
            countOffsets(c, shape, first, bytes / pageSize);
        }
    }

    /** Counts {@code pages} pages from page {@code first} in their offset buckets. */
    private static void countOffsets(long[] c, Shape shape, long first, long pages) {
        long[] bounds = shape.offsetBounds();
        long end = first + pages;
        long page = first;
        while (page < end) {
            int i = ProfileBuckets.powerOfTwoIndex(bounds, page);
            long last = i < bounds.length ? Math.min(end - 1, bounds[i]) : end - 1;
            c[shape.offsets() + i] += last - page + 1;
            page = last + 1;
        }
        c[shape.base() + OFFSET_SUM] += pages * (first + end - 1) / 2;
    }

    /** The profile now: every cell's counts, summed. */
    public ProfileSnapshot snapshot() {
        long[] sum = cells.sum();
        Map<SlotKind, ProfileSnapshot.KindProfile> out = new EnumMap<>(SlotKind.class);
        for (Map.Entry<SlotKind, Shape> e : shapes.entrySet()) {
            Shape shape = e.getValue();
            int k = shape.base();
            out.put(e.getKey(), new ProfileSnapshot.KindProfile(shape.slotBytes(),
                    keepResidentBytes.get(e.getKey().ordinal()), sum[k + SCANNED], sum[k + UNSCANNED], sum[k + BUDGET_FULL],
                    sum[k + REGIONS], sum[k + ACCESSIBLE],
                    new ProfileSnapshot.Histogram(shape.pageBounds(), slice(sum, k + DIRTY, shape.offsets()), sum[k + DIRTY_SUM]),
                    new ProfileSnapshot.Histogram(shape.offsetBounds(), slice(sum, shape.offsets(), shape.end()),
                            sum[k + OFFSET_SUM]), stripes[e.getKey().ordinal()], maxUnusedWarmSlots, sum[k + ACQUIRES],
                    sum[k + COLD], sum[k + AFFINITY]));
        }
        return new ProfileSnapshot(pageSize, new ProfileSnapshot.Histogram(inUseBounds,
                slice(sum, IN_USE, IN_USE + inUseBounds.length + 1), sum[IN_USE_SUM]), out);
    }

    private static long[] slice(long[] counts, int from, int to) {
        return Arrays.copyOfRange(counts, from, to);
    }

    /** For a forked child, before its first record: the cells parent threads were counting in are free again. */
    public void renewAfterFork() {
        cells.freeAllAfterFork();
    }
}
