package io.warmpool.pool.slab;

import io.warmpool.pool.event.AcquireKind;

/**
 * The answer of an acquire from the allocator, packed in one {@code long} so that it allocates
 * nothing: the slot in the low half ({@link #NONE} when there was none), how it was found in the
 * high half's low byte, and for a memory with an image whether its slot already mapped it in the
 * byte above ({@link #IMAGE_HIT} or {@link #IMAGE_MISS}; 0 without an image).
 */
final class Taken {
    /** No slot. */
    static final int NONE = -1;
    private static final AcquireKind[] HOWS = AcquireKind.values();
    /** The slot already mapped the image the acquire asked for. */
    static final int IMAGE_HIT = 1;
    /** The slot was remapped to the image the acquire asked for. */
    static final int IMAGE_MISS = 2;

    private Taken() {
    }

    static long pack(int slot, AcquireKind how) {
        return ((long) how.ordinal() << 32) | (slot & 0xffffffffL);
    }

    static int slot(long packed) {
        return (int) packed;
    }

    static AcquireKind how(long packed) {
        return HOWS[(int) (packed >>> 32) & 0xff];
    }

    static long withImage(long packed, int image) {
        return packed | (long) image << 40;
    }

    static int image(long packed) {
        return (int) (packed >>> 40) & 0xff;
    }
}
