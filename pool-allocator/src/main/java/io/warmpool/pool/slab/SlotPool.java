package io.warmpool.pool.slab;

import io.warmpool.natives.Syscalls;
import io.warmpool.pool.concurrent.StripedCounter;
import io.warmpool.pool.concurrent.ThreadIndex;
import io.warmpool.pool.config.KindConfig;
import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.config.ResetStrategy;
import io.warmpool.pool.config.SlotKind;
import io.warmpool.pool.event.AcquireKind;
import io.warmpool.pool.event.Fallback;
import io.warmpool.pool.event.PoolListener;
import io.warmpool.pool.event.PoolSnapshot;
import io.warmpool.pool.image.ImageFile;
import io.warmpool.pool.image.ImageSlots;
import io.warmpool.pool.reset.DecommitQueue;
import io.warmpool.pool.reset.RecordedReset;
import io.warmpool.pool.reset.ResetContext;
import io.warmpool.pool.reset.SlotResetter;
import io.warmpool.pool.reset.WrittenTracking;

import java.util.function.IntPredicate;

/**
 * The slots of one kind: a {@link Slab}, its {@link SlotIndexAllocator}, its {@link SlotResetter}
 * and {@link DecommitQueue}, its {@link KindSettings}, and what the pool knows of each slot
 * ({@link SlotRecords}: how much of it is accessible). The life of a slot, and who does each step:
 *
 * <pre>
 *             acquire                    tenant                 release
 *  free ───────────────────► in use ─────────────► resetting ──────────────► free (warm, its key)
 *  (warm / cold)   open up to the                   zero, list decommits;       │ over the warm bound:
 *                  initial size (mprotect)          run or queue them            ▼ LRU warm slot decommitted
 *                  SlotAcquirer                     SlotResetter, DecommitQueue cold           WarmSlots
 *  any step fails ──► remap fresh (MAP_FIXED, PROT_NONE) ──► cold                          SlotRecovery
 *                                └── fails too ──────────────► quarantined, never handed out;
 *                                                              sealed as far as the kernel lets
 *                                                              (mprotect PROT_NONE, MADV_DONTNEED)
 * </pre>
 *
 * A memory's accessible size is adjusted lazily at acquire (one {@code mprotect} up, or a
 * {@code madvise} and an {@code mprotect} down, to the new tenant's initial size; nothing on an
 * affinity hit of the same size), so a release costs only its reset.
 *
 * <p>A memory slot may map a memory image at its base ({@link ImageSlots} draws it). An acquire that
 * names an image takes, in order: a warm slot that maps it (released under the image as its key:
 * nothing to map), then whatever the allocator gives the instance's key; a slot that maps another
 * image, or none, is remapped to it before the resize ({@link SlotAcquirer} draws it). Its release
 * resets it to the image's bytes and files it under the image.
 */
public final class SlotPool implements AutoCloseable, DecommitQueue.Completion {
    /** Slots an acquire tries when resizing them for the new tenant fails. */
    public static final int RESIZE_ATTEMPTS = SlotAcquirer.ATTEMPTS;
    private static final long IN_USE = 1;
    private static final long RESETTING = 1L << 32;

    private final SlotKind kind;
    private final Slab slab;
    private SlotIndexAllocator allocator; // replaced, with its locks, in a forked child (renewAfterFork)
    private final SlotResetter resetter;
    private final ImageSlots images;
    private final WrittenTracking tracking;
    private final KindSettings settings;
    private DecommitQueue queue;          // likewise
    private final PoolListener listener;
    private final Runnable onFree;
    private final SlotRecords records;
    private final SlotRecovery recovery;
    private final SlotAcquirer acquirer;
    private final WarmSlots warm;
    /**
     * Slots in use and resetting, as one number: {@code inUse + resetting << 32}, so that a release
     * moves a slot from one to the other with one atomic add, in the releasing thread's own cell.
     */
    private final StripedCounter counts = new StripedCounter();

