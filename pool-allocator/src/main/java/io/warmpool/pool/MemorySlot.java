package io.warmpool.pool;

import io.warmpool.pool.slab.SlotPool;

import java.util.Optional;

/**
 * A linear memory: its first {@link #accessibleBytes()} are usable, and it can grow up to {@link
 * #maximumBytes()}. When acquired, every accessible byte reads its {@link #image()}'s byte, or zero
 * beyond the image (all zero without one); so do the bytes a grow makes accessible.
 */
public final class MemorySlot extends PoolSlot {
    private final MemoryImage image;

    MemorySlot(Lease lease, SlotPool pool, int index, MemoryImage image) {
        super(lease, pool, index);
        this.image = image;
    }

    /** The memory image it started from: its accessible bytes read the image's, zero beyond it. */
    public Optional<MemoryImage> image() {
        lease.checkLive();
        return Optional.ofNullable(image);
    }

    /** The most bytes this memory can grow to; past them lie PROT_NONE bytes and a guard region. */
    public long maximumBytes() {
        lease.checkLive();
        return pool.slotBytes();
    }

    /**
     * Makes {@code additionalBytes} more accessible ({@code mprotect}); rounded up to a page. Grows
     * of one memory from several threads at once take turns: each adds its bytes to what the others
     * made accessible, and returns the size it made. A grow racing the instance's release either
     * completes before the reset (which then covers what it opened) or throws.
     *
     * @return the new accessible size
     * @throws IllegalArgumentException past {@link #maximumBytes()}, or for a negative size; nothing changes
     * @throws IllegalStateException    once the instance is released
     */
    public long grow(long additionalBytes) {
        lease.checkLive();
        return pool.grow(index, additionalBytes, lease); // checks the lease again under the slot's lock
    }
}
