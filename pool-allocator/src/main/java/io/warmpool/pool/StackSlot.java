package io.warmpool.pool;

import io.warmpool.pool.slab.SlotPool;

/**
 * An execution stack: it grows down from {@link #top()} to {@link #address()}; the page below
 * {@link #address()} is a guard page.
 */
public final class StackSlot extends PoolSlot {

    StackSlot(Lease lease, SlotPool pool, int index) {
        super(lease, pool, index);
    }

    /** The byte after the stack: where a stack pointer starts. */
    public long top() {
        return address() + accessibleBytes();
    }
}
