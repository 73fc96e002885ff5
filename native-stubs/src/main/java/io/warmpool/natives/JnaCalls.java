package io.warmpool.natives;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;

/**
 * The hot calls through JNA direct mapping to glibc: the fallback when warmpool's JNI library cannot
 * be loaded (see {@link HotCalls}), and the reference the JNI binding is tested against. JNA saves
 * errno after every call; it is read only when the result says the call failed, and returned negated
 * as the JNI binding returns it. Loaded only when it is used.
 */
final class JnaCalls implements HotCalls.Binding {
    /** glibc, direct-mapped: the symbol of each method is its name. */
    private static final class Libc {
        static {
            Native.register(Libc.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
        }

        static native int ioctl(int fd, long request, long argument);

        /** JNA copies a primitive array to native memory for the call, and back after it. */
        static native int ioctl(int fd, long request, long[] words);

        static native int madvise(long address, long length, int advice);

        static native int mprotect(long address, long length, int prot);

        static native long memset(long address, int value, long length);

        static native long memcpy(long to, long from, long length);
    }

    private static int failed() {
        return -Native.getLastError();
    }

    @Override
    public String name() {
        return "jna";
    }

    @Override
    public int ioctl(int fd, long request, long argument) {
        int result = Libc.ioctl(fd, request, argument);
        return result < 0 ? failed() : result;
    }

    @Override
    public int ioctlWords(int fd, long request, long[] words) {
        int result = Libc.ioctl(fd, request, words);
        return result < 0 ? failed() : result;
    }

    @Override
    public int ioctlRange(int fd, long request, long start, long length, long mode) {
        return ioctlWords(fd, request, new long[] {start, length, mode});
    }

    @Override
    public int madvise(long address, long length, int advice) {
        return Libc.madvise(address, length, advice) != 0 ? failed() : 0;
    }

    @Override
    public int mprotect(long address, long length, int prot) {
        return Libc.mprotect(address, length, prot) != 0 ? failed() : 0;
    }

    @Override
    public void memset(long address, int value, long length) {
        Libc.memset(address, value, length);
    }

    @Override
    public void memcpy(long to, long from, long length) {
        Libc.memcpy(to, from, length);
    }
}
