package io.warmpool.pool.slab;

import io.warmpool.pool.event.AcquireKind;

/**
 * The answer of an acquire from the allocator, packed in one {@code long} so that it allocates
 * nothing: the slot in the low half ({@link #NONE} when there was none), how it was found in the
 * high half.
 */
final class Taken {
    /** No slot. */
    static final int NONE = -1;

    private Taken() {
    }

    static long pack(int slot, AcquireKind how) {
        return ((long) how.ordinal() << 32) | (slot & 0xffffffffL);
    }

    static int slot(long packed) {
        return (int) packed;
    }

    static AcquireKind how(long packed) {
        return AcquireKind.values()[(int) (packed >>> 32)];
    }
}
