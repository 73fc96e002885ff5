package io.warmpool.pool;

import io.warmpool.natives.Fcntl;
import io.warmpool.natives.Syscalls;
import io.warmpool.pagemap.ScanMode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.StringJoiner;

/**
 * The shape and policy of a {@link WarmPool}: how many slots of each kind, how large, how much of
 * each stays resident when idle, and how slots are reset. Immutable; built with {@link #builder()},
 * which checks every rule at {@link Builder#build()} and names the field, the value and the rule
 * that a bad value breaks. The defaults work on a fresh machine and {@link #toString()} prints them.
 *
 * <p>Sizes are bytes and must be multiples of the page size. Keep-resident sizes are per slot: an
 * idle warm slot keeps at most that many bytes resident (zeroed), the rest goes back to the kernel.
 */
public final class PoolConfig {
    /** The user address space of x86-64 with 4-level paging and of AArch64 with 48-bit addresses: 128 TiB. */
    static final long USER_ADDRESS_SPACE = 1L << 47;

    private final long pageSize;
    private final int totalMemories;
    private final long maxMemoryBytes;
    private final long memoryGuardBytes;
    private final long memoryKeepResidentBytes;
    private final int totalTables;
    private final long tableElements;
    private final long tableKeepResidentBytes;
    private final int totalStacks;
    private final long stackBytes;
    private final long stackKeepResidentBytes;
    private final int maxUnusedWarmSlots;
    private final int decommitBatchSize;
    private final ResetStrategy resetStrategy;
    private final ScanMode scanMode;
    private final boolean wipeOnFork;
    private final int stripes;

