package io.warmpool.pool;

/** A table of 8-byte elements; all of it is accessible. */
public final class TableSlot extends PoolSlot {
    private final long elements;

    TableSlot(Instance instance, SlotPool pool, int index, long elements) {
        super(instance, pool, index);
        this.elements = elements;
    }

    /** How many 8-byte elements the table holds. */
    public long elements() {
        instance.checkLive();
        return elements;
    }
}
