package io.warmpool.pool;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * The slots one acquire took, and whether they were given back: what an {@link Instance}, its slot
 * views and {@link ForkRecovery} share, so that none of them needs the others. Given back once: the
 * first {@link #giveBack()} wins, and from then on every use of a view throws.
 */
final class Lease {
    private static final VarHandle RELEASED;

    static {
        try {
            RELEASED = MethodHandles.lookup().findVarHandle(Lease.class, "released", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final Object key;
    final int[] memorySlots;
    /** The memory image of each memory, or null (no array at all when none has one). */
    final MemoryImage[] memoryImages;
    final int[] tableSlots;
    /** The stack slot, or -1. */
    final int stackSlot;
    /** The cell of the pool's count of instances out that this lease is counted in. */
    final int countedIn;
    private volatile boolean released;

    Lease(Object key, int[] memorySlots, MemoryImage[] memoryImages, int[] tableSlots, int stackSlot, int countedIn) {
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

    @Override
    public String toString() {
        return "Instance[key=" + key + ", memories=" + Arrays.toString(memorySlots) + ", tables="
                + Arrays.toString(tableSlots) + (stackSlot >= 0 ? ", stack=" + stackSlot : "") + "]";
    }
}