    /**
     * Reserves the slab of {@code kind}'s slots as {@code config} shapes them.
     *
     * @param processMadvise whether batched decommits may try {@code process_madvise}
     * @param onFree         run when a queued decommit frees a slot (the pool wakes a waiting acquire;
     *                       for a release that resets on its own thread, the pool does that itself,
     *                       once for the whole instance)
     */
    public SlotPool(SlotKind kind, PoolConfig config, Syscalls os, boolean processMadvise, PoolListener listener,
                    Runnable onFree) {
        KindConfig shape = config.kind(kind);
        this.kind = kind;
        this.listener = listener;
        this.onFree = onFree;
        int slots = shape.count();
        this.slab = new Slab(os, shape, config.wipeOnFork());
        int stripes = config.stripes() > 0 ? config.stripes() : SlotIndexAllocator.defaultStripes(slots);
        this.allocator = new SlotIndexAllocator(slots, stripes, config.maxUnusedWarmSlots());
        this.tracking = new WrittenTracking(kind, os, config.pageSize(), slots);
        this.resetter = new SlotResetter(kind, config.pageSize(), slots, tracking, os);
        this.images = new ImageSlots(os, slots, config.wipeOnFork(), listener);
        this.settings = new KindSettings(shape, config.pageSize(), config.resetStrategy());
        this.queue = new DecommitQueue(os, config.decommitBatch(), processMadvise, this, os::nanoTime);
        this.records = new SlotRecords(kind, slab, config.pageSize());
        this.recovery = new SlotRecovery(kind, os, slab, records, images, tracking, resetter, listener);
        this.acquirer = new SlotAcquirer(kind, slab, records, images, tracking, recovery);
        this.warm = new WarmSlots(os, records, tracking, settings, recovery);
    }

    /** The kind of its slots. */
    public SlotKind kind() {
        return kind;
    }

    /** The settings that can change while the pool runs. */
    public KindSettings settings() {
        return settings;
    }

    /** The stripes of its slot allocator: the warm-slot bound is split across them. */
    public int stripes() {
        return allocator.stripeCount();
    }

    /** How many slots it has. */
    public int capacity() {
        return slab.slots();
    }

    /** The usable bytes of one slot (a memory's maximum). */
    public long slotBytes() {
        return slab.slotBytes();
    }

    /** The first byte of slot {@code slot}. */
    public long slotBase(int slot) {
        return slab.slotBase(slot);
    }

    /** Whether the slot is free (warm or cold) or quarantined: held by no tenant, and not on its way to one. */
    public boolean isIdle(int slot) {
        return !allocator.isTaken(slot);
    }

    /** The first byte of the slab's reservation. */
    public long reservationBase() {
        return slab.base();
    }

    /** The bytes of the slab's reservation. */
    public long reservationBytes() {
        return slab.reservation();
    }

    /**
     * Takes a free slot for {@code key} and makes {@code initialBytes} of it accessible (tables and
     * stacks: all of it). Flushes queued decommits and tries again before it gives up. A slot whose
     * {@code mprotect} or {@code madvise} fails here is remapped (or quarantined) and another slot is
     * tried, up to {@link #RESIZE_ATTEMPTS} in all; then the failure reaches the caller. Tells the
     * listener nothing: the caller tells it once the whole instance is acquired, or not.
     *
     * @return the slot and how it was found, packed: read them with {@link #slotOf} and
     *         {@link #howOf}; the slot is {@link SlotIndexAllocator#NONE} when every slot is taken
     */
    public long acquire(Object key, long initialBytes) {
        return acquire(key, null, initialBytes);
    }

    /**
     * As {@link #acquire(Object, long)}, for a memory that starts from {@code image} (null: none):
     * the slot handed out maps it, and reads its bytes, zero beyond them. Say whether the slot
     * already mapped it with {@link #imageOf}.
     *
     * @throws IllegalStateException when the image is closed; no slot is taken then
     */
    public long acquire(Object key, ImageFile image, long initialBytes) {
        long taken = acquirer.acquire(allocator, queue, key, image, initialBytes);
        int slot = Taken.slot(taken);
        if (slot != Taken.NONE) {
            if (Taken.how(taken) != AcquireKind.AFFINITY) {
                resetter.forget(slot);
            }
            counts.add(IN_USE);
        }
        return taken;
    }

    /** The slot of what {@link #acquire} returned, or {@link SlotIndexAllocator#NONE}. */
    public static int slotOf(long taken) {
        return Taken.slot(taken);
    }

    /** How the slot of what {@link #acquire} returned was found. */
    public static AcquireKind howOf(long taken) {
        return Taken.how(taken);
    }

