package io.warmpool.pool;

import io.warmpool.natives.Mman;
import io.warmpool.natives.NativeCallException;
import io.warmpool.natives.Syscalls;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The slots of one kind: a {@link Slab}, its {@link SlotIndexAllocator}, its {@link SlotResetter}
 * and its {@link DecommitQueue}, and what the pool knows of each slot (how much of it is accessible).
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
 */
final class SlotPool implements AutoCloseable, DecommitQueue.Completion {
    /** Slots an acquire tries when resizing them for the new tenant fails. */
    static final int RESIZE_ATTEMPTS = 3;
    private static final long IN_USE = 1;
    private static final long RESETTING = 1L << 32;

    private final SlotKind kind;
    private final Syscalls os;
    private final Slab slab;
    private SlotIndexAllocator allocator; // replaced, with its locks, in a forked child (ForkRecovery)
    private final SlotResetter resetter;
    private DecommitQueue queue;          // likewise
    private final PoolListener listener;
    private final Runnable onFree;
    private final long pageSize;
    private final long[] accessible;
    /**
     * Per slot, why its next release remaps it instead of trusting a reset (a grow's failed
     * {@code mprotect}, a fork that caught it in flight), or null.
     */
    private final RuntimeException[] distrusted;
    private final Object[] releaseKey;
    /**
     * Slots in use and resetting, as one number: {@code inUse + resetting << 32}, so that a release
     * moves a slot from one to the other with one atomic add, in the releasing thread's own cell.
     */
    private final StripedCounter counts = new StripedCounter();

    SlotPool(SlotKind kind, PoolConfig config, Syscalls os, boolean processMadvise, PoolListener listener,
             Runnable onFree, LongSupplier nanoClock) {
        this.kind = kind;
        this.os = os;
        this.listener = listener;
        this.onFree = onFree;
        this.pageSize = config.pageSize();
        int slots = config.total(kind);
        this.slab = new Slab(os, kind, slots, config.slotBytes(kind), config.guardBytes(kind), config.wipeOnFork());
        int stripes = config.stripes() > 0 ? config.stripes() : SlotIndexAllocator.defaultStripes(slots);
        this.allocator = new SlotIndexAllocator(slots, stripes, config.maxUnusedWarmSlots());
        this.resetter = new SlotResetter(kind, slab, pageSize, config.keepResidentBytes(kind), config.resetStrategy());
        this.queue = new DecommitQueue(os, config.decommitBatchSize(), processMadvise, this, nanoClock);
        this.accessible = new long[slots];
        this.distrusted = new RuntimeException[slots];
        this.releaseKey = new Object[slots];
    }

    SlotKind kind() {
        return kind;
    }

    Slab slab() {
        return slab;
    }

    SlotIndexAllocator allocator() {
        return allocator;
    }

    SlotResetter resetter() {
        return resetter;
    }

    int capacity() {
        return slab.slots();
    }

    /**
     * Takes a free slot for {@code key} and makes {@code initialBytes} of it accessible (tables and
     * stacks: all of it). Flushes queued decommits and tries again before it gives up. A slot whose
     * {@code mprotect} or {@code madvise} fails here is remapped (or quarantined) and another slot is
     * tried, up to {@link #RESIZE_ATTEMPTS} in all; then the failure reaches the caller.
     *
     * @return the slot, or {@link SlotIndexAllocator#NONE} when every slot is taken
     */
    int acquire(Object key, long initialBytes) {
        for (int attempt = 1; ; attempt++) {
            try {
                return acquireOnce(key, initialBytes);
            } catch (NativeCallException resizeFailed) { // that slot is remapped or quarantined already
                if (attempt == RESIZE_ATTEMPTS) {
                    throw resizeFailed;
                }
            }
        }
    }

