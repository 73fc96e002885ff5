package io.warmpool.pool.reset;

import io.warmpool.natives.NativeMemory;

/**
 * How a reset cleans pages it keeps resident: {@link #NATIVE} writes zeros, or copies a memory
 * image's bytes back; unit tests record the calls.
 */
public interface Zeroing {
    /** {@code memset(address, 0, bytes)} on native memory. */
    Zeroing NATIVE = new Zeroing() {
        @Override
        public void zero(long address, long bytes) {
            NativeMemory.zero(address, bytes);
        }

        @Override
        public void copy(long from, long to, long bytes) {
            NativeMemory.copy(from, to, bytes);
        }
    };

    /** Writes zeros over {@code [address, address + bytes)}. */
    void zero(long address, long bytes);

    /** Copies {@code bytes} from {@code from} (a memory image's source) to {@code to}; the ranges do not overlap. */
    default void copy(long from, long to, long bytes) {
        throw new UnsupportedOperationException("this zeroing cannot restore a memory image");
    }
}