    /**
     * For a memory with an image, whether the slot of what {@link #acquire} returned already mapped
     * it: {@code 1} it did (nothing mapped), {@code 2} it was remapped; {@code 0} without an image.
     */
    public static int imageOf(long taken) {
        return Taken.image(taken);
    }

    /** The key the slot is filed under when it is free: the image it maps, else the instance's key. */
    private Object listKey(int slot, Object key) {
        ImageFile image = images.mapped(slot);
        return image != null ? image : key;
    }

    /** The image the slot maps, or null. */
    public ImageFile image(int slot) {
        return images.mapped(slot);
    }

    /** How many slots map a memory image now. */
    public int slotsMappingImages() {
        return images.slotsMapping();
    }

    /**
     * Gives back a slot that {@link #acquire} took and no tenant ever reached (the instance it was
     * for could not get another kind): it is as clean as when it was taken, so it goes back to the
     * free lists without a reset, as the most recent warm slot of {@code key}.
     */
    public void untake(int slot, Object key) {
        int victim = allocator.release(slot, listKey(slot, key));
        counts.add(-IN_USE);
        if (victim != SlotIndexAllocator.NONE) {
            warm.evict(allocator, victim);
        }
    }

    /** The accessible bytes of a slot. */
    public long accessible(int slot) {
        return records.accessible(slot);
    }

    /** The address of the slot's lowest accessible byte (a stack's accessible bytes end at its top). */
    public long accessibleStart(int slot) {
        return records.accessibleStart(slot);
    }

    /**
     * Makes {@code additionalBytes} more of a memory slot accessible, rounded up to a page, atomically
     * with any other grow of the slot, once {@code holder} (which throws once the tenant released the
     * slot) let it; see {@link SlotRecords#grow}.
     *
     * @return the new accessible size
     * @throws IllegalArgumentException for a negative size or one past the maximum; nothing changes
     */
    public long grow(int slot, long additionalBytes, Runnable holder) {
        return records.grow(slot, additionalBytes, holder);
    }

    /**
     * Resets a slot its tenant gave back and returns it to the free lists, now or (when its
     * decommit is queued) after the batch runs. Never throws: a failed reset remaps the slot.
     */
    public void release(ResetContext ctx, int slot, Object key) {
        counts.addForThread(ctx.borrower, RESETTING - IN_USE);
        long bytes = records.accessibleAfterGrows(slot); // first: a grow in flight may yet fail and distrust the slot
        if (records.distrusted[slot] != null) {
            recoverReleased(slot, "not trusted to a reset", records.distrusted[slot]);
            return;
        }
        try {
            ResetStrategy strategy = settings.strategy();
            long lo = records.accessibleStart(slot);
            ImageFile image = images.mapped(slot);
            ctx.image(slab.slotBase(slot), image == null ? 0 : image.byteSize(), image == null ? 0 : image.source());
            key = listKey(slot, key);
            long keepResident = settings.keepResidentBytes();
            records.keptWith[slot] = keepResident;
            resetter.reset(ctx, slot, slab.slotBase(slot), lo, lo + bytes, keepResident, strategy);
            String scannerFallback = ctx.newScannerFallback();
            if (scannerFallback != null) {
                listener.fallback(kind, Fallback.PAGEMAP_READ, scannerFallback);
            }
            String untracked = tracking.newFallback();
            if (untracked != null) {
                listener.fallback(kind, Fallback.UNTRACKED, untracked);
            }
            RecordedReset record = ctx.record;
            if (ctx.decommits.size() == 0) {
                resetter.resetDone(slot, record, strategy);
                listener.reset(record);
                complete(slot, key, ctx.borrower);
            } else if (queue.batchSlots() == 1) {
                record.decommitted(queue.decommitNow(ctx.decommits));
                resetter.resetDone(slot, record, strategy);
                listener.reset(record);
                complete(slot, key, ctx.borrower);
            } else {
                records.releaseKey[slot] = key;
                resetter.resetDone(slot, record, strategy);
                listener.reset(record);
                queue.submit(slot, ctx.decommits);
            }
        } catch (RuntimeException e) {
            recoverReleased(slot, "reset failed", e);
        }
    }

