package io.warmpool.pool;

import io.warmpool.pool.slab.AffinityKey;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * The slots one acquire took, and whether they were given back: what an {@link Instance}, its slot
 * views and {@link ForkRecovery} share, so that none of them needs the others. Given back once: the
 * first {@link #giveBack()} wins, and from then on every use of a view throws. As a {@link Runnable}
 * it is that check ({@link #checkLive()}), which a memory's grow runs again under the slot's lock.
 */
final class Lease implements Runnable {
    private static final VarHandle RELEASED;

    static {
        try {
            RELEASED = MethodHandles.lookup().findVarHandle(Lease.class, "released", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The affinity key as the pool keeps it (its hash taken at the acquire), or null. */
    final AffinityKey key;
    final int[] memorySlots;
    /** The memory image of each memory, or null (no array at all when none has one). */
    final MemoryImage[] memoryImages;
    final int[] tableSlots;
    /** The stack slot, or -1. */
    final int stackSlot;
    /** The cell of the pool's count of instances out that this lease is counted in. */
    final int countedIn;
    private volatile boolean released;

    Lease(AffinityKey key, int[] memorySlots, MemoryImage[] memoryImages, int[] tableSlots, int stackSlot,
          int countedIn) {
        this.key = key;
        this.memorySlots = memorySlots;
        this.memoryImages = memoryImages;
        this.tableSlots = tableSlots;
        this.stackSlot = stackSlot;
        this.countedIn = countedIn;
    }

    /** Marks the lease given back; false when it was already. */
    boolean giveBack() {
        return RELEASED.compareAndSet(this, false, true);
    }

    boolean isReleased() {
        return released;
    }

    /** @throws IllegalStateException once the lease is given back */
    void checkLive() {
        if (released) {
            throw new IllegalStateException(this + " was released");
        }
    }

    /** {@link #checkLive()}. */
    @Override
    public void run() {
        checkLive();
    }

    @Override
    public String toString() {
        return "Instance[key=" + key + ", memories=" + Arrays.toString(memorySlots) + ", tables="
                + Arrays.toString(tableSlots) + (stackSlot >= 0 ? ", stack=" + stackSlot : "") + "]";
    }
}
