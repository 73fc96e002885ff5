package io.warmpool.pool.slab;

import io.warmpool.natives.Mman;
import io.warmpool.natives.Syscalls;
import io.warmpool.pool.config.SlotKind;
import io.warmpool.pool.event.Fallback;
import io.warmpool.pool.event.PoolListener;
import io.warmpool.pool.image.ImageSlots;
import io.warmpool.pool.reset.SlotResetter;
import io.warmpool.pool.reset.WrittenTracking;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * Invariant 2 for the slots of one kind: a slot that a step failed on is never handed out dirty.
 *
 * <pre>
 *  a reset, resize, image change, grow, trim or eviction fails on a slot the caller holds
 *    ──► remap it fresh (MAP_FIXED, PROT_NONE), forget all that was known of it ──► cold      REMAPPED
 *          └── fails too ──► quarantined, never handed out; sealed as far as the      QUARANTINED
 *                            kernel lets: mprotect PROT_NONE, MADV_DONTNEED, each tried whatever the other did
 *
 *  in a forked child, each slot the parent had taken:
 *    held by an instance of the child ──► stays in use, distrusted (its release remaps it);
 *                                         its image range's private pages dropped
 *    otherwise (in flight in the parent) ──► remapped fresh ──► cold, or quarantined and sealed  FORKED
 * </pre>
 *
 * Each is counted, with the slot's address and the failure (call, arguments, errno).
 */
final class SlotRecovery {
    private final SlotKind kind;
    private final Syscalls os;
    private final Slab slab;
    private final SlotRecords records;
    private final ImageSlots images;
    private final WrittenTracking tracking;
    private final SlotResetter resetter;
    private final PoolListener listener;
    // What renewInFlight did, for tellRenewed: used by the one thread of a forked child only. Fields,
    // not a result record, so that the child loads no class the parent never needed.
    private int renewedRemapped;
    private int renewedQuarantined;
    private String renewedFirstFailure;

    SlotRecovery(SlotKind kind, Syscalls os, Slab slab, SlotRecords records, ImageSlots images,
                 WrittenTracking tracking, SlotResetter resetter, PoolListener listener) {
        this.kind = kind;
        this.os = os;
        this.slab = slab;
        this.records = records;
        this.images = images;
        this.tracking = tracking;
        this.resetter = resetter;
        this.listener = listener;
    }

    /**
     * Replaces a slot that {@code step} failed on by a fresh mapping and makes it cold in
     * {@code allocator}; if even that fails, quarantines and seals it. The caller holds the slot:
     * taken, not on any free list.
     */
    void recover(SlotIndexAllocator allocator, int slot, String step, RuntimeException cause) {
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
        records.forget(slot);
        resetter.forget(slot);
    }

    /**
     * In a forked child: goes through the slots {@code rebuilt} (the allocator rebuilt from the
     * slots' states) has taken, as the class comment draws it; a slot that {@code held} says an
     * instance of the child still holds stays in use, distrusted for {@code why}. Tell the
     * fallbacks with {@link #tellRenewed} once the rest of the kind is renewed.
     *
     * @return the slots that stay in use
     */
    int renewInFlight(SlotIndexAllocator rebuilt, IntPredicate held, String why) {
        int inUse = 0;
        int remapped = 0;
        int quarantined = 0;
        String firstFailure = null;
        for (int slot = slab.slots() - 1; slot >= 0; slot--) {
            if (!rebuilt.isTaken(slot)) {
                continue;
            }
            if (held.test(slot)) {
                records.distrusted[slot] = new IllegalStateException(why);
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
        renewedRemapped = remapped;
        renewedQuarantined = quarantined;
        renewedFirstFailure = firstFailure;
        return inUse;
    }

    /** Counts what {@link #renewInFlight} remapped and quarantined, once the kind is renewed. */
    void tellRenewed(String why) {
        if (renewedRemapped > 0) {
            listener.fallback(kind, Fallback.FORKED, renewedRemapped + " " + kind.label()
                    + " slot(s) in flight at the fork replaced by fresh mappings (" + why + ")");
        }
        if (renewedQuarantined > 0) {
            listener.fallback(kind, Fallback.QUARANTINED, renewedQuarantined + " " + kind.label() + " slot(s) in flight"
                    + " at the fork could not be replaced by fresh mappings in the forked child: " + renewedFirstFailure);
        }
    }
}
