package io.warmpool.pool.slab;

import io.warmpool.natives.Mman;
import io.warmpool.natives.Syscalls;
import io.warmpool.pool.reset.WrittenTracking;

import java.util.function.IntPredicate;

/**
 * What the idle warm slots of a kind give back: a warm slot over the bound on unused warm slots is
 * decommitted whole and goes cold; when the keep-resident bytes are lowered, every warm slot gives
 * back what it keeps beyond them.
 *
 * <pre>
 *  the setter:  writes the setting; then trims every warm slot (under its stripe's lock: no acquire
 *               takes it meanwhile) whose last reset kept more
 *  a reset:     reads the setting at its start; once its slot is warm again, reads it again, and
 *               trims the slot if it was lowered since
 *  trim:        MADV_DONTNEED over the accessible bytes past the keep-resident bytes (a stack's:
 *               below its top's), and the write tracking's window moved to what stays
 *  evict:       the write tracking's window dropped, MADV_DONTNEED over all accessible bytes ──► cold
 * </pre>
 *
 * A reset that read the old setting either made its slot warm before the setter trimmed (the setter
 * trims it), or reads the new setting after (it trims itself): no idle slot keeps more than the new
 * setting once both are done. A slot in use follows at its next reset. A trim or eviction that fails
 * is recovered ({@link SlotRecovery}).
 */
final class WarmSlots {
    private final Syscalls os;
    private final SlotRecords records;
    private final WrittenTracking tracking;
    private final KindSettings settings;
    private final SlotRecovery recovery;

    WarmSlots(Syscalls os, SlotRecords records, WrittenTracking tracking, KindSettings settings, SlotRecovery recovery) {
        this.os = os;
        this.records = records;
        this.tracking = tracking;
        this.settings = settings;
        this.recovery = recovery;
    }

    /** Whether the slot's last reset kept more than the keep-resident bytes now (they were lowered meanwhile). */
    boolean keptTooMuch(int slot) {
        return records.keptWith[slot] > settings.keepResidentBytes();
    }

    /** Trims warm slot {@code only} ({@link SlotIndexAllocator#NONE}: every warm slot) to the keep-resident bytes now. */
    void trim(SlotIndexAllocator allocator, int only) {
        Trimmer trimmer = new Trimmer(); // one per call: a setter and a finishing reset may trim at once
        int[] failed = allocator.visitWarm(only, trimmer);
        for (int slot : failed) {
            recovery.recover(allocator, slot, "trimming it to the lowered keep-resident bytes failed", trimmer.failure);
        }
    }

    /**
     * Gives back what a warm slot keeps beyond the keep-resident bytes now: everything of its
     * accessible bytes past them (a stack: below its top's). Runs under the slot's stripe lock.
     */
    private final class Trimmer implements IntPredicate {
        /** The last failure, for the slots refused; read after the visit, on the same thread. */
        RuntimeException failure;

        @Override
        public boolean test(int slot) {
            long keep = settings.keepResidentBytes();
            if (records.keptWith[slot] <= keep) {
                return true;
            }
            try {
                long bytes = records.accessible(slot);
                long lo = records.accessibleStart(slot);
                if (bytes > keep) {
                    os.madvise(records.growsDown ? lo : lo + keep, bytes - keep, Mman.MADV_DONTNEED);
                }
                tracking.moveIdle(slot, lo, lo + bytes, keep);
                records.keptWith[slot] = keep;
                return true;
            } catch (RuntimeException e) {
                failure = e;
                return false;
            }
        }
    }

    /** Gives back everything a warm slot holds, and makes it cold. */
    void evict(SlotIndexAllocator allocator, int slot) {
        try {
            long bytes = records.accessible(slot);
            tracking.untrack(slot); // the decommit below unprotects its window: its next reset registers it again
            if (bytes > 0) {
                os.madvise(records.accessibleStart(slot), bytes, Mman.MADV_DONTNEED);
            }
            allocator.makeCold(slot);
        } catch (RuntimeException e) {
            recovery.recover(allocator, slot, "decommitting it as a warm slot over the bound failed", e);
        }
    }

    /** Evicts, stripe by stripe, the warm slots beyond the bound {@code allocator} has now. */
    void evictExcess(SlotIndexAllocator allocator) {
        for (int s = 0; s < allocator.stripeCount(); s++) {
            for (int victim = allocator.evictExcess(s); victim != SlotIndexAllocator.NONE; victim = allocator.evictExcess(s)) {
                evict(allocator, victim);
            }
        }
    }
}
