package io.warmpool.benchmarks;

import io.warmpool.pool.config.ResetStrategy;
import io.warmpool.pool.config.SlotKind;
import io.warmpool.pool.event.ResetRecord;

/**
 * A reset record as a typical reset leaves it, made up for the benchmarks that time what a listener
 * does with one: {@code dirtyPages} one-page regions, every other page from the slot's first.
 */
record SampleResetRecord(ResetStrategy strategy, long accessibleBytes, long keepResidentBytes, long dirtyPages,
                         long zeroedBytes, long scanNanos, long zeroNanos, long totalNanos) implements ResetRecord {
    private static final long PAGE = 4096;

    /** The typical scanned reset: 16 dirty pages of a 64 MiB memory keeping 1 MiB. */
    static SampleResetRecord pagemapGuided() {
        return new SampleResetRecord(ResetStrategy.PAGEMAP_GUIDED, 64L << 20, 1L << 20, 16, 16 * PAGE, 3_000, 800, 4_500);
    }

    /** The cheapest reset: one page zeroed, no scan. */
    static SampleResetRecord memsetOnePage() {
        return new SampleResetRecord(ResetStrategy.MEMSET_KEEP_RESIDENT, PAGE, PAGE, -1, PAGE, 0, 100, 250);
    }

    @Override
    public SlotKind kind() {
        return SlotKind.MEMORY;
    }

    @Override
    public int slot() {
        return 0;
    }

    @Override
    public long budgetPages() {
        return Math.min(keepResidentBytes, accessibleBytes) / PAGE;
    }

    @Override
    public long decommittedBytes() {
        return 0;
    }

    @Override
    public long decommitNanos() {
        return 0;
    }

    @Override
    public int dirtyRegionCount() {
        return dirtyPages < 0 ? 0 : (int) dirtyPages;
    }

    @Override
    public long dirtyRegionOffset(int i) {
        return 2L * i * PAGE;
    }

    @Override
    public long dirtyRegionBytes(int i) {
        return PAGE;
    }
}
