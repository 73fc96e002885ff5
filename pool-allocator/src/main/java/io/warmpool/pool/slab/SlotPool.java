package io.warmpool.pool.slab;

import io.warmpool.natives.Mman;
import io.warmpool.natives.NativeCallException;
import io.warmpool.natives.Syscalls;
import io.warmpool.pool.concurrent.StripedCounter;
import io.warmpool.pool.concurrent.ThreadIndex;
import io.warmpool.pool.config.ByteSize;
import io.warmpool.pool.config.KindConfig;
import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.config.PoolSetting;
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

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * The slots of one kind: a {@link Slab}, its {@link SlotIndexAllocator}, its {@link SlotResetter}
 * and {@link DecommitQueue}, its {@link KindSettings}, and what the pool knows of each slot (how much
 * of it is accessible).
 *
 * <pre>
 *             acquire                    tenant                 release
 *  free ───────────────────► in use ─────────────► resetting ──────────────► free (warm, its key)
 *  (warm / cold)   open up to the                   zero, list decommits;       │ over the warm bound:
 *                  initial size (mprotect)          run or queue them            ▼ LRU warm slot decommitted
 *                                                                               cold
 *  any reset step fails ──► remap fresh (MAP_FIXED, PROT_NONE) ──► cold
 *                                     └── fails too ──────────────► quarantined, never handed out;
 *                                                                   sealed as far as the kernel lets
 *                                                                   (mprotect PROT_NONE, MADV_DONTNEED)
 * </pre>
 *
 * A memory's accessible size is adjusted lazily at acquire (one {@code mprotect} up, or a
 * {@code madvise} and an {@code mprotect} down, to the new tenant's initial size; nothing on an
 * affinity hit of the same size), so a release costs only its reset. Everything above the accessible
 * size is never resident: each reset covers the whole accessible range, and a shrink gives back what
 * lies above the new size before it seals it.
 *
 * <p>A memory slot may map a memory image at its base ({@link ImageSlots} draws it). An acquire that
 * names an image takes, in order: a warm slot that maps it (released under the image as its key:
 * nothing to map), then whatever the allocator gives the instance's key; a slot that maps another
 * image, or none, is remapped to it before the resize. Its release resets it to the image's bytes
 * and files it under the image.
 */
public final class SlotPool implements AutoCloseable, DecommitQueue.Completion {
    /** Slots an acquire tries when resizing them for the new tenant fails. */
    public static final int RESIZE_ATTEMPTS = 3;
    private static final long IN_USE = 1;
    private static final long RESETTING = 1L << 32;

    private final SlotKind kind;
    private final Syscalls os;
    private final Slab slab;
    private SlotIndexAllocator allocator; // replaced, with its locks, in a forked child (renewAfterFork)
    private final SlotResetter resetter;
    private final ImageSlots images;
    private final WrittenTracking tracking;
    private final KindSettings settings;
    private DecommitQueue queue;          // likewise
    private final PoolListener listener;
    private final Runnable onFree;
    private final boolean growsDown;
    private final long pageSize;
    private final long[] accessible;
    /**
     * A memory's grows, and the release's read of how much to reset, hold the lock of the slot's
     * stripe ({@code slot % length}): two grows of one memory at once both count and the accessible
     * size always equals what {@code mprotect} opened, and no grow lands after its release read the
     * size (the release marks its lease released first, then takes the lock). Replaced in a forked
     * child, where a parent thread may hold one.
     */
    private Object[] growLocks;
    /**
     * Per slot, why its next release remaps it instead of trusting a reset (a grow's failed
     * {@code mprotect}, a fork that caught it in flight), or null.
     */
    private final RuntimeException[] distrusted;
    private final Object[] releaseKey;
    /** Per slot, the keep-resident bytes its last reset kept within: a slot reset with more than the setting now is trimmed. */
    private final long[] keptWith;
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
        this.os = os;
        this.listener = listener;
        this.onFree = onFree;
        this.growsDown = kind == SlotKind.STACK;
        this.pageSize = config.pageSize();
        int slots = shape.count();
        this.slab = new Slab(os, shape, config.wipeOnFork());
        int stripes = config.stripes() > 0 ? config.stripes() : SlotIndexAllocator.defaultStripes(slots);
        this.allocator = new SlotIndexAllocator(slots, stripes, config.maxUnusedWarmSlots());
        this.tracking = new WrittenTracking(kind, os, config.pageSize(), slots);
        this.resetter = new SlotResetter(kind, config.pageSize(), slots, tracking, os);
        this.images = new ImageSlots(os, slots, config.wipeOnFork(), listener);
        this.settings = new KindSettings(shape, config.pageSize(), config.resetStrategy());
        this.queue = new DecommitQueue(os, config.decommitBatch(), processMadvise, this, os::nanoTime);
        this.accessible = new long[slots];
        this.growLocks = newLocks(kind == SlotKind.MEMORY ? Math.min(slots, 64) : 0);
        this.distrusted = new RuntimeException[slots];
        this.releaseKey = new Object[slots];
        this.keptWith = new long[slots];
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
        NativeCallException failed = null;
        for (int attempt = 1; ; attempt++) {
            try {
                long taken = acquireOnce(key, image, initialBytes);
                if (failed != null && Taken.slot(taken) == Taken.NONE) {
                    throw failed; // the failures took the last slots: they, not exhaustion, are the reason
                }
                return taken;
            } catch (NativeCallException resizeFailed) { // that slot is remapped or quarantined already
                if (attempt == RESIZE_ATTEMPTS) {
                    throw resizeFailed;
                }
                failed = resizeFailed;
            }
        }
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

