package io.warmpool.bench;

import io.warmpool.pool.config.ByteSize;
import io.warmpool.pool.config.PoolSetting;

/**
 * What the bench's tenant does in each cycle: it gets a memory of {@code slotBytes} accessible bytes
 * (in a slot that can grow to {@code maxBytes}), writes {@code dirtyPages} distinct pages at random
 * among the first {@code spreadBytes}, and gives the memory back; the pool keeps at most
 * {@code keepResidentBytes} of it resident. When {@code dirtyPages} exceeds the pages of the spread,
 * the tenant writes every page of the spread once.
 *
 * @param slotBytes         the tenant's accessible bytes
 * @param maxBytes          the slot's maximum (its reservation), at least {@code slotBytes}
 * @param keepResidentBytes the pool's keep-resident bytes per slot
 * @param dirtyPages        pages written per cycle
 * @param spreadBytes       the writes fall in the first this many bytes of the slot
 */
public record Workload(long slotBytes, long maxBytes, long keepResidentBytes, long dirtyPages, long spreadBytes) {

    /** The largest spread the driver writes through one buffer view. */
    public static final long MAX_SPREAD_BYTES = 1L << 30;

    /**
     * Checks the workload against the page size.
     *
     * @throws IllegalArgumentException naming the field, its value and the rule it breaks
     */
    public Workload validate(long pageSize) {
        pages("slot-bytes", slotBytes, pageSize, 1);
        pages(PoolSetting.MEMORY_MAX.key(), maxBytes, pageSize, slotBytes);
        pages(PoolSetting.MEMORY_KEEP_RESIDENT.key(), keepResidentBytes, pageSize, 0);
        pages("spread-bytes", spreadBytes, pageSize, 1);
        if (keepResidentBytes > maxBytes) {
            throw new IllegalArgumentException(PoolSetting.MEMORY_KEEP_RESIDENT.key() + " = " + keepResidentBytes
                    + ": must not exceed " + PoolSetting.MEMORY_MAX.key() + " (" + maxBytes + ")");
        }
        if (spreadBytes > slotBytes) {
            throw new IllegalArgumentException("spread-bytes = " + spreadBytes + ": must not exceed slot-bytes ("
                    + slotBytes + ")");
        }
        if (spreadBytes > MAX_SPREAD_BYTES) {
            throw new IllegalArgumentException("spread-bytes = " + spreadBytes + ": at most " + MAX_SPREAD_BYTES
                    + " (1 GiB)");
        }
        if (dirtyPages < 0) {
            throw new IllegalArgumentException("dirty-pages = " + dirtyPages + ": must not be negative");
        }
        return this;
    }

    private static void pages(String field, long value, long pageSize, long minimum) {
        if (value < minimum) {
            throw new IllegalArgumentException(field + " = " + value + ": must be at least " + minimum);
        }
        if (value % pageSize != 0) {
            throw new IllegalArgumentException(field + " = " + value + ": must be a multiple of the page size "
                    + pageSize);
        }
    }

    /** The distinct pages each cycle writes: {@code min(dirtyPages, spread pages)}. */
    public long distinctPages(long pageSize) {
        return Math.min(dirtyPages, spreadBytes / pageSize);
    }

    /** One short line, as asked for (the progress bar's). */
    public String describe() {
        return "slot " + ByteSize.format(slotBytes) + (maxBytes != slotBytes ? " (max " + ByteSize.format(maxBytes) + ")" : "")
                + ", keep resident " + ByteSize.format(keepResidentBytes) + ", " + dirtyPages + " dirty pages in "
                + ByteSize.format(spreadBytes);
    }

    /**
     * One line for the table's heading. It names the pages written: when {@code dirtyPages} asks for
     * more than the spread holds, every page of the spread, and the number asked for beside it.
     */
    public String describe(long pageSize) {
        long written = distinctPages(pageSize);
        String pages = written == dirtyPages ? dirtyPages + " dirty pages in " + ByteSize.format(spreadBytes)
                : written + " dirty pages (every page of the " + ByteSize.format(spreadBytes) + " spread; --dirty-pages "
                + dirtyPages + " asked for more than it holds)";
        return "slot " + ByteSize.format(slotBytes) + (maxBytes != slotBytes ? " (max " + ByteSize.format(maxBytes) + ")" : "")
                + ", keep resident " + ByteSize.format(keepResidentBytes) + ", " + pages;
    }
}
