package io.warmpool.pool;

import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.config.SlotKind;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The slots one instance holds, acquired in one call to {@link WarmPool#acquire} and released in one
 * call to {@link #close()}, which resets them. After the release every method of the instance and of
 * its slots throws {@link IllegalStateException}; so does a second release (never a second reset).
 * While it is out, its pool stays open ({@link WarmPool#close()} refuses), so its slots stay mapped.
 * Any thread may use it; a grow racing its release either completes before the reset (which then
 * covers it) or throws. A {@code ByteBuffer} taken from a slot cannot be revoked: drop it at the release.
 */
public final class Instance implements AutoCloseable {
    private static final MemorySlot[] NO_MEMORIES = {};
    private static final TableSlot[] NO_TABLES = {};

    private final Lease lease;
    private final Consumer<Lease> giveBack;
    private final MemorySlot[] memories;
    private final TableSlot[] tables;
    private final StackSlot stack;
    /** The list views, made on first use (most tenants call {@link #memory(int)}); racy, and alike. */
    private List<MemorySlot> memoryList;
    private List<TableSlot> tableList;

    /**
     * @param slots    the pool's slots of each kind, by kind ordinal (null for a kind it lacks)
     * @param giveBack resets the lease's slots and returns them to the pool
     */
    Instance(Lease lease, SlotPools slots, PoolConfig config, Consumer<Lease> giveBack) {
        this.lease = lease;
        this.giveBack = giveBack;
        MemorySlot[] m = lease.memorySlots.length == 0 ? NO_MEMORIES : new MemorySlot[lease.memorySlots.length];
        for (int i = 0; i < m.length; i++) {
            m[i] = new MemorySlot(lease, slots.of(SlotKind.MEMORY), lease.memorySlots[i],
                    lease.memoryImages == null ? null : lease.memoryImages[i]);
        }
        TableSlot[] t = lease.tableSlots.length == 0 ? NO_TABLES : new TableSlot[lease.tableSlots.length];
        for (int i = 0; i < t.length; i++) {
            t[i] = new TableSlot(lease, slots.of(SlotKind.TABLE), lease.tableSlots[i], config.tableElements());
        }
        this.memories = m;
        this.tables = t;
        this.stack = lease.stackSlot < 0 ? null : new StackSlot(lease, slots.of(SlotKind.STACK), lease.stackSlot);
    }

    /** The affinity key it was acquired with, or null. */
    public Object affinityKey() {
        return lease.key == null ? null : lease.key.key();
    }

    /** Its memories, in the order requested. */
    public List<MemorySlot> memories() {
        lease.checkLive();
        List<MemorySlot> list = memoryList;
        if (list == null) {
            list = Collections.unmodifiableList(Arrays.asList(memories));
            memoryList = list;
        }
        return list;
    }

    /**
     * Memory {@code i}.
     *
     * @throws IndexOutOfBoundsException when it has no memory {@code i}
     */
    public MemorySlot memory(int i) {
        lease.checkLive();
        return memories[checkIndex(i, memories.length, "memories")];
    }

    /** Its tables, in the order requested. */
    public List<TableSlot> tables() {
        lease.checkLive();
        List<TableSlot> list = tableList;
        if (list == null) {
            list = Collections.unmodifiableList(Arrays.asList(tables));
            tableList = list;
        }
        return list;
    }

    /**
     * Table {@code i}.
     *
     * @throws IndexOutOfBoundsException when it has no table {@code i}
     */
    public TableSlot table(int i) {
        lease.checkLive();
        return tables[checkIndex(i, tables.length, "tables")];
    }

    private int checkIndex(int i, int count, String what) {
        if (i < 0 || i >= count) {
            throw new IndexOutOfBoundsException("index " + i + ": " + this + " has " + count + " " + what);
        }
        return i;
    }

    /** Its stack, if it asked for one. */
    public Optional<StackSlot> stack() {
        lease.checkLive();
        return Optional.ofNullable(stack);
    }

    /** Whether {@link #close()} ran. */
    public boolean isReleased() {
        return lease.isReleased();
    }

    /**
     * Releases the instance: every slot is reset and returns to the pool.
     *
     * @throws IllegalStateException if the instance was already released
     */
    @Override
    public void close() {
        if (!lease.giveBack()) {
            throw new IllegalStateException(this + " was already released");
        }
        giveBack.accept(lease);
    }

    @Override
    public String toString() {
        return lease.toString();
    }
}
