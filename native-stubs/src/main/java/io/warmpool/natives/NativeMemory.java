package io.warmpool.natives;

import com.sun.jna.Native;
import com.sun.jna.Pointer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Access to native memory by address: zeroing, {@link ByteBuffer} views, and small off-heap
 * allocations. Like the system calls, every unsafe access of the project goes through here.
 *
 * <p>None of these methods checks its address: a bad one crashes the JVM. Callers pass addresses
 * that a mapping they own covers.
 */
public final class NativeMemory {
    private NativeMemory() {
    }

    /**
     * Sets {@code length} bytes at {@code address} to zero ({@code memset}, one native call through
     * the {@link HotCalls} binding).
     */
    public static void zero(long address, long length) {
        if (length > 0) {
            HotCalls.BINDING.memset(address, 0, length);
        }
    }

    /** Sets {@code length} bytes at {@code address} to {@code value}. */
    public static void fill(long address, long length, byte value) {
        if (length > 0) {
            HotCalls.BINDING.memset(address, value, length);
        }
    }

    /**
     * Copies {@code length} bytes from {@code from} to {@code to} ({@code memcpy}, one native call);
     * the ranges must not overlap.
     */
    public static void copy(long from, long to, long length) {
        if (length > 0) {
            HotCalls.BINDING.memcpy(to, from, length);
        }
    }

    /**
     * A direct, native-order view of {@code length} bytes at {@code address}. The view does not own
     * the memory: it must not be used after the memory is unmapped or freed.
     */
    public static ByteBuffer view(long address, long length) {
        if (length < 0 || length > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a view holds at most 2 GiB - 1 bytes, not " + length);
        }
        return new Pointer(address).getByteBuffer(0, length).order(ByteOrder.nativeOrder());
    }

    /** The address of a direct buffer's first byte. */
    public static long addressOf(ByteBuffer direct) {
        if (!direct.isDirect()) {
            throw new IllegalArgumentException("not a direct buffer: " + direct);
        }
        return Pointer.nativeValue(Native.getDirectBufferPointer(direct));
    }

    /** Reads the byte at {@code address}. */
    public static byte getByte(long address) {
        return new Pointer(address).getByte(0);
    }

    /** Writes the byte at {@code address}. */
    public static void putByte(long address, byte value) {
        new Pointer(address).setByte(0, value);
    }

    /** Reads the native-order long at {@code address}. */
    public static long getLong(long address) {
        return new Pointer(address).getLong(0);
    }

    /** Writes the native-order long at {@code address}. */
    public static void putLong(long address, long value) {
        new Pointer(address).setLong(0, value);
    }

    /**
     * The offset of the first non-zero byte in {@code length} bytes at {@code address}, or -1 when
     * every byte is zero. Reads eight bytes at a time.
     */
    public static long firstNonZero(long address, long length) {
        long offset = 0;
        while (offset < length) {
            int chunk = (int) Math.min(length - offset, 1L << 30);
            ByteBuffer bytes = view(address + offset, chunk);
            int i = 0;
            for (; i + Long.BYTES <= chunk; i += Long.BYTES) {
                if (bytes.getLong(i) != 0) {
                    break;
                }
            }
            for (; i < chunk; i++) {
                if (bytes.get(i) != 0) {
                    return offset + i;
                }
            }
            offset += chunk;
        }
        return -1;
    }

    /** Allocates {@code length} zeroed bytes off the heap ({@code malloc}); free them with {@link #free}. */
    public static long allocate(long length) {
        long address = Native.malloc(length);
        if (address == 0) {
            throw new OutOfMemoryError("malloc(" + length + ") returned NULL");
        }
        zero(address, length);
        return address;
    }

    /** Frees memory from {@link #allocate}. */
    public static void free(long address) {
        Native.free(address);
    }
}
