package io.warmpool.pool.slab;

import io.warmpool.pool.config.ByteSize;
import io.warmpool.pool.config.PoolSetting;
import io.warmpool.pool.config.SlotKind;

/**
 * What the pool knows of each slot of a kind beyond the allocator's lists: above all how much of it
 * is accessible, which a resize at acquire and a memory's grows change.
 *
 * <pre>
 *  memory, table:  slotBase |<-- accessible -->|<-------- PROT_NONE -------->| slotEnd
 *  stack:          slotBase |<-------- PROT_NONE -------->|<-- accessible -->| slotEnd (its top: grows down)
 *
 *  per slot:   accessible   the bytes its tenant reaches (opened up or sealed down at acquire, opened by grows)
 *              distrusted   why its next release remaps it instead of trusting a reset, or null
 *              releaseKey   the key a release whose decommit is queued files it under once the batch ran
 *              keptWith     the keep-resident bytes its last reset kept within
 *  grow locks: slot % locks.length (memories only); a grow, and the release's read of how much to
 *              reset, hold the lock of the slot
 * </pre>
 *
 * Everything above the accessible size is never resident: each reset covers the whole accessible
 * range, and a resize down gives back what lies above the new size before it seals it. Each slot's
 * entries are written by the one thread that holds the slot (or under its grow lock); the
 * allocator's stripe lock orders one holder after the next.
 */
final class SlotRecords {
    private final SlotKind kind;
    private final Slab slab;
    private final long pageSize;
    /** Whether the slots' accessible bytes end at their top (stacks) rather than start at their base. */
    final boolean growsDown;
    private final long[] accessible;
    /**
     * Two grows of one memory at once both count and the accessible size always equals what
     * {@code mprotect} opened; no grow lands after its release read the size (the release marks its
     * lease released first, then takes the lock). Replaced in a forked child, where a parent thread
     * may hold one.
     */
    private Object[] growLocks;
    /** Per slot, why its next release remaps it (a grow's failed {@code mprotect}, a fork that caught it in flight), or null. */
    final RuntimeException[] distrusted;
    /** Per slot, the key a queued release files it under when its decommit completes, or null. */
    final Object[] releaseKey;
    /** Per slot, the keep-resident bytes its last reset kept within: a slot reset with more than the setting now is trimmed. */
    final long[] keptWith;

    SlotRecords(SlotKind kind, Slab slab, long pageSize) {
        int slots = slab.slots();
        this.kind = kind;
        this.slab = slab;
        this.pageSize = pageSize;
        this.growsDown = kind == SlotKind.STACK;
        this.accessible = new long[slots];
        this.growLocks = newLocks(kind == SlotKind.MEMORY ? Math.min(slots, 64) : 0);
        this.distrusted = new RuntimeException[slots];
        this.releaseKey = new Object[slots];
        this.keptWith = new long[slots];
    }

    /** The accessible bytes of a slot. */
    long accessible(int slot) {
        return accessible[slot];
    }

    /** The address of the slot's lowest accessible byte (a stack's accessible bytes end at its top). */
    long accessibleStart(int slot) {
        return growsDown ? slab.slotEnd(slot) - accessible[slot] : slab.slotBase(slot);
    }

    /**
     * Makes exactly the first {@code bytes} of the slot accessible. Tables and stacks always ask for
     * all of it, so for them this opens a cold slot and leaves a warm one alone.
     */
    void resize(int slot, long bytes) {
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

    /**
     * Makes {@code additionalBytes} more of a memory slot accessible, rounded up to a page, atomically
     * with any other grow of the slot: under its lock, {@code holder} is checked first (it throws
     * once the tenant released the slot), then the size is read, checked and opened. A failed
     * {@code mprotect} marks the slot so that its release remaps it instead of trusting a reset.
     *
     * @return the new accessible size
     * @throws IllegalArgumentException for a negative size or one past the maximum; nothing changes
     */
    long grow(int slot, long additionalBytes, Runnable holder) {
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

    /** The accessible bytes of a slot its tenant has given back: after any grow in flight. */
    long accessibleAfterGrows(int slot) {
        if (kind != SlotKind.MEMORY) {
            return accessible[slot];
        }
        synchronized (growLock(slot)) {
            return accessible[slot];
        }
    }

    /** A fresh mapping replaced the slot: nothing accessible, nothing to distrust, no queued release. */
    void forget(int slot) {
        accessible[slot] = 0;
        distrusted[slot] = null;
        releaseKey[slot] = null;
    }

    /** In a forked child, where a parent thread may hold a grow lock for good: new locks. */
    void renewAfterFork() {
        growLocks = newLocks(growLocks.length);
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
}
