package io.warmpool.pool.event;

import io.warmpool.pool.config.ResetStrategy;
import io.warmpool.pool.config.SlotKind;

/**
 * What one reset of one slot did and cost, as {@link PoolListener#reset} sees it. The pool reuses
 * the object behind it: read it during the callback, copy what you keep.
 */
public interface ResetRecord {

    /** The kind of slot reset. */
    SlotKind kind();

    /** The strategy that ran: for {@link ResetStrategy#AUTO}, the one it chose this time. */
    ResetStrategy strategy();

    /** The slot's index in its slab. */
    int slot();

    /** The bytes the tenant could reach, which the reset made clean. */
    long accessibleBytes();

    /** The keep-resident bytes per slot the reset ran with (they can change while the pool runs). */
    long keepResidentBytes();

    /**
     * The keep-resident budget of this reset, in pages: the most pages it could leave resident, the
     * keep-resident bytes or the accessible bytes if fewer (0: every strategy gives everything back).
     */
    long budgetPages();

    /**
     * The dirty pages the scan found, up to the budget (pages past the budget are given back
     * unscanned); -1 when the strategy did not scan.
     */
    long dirtyPages();

    /**
     * Whether the scan ran into the budget: it found {@link #budgetPages()} dirty pages or more, so
     * what lay past them was given back without being looked at (a stack's scan looks at everything
     * and gives back the dirty pages beyond the budget). False when the reset did not scan.
     */
    default boolean stoppedAtBudget() {
        return budgetPages() > 0 && dirtyPages() >= budgetPages();
    }

    /** Bytes cleaned in place (they stay resident). */
    long zeroedBytes();

    /** Bytes given back to the kernel with {@code MADV_DONTNEED}, or queued to be. */
    long decommittedBytes();

    /**
     * Of {@link #zeroedBytes()}, the bytes restored by copying a memory image's bytes back (0 for a
     * slot without an image).
     */
    default long restoredBytes() {
        return 0;
    }

    /**
     * Of {@link #decommittedBytes()}, the bytes inside a memory image's range: their next read sees
     * the image again, from the page cache (0 for a slot without an image).
     */
    default long imageDecommittedBytes() {
        return 0;
    }

    /** Nanoseconds spent scanning for dirty pages. */
    long scanNanos();

    /** Nanoseconds spent cleaning in place. */
    long zeroNanos();

    /** Nanoseconds spent in {@code madvise} (0 when the decommit was queued for a batch). */
    long decommitNanos();

    /** Nanoseconds the whole reset took. */
    long totalNanos();

    /** How many dirty regions the scan found (0 when it did not scan). */
    int dirtyRegionCount();

    /** The offset of dirty region {@code i} from the slot's first byte. */
    long dirtyRegionOffset(int i);

    /** The length in bytes of dirty region {@code i}. */
    long dirtyRegionBytes(int i);
}
