package io.warmpool.pool;

/**
 * An execution stack: it grows down from {@link #top()} to {@link #address()}; the page below
 * {@link #address()} is a guard page.
 */
public final class StackSlot extends PoolSlot {

    StackSlot(Instance instance, SlotPool pool, int index) {
        super(instance, pool, index);
    }

    /** The byte after the stack: where a stack pointer starts. */
    public long top() {
        return address() + accessibleBytes();
    }
}