    private int acquireOnce(Object key, long initialBytes) {
        queue.flushIfWaited();
        long taken = allocator.acquire(key);
        if (SlotIndexAllocator.slotOf(taken) == SlotIndexAllocator.NONE && queue.pending() > 0) {
            queue.flush();
            taken = allocator.acquire(key);
        }
        int slot = SlotIndexAllocator.slotOf(taken);
        AcquireKind how = SlotIndexAllocator.kindOf(taken);
        if (slot == SlotIndexAllocator.NONE) {
            listener.acquired(kind, AcquireKind.EXHAUSTED);
            return SlotIndexAllocator.NONE;
        }
        try {
            resize(slot, kind == SlotKind.MEMORY ? initialBytes : slab.slotBytes());
        } catch (RuntimeException e) {
            recover(slot, "resizing it for the next tenant failed", e);
            throw e;
        }
        if (how != AcquireKind.AFFINITY) {
            resetter.forget(slot);
        }
        counts.add(IN_USE);
        listener.acquired(kind, how);
        return slot;
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
    long accessible(int slot) {
        return accessible[slot];
    }

    /** The address of the slot's lowest accessible byte. */
    long accessibleStart(int slot) {
        return resetter.accessibleStart(slot, accessible[slot]);
    }

    /**
     * Grows a memory slot's accessible size to {@code bytes}. A failed {@code mprotect} marks the
     * slot so that its release remaps it instead of trusting a reset.
     */
    void grow(int slot, long bytes) {
        if (kind != SlotKind.MEMORY) {
            throw new UnsupportedOperationException(kind.label() + " slots do not grow");
        }
        long now = accessible[slot];
        if (bytes > slab.slotBytes()) {
            throw new IllegalArgumentException("cannot grow memory slot " + slot + " to " + bytes
                    + " bytes: its maximum is " + slab.slotBytes() + " (" + ByteSize.format(slab.slotBytes()) + ")");
        }
        if (bytes < now) {
            throw new IllegalArgumentException("cannot grow memory slot " + slot + " to " + bytes
                    + " bytes: it already has " + now);
        }
        try {
            slab.open(slot, now, bytes);
        } catch (RuntimeException e) {
            distrusted[slot] = e;
            throw e;
        }
        accessible[slot] = bytes;
    }

    /**
     * Resets a slot its tenant gave back and returns it to the free lists, now or (when its
     * decommit is queued) after the batch runs. Never throws: a failed reset remaps the slot.
     */
    void release(ResetContext ctx, int slot, Object key) {
        counts.addForThread(ctx.borrower, RESETTING - IN_USE);
        if (distrusted[slot] != null) {
            recoverReleased(slot, "not trusted to a reset", distrusted[slot]);
            return;
        }
        try {
            resetter.reset(ctx, slot, accessible[slot]);
            reportScannerFallback(ctx);
            ResetRecord record = ctx.record;
            if (ctx.decommits.size() == 0) {
                resetter.resetDone(slot, record);
                listener.reset(record);
                complete(slot, key, ctx.borrower);
            } else if (queue.batchSlots() == 1) {
                long nanos = queue.decommitNow(ctx.decommits);
                record.decommitNanos = nanos;
                record.totalNanos += nanos;
                resetter.resetDone(slot, record);
                listener.reset(record);
                complete(slot, key, ctx.borrower);
            } else {
                releaseKey[slot] = key;
                resetter.resetDone(slot, record);
                listener.reset(record);
                queue.submit(slot, ctx.decommits);
            }
        } catch (RuntimeException e) {
            recoverReleased(slot, "reset failed", e);
        }
    }

    private void reportScannerFallback(ResetContext ctx) {
        if (ctx.scanner != null && ctx.scanner.fallbacks() != ctx.scannerFallbacksSeen) {
            ctx.scannerFallbacksSeen = ctx.scanner.fallbacks();
            listener.fallback(kind, Fallback.PAGEMAP_READ, ctx.scanner.fallbackReason());
        }
    }

    /**
     * The slot is clean: it becomes warm; a warm slot over the bound goes cold. {@code thread} is the
     * calling thread's {@link ThreadIndex} (a release knows it from its context).
     */
    private void complete(int slot, Object key, int thread) {
        int victim = allocator.release(slot, key);
        counts.addForThread(thread, -RESETTING);
        if (victim != SlotIndexAllocator.NONE) {
            evict(victim);
        }
        onFree.run();
    }

    /** Gives back everything a warm slot holds, and makes it cold. */
    private void evict(int slot) {
        try {
            long bytes = accessible[slot];
            if (bytes > 0) {
                os.madvise(accessibleStart(slot), bytes, Mman.MADV_DONTNEED);
            }
            allocator.makeCold(slot);
        } catch (RuntimeException e) {
            recover(slot, "decommitting it as a warm slot over the bound failed", e);
        }
    }

    /** Trims warm slots beyond a lowered bound. */
    void evictExcess() {
        for (int s = 0; s < allocator.stripeCount(); s++) {
            for (int victim = allocator.evictExcess(s); victim != SlotIndexAllocator.NONE; victim = allocator.evictExcess(s)) {
                evict(victim);
            }
        }
        onFree.run();
    }

    private void recoverReleased(int slot, String step, RuntimeException cause) {
        releaseKey[slot] = null;
        recover(slot, step, cause);
        counts.add(-RESETTING);
        onFree.run();
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
    String sealQuarantined(int slot) {
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
    void replaceWithFreshMapping(int slot) {
        slab.remapFresh(slot);
        accessible[slot] = 0;
        distrusted[slot] = null;
        releaseKey[slot] = null;
        resetter.forget(slot);
    }

    /** For {@link ForkRecovery}: the slot's release remaps it, for {@code why}, instead of resetting it. */
    void distrust(int slot, String why) {
        distrusted[slot] = new IllegalStateException(why);
    }

    /**
     * For {@link ForkRecovery}, in a forked child: the allocator rebuilt with new locks, a new decommit
     * queue (the old one's lock may be held for good), and the counts: {@code held} slots in use,
     * none resetting.
     */
    void replaceBookkeeping(SlotIndexAllocator rebuilt, int held) {
        queue = queue.forChild();
        allocator = rebuilt;
        counts.clear();
        counts.add(held * IN_USE);
    }

    @Override
    public void decommitted(int slot) {
        Object key = releaseKey[slot];
        releaseKey[slot] = null;
        complete(slot, key, ThreadIndex.current());
    }

    @Override
    public void failed(int slot, RuntimeException cause) {
        recoverReleased(slot, "its batched decommit failed", cause);
    }

    @Override
    public void fellBack(Fallback reason, String detail) {
        listener.fallback(kind, reason, detail);
    }

    /** Runs queued decommits now. */
    void flush() {
        queue.flush();
    }

    /** Runs queued decommits if they waited too long for their batch to fill: see {@link DecommitQueue}. */
    void flushIfWaited() {
        queue.flushIfWaited();
    }

    /** Slots whose decommit is queued and not yet run (tests). */
    int queuedDecommits() {
        return queue.pending();
    }

    PoolSnapshot.KindSnapshot snapshot() {
        queue.flushIfWaited();
        long both = counts.sum();
        int inUse = (int) both; // the low half, signed: a sum taken while slots move may borrow from the high one
        int resetting = (int) ((both - inUse) >> 32);
        return new PoolSnapshot.KindSnapshot(kind, capacity(), inUse, allocator.warm(), allocator.cold(),
                resetting, allocator.quarantined(), resetter.keepResidentBytes(), slab.reservation());
    }

    @Override
    public void close() {
        queue.flush();
        queue.close();
        slab.close();
    }
}
