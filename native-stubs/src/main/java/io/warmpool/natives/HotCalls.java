package io.warmpool.natives;

import java.lang.System.Logger.Level;
import java.util.Optional;

/**
 * Which binding carries the calls every reset makes ({@code ioctl}, {@code madvise},
 * {@code mprotect}, {@code memset}, {@code memcpy}): JNI to warmpool's own C library
 * ({@code libwarmpoolcalls.so}, built by gcc with this module), or JNA direct mapping when that
 * library cannot be loaded. Every other call goes through JNA either way.
 *
 * <pre>
 *  first use of a native call
 *    -Dwarmpool.jni.library unset  -> load the library bundled in this jar (from a jar: copied to a
 *                                     temporary file, loaded, deleted)
 *    -Dwarmpool.jni.library=PATH   -> load PATH instead
 *    -Dwarmpool.jni.library=none   -> load nothing
 *    loaded, and its ABI matches   -> JNI
 *    anything else                 -> JNA, with the reason in fallbackReason(), logged once
 * </pre>
 *
 * Both bindings return the same results and fail with the same {@link NativeCallException}s; the
 * fallback costs speed, never correctness, so it is not an error: a JNA call saves errno after every
 * call and costs more than a JNI call, tens of nanoseconds on a quiet machine and a few hundred under
 * load ({@code ResetPiecesBenchmark} times each hot piece both ways). The choice is made once per
 * process.
 */
public final class HotCalls {
    /** The system property naming the JNI library to load instead of the bundled one, or {@code none}. */
    public static final String LIBRARY_PROPERTY = "warmpool.jni.library";

    private static final System.Logger LOG = System.getLogger(HotCalls.class.getName());

    /** The binding in use; a constant, so the JIT calls it directly. */
    static final Binding BINDING;
    private static final Optional<String> FALLBACK_REASON;

    static {
        Optional<String> refused = JniCalls.load(System.getProperty(LIBRARY_PROPERTY));
        FALLBACK_REASON = refused;
        BINDING = refused.isPresent() ? new JnaCalls() : new JniCalls();
        if (refused.isPresent()) {
            LOG.log(Level.WARNING, "warmpool makes its reset's system calls through JNA, which costs more per call"
                    + " than its JNI library: " + refused.get());
        }
    }

    private HotCalls() {
    }

    /** {@code "jni"} or {@code "jna"}: the binding of the hot calls in this process. */
    public static String binding() {
        return BINDING.name();
    }

    /**
     * Why the hot calls fell back to JNA (the library that could not be loaded, and the error), or
     * empty when they go through JNI. The pool counts a present reason as a fallback.
     */
    public static Optional<String> fallbackReason() {
        return FALLBACK_REASON;
    }

    /**
     * The hot calls of one binding. Each returns what the C call returns, or {@code -errno} when it
     * failed; {@link LinuxSyscalls} turns that into a {@link NativeCallException}.
     */
    interface Binding {
        /** {@code "jni"} or {@code "jna"}. */
        String name();

        /** {@code ioctl} with a pointer argument. */
        int ioctl(int fd, long request, long argument);

        /**
         * {@code ioctl} whose argument is a struct of 64-bit words, passed as {@code words}: copied
         * to native memory for the call and back after it, so the caller allocates nothing native.
         */
        int ioctlWords(int fd, long request, long[] words);

        /**
         * {@code ioctl} whose argument is {@code struct uffdio_range} ({@code start, length}), or a struct
         * that begins with one and adds a {@code mode} word: built by the binding, so that a call
         * allocates nothing (on the JNI path) however often it is made.
         */
        int ioctlRange(int fd, long request, long start, long length, long mode);

        /** {@code madvise}: 0 or {@code -errno}. */
        int madvise(long address, long length, int advice);

        /** {@code mprotect}: 0 or {@code -errno}. */
        int mprotect(long address, long length, int prot);

        /** {@code memset}. */
        void memset(long address, int value, long length);

        /** {@code memcpy}: the ranges must not overlap. */
        void memcpy(long to, long from, long length);
    }
}
