package io.warmpool.pool.profile;

import io.warmpool.pool.config.ResetStrategy;
import io.warmpool.pool.config.SlotKind;
import io.warmpool.pool.event.ResetRecord;

/**
 * A reset record made up for a test: one-page dirty regions at {@code offsets} from the slot's
 * first byte, nothing timed.
 */
record FixedResetRecord(SlotKind kind, ResetStrategy strategy, long accessibleBytes, long keepResidentBytes,
                        long budgetPages, long dirtyPages, long[] offsets, long pageSize) implements ResetRecord {

    @Override
    public int slot() {
        return 0;
    }

    @Override
    public long zeroedBytes() {
        return 0;
    }

    @Override
    public long decommittedBytes() {
        return 0;
    }

    @Override
    public long scanNanos() {
        return 0;
    }

    @Override
    public long zeroNanos() {
        return 0;
    }

    @Override
    public long decommitNanos() {
        return 0;
    }

    @Override
    public long totalNanos() {
        return 0;
    }

    @Override
    public int dirtyRegionCount() {
        return offsets.length;
    }

    @Override
    public long dirtyRegionOffset(int i) {
        return offsets[i];
    }

    @Override
    public long dirtyRegionBytes(int i) {
        return pageSize;
    }
}
