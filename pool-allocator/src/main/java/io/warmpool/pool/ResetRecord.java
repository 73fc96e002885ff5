package io.warmpool.pool;

/**
 * What one reset of one slot did and cost, as {@link PoolListener#reset} sees it. The pool reuses
 * the object: read it during the callback, copy what you keep.
 */
public final class ResetRecord {
    SlotKind kind;
    ResetStrategy strategy;
    int slot;
    long slotBase;
    long accessibleBytes;
    long dirtyPages;
    long zeroedBytes;
    long decommittedBytes;
    long scanNanos;
    long zeroNanos;
    long decommitNanos;
    long totalNanos;
    RangeList regions;

    void begin(SlotKind kind, int slot, long slotBase, long accessibleBytes) {
        this.kind = kind;
        this.slot = slot;
        this.slotBase = slotBase;
        this.accessibleBytes = accessibleBytes;
        this.strategy = null;
        this.dirtyPages = -1;
        this.zeroedBytes = 0;
        this.decommittedBytes = 0;
        this.scanNanos = 0;
        this.zeroNanos = 0;
        this.decommitNanos = 0;
        this.totalNanos = 0;
        this.regions = null;
    }

    /** The kind of slot reset. */
    public SlotKind kind() {
        return kind;
    }

    /** The strategy that ran: for {@link ResetStrategy#AUTO}, the one it chose this time. */
    public ResetStrategy strategy() {
        return strategy;
    }

    /** The slot's index in its slab. */
    public int slot() {
        return slot;
    }

    /** The bytes the tenant could reach, which the reset made clean. */
    public long accessibleBytes() {
        return accessibleBytes;
    }

    /**
     * The dirty pages the scan found, up to the keep-resident budget (pages past the budget are given
     * back unscanned); -1 when the strategy did not scan.
     */
    public long dirtyPages() {
        return dirtyPages;
    }

    /** Bytes zeroed in place (they stay resident). */
    public long zeroedBytes() {
        return zeroedBytes;
    }

    /** Bytes given back to the kernel with {@code MADV_DONTNEED}, or queued to be. */
    public long decommittedBytes() {
        return decommittedBytes;
    }

    /** Nanoseconds spent scanning for dirty pages. */
    public long scanNanos() {
        return scanNanos;
    }

    /** Nanoseconds spent zeroing. */
    public long zeroNanos() {
        return zeroNanos;
    }

    /** Nanoseconds spent in {@code madvise} (0 when the decommit was queued for a batch). */
    public long decommitNanos() {
        return decommitNanos;
    }

    /** Nanoseconds the whole reset took. */
    public long totalNanos() {
        return totalNanos;
    }

    /** How many dirty regions the scan found (0 when it did not scan). */
    public int dirtyRegionCount() {
        return regions == null ? 0 : regions.size();
    }

    /** The offset of dirty region {@code i} from the slot's first byte. */
    public long dirtyRegionOffset(int i) {
        return regions.start(i) - slotBase;
    }

    /** The length in bytes of dirty region {@code i}. */
    public long dirtyRegionBytes(int i) {
        return regions.end(i) - regions.start(i);
    }

    @Override
    public String toString() {
        return kind.label() + " slot " + slot + " reset by " + strategy + ": " + dirtyPages + " dirty pages, "
                + zeroedBytes + " B zeroed, " + decommittedBytes + " B decommitted in " + totalNanos + " ns";
    }
}
