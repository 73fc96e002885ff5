package io.warmpool.pool.reset;

import io.warmpool.natives.NativeMemory;

/** How a reset cleans pages it keeps resident: {@link #NATIVE} writes zeros; unit tests record the calls. */
public interface Zeroing {
    /** {@code memset(address, 0, bytes)} on native memory. */
    Zeroing NATIVE = new Zeroing() {
        @Override
        public void zero(long address, long bytes) {
            NativeMemory.zero(address, bytes);
        }
    };

    /** Writes zeros over {@code [address, address + bytes)}. */
    void zero(long address, long bytes);
}
