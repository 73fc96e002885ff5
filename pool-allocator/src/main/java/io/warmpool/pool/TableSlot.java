package io.warmpool.pool;

import io.warmpool.pool.slab.SlotPool;

/** A table of 8-byte elements; all of it is accessible. */
public final class TableSlot extends PoolSlot {
    private final long elements;

    TableSlot(Lease lease, SlotPool pool, int index, long elements) {
        super(lease, pool, index);
        this.elements = elements;
    }

    /** How many 8-byte elements the table holds. */
    public long elements() {
        lease.checkLive();
        return elements;
    }
}
