package io.warmpool.pool.config;

import io.warmpool.natives.Syscalls;
import io.warmpool.pagemap.ScanMode;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The shape and policy of a pool: per kind of slot ({@link KindConfig}) how many, how large, how
 * much of each stays resident when idle; and how slots are reset. Immutable; built with
 * {@link #builder()}, which checks every rule at {@link Builder#build()} and names the setting
 * ({@link PoolSetting}), the value and the rule that a bad value breaks. The defaults work on a
 * fresh machine and {@link #toString()} prints them.
 *
 * <p>Sizes are bytes and must be multiples of the page size. Keep-resident sizes are per slot: an
 * idle warm slot keeps at most that many bytes resident (clean), the rest goes back to the kernel.
 * Whether the reservation fits under the process's {@code RLIMIT_AS} is checked when a pool is
 * created, not here: a configuration is a value, the limit belongs to the process that maps it.
 */
public final class PoolConfig {
    /** The user address space of x86-64 with 4-level paging and of AArch64 with 48-bit addresses: 128 TiB. */
    public static final long USER_ADDRESS_SPACE = 1L << 47;

    private final long pageSize;
    private final Map<SlotKind, KindConfig> kinds;
    private final long tableElements;
    private final int maxUnusedWarmSlots;
    private final int decommitBatch;
    private final ResetStrategy resetStrategy;
    private final ScanMode scanMode;
    private final boolean wipeOnFork;
    private final int stripes;

    private PoolConfig(Builder b, long pageSize) {
        this.pageSize = pageSize;
        Map<SlotKind, KindConfig> k = new EnumMap<>(SlotKind.class);
        k.put(SlotKind.MEMORY, new KindConfig(SlotKind.MEMORY, b.memories, b.memoryMax, b.memoryGuard,
                b.memoryKeepResident));
        k.put(SlotKind.TABLE, new KindConfig(SlotKind.TABLE, b.tables, roundUp(b.tableElements * 8, pageSize), pageSize,
                b.tableKeepResident));
        k.put(SlotKind.STACK, new KindConfig(SlotKind.STACK, b.stacks, b.stackSize, pageSize, b.stackKeepResident));
        this.kinds = k;
        this.tableElements = b.tableElements;
        this.maxUnusedWarmSlots = b.maxUnusedWarmSlots;
        this.decommitBatch = b.decommitBatch;
        this.resetStrategy = b.resetStrategy;
        this.scanMode = b.scanMode;
        this.wipeOnFork = b.wipeOnFork;
        this.stripes = b.stripes;
    }

    /** A builder holding the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this configuration's values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.memories = memories().count();
        b.memoryMax = memories().slotBytes();
        b.memoryGuard = memories().guardBytes();
        b.memoryKeepResident = memories().keepResidentBytes();
        b.tables = tables().count();
        b.tableElements = tableElements;
        b.tableKeepResident = tables().keepResidentBytes();
        b.stacks = stacks().count();
        b.stackSize = stacks().slotBytes();
        b.stackKeepResident = stacks().keepResidentBytes();
        b.maxUnusedWarmSlots = maxUnusedWarmSlots;
        b.decommitBatch = decommitBatch;
        b.resetStrategy = resetStrategy;
        b.scanMode = scanMode;
        b.wipeOnFork = wipeOnFork;
        b.stripes = stripes;
        return b;
    }

    /** The page size the configuration was checked against. */
    public long pageSize() {
        return pageSize;
    }

    /** The slots of {@code kind}. */
    public KindConfig kind(SlotKind kind) {
        return kinds.get(kind);
    }

    /** The linear memory slots: a slot's bytes are a memory's maximum. */
    public KindConfig memories() {
        return kinds.get(SlotKind.MEMORY);
    }

    /** The table slots: a slot's bytes are its elements times 8, rounded up to a page. */
    public KindConfig tables() {
        return kinds.get(SlotKind.TABLE);
    }

    /** The stack slots: a guard page lies below each. */
    public KindConfig stacks() {
        return kinds.get(SlotKind.STACK);
    }

    /** The 8-byte elements of each table ({@link PoolSetting#TABLE_ELEMENTS}). */
    public long tableElements() {
        return tableElements;
    }

    /** The most unused warm slots each kind keeps; beyond it the least recently used go cold. */
    public int maxUnusedWarmSlots() {
        return maxUnusedWarmSlots;
    }

    /** How many released slots' decommits are batched into one flush (1: no batching). */
    public int decommitBatch() {
        return decommitBatch;
    }

    /** How released slots are made clean. */
    public ResetStrategy resetStrategy() {
        return resetStrategy;
    }

    /** How resets find dirty pages. */
    public ScanMode scanMode() {
        return scanMode;
    }

    /** Whether the slabs get {@code MADV_WIPEONFORK}, so that no tenant's bytes reach a forked child. */
    public boolean wipeOnFork() {
        return wipeOnFork;
    }

    /** Stripes of the slot index allocator per kind; 0 chooses from the processor count. */
    public int stripes() {
        return stripes;
    }

    /** The virtual bytes all slabs reserve. */
    public long reservationBytes() {
        long sum = 0;
        for (KindConfig kind : kinds.values()) {
            sum += kind.reservationBytes(); // fits: build() checked the sum
        }
        return sum;
    }

    /**
     * The settings that shrink the reservation, the largest slab's first: its count and its size
     * (a memory's guard too).
     */
    public List<PoolSetting> settingsThatShrinkTheReservation() {
        List<KindConfig> bySize = new ArrayList<>(kinds.values());
        bySize.sort(Comparator.comparingLong(PoolConfig::reservationOrMax).reversed());
        List<PoolSetting> out = new ArrayList<>();
        for (KindConfig kind : bySize) {
            if (kind.count() > 0) {
                out.add(PoolSetting.count(kind.kind()));
                out.add(PoolSetting.size(kind.kind()));
                if (kind.kind() == SlotKind.MEMORY) {
                    out.add(PoolSetting.MEMORY_GUARD);
                }
            }
        }
        return out;
    }

    /** A kind's reservation, or {@code Long.MAX_VALUE} when it does not fit in 63 bits. */
    private static long reservationOrMax(KindConfig kind) {
        try {
            return kind.reservationBytes();
        } catch (ArithmeticException tooLarge) {
            return Long.MAX_VALUE;
        }
    }

    /** {@code value} rounded up to a multiple of {@code alignment}, a power of two. */
    public static long roundUp(long value, long alignment) {
        return (value + alignment - 1) & -alignment;
    }

    @Override
    public String toString() {
        KindConfig m = memories();
        KindConfig t = tables();
        KindConfig s = stacks();
        return String.format(Locale.ROOT, String.join("%n",
                "PoolConfig",
                "  memories         %d x %s max, %s guard, keep resident %s",
                "  tables           %d x %d elements (%s), keep resident %s",
                "  stacks           %d x %s, guard page below, keep resident %s",
                "  warm slots       at most %d unused per kind",
                "  decommit batch   %d slot(s)",
                "  reset strategy   %s",
                "  scan mode        %s",
                "  wipe on fork     %s",
                "  stripes          %s",
                "  reservation      %s virtual (memories %s, tables %s, stacks %s), page size %s"),
                m.count(), ByteSize.format(m.slotBytes()), ByteSize.format(m.guardBytes()),
                ByteSize.format(m.keepResidentBytes()),
                t.count(), tableElements, ByteSize.format(t.slotBytes()), ByteSize.format(t.keepResidentBytes()),
                s.count(), ByteSize.format(s.slotBytes()), ByteSize.format(s.keepResidentBytes()),
                maxUnusedWarmSlots, decommitBatch, resetStrategy, scanMode, wipeOnFork,
                stripes == 0 ? "auto" : Integer.toString(stripes),
                ByteSize.format(reservationBytes()), ByteSize.format(m.reservationBytes()),
                ByteSize.format(t.reservationBytes()), ByteSize.format(s.reservationBytes()), ByteSize.format(pageSize));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PoolConfig c && pageSize == c.pageSize && kinds.equals(c.kinds)
                && tableElements == c.tableElements && maxUnusedWarmSlots == c.maxUnusedWarmSlots
                && decommitBatch == c.decommitBatch && resetStrategy == c.resetStrategy && scanMode == c.scanMode
                && wipeOnFork == c.wipeOnFork && stripes == c.stripes;
    }

    @Override
    public int hashCode() {
        return Objects.hash(pageSize, kinds, tableElements, maxUnusedWarmSlots, decommitBatch, resetStrategy, scanMode,
                wipeOnFork, stripes);
    }

    /**
     * Collects values; {@link #build()} checks them. Each setter is its {@link PoolSetting}'s key in
     * camel case.
     */
    public static final class Builder {
        private int memories = 64;
        private long memoryMax = 1L << 30;
        private long memoryGuard = 64L << 20;
        private long memoryKeepResident = 1L << 20;
        private int tables = 64;
        private long tableElements = 10_000;
        private long tableKeepResident = 64L << 10;
        private int stacks = 64;
        private long stackSize = 512L << 10;
        private long stackKeepResident = 64L << 10;
        private int maxUnusedWarmSlots = 32;
        private int decommitBatch = 1;
        private ResetStrategy resetStrategy = ResetStrategy.AUTO;
        private ScanMode scanMode = ScanMode.AUTO;
        private boolean wipeOnFork = true;
        private int stripes = 0;
        private Syscalls os = Syscalls.linux();

        private Builder() {
        }

        /** {@link PoolSetting#MEMORIES}: linear memory slots; at least 1. */
        public Builder memories(int value) {
            memories = value;
            return this;
        }

        /** {@link PoolSetting#MEMORY_MAX}: the most bytes a memory can grow to; page-aligned, positive. */
        public Builder memoryMax(long value) {
            memoryMax = value;
            return this;
        }

        /** {@link PoolSetting#MEMORY_GUARD}: guard bytes after each memory and before the first; page-aligned, positive. */
        public Builder memoryGuard(long value) {
            memoryGuard = value;
            return this;
        }

        /** {@link PoolSetting#MEMORY_KEEP_RESIDENT}: bytes of a memory kept resident when idle; page-aligned, at most the maximum. */
        public Builder memoryKeepResident(long value) {
            memoryKeepResident = value;
            return this;
        }

        /** {@link PoolSetting#TABLES}: table slots; 0 for none. */
        public Builder tables(int value) {
            tables = value;
            return this;
        }

        /** {@link PoolSetting#TABLE_ELEMENTS}: elements of 8 bytes per table; positive. */
        public Builder tableElements(long value) {
            tableElements = value;
            return this;
        }

        /** {@link PoolSetting#TABLE_KEEP_RESIDENT}: bytes of a table kept resident when idle; page-aligned, at most the table's size. */
        public Builder tableKeepResident(long value) {
            tableKeepResident = value;
            return this;
        }

        /** {@link PoolSetting#STACKS}: stack slots; 0 for none. */
        public Builder stacks(int value) {
            stacks = value;
            return this;
        }

        /** {@link PoolSetting#STACK_SIZE}: usable bytes per stack; page-aligned, positive. A guard page lies below each. */
        public Builder stackSize(long value) {
            stackSize = value;
            return this;
        }

        /** {@link PoolSetting#STACK_KEEP_RESIDENT}: bytes of a stack (its top) kept resident when idle; page-aligned, at most the stack size. */
        public Builder stackKeepResident(long value) {
            stackKeepResident = value;
            return this;
        }

        /** {@link PoolSetting#MAX_UNUSED_WARM_SLOTS}: the most unused warm slots per kind; 0 or more. */
        public Builder maxUnusedWarmSlots(int value) {
            maxUnusedWarmSlots = value;
            return this;
        }

        /** {@link PoolSetting#DECOMMIT_BATCH}: released slots whose decommits are batched into one flush; at least 1. */
        public Builder decommitBatch(int value) {
            decommitBatch = value;
            return this;
        }

        /** {@link PoolSetting#RESET_STRATEGY}: how released slots are made clean; {@link ResetStrategy#AUTO} by default. */
        public Builder resetStrategy(ResetStrategy value) {
            resetStrategy = Objects.requireNonNull(value, "resetStrategy");
            return this;
        }

        /** {@link PoolSetting#SCAN_MODE}: how resets find dirty pages; {@link ScanMode#AUTO} by default. */
        public Builder scanMode(ScanMode value) {
            scanMode = Objects.requireNonNull(value, "scanMode");
            return this;
        }

        /** {@link PoolSetting#WIPE_ON_FORK}: whether the slabs get {@code MADV_WIPEONFORK}; true by default. */
        public Builder wipeOnFork(boolean value) {
            wipeOnFork = value;
            return this;
        }

        /** {@link PoolSetting#STRIPES}: index allocator stripes per kind; 0 chooses from the processor count. */
        public Builder stripes(int value) {
            stripes = value;
            return this;
        }

        /** The system calls that read the page size at {@link #build()} (tests pass a double). */
        public Builder syscalls(Syscalls value) {
            os = Objects.requireNonNull(value, "syscalls");
            return this;
        }

        /**
         * Checks every value and returns the configuration.
         *
         * @throws PoolConfigException  naming the setting, its value and the rule it breaks
         * @throws ReservationException when the slabs together do not fit in half the user address space
         */
        public PoolConfig build() {
            long page = os.pageSize();
            atLeast(PoolSetting.MEMORIES, memories, 1);
            atLeast(PoolSetting.TABLES, tables, 0);
            atLeast(PoolSetting.STACKS, stacks, 0);
            positivePages(PoolSetting.MEMORY_MAX, memoryMax, page);
            positivePages(PoolSetting.MEMORY_GUARD, memoryGuard, page);
            keepResident(PoolSetting.MEMORY_KEEP_RESIDENT, memoryKeepResident, page, PoolSetting.MEMORY_MAX, memoryMax);
            atLeast(PoolSetting.TABLE_ELEMENTS, tableElements, 1);
            if (tableElements > (Long.MAX_VALUE - page) / 8) {
                throw new PoolConfigException(PoolSetting.TABLE_ELEMENTS, Long.toString(tableElements),
                        "8 bytes each does not fit in 63 bits");
            }
            keepResident(PoolSetting.TABLE_KEEP_RESIDENT, tableKeepResident, page, PoolSetting.TABLE_ELEMENTS,
                    roundUp(tableElements * 8, page));
            positivePages(PoolSetting.STACK_SIZE, stackSize, page);
            keepResident(PoolSetting.STACK_KEEP_RESIDENT, stackKeepResident, page, PoolSetting.STACK_SIZE, stackSize);
            atLeast(PoolSetting.MAX_UNUSED_WARM_SLOTS, maxUnusedWarmSlots, 0);
            atLeast(PoolSetting.DECOMMIT_BATCH, decommitBatch, 1);
            atLeast(PoolSetting.STRIPES, stripes, 0);
            PoolConfig config = new PoolConfig(this, page);
            checkReservation(config);
            return config;
        }

        private static void atLeast(PoolSetting setting, long value, long minimum) {
            if (value < minimum) {
                throw new PoolConfigException(setting, Long.toString(value), "must be at least " + minimum);
            }
        }

        private static void pages(PoolSetting setting, long value, long page) {
            if (value < 0) {
                throw new PoolConfigException(setting, Long.toString(value), "must not be negative");
            }
            if (value % page != 0) {
                throw new PoolConfigException(setting, Long.toString(value),
                        "must be a multiple of the page size " + page);
            }
        }

        private static void positivePages(PoolSetting setting, long value, long page) {
            if (value <= 0) {
                throw new PoolConfigException(setting, Long.toString(value), "must be positive");
            }
            pages(setting, value, page);
        }

        private static void keepResident(PoolSetting setting, long value, long page, PoolSetting slotSetting,
                                         long slotBytes) {
            pages(setting, value, page);
            if (value > slotBytes) {
                throw new PoolConfigException(setting, Long.toString(value), "must not exceed the slot's "
                        + slotBytes + " bytes (" + slotSetting.key() + ")");
            }
        }

        /** The slabs, each and together, fit in 63 bits and in half the user address space. */
        private static void checkReservation(PoolConfig config) {
            long total = 0;
            for (KindConfig kind : config.kinds.values()) {
                try {
                    total = Math.addExact(total, kind.layout().reservationBytes());
                } catch (ArithmeticException overflow) {
                    throw new ReservationException("the " + kind.kind().label() + " slab, " + formula(config, kind)
                            + ", does not fit in 63 bits", config.settingsThatShrinkTheReservation());
                }
            }
            if (total > USER_ADDRESS_SPACE / 2) {
                throw new ReservationException("the pool would reserve " + ByteSize.format(total)
                        + " of virtual memory, more than half of the " + ByteSize.format(USER_ADDRESS_SPACE)
                        + " user address space; shrink " + keys(config.settingsThatShrinkTheReservation()),
                        config.settingsThatShrinkTheReservation());
            }
        }

        private static String formula(PoolConfig config, KindConfig kind) {
            return PoolSetting.count(kind.kind()).key() + " " + kind.count() + " x (" + kind.slotBytes()
                    + " bytes + " + kind.guardBytes() + " guard bytes)";
        }
    }

    /** Setting keys for a message: {@code pool.memories, pool.memory-max}. */
    public static String keys(List<PoolSetting> settings) {
        StringBuilder out = new StringBuilder();
        for (PoolSetting s : settings) {
            out.append(out.length() == 0 ? "" : ", ").append(s.key());
        }
        return out.toString();
    }
}
