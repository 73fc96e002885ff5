package io.warmpool.pool;

import io.warmpool.natives.NativeMemory;
import io.warmpool.pool.config.SlotKind;
import io.warmpool.pool.slab.SlotPool;

import java.nio.ByteBuffer;

/**
 * One slot held by an {@link Instance}: where its accessible bytes are. Every method throws
 * {@link IllegalStateException} once the instance is released; a {@link ByteBuffer} taken earlier
 * cannot be revoked, so do not keep one past the release. Only this package's three views extend it
 * (its constructor is package-private).
 */
public abstract class PoolSlot {
    final Lease lease;
    final SlotPool pool;
    final int index;

    PoolSlot(Lease lease, SlotPool pool, int index) {
        this.lease = lease;
        this.pool = pool;
        this.index = index;
    }

    /** The kind of slot. */
    public SlotKind kind() {
        return pool.kind();
    }

    /** The slot's index in its slab. */
    public int index() {
        lease.checkLive();
        return index;
    }

    /** The address of the lowest accessible byte. */
    public long address() {
        lease.checkLive();
        return pool.accessibleStart(index);
    }

    /** How many bytes from {@link #address()} the tenant may read and write. */
    public long accessibleBytes() {
        lease.checkLive();
        return pool.accessible(index);
    }

    /**
     * A native-order view of the accessible bytes.
     *
     * @throws IllegalStateException when more than 2 GiB - 1 bytes are accessible: use {@link #buffer(long, int)}
     */
    public ByteBuffer buffer() {
        long bytes = accessibleBytes();
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalStateException(bytes + " accessible bytes do not fit one ByteBuffer; use buffer(offset, length)");
        }
        return NativeMemory.view(address(), bytes);
    }

    /**
     * A native-order view of {@code length} accessible bytes from {@code offset}.
     *
     * @throws IndexOutOfBoundsException unless {@code [offset, offset + length)} lies inside the
     *                                   accessible bytes (checked without computing a sum that could overflow)
     */
    public ByteBuffer buffer(long offset, int length) {
        long bytes = accessibleBytes();
        if (offset < 0 || length < 0 || offset > bytes - length) {
            throw new IndexOutOfBoundsException("[" + offset + ", " + offset + " + " + length + ") is outside the "
                    + bytes + " accessible bytes of " + this);
        }
        return NativeMemory.view(address() + offset, length);
    }

    @Override
    public String toString() {
        return pool.kind().label() + " slot " + index;
    }
}
