package io.warmpool.natives;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The {@code pthread_atfork} handlers of warmpool's C library ({@code src/main/c/warmpool_fork.c},
 * built by gcc into this jar as {@code libwarmpool.so}): installed once when this class loads.
 *
 * <p>In a forked child the handler records the child's pid, reopens every registered descriptor
 * from its path under the same number (keeping its close-on-exec flag), then bumps the fork
 * generation. {@link #generation()} and {@link #pid()} read what the handler wrote with a volatile
 * load: no system call, cheap enough for every reset. No Java code runs inside a handler.
 *
 * <p>The handlers run for {@code fork()} and everything that calls it through glibc (including
 * {@code posix_spawn} fallbacks). They do not run for {@code vfork}, raw {@code clone} or
 * {@code syscall(SYS_fork)}; those children keep the parent's generation and pid here.
 */
public final class ForkHandlers {
    private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
    private static final int GENERATION = 0;
    private static final int PID = 8;
    private static final int REOPEN_FAILURES = 16;
    private static final int REOPENED = 24;
    private static final ByteBuffer STATE;

    private static final class Lib {
        static {
            Native.register(Lib.class, NativeLibrary.getInstance("warmpool", ForkHandlers.class.getClassLoader()));
        }

        static native int wp_atfork_install();

        static native Pointer wp_fork_state();

        static native int wp_register_fd(int fd, String path, int flags, int cloexec);

        static native int wp_unregister_fd(int fd);

        static native int wp_reopen_errno(int fd);

        static native int wp_test_fork_without_handlers();

        static native int wp_registered_fds();

        static native int wp_test_set_registry_limit(int most);
    }

    static {
        int result = Lib.wp_atfork_install();
        if (result != 0) {
            throw Call.WP_ATFORK_INSTALL.failure(result);
        }
        STATE = NativeMemory.view(Pointer.nativeValue(Lib.wp_fork_state()), 32);
    }

    private ForkHandlers() {
    }

    /** Makes sure the handlers are installed (loading this class installs them). */
    public static void install() {
        // the static initializer did it
    }

    /** Forks in this process's line since the library loaded: 0 in the process that loaded it. */
    public static long generation() {
        return (long) LONGS.getVolatile(STATE, GENERATION);
    }

    /** The pid the handlers recorded for this process (a fork that bypassed them leaves the parent's). */
    public static int pid() {
        return (int) (long) LONGS.getVolatile(STATE, PID);
    }

    /** Registered descriptors a child handler failed to reopen, in this process's line. */
    public static long reopenFailures() {
        return (long) LONGS.getVolatile(STATE, REOPEN_FAILURES);
    }

    /** Registered descriptors child handlers reopened, in this process's line. */
    public static long reopened() {
        return (long) LONGS.getVolatile(STATE, REOPENED);
    }

    /** The most descriptors the registry holds: 1,048,576, the kernel's default {@code fs.nr_open}. */
    public static final int MAX_REGISTERED = 1 << 20;

    /**
     * Registers {@code fd} to be reopened from {@code path} with {@code flags} in every forked child.
     * The registry grows (with {@code mmap}, by the registering thread) as descriptors come.
     *
     * @throws NativeCallException with EINVAL (bad fd or relative path), ENAMETOOLONG (255 bytes at
     *                             most), EEXIST (already registered), ENOSPC ({@link #MAX_REGISTERED}
     *                             descriptors at most) or ENOMEM (the registry could not grow)
     */
    public static void registerReopen(int fd, String path, int flags, boolean cloexec) {
        int result = Lib.wp_register_fd(fd, path, flags, cloexec ? 1 : 0);
        if (result != 0) {
            throw Call.WP_REGISTER_FD.failure(-result, fd, path, flags, cloexec ? 1 : 0);
        }
    }

    /**
     * Forgets a registered descriptor.
     *
     * @throws NativeCallException with ENOENT when it was not registered
     */
    public static void unregister(int fd) {
        int result = Lib.wp_unregister_fd(fd);
        if (result != 0) {
            throw Call.WP_UNREGISTER_FD.failure(-result, fd);
        }
    }

    /**
     * The errno of the child handler's failed reopen of {@code fd} in this process (the descriptor
     * then points at /dev/null), or 0; -1 when the descriptor is not registered.
     */
    public static int reopenErrno(int fd) {
        int result = Lib.wp_reopen_errno(fd);
        return result < 0 ? -1 : result;
    }

    /** How many descriptors are registered in this process. */
    public static int registered() {
        return Lib.wp_registered_fds();
    }

    /**
     * FOR TESTS: the most descriptors the registry takes from now on ({@code 64} to
     * {@link #MAX_REGISTERED}; {@code 0} restores {@link #MAX_REGISTERED}), so that a test reaches
     * ENOSPC without a million descriptors. Returns the previous limit.
     *
     * @throws NativeCallException with EINVAL for a limit out of that range
     */
    public static int limitRegistryForTests(int most) {
        int previous = Lib.wp_test_set_registry_limit(most);
        if (previous < 0) {
            throw Call.WP_TEST_SET_REGISTRY_LIMIT.failure(-previous, most);
        }
        return previous;
    }

    /**
     * FOR TESTS: a fork that bypasses the handlers (raw {@code clone}), to show what the debug pid
     * check catches. The child must do little and end with {@code _exit}.
     */
    public static int forkWithoutHandlers() {
        int pid = Lib.wp_test_fork_without_handlers();
        if (pid < 0) {
            throw Call.WP_TEST_FORK.failure(-pid);
        }
        return pid;
    }
}
