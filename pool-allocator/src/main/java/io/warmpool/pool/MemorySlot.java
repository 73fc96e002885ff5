package io.warmpool.pool;

import io.warmpool.pool.slab.SlotPool;

import java.util.Optional;

/**
 * A linear memory: its first {@link #accessibleBytes()} are usable, and it can grow up to {@link
 * #maximumBytes()}. When acquired, every accessible byte reads its {@link #image()}'s byte, or zero
 * beyond the image (all zero without one); so do the bytes a grow makes accessible.
 */
public final class MemorySlot extends PoolSlot {
    private final long pageSize;
    private final MemoryImage image;

    MemorySlot(Lease lease, SlotPool pool, int index, long pageSize, MemoryImage image) {
        super(lease, pool, index);
        this.pageSize = pageSize;
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
     * Makes {@code additionalBytes} more accessible ({@code mprotect}); rounded up to a page.
     *
     * @return the new accessible size
     * @throws IllegalArgumentException past {@link #maximumBytes()}, or for a negative size; nothing changes
     */
    public long grow(long additionalBytes) {
        lease.checkLive();
        if (additionalBytes < 0) {
            throw new IllegalArgumentException("cannot grow by " + additionalBytes + " bytes");
        }
        long now = pool.accessible(index);
        long room = pool.slotBytes() - now;
        if (additionalBytes > room) {
            throw new IllegalArgumentException("cannot grow " + this + " by " + additionalBytes + " bytes: it has "
                    + now + " of at most " + pool.slotBytes() + " (pool.memory-max)");
        }
        long target = now + ((additionalBytes + pageSize - 1) & -pageSize);
        pool.grow(index, target);
        return target;
    }
}