    private long take(Object key, ImageFile image) {
        if (image != null) {
            int slot = allocator.acquireAffinity(image);
            if (slot != Taken.NONE) {
                return Taken.pack(slot, AcquireKind.AFFINITY);
            }
        }
        return allocator.acquire(key);
    }

    private long acquireOnce(Object key, ImageFile image, long initialBytes) {
        if (image != null) {
            image.retain(); // refused for a closed image, before any slot is taken
        }
        boolean imageTaken = false;
        try {
            queue.flushIfWaited();
            long taken = take(key, image);
            if (Taken.slot(taken) == Taken.NONE && queue.pending() > 0) {
                queue.flush();
                taken = take(key, image);
            }
            int slot = Taken.slot(taken);
            if (slot == Taken.NONE) {
                return taken;
            }
            boolean hit = images.mapped(slot) == image;
            try {
                if (!hit) {
                    imageTaken = true; // change() owns the reference now, also when it fails
                    tracking.remapped(slot); // the new mapping drops the window's write-protect registration
                    images.change(slot, slab.slotBase(slot), accessible[slot], image);
                }
                resize(slot, kind == SlotKind.MEMORY ? initialBytes : slab.slotBytes());
            } catch (RuntimeException e) {
                recover(slot, hit ? "resizing it for the next tenant failed"
                        : "mapping " + (image == null ? "anonymous memory over its image" : "the " + image) + " failed", e);
                throw e;
            }
            if (image != null) {
                taken = Taken.withImage(taken, hit ? Taken.IMAGE_HIT : Taken.IMAGE_MISS);
            }
            return finishAcquire(slot, taken);
        } finally {
            if (image != null && !imageTaken) {
                image.release(); // a hit (the slot holds its own reference), or nothing taken
            }
        }
    }

