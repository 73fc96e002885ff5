package io.warmpool.pool;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The slots one instance holds, acquired in one call to {@link WarmPool#acquire} and released in one
 * call to {@link #close()}, which resets them. After the release every method of the instance and of
 * its slots throws {@link IllegalStateException}; so does a second release (never a second reset).
 */
public final class Instance implements AutoCloseable {
    private final WarmPool pool;
    private final Object affinityKey;
    final int[] memorySlots;
    final int[] tableSlots;
    final int stackSlot;
    private final List<MemorySlot> memories;
    private final List<TableSlot> tables;
    private final StackSlot stack;
    private final AtomicBoolean released = new AtomicBoolean();

    Instance(WarmPool pool, Object affinityKey, int[] memorySlots, int[] tableSlots, int stackSlot) {
        this.pool = pool;
        this.affinityKey = affinityKey;
        this.memorySlots = memorySlots;
        this.tableSlots = tableSlots;
        this.stackSlot = stackSlot;
        MemorySlot[] m = new MemorySlot[memorySlots.length];
        for (int i = 0; i < m.length; i++) {
            m[i] = new MemorySlot(this, pool.slots(SlotKind.MEMORY), memorySlots[i], pool.config().pageSize());
        }
        TableSlot[] t = new TableSlot[tableSlots.length];
        for (int i = 0; i < t.length; i++) {
            t[i] = new TableSlot(this, pool.slots(SlotKind.TABLE), tableSlots[i], pool.config().tableElements());
        }
        this.memories = Collections.unmodifiableList(Arrays.asList(m));
        this.tables = Collections.unmodifiableList(Arrays.asList(t));
        this.stack = stackSlot < 0 ? null : new StackSlot(this, pool.slots(SlotKind.STACK), stackSlot);
    }

    void checkLive() {
        if (released.get()) {
            throw new IllegalStateException("instance " + this + " was released");
        }
    }

    /** The affinity key it was acquired with, or null. */
    public Object affinityKey() {
        return affinityKey;
    }

    /** Its memories, in the order requested. */
    public List<MemorySlot> memories() {
        checkLive();
        return memories;
    }

    /** Memory {@code i}. */
    public MemorySlot memory(int i) {
        checkLive();
        return memories.get(i);
    }

    /** Its tables, in the order requested. */
    public List<TableSlot> tables() {
        checkLive();
        return tables;
    }

    /** Table {@code i}. */
    public TableSlot table(int i) {
        checkLive();
        return tables.get(i);
    }

    /** Its stack, if it asked for one. */
    public Optional<StackSlot> stack() {
        checkLive();
        return Optional.ofNullable(stack);
    }

    /** Whether {@link #close()} ran. */
    public boolean isReleased() {
        return released.get();
    }

    /**
     * Releases the instance: every slot is reset and returns to the pool.
     *
     * @throws IllegalStateException if the instance was already released
     */
    @Override
    public void close() {
        if (!released.compareAndSet(false, true)) {
            throw new IllegalStateException("instance " + this + " was already released");
        }
        pool.release(this);
    }

    @Override
    public String toString() {
        return "Instance[key=" + affinityKey + ", memories=" + Arrays.toString(memorySlots) + ", tables="
                + Arrays.toString(tableSlots) + (stackSlot >= 0 ? ", stack=" + stackSlot : "") + "]";
    }
}
