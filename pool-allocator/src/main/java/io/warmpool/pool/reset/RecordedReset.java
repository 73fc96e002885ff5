package io.warmpool.pool.reset;

import io.warmpool.pool.config.ResetStrategy;
import io.warmpool.pool.config.SlotKind;
import io.warmpool.pool.event.ResetRecord;

/**
 * The {@link ResetRecord} a {@link ResetContext} fills on each reset: one object per context, reused,
 * so that a reset allocates nothing.
 */
public final class RecordedReset implements ResetRecord {
    SlotKind kind;
    ResetStrategy strategy;
    int slot;
    long slotBase;
    long accessibleBytes;
    long keepResidentBytes;
    long budgetPages;
    long dirtyPages;
    long zeroedBytes;
    long decommittedBytes;
    long restoredBytes;
    long imageDecommittedBytes;
    long scanNanos;
    long zeroNanos;
    long decommitNanos;
    long totalNanos;
    RangeList regions;

    void begin(SlotKind kind, int slot, long slotBase, long accessibleBytes, long keepResidentBytes, long budgetPages) {
        this.kind = kind;
        this.slot = slot;
        this.slotBase = slotBase;
        this.accessibleBytes = accessibleBytes;
        this.keepResidentBytes = keepResidentBytes;
        this.budgetPages = budgetPages;
        this.strategy = null;
        this.dirtyPages = -1;
        this.zeroedBytes = 0;
        this.decommittedBytes = 0;
        this.restoredBytes = 0;
        this.imageDecommittedBytes = 0;
        this.scanNanos = 0;
        this.zeroNanos = 0;
        this.decommitNanos = 0;
        this.totalNanos = 0;
        this.regions = null;
    }

    /** The reset's decommits ran on the releasing thread and took {@code nanos}: they count in its cost. */
    public void decommitted(long nanos) {
        decommitNanos += nanos;
        totalNanos += nanos;
    }

    @Override
    public SlotKind kind() {
        return kind;
    }

    @Override
    public ResetStrategy strategy() {
        return strategy;
    }

    @Override
    public int slot() {
        return slot;
    }

    @Override
    public long accessibleBytes() {
        return accessibleBytes;
    }

    @Override
    public long keepResidentBytes() {
        return keepResidentBytes;
    }

    @Override
    public long budgetPages() {
        return budgetPages;
    }

    @Override
    public long dirtyPages() {
        return dirtyPages;
    }

    @Override
    public long zeroedBytes() {
        return zeroedBytes;
    }

    @Override
    public long decommittedBytes() {
        return decommittedBytes;
    }

    @Override
    public long restoredBytes() {
        return restoredBytes;
    }

    @Override
    public long imageDecommittedBytes() {
        return imageDecommittedBytes;
    }

    @Override
    public long scanNanos() {
        return scanNanos;
    }

    @Override
    public long zeroNanos() {
        return zeroNanos;
    }

    @Override
    public long decommitNanos() {
        return decommitNanos;
    }

    @Override
    public long totalNanos() {
        return totalNanos;
    }

    @Override
    public int dirtyRegionCount() {
        return regions == null ? 0 : regions.size();
    }

    @Override
    public long dirtyRegionOffset(int i) {
        return regions.start(i) - slotBase;
    }

    @Override
    public long dirtyRegionBytes(int i) {
        return regions.end(i) - regions.start(i);
    }

    @Override
    public String toString() {
        return kind.label() + " slot " + slot + " reset by " + strategy + ": " + dirtyPages + " dirty pages of a "
                + budgetPages + "-page budget, " + zeroedBytes + " B zeroed, " + decommittedBytes
                + " B decommitted" + (restoredBytes > 0 || imageDecommittedBytes > 0 ? " (image: " + restoredBytes
                + " B restored by copy, " + imageDecommittedBytes + " B decommitted)" : "") + " in " + totalNanos + " ns";
    }
}