    private PoolConfig(Builder b, long pageSize) {
        this.pageSize = pageSize;
        this.totalMemories = b.totalMemories;
        this.maxMemoryBytes = b.maxMemoryBytes;
        this.memoryGuardBytes = b.memoryGuardBytes;
        this.memoryKeepResidentBytes = b.memoryKeepResidentBytes;
        this.totalTables = b.totalTables;
        this.tableElements = b.tableElements;
        this.tableKeepResidentBytes = b.tableKeepResidentBytes;
        this.totalStacks = b.totalStacks;
        this.stackBytes = b.stackBytes;
        this.stackKeepResidentBytes = b.stackKeepResidentBytes;
        this.maxUnusedWarmSlots = b.maxUnusedWarmSlots;
        this.decommitBatchSize = b.decommitBatchSize;
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
        b.totalMemories = totalMemories;
        b.maxMemoryBytes = maxMemoryBytes;
        b.memoryGuardBytes = memoryGuardBytes;
        b.memoryKeepResidentBytes = memoryKeepResidentBytes;
        b.totalTables = totalTables;
        b.tableElements = tableElements;
        b.tableKeepResidentBytes = tableKeepResidentBytes;
        b.totalStacks = totalStacks;
        b.stackBytes = stackBytes;
        b.stackKeepResidentBytes = stackKeepResidentBytes;
        b.maxUnusedWarmSlots = maxUnusedWarmSlots;
        b.decommitBatchSize = decommitBatchSize;
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

    /** Linear memory slots. */
    public int totalMemories() {
        return totalMemories;
    }

    /** The most bytes a memory can grow to: the size of a memory slot. */
    public long maxMemoryBytes() {
        return maxMemoryBytes;
    }

    /** The {@code PROT_NONE} bytes after each memory slot, and before the first. */
    public long memoryGuardBytes() {
        return memoryGuardBytes;
    }

    /** The bytes of a memory an idle warm slot keeps resident (zeroed). */
    public long memoryKeepResidentBytes() {
        return memoryKeepResidentBytes;
    }

    /** Table slots; 0 for none. */
    public int totalTables() {
        return totalTables;
    }

    /** The 8-byte elements of each table. */
    public long tableElements() {
        return tableElements;
    }

    /** A table slot's size: 8 bytes an element, rounded up to a page. */
    public long tableBytes() {
        return roundUp(tableElements * 8, pageSize);
    }

    /** The bytes of a table an idle warm slot keeps resident (zeroed). */
    public long tableKeepResidentBytes() {
        return tableKeepResidentBytes;
    }

    /** Stack slots; 0 for none. */
    public int totalStacks() {
        return totalStacks;
    }

    /** A stack slot's usable size; a guard page lies below it. */
    public long stackBytes() {
        return stackBytes;
    }

    /** The bytes of a stack (its top-most) an idle warm slot keeps resident (zeroed). */
    public long stackKeepResidentBytes() {
        return stackKeepResidentBytes;
    }

    /** The most unused warm slots each kind keeps; beyond it the least recently used go cold. */
    public int maxUnusedWarmSlots() {
        return maxUnusedWarmSlots;
    }

    /** How many released slots' decommits are batched into one flush (1: no batching). */
    public int decommitBatchSize() {
        return decommitBatchSize;
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

    /** How many slots of {@code kind} the pool holds. */
    public int total(SlotKind kind) {
        return switch (kind) {
            case MEMORY -> totalMemories;
            case TABLE -> totalTables;
            case STACK -> totalStacks;
        };
    }

    /** The name of the field that sets how many slots of {@code kind} there are, for messages. */
    static String totalField(SlotKind kind) {
        return switch (kind) {
            case MEMORY -> "totalMemories";
            case TABLE -> "totalTables";
            case STACK -> "totalStacks";
        };
    }

    /** The usable bytes of one slot of {@code kind} (a memory's maximum). */
    public long slotBytes(SlotKind kind) {
        return switch (kind) {
            case MEMORY -> maxMemoryBytes;
            case TABLE -> tableBytes();
            case STACK -> stackBytes;
        };
    }

    /** The guard bytes after each slot of {@code kind}, and before the first. */
    public long guardBytes(SlotKind kind) {
        return kind == SlotKind.MEMORY ? memoryGuardBytes : pageSize;
    }

    /** The keep-resident bytes of a slot of {@code kind}. */
    public long keepResidentBytes(SlotKind kind) {
        return switch (kind) {
            case MEMORY -> memoryKeepResidentBytes;
            case TABLE -> tableKeepResidentBytes;
            case STACK -> stackKeepResidentBytes;
        };
    }

    /** The virtual bytes the slab of {@code kind} reserves: a leading guard, then slot and guard per slot. */
    public long reservationBytes(SlotKind kind) {
        if (total(kind) == 0) {
            return 0;
        }
        return guardBytes(kind) + total(kind) * (slotBytes(kind) + guardBytes(kind));
    }

    /** The virtual bytes all slabs reserve. */
    public long reservationBytes() {
        return reservationBytes(SlotKind.MEMORY) + reservationBytes(SlotKind.TABLE) + reservationBytes(SlotKind.STACK);
    }

    static long roundUp(long value, long alignment) {
        return (value + alignment - 1) & -alignment;
    }

    @Override
    public String toString() {
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
                totalMemories, ByteSize.format(maxMemoryBytes), ByteSize.format(memoryGuardBytes),
                ByteSize.format(memoryKeepResidentBytes),
                totalTables, tableElements, ByteSize.format(tableBytes()), ByteSize.format(tableKeepResidentBytes),
                totalStacks, ByteSize.format(stackBytes), ByteSize.format(stackKeepResidentBytes),
                maxUnusedWarmSlots, decommitBatchSize, resetStrategy, scanMode, wipeOnFork,
                stripes == 0 ? "auto" : Integer.toString(stripes),
                ByteSize.format(reservationBytes()), ByteSize.format(reservationBytes(SlotKind.MEMORY)),
                ByteSize.format(reservationBytes(SlotKind.TABLE)), ByteSize.format(reservationBytes(SlotKind.STACK)),
                ByteSize.format(pageSize));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PoolConfig other && toString().equals(other.toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    /** Collects values; {@link #build()} checks them. */
    public static final class Builder {
        private int totalMemories = 64;
        private long maxMemoryBytes = 1L << 30;
        private long memoryGuardBytes = 64L << 20;
        private long memoryKeepResidentBytes = 1L << 20;
        private int totalTables = 64;
        private long tableElements = 10_000;
        private long tableKeepResidentBytes = 64L << 10;
        private int totalStacks = 64;
        private long stackBytes = 512L << 10;
        private long stackKeepResidentBytes = 64L << 10;
        private int maxUnusedWarmSlots = 32;
        private int decommitBatchSize = 1;
        private ResetStrategy resetStrategy = ResetStrategy.AUTO;
        private ScanMode scanMode = ScanMode.AUTO;
        private boolean wipeOnFork = true;
        private int stripes = 0;
        private Syscalls os = Syscalls.linux();

        private Builder() {
        }

        /** Linear memory slots; at least 1. */
        public Builder totalMemories(int value) {
            totalMemories = value;
            return this;
        }

        /** The most bytes a memory can grow to; page-aligned, positive. */
        public Builder maxMemoryBytes(long value) {
            maxMemoryBytes = value;
            return this;
        }

        /** Guard bytes after each memory and before the first; page-aligned, at least a page. */
        public Builder memoryGuardBytes(long value) {
            memoryGuardBytes = value;
            return this;
        }

        /** Bytes of a memory kept resident (zeroed) when idle; page-aligned, at most the maximum size. */
        public Builder memoryKeepResidentBytes(long value) {
            memoryKeepResidentBytes = value;
            return this;
        }

        /** Table slots; 0 for none. */
        public Builder totalTables(int value) {
            totalTables = value;
            return this;
        }

        /** Elements of 8 bytes per table; positive. */
        public Builder tableElements(long value) {
            tableElements = value;
            return this;
        }

        /** Bytes of a table kept resident when idle; page-aligned, at most the table's size. */
        public Builder tableKeepResidentBytes(long value) {
            tableKeepResidentBytes = value;
            return this;
        }

        /** Stack slots; 0 for none. */
        public Builder totalStacks(int value) {
            totalStacks = value;
            return this;
        }

        /** Usable bytes per stack; page-aligned, positive. A guard page lies below each. */
        public Builder stackBytes(long value) {
            stackBytes = value;
            return this;
        }

        /** Bytes of a stack (its top-most) kept resident when idle; page-aligned, at most the stack size. */
        public Builder stackKeepResidentBytes(long value) {
            stackKeepResidentBytes = value;
            return this;
        }

        /** The most unused warm slots per kind; 0 or more. */
        public Builder maxUnusedWarmSlots(int value) {
            maxUnusedWarmSlots = value;
            return this;
        }

        /** Released slots whose decommits are batched into one flush; at least 1. */
        public Builder decommitBatchSize(int value) {
            decommitBatchSize = value;
            return this;
        }

        /** How released slots are made clean; {@link ResetStrategy#AUTO} by default. */
        public Builder resetStrategy(ResetStrategy value) {
            resetStrategy = Objects.requireNonNull(value, "resetStrategy");
            return this;
        }

        /** How resets find dirty pages; {@link ScanMode#AUTO} by default. */
        public Builder scanMode(ScanMode value) {
            scanMode = Objects.requireNonNull(value, "scanMode");
            return this;
        }

        /** Whether the slabs get {@code MADV_WIPEONFORK}; true by default. */
        public Builder wipeOnFork(boolean value) {
            wipeOnFork = value;
            return this;
        }

        /** Index allocator stripes per kind; 0 chooses from the processor count. */
        public Builder stripes(int value) {
            stripes = value;
            return this;
        }

        /** The system calls used to read the page size and {@code RLIMIT_AS} at {@link #build()}. */
        public Builder syscalls(Syscalls value) {
            os = Objects.requireNonNull(value, "syscalls");
            return this;
        }

        /**
         * Checks every value and returns the configuration.
         *
         * @throws IllegalArgumentException naming the field, its value and the rule it breaks
         */
        public PoolConfig build() {
            long page = os.pageSize();
            atLeast("totalMemories", totalMemories, 1);
            atLeast("totalTables", totalTables, 0);
            atLeast("totalStacks", totalStacks, 0);
            positivePages("maxMemoryBytes", maxMemoryBytes, page);
            positivePages("memoryGuardBytes", memoryGuardBytes, page);
            pages("memoryKeepResidentBytes", memoryKeepResidentBytes, page);
            notAbove("memoryKeepResidentBytes", memoryKeepResidentBytes, "maxMemoryBytes", maxMemoryBytes);
            atLeast("tableElements", tableElements, 1);
            if (tableElements > Long.MAX_VALUE / 8 - page) {
                throw new IllegalArgumentException("tableElements = " + tableElements + ": 8 bytes each does not fit in 63 bits");
            }
            pages("tableKeepResidentBytes", tableKeepResidentBytes, page);
            notAbove("tableKeepResidentBytes", tableKeepResidentBytes, "the table size", roundUp(tableElements * 8, page));
            positivePages("stackBytes", stackBytes, page);
            pages("stackKeepResidentBytes", stackKeepResidentBytes, page);
            notAbove("stackKeepResidentBytes", stackKeepResidentBytes, "stackBytes", stackBytes);
            atLeast("maxUnusedWarmSlots", maxUnusedWarmSlots, 0);
            atLeast("decommitBatchSize", decommitBatchSize, 1);
            atLeast("stripes", stripes, 0);
            PoolConfig config = new PoolConfig(this, page);
            checkReservationFits(config);
            return config;
        }

        private static void atLeast(String field, long value, long minimum) {
            if (value < minimum) {
                throw new IllegalArgumentException(field + " = " + value + ": must be at least " + minimum);
            }
        }

        private static void pages(String field, long value, long page) {
            if (value < 0) {
                throw new IllegalArgumentException(field + " = " + value + ": must not be negative");
            }
            if (value % page != 0) {
                throw new IllegalArgumentException(field + " = " + value + ": must be a multiple of the page size " + page);
            }
        }

        private static void positivePages(String field, long value, long page) {
            if (value <= 0) {
                throw new IllegalArgumentException(field + " = " + value + ": must be positive");
            }
            pages(field, value, page);
        }

        private static void notAbove(String field, long value, String limitName, long limit) {
            if (value > limit) {
                throw new IllegalArgumentException(field + " = " + value + ": must not exceed " + limitName + " ("
                        + limit + ")");
            }
        }

        /**
         * The reservation must fit in 63 bits, in half the user address space, and under
         * {@code RLIMIT_AS} beside what the process maps already: checked here, before any {@code mmap}.
         */
        private void checkReservationFits(PoolConfig config) {
            long total = 0;
            for (SlotKind kind : SlotKind.values()) {
                if (config.total(kind) == 0) {
                    continue; // no slab at all, as reservationBytes(kind) says
                }
                try {
                    long each = Math.addExact(config.slotBytes(kind), config.guardBytes(kind));
                    total = Math.addExact(total, Math.addExact(config.guardBytes(kind), Math.multiplyExact(config.total(kind), each)));
                } catch (ArithmeticException overflow) {
                    throw new IllegalArgumentException("the " + kind.label() + " slab, " + reservationFormula(config, kind)
                            + ", does not fit in 63 bits");
                }
            }
            StringJoiner parts = new StringJoiner("; ", " [", "]");
            for (SlotKind kind : SlotKind.values()) {
                if (config.total(kind) > 0) {
                    parts.add(reservationFormula(config, kind));
                }
            }
            String what = "the pool would reserve " + ByteSize.format(total) + " (" + total + " bytes) of virtual memory"
                    + parts;
            if (total > USER_ADDRESS_SPACE / 2) {
                throw new IllegalArgumentException(what + ": more than half of the " + ByteSize.format(USER_ADDRESS_SPACE)
                        + " user address space; lower the slot counts or sizes");
            }
            long limit = os.getrlimitSoft(Fcntl.RLIMIT_AS);
            if (limit >= 0) {
                long used = currentVirtualBytes();
                if (total > limit - used) {
                    throw new IllegalArgumentException(what + ", but RLIMIT_AS is " + ByteSize.format(limit)
                            + " and the process already uses " + ByteSize.format(used)
                            + "; raise the limit (ulimit -v) or shrink the pool");
                }
            }
        }

        /** How a kind's reservation is made up, by field name, such as {@code totalStacks 4 x (stackBytes 64 KiB + a guard page)}. */
        private static String reservationFormula(PoolConfig config, SlotKind kind) {
            return switch (kind) {
                case MEMORY -> "totalMemories " + config.totalMemories + " x (maxMemoryBytes "
                        + ByteSize.format(config.maxMemoryBytes) + " + memoryGuardBytes "
                        + ByteSize.format(config.memoryGuardBytes) + ")";
                case TABLE -> "totalTables " + config.totalTables + " x (tableElements " + config.tableElements
                        + " x 8 B + a guard page)";
                case STACK -> "totalStacks " + config.totalStacks + " x (stackBytes "
                        + ByteSize.format(config.stackBytes) + " + a guard page)";
            };
        }

        /** VmSize of /proc/self/status, in bytes. */
        private static long currentVirtualBytes() {
            Path status = Path.of("/proc/self/status");
            try {
                for (String line : Files.readAllLines(status)) {
                    if (line.startsWith("VmSize:")) {
                        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                    }
                }
            } catch (IOException | NumberFormatException e) {
                throw new IllegalStateException("cannot read VmSize from " + status + " to check RLIMIT_AS", e);
            }
            throw new IllegalStateException(status + " has no VmSize line; cannot check RLIMIT_AS");
        }
    }
}
