package io.warmpool.pool;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The slots one instance holds, acquired in one call to {@link WarmPool#acquire} and released in one
 * call to {@link #close()}, which resets them. After the release every method of the instance and of
 * its slots throws {@link IllegalStateException}; so does a second release (never a second reset).
 */
public final class Instance implements AutoCloseable {
    private static final VarHandle RELEASED;
    private static final MemorySlot[] NO_MEMORIES = {};
    private static final TableSlot[] NO_TABLES = {};

    static {
        try {
            RELEASED = MethodHandles.lookup().findVarHandle(Instance.class, "released", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final WarmPool pool;
    private final Object affinityKey;
    final int[] memorySlots;
    final int[] tableSlots;
    final int stackSlot;
    /** The cell of the pool's count of instances out that this one is counted in. */
    final int countedIn;
    private final MemorySlot[] memories;
    private final TableSlot[] tables;
    private final StackSlot stack;
    /** The list views, made on first use (most tenants call {@link #memory(int)}); racy, and alike. */
    private List<MemorySlot> memoryList;
    private List<TableSlot> tableList;
    private volatile boolean released;

    Instance(WarmPool pool, Object affinityKey, int[] memorySlots, int[] tableSlots, int stackSlot, int countedIn) {
        this.pool = pool;
        this.affinityKey = affinityKey;
        this.memorySlots = memorySlots;
        this.tableSlots = tableSlots;
        this.stackSlot = stackSlot;
        this.countedIn = countedIn;
        MemorySlot[] m = memorySlots.length == 0 ? NO_MEMORIES : new MemorySlot[memorySlots.length];
        for (int i = 0; i < m.length; i++) {
            m[i] = new MemorySlot(this, pool.slots(SlotKind.MEMORY), memorySlots[i], pool.config().pageSize());
        }
        TableSlot[] t = tableSlots.length == 0 ? NO_TABLES : new TableSlot[tableSlots.length];
        for (int i = 0; i < t.length; i++) {
            t[i] = new TableSlot(this, pool.slots(SlotKind.TABLE), tableSlots[i], pool.config().tableElements());
        }
        this.memories = m;
        this.tables = t;
        this.stack = stackSlot < 0 ? null : new StackSlot(this, pool.slots(SlotKind.STACK), stackSlot);
    }

    void checkLive() {
        if (released) {
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
        checkLive();
        return memories[checkIndex(i, memories.length, "memories")];
    }

    /** Its tables, in the order requested. */
    public List<TableSlot> tables() {
        checkLive();
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
        checkLive();
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
        checkLive();
        return Optional.ofNullable(stack);
    }

    /** Whether {@link #close()} ran. */
    public boolean isReleased() {
        return released;
    }

    /**
     * Releases the instance: every slot is reset and returns to the pool.
     *
     * @throws IllegalStateException if the instance was already released
     */
    @Override
    public void close() {
        if (!RELEASED.compareAndSet(this, false, true)) {
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