    private long finishAcquire(int slot, long taken) {
        if (Taken.how(taken) != AcquireKind.AFFINITY) {
            resetter.forget(slot);
        }
        counts.add(IN_USE);
        return taken;
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
            evict(victim);
        }
    }

    /**
     * Makes exactly the first {@code bytes} of the slot accessible. Tables and stacks always ask for
     * all of it, so for them this opens a cold slot and leaves a warm one alone.
     */
    private void resize(int slot, long bytes) {
        long now = accessible[slot];
        if (bytes == now) {
            return; // an affinity hit of the same size: no write to a line that neighbouring slots share
        }
        if (bytes > now) {
            slab.open(slot, now, bytes);
        } else {
            slab.seal(slot, bytes, now);
        }
        accessible[slot] = bytes;
    }

    /** The accessible bytes of a slot. */
    public long accessible(int slot) {
        return accessible[slot];
    }

    /** The address of the slot's lowest accessible byte (a stack's accessible bytes end at its top). */
    public long accessibleStart(int slot) {
        return growsDown ? slab.slotEnd(slot) - accessible[slot] : slab.slotBase(slot);
    }

    /**
     * Makes {@code additionalBytes} more of a memory slot accessible, rounded up to a page, atomically
     * with any other grow of the slot: under its lock, {@code holder} is checked first (it throws
     * once the tenant released the slot), then the size is read, checked and opened. A failed
     * {@code mprotect} marks the slot so that its release remaps it instead of trusting a reset.
     *
     * @return the new accessible size
     * @throws IllegalArgumentException for a negative size or one past the maximum; nothing changes
     */
    public long grow(int slot, long additionalBytes, Runnable holder) {
        if (kind != SlotKind.MEMORY) {
            throw new UnsupportedOperationException(kind.label() + " slots do not grow");
        }
        synchronized (growLock(slot)) {
            holder.run();
            long now = accessible[slot];
            long room = slab.slotBytes() - now;
            if (additionalBytes < 0 || additionalBytes > room) {
                throw new IllegalArgumentException("cannot grow memory slot " + slot + " by " + additionalBytes
                        + " bytes: it has " + now + " of at most " + slab.slotBytes() + " (" + ByteSize.format(slab.slotBytes())
                        + ", " + PoolSetting.MEMORY_MAX.key() + ")");
            }
            long target = now + ((additionalBytes + pageSize - 1) & -pageSize); // room is whole pages: no overflow
            try {
                slab.open(slot, now, target);
            } catch (RuntimeException e) {
                distrusted[slot] = e;
                throw e;
            }
            accessible[slot] = target;
            return target;
        }
    }

    private Object growLock(int slot) {
        Object[] locks = growLocks;
        return locks[slot % locks.length];
    }

    private static Object[] newLocks(int count) {
        Object[] locks = new Object[count];
        for (int i = 0; i < count; i++) {
            locks[i] = new Object();
        }
        return locks;
    }

    /** The accessible bytes of a slot its tenant has given back: after any grow in flight. */
    private long accessibleAfterGrows(int slot) {
        if (kind != SlotKind.MEMORY) {
            return accessible[slot];
        }
        synchronized (growLock(slot)) {
            return accessible[slot];
        }
    }

    /**
     * Resets a slot its tenant gave back and returns it to the free lists, now or (when its
     * decommit is queued) after the batch runs. Never throws: a failed reset remaps the slot.
     */
    public void release(ResetContext ctx, int slot, Object key) {
        counts.addForThread(ctx.borrower, RESETTING - IN_USE);
        long bytes = accessibleAfterGrows(slot); // first: a grow in flight may yet fail and distrust the slot
        if (distrusted[slot] != null) {
            recoverReleased(slot, "not trusted to a reset", distrusted[slot]);
            return;
        }
        try {
            ResetStrategy strategy = settings.strategy();
            long lo = accessibleStart(slot);
            ImageFile image = images.mapped(slot);
            ctx.image(slab.slotBase(slot), image == null ? 0 : image.byteSize(), image == null ? 0 : image.source());
            key = listKey(slot, key);
            long keepResident = settings.keepResidentBytes();
            keptWith[slot] = keepResident;
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
                releaseKey[slot] = key;
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
            evict(victim);
        }
        if (keptWith[slot] > settings.keepResidentBytes()) { // lowered while it was reset: see setKeepResidentBytes
            trimWarm(slot);
        }
    }

    /**
     * Sets the keep-resident bytes per slot for the resets from now on; when it lowers them, the
     * idle warm slots give back what they keep beyond the new bytes now, on this thread.
     *
     * <pre>
     *  setter:  write the setting; then trim every warm slot (under its stripe's lock: no acquire
     *           takes it meanwhile) whose last reset kept more
     *  a reset: read the setting at its start; once its slot is warm again, read it again, and trim
     *           the slot if it was lowered since
     * </pre>
     * A reset that read the old setting either made its slot warm before the setter trimmed (the
     * setter trims it), or reads the new setting after (it trims itself): no idle slot keeps more
     * than the new setting once both are done. A slot in use follows at its next reset.
     *
     * @throws io.warmpool.pool.config.PoolConfigException when not page-aligned, negative or above the slot size
     */
    public void setKeepResidentBytes(long bytes) {
        long was = settings.keepResidentBytes(bytes);
        if (bytes < was) {
            trimWarm(SlotIndexAllocator.NONE);
        }
    }

    /** Trims warm slot {@code only} ({@link SlotIndexAllocator#NONE}: every warm slot) to the keep-resident bytes now. */
    private void trimWarm(int only) {
        Trimmer trimmer = new Trimmer(); // one per call: a setter and a finishing reset may trim at once
        int[] failed = allocator.visitWarm(only, trimmer);
        for (int slot : failed) {
            recover(slot, "trimming it to the lowered keep-resident bytes failed", trimmer.failure);
        }
    }

    /**
     * Gives back what a warm slot keeps beyond the keep-resident bytes now: everything of its
     * accessible bytes past them (a stack: below its top's). Runs under the slot's stripe lock.
     */
    private final class Trimmer implements java.util.function.IntPredicate {
        /** The last failure, for the slots refused; read after the visit, on the same thread. */
        RuntimeException failure;

        @Override
        public boolean test(int slot) {
            long keep = settings.keepResidentBytes();
            if (keptWith[slot] <= keep) {
                return true;
            }
            try {
                long bytes = accessible[slot];
                long lo = accessibleStart(slot);
                if (bytes > keep) {
                    os.madvise(growsDown ? lo : lo + keep, bytes - keep, Mman.MADV_DONTNEED);
                }
                tracking.moveIdle(slot, lo, lo + bytes, keep);
                keptWith[slot] = keep;
                return true;
            } catch (RuntimeException e) {
                failure = e;
                return false;
            }
        }
    }

    /** Gives back everything a warm slot holds, and makes it cold. */
    private void evict(int slot) {
        try {
            long bytes = accessible[slot];
            tracking.untrack(slot); // the decommit below unprotects its window: its next reset registers it again
            if (bytes > 0) {
                os.madvise(accessibleStart(slot), bytes, Mman.MADV_DONTNEED);
            }
            allocator.makeCold(slot);
        } catch (RuntimeException e) {
            recover(slot, "decommitting it as a warm slot over the bound failed", e);
        }
    }

    /** Sets the bound on unused warm slots, and trims the warm slots beyond it now. */
    public void setMaxUnusedWarm(int bound) {
        allocator.setMaxUnusedWarm(bound);
        for (int s = 0; s < allocator.stripeCount(); s++) {
            for (int victim = allocator.evictExcess(s); victim != SlotIndexAllocator.NONE; victim = allocator.evictExcess(s)) {
                evict(victim);
            }
        }
    }

    private void recoverReleased(int slot, String step, RuntimeException cause) {
        releaseKey[slot] = null;
        recover(slot, step, cause);
        counts.add(-RESETTING);
    }

    /**
     * Invariant 2: a slot whose reset failed (or a resize, grow or eviction: {@code step} says which)
     * is replaced by a fresh mapping and goes cold; if even that fails, it is quarantined. Either way
     * it is counted, with the slot's address and the failure (call, arguments, errno), and it is
     * never handed out dirty. The caller holds the slot: taken, not on any free list.
     */
    private void recover(int slot, String step, RuntimeException cause) {
        String what = kind.label() + " slot " + slot + " at 0x" + Long.toHexString(slab.slotBase(slot));
        try {
            replaceWithFreshMapping(slot);
        } catch (RuntimeException again) {
            allocator.quarantine(slot);
            listener.fallback(kind, Fallback.QUARANTINED, what + ": " + step + " (" + cause.getMessage()
                    + ") and the fresh mapping failed too (" + again.getMessage() + "); quarantined"
                    + sealQuarantined(slot));
            return;
        }
        allocator.makeCold(slot);
        listener.fallback(kind, Fallback.REMAPPED, what + ": " + step + " (" + cause.getMessage()
                + "); replaced by a fresh mapping");
    }

    /**
     * Best effort for a slot quarantined with its last tenant's bytes in place (its fresh mapping
     * failed): makes all of it inaccessible and gives its pages back, each step tried whatever the
     * other did. Never throws: says what failed, for the fallback's detail.
     *
     * @return {@code ", sealed"}, or how many steps failed and each failure
     */
    private String sealQuarantined(int slot) {
        long base = slab.slotBase(slot);
        long bytes = slab.slotBytes();
        List<String> failures = new ArrayList<>(2);
        try {
            os.mprotect(base, bytes, Mman.PROT_NONE);
        } catch (RuntimeException e) {
            failures.add(e.getMessage());
        }
        try {
            os.madvise(base, bytes, Mman.MADV_DONTNEED);
        } catch (RuntimeException e) {
            failures.add(e.getMessage());
        }
        return failures.isEmpty() ? ", sealed (PROT_NONE, MADV_DONTNEED)"
                : "; sealing it failed " + failures.size() + " time(s): " + String.join("; ", failures);
    }

    /** A fresh mapping over the slot: nothing resident, nothing accessible, nothing learned of it. */
    private void replaceWithFreshMapping(int slot) {
        slab.remapFresh(slot);
        images.forget(slot);
        tracking.remapped(slot);
        accessible[slot] = 0;
        distrusted[slot] = null;
        releaseKey[slot] = null;
        resetter.forget(slot);
    }

    /**
     * In a forked child, where only the calling thread exists and a parent thread may hold this
     * kind's locks for good: renews everything of this kind with new locks. The allocator is rebuilt
     * from the slots' states; a taken slot that {@code held} says an instance of the child still holds
     * stays in use, and its release will remap it instead of trusting a reset ({@code why}); any other
     * taken slot was in flight in the parent (being acquired, reset, queued for decommit, evicted) and
     * is replaced by a fresh mapping, or quarantined and sealed when that fails. Counted as
     * {@link Fallback#FORKED} (and {@link Fallback#QUARANTINED}). The decommit queue is replaced (the
     * slots of its batches are in flight, so remapped above), and the counts start over: the held
     * slots in use, none resetting.
     */
    public void renewAfterFork(IntPredicate held, String why) {
        SlotIndexAllocator rebuilt = allocator.forChild();
        int inUse = 0;
        int remapped = 0;
        int quarantined = 0;
        String firstFailure = null;
        for (int slot = capacity() - 1; slot >= 0; slot--) {
            if (!rebuilt.isTaken(slot)) {
                continue;
            }
            if (held.test(slot)) {
                distrusted[slot] = new IllegalStateException(why);
                inUse++;
                try {
                    images.wipeAfterFork(slot, slab.slotBase(slot));
                } catch (RuntimeException e) {
                    listener.fallback(kind, Fallback.FORKED, kind.label() + " slot " + slot + " held across the fork"
                            + " keeps its image range's private pages in the forked child: " + e.getMessage());
                }
                continue;
            }
            try {
                replaceWithFreshMapping(slot);
                rebuilt.makeCold(slot);
                remapped++;
            } catch (RuntimeException e) {
                rebuilt.quarantine(slot);
                quarantined++;
                String sealed = sealQuarantined(slot);
                if (firstFailure == null) {
                    firstFailure = e.getMessage() + sealed;
                }
            }
        }
        queue = queue.forChild();
        tracking.forChild();
        growLocks = newLocks(growLocks.length);
        allocator = rebuilt;
        counts.clear();
        counts.add(inUse * IN_USE);
        if (remapped > 0) {
            listener.fallback(kind, Fallback.FORKED, remapped + " " + kind.label()
                    + " slot(s) in flight at the fork replaced by fresh mappings (" + why + ")");
        }
        if (quarantined > 0) {
            listener.fallback(kind, Fallback.QUARANTINED, quarantined + " " + kind.label() + " slot(s) in flight"
                    + " at the fork could not be replaced by fresh mappings in the forked child: " + firstFailure);
        }
    }

    @Override
    public void decommitted(int slot) {
        Object key = releaseKey[slot];
        releaseKey[slot] = null;
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