    /**
     * The slot is clean: it becomes warm; a warm slot over the bound goes cold. {@code thread} is the
     * calling thread's {@link ThreadIndex} (a release knows it from its context). A release tells the
     * pool once for the whole instance; a queued decommit that completes tells it here.
     */
    private void complete(int slot, Object key, int thread) {
        int victim = allocator.release(slot, key);
        counts.addForThread(thread, -RESETTING);
        if (victim != SlotIndexAllocator.NONE) {
            warm.evict(allocator, victim);
        }
        if (warm.keptTooMuch(slot)) { // lowered while it was reset: see setKeepResidentBytes
            warm.trim(allocator, slot);
        }
    }

    /**
     * Sets the keep-resident bytes per slot for the resets from now on; when it lowers them, the
     * idle warm slots give back what they keep beyond the new bytes now, on this thread (the setter's
     * half of what {@link WarmSlots} draws; a reset running meanwhile trims its own slot).
     *
     * @throws io.warmpool.pool.config.PoolConfigException when not page-aligned, negative or above the slot size
     */
    public void setKeepResidentBytes(long bytes) {
        long was = settings.keepResidentBytes(bytes);
        if (bytes < was) {
            warm.trim(allocator, SlotIndexAllocator.NONE);
        }
    }

    /** Sets the bound on unused warm slots, and trims the warm slots beyond it now. */
    public void setMaxUnusedWarm(int bound) {
        allocator.setMaxUnusedWarm(bound);
        warm.evictExcess(allocator);
    }

    private void recoverReleased(int slot, String step, RuntimeException cause) {
        records.releaseKey[slot] = null;
        recovery.recover(allocator, slot, step, cause);
        counts.add(-RESETTING);
    }

    /**
     * In a forked child, where only the calling thread exists and a parent thread may hold this
     * kind's locks for good: renews everything of this kind with new locks. The allocator is rebuilt
     * from the slots' states; a taken slot that {@code held} says an instance of the child still holds
     * stays in use, and its release will remap it instead of trusting a reset ({@code why}); any other
     * taken slot was in flight in the parent (being acquired, reset, queued for decommit, evicted) and
     * is replaced by a fresh mapping, or quarantined and sealed when that fails ({@link SlotRecovery}).
     * Counted as {@link Fallback#FORKED} (and {@link Fallback#QUARANTINED}). The decommit queue is
     * replaced (the slots of its batches are in flight, so remapped above), and the counts start
     * over: the held slots in use, none resetting.
     */
    public void renewAfterFork(IntPredicate held, String why) {
        SlotIndexAllocator rebuilt = allocator.forChild();
        int inUse = recovery.renewInFlight(rebuilt, held, why);
        queue = queue.forChild();
        tracking.forChild();
        records.renewAfterFork();
        allocator = rebuilt;
        counts.clear();
        counts.add(inUse * IN_USE);
        recovery.tellRenewed(why);
    }

    @Override
    public void decommitted(int slot) {
        Object key = records.releaseKey[slot];
        records.releaseKey[slot] = null;
        complete(slot, key, ThreadIndex.current());
        onFree.run();
    }

    @Override
    public void failed(int slot, RuntimeException cause) {
        recoverReleased(slot, "its batched decommit failed", cause);
        onFree.run();
    }

    @Override
    public void fellBack(Fallback reason, String detail) {
        listener.fallback(kind, reason, detail);
    }

    /** Runs queued decommits now. */
    public void flush() {
        queue.flush();
    }

    /** Runs queued decommits if they waited too long for their batch to fill: see {@link DecommitQueue}. */
    public void flushIfWaited() {
        queue.flushIfWaited();
    }

    /** The state of this kind's slots now; runs queued decommits that waited too long first. */
    public PoolSnapshot.KindSnapshot snapshot() {
        queue.flushIfWaited();
        long both = counts.sum();
        int inUse = (int) both; // the low half, signed: a sum taken while slots move may borrow from the high one
        int resetting = (int) ((both - inUse) >> 32);
        return new PoolSnapshot.KindSnapshot(kind, capacity(), inUse, allocator.warm(), allocator.cold(),
                resetting, allocator.quarantined(), settings.keepResidentBytes(), slab.reservation());
    }

    @Override
    public void close() {
        queue.flush();
        queue.close();
        try {
            tracking.close();
        } finally {
            slab.close();
            images.closeAll();
        }
    }
}
