package io.warmpool.fork;

import io.warmpool.natives.Errno;
import io.warmpool.natives.Fcntl;
import io.warmpool.natives.ForkHandlers;
import io.warmpool.natives.Syscalls;

import java.util.concurrent.atomic.AtomicReference;

/**
 * A file descriptor that knows the process, and the fork generation, that own it.
 *
 * <pre>
 *  fd():  generation unchanged (and, with the debug switch, getpid() unchanged)   -> the number: the
 *         fast path, one volatile load (plus a getpid with the switch)
 *         generation changed, path-based: the child handler already reopened it    -> adopt it for this
 *                                         (under the same number)                     process, the number
 *         generation changed, the handler's reopen failed (it points at /dev/null) -> ForeignDescriptorException
 *         pid changed, generation not: a fork that bypassed the handlers           -> reopen it here
 *         not reopenable (userfaultfd, pidfd)                                      -> ForeignDescriptorException
 * </pre>
 *
 * Path-based descriptors are registered with the C fork handlers on {@link #open} and forgotten on
 * {@link #close}. The owner is swapped with a compare-and-set, never under a lock: after a fork, a
 * lock that another thread of the parent held would never be released in the child.
 */
public final class PidCheckedFd implements AutoCloseable {
    private static volatile boolean checkPid = Boolean.getBoolean("warmpool.fork.checkPid");

    private final Syscalls os;
    private final int fd;
    private final String path;
    private final int flags;
    private final String description;
    private final AtomicReference<Owner> owner;
    private volatile boolean closed;

    private record Owner(int pid, long generation) {
    }

    private PidCheckedFd(Syscalls os, int fd, String path, int flags, String description) {
        this.os = os;
        this.fd = fd;
        this.path = path;
        this.flags = flags;
        this.description = description;
        this.owner = new AtomicReference<>(new Owner(ForkGeneration.pid(), ForkGeneration.current()));
    }

    /**
     * Opens {@code path} with {@code flags} and registers it with the fork handlers, so that a forked
     * child finds it reopened on its own process.
     */
    public static PidCheckedFd open(Syscalls os, String path, int flags) {
        ForkHandlers.install();
        int fd = os.open(path, flags, 0);
        try {
            ForkHandlers.registerReopen(fd, path, flags & ~Fcntl.O_CLOEXEC, (flags & Fcntl.O_CLOEXEC) != 0);
        } catch (RuntimeException e) {
            os.close(fd);
            throw e;
        }
        return new PidCheckedFd(os, fd, path, flags, path);
    }

    /**
     * Takes ownership of a descriptor that cannot be reopened by path, such as a userfaultfd: used
     * from another process, it throws {@link ForeignDescriptorException}.
     */
    public static PidCheckedFd adopt(Syscalls os, int fd, String description) {
        ForkHandlers.install();
        return new PidCheckedFd(os, fd, null, 0, description);
    }

    /** Whether every use compares {@code getpid()} too (also {@code -Dwarmpool.fork.checkPid=true}). */
    public static void checkPid(boolean enabled) {
        checkPid = enabled;
    }

    /** Whether every use compares {@code getpid()} too: the debug switch. */
    public static boolean checksPid() {
        return checkPid;
    }

    /**
     * The descriptor's number, valid in the calling process.
     *
     * @throws ForeignDescriptorException when it cannot describe the calling process
     * @throws IllegalStateException      when it was closed
     */
    public int fd() {
        if (closed) {
            throw new IllegalStateException(description + " (fd " + fd + ") is closed");
        }
        Owner current = owner.get();
        long generation = ForkGeneration.current();
        if (generation == current.generation() && (!checkPid || os.getpid() == current.pid())) {
            return fd;
        }
        return adoptFor(current, generation);
    }

    /**
     * Runs in a forked child, where only the forking thread exists: nothing here may need the VM's
     * other threads. Messages are built only on the failure paths, since the first string
     * concatenation at a call site bootstraps an invokedynamic call site.
     */
    private int adoptFor(Owner previous, long generation) {
        int pid = os.getpid();
        if (path == null) {
            throw new ForeignDescriptorException(whose(previous, pid, generation)
                    + ": it cannot be reopened, and would act on the other process");
        }
        if (generation != previous.generation()) {
            int errno = ForkHandlers.reopenErrno(fd);
            if (errno != 0) {
                throw new ForeignDescriptorException(whose(previous, pid, generation) + ": the fork handler could not"
                        + " reopen " + path + " (" + (errno < 0 ? "not registered" : Errno.nameOf(errno))
                        + "), so the descriptor points at /dev/null");
            }
        } else {
            reopenHere();
        }
        owner.compareAndSet(previous, new Owner(pid, generation));
        return fd;
    }

    private String whose(Owner previous, int pid, long generation) {
        return description + " (fd " + fd + ") was opened by pid " + previous.pid() + " in fork generation "
                + previous.generation() + "; this is pid " + pid + " in generation " + generation;
    }

    /** A fork bypassed the handlers: reopen under the same number, as the child handler would have. */
    private void reopenHere() {
        int fresh = os.open(path, flags | Fcntl.O_CLOEXEC, 0);
        try {
            os.dup3(fresh, fd, flags & Fcntl.O_CLOEXEC);
        } finally {
            os.close(fresh);
        }
    }

    /** The path it was opened from, or what it is when it has none. */
    public String path() {
        return path != null ? path : description;
    }

    /** The pid that owns it now. */
    public int ownerPid() {
        return owner.get().pid();
    }

    /** Whether a forked child can have it reopened. */
    public boolean reopenable() {
        return path != null;
    }

    /** Forgets it in the fork handlers and closes it. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (path != null) {
                ForkHandlers.unregister(fd);
            }
        } finally {
            os.close(fd);
        }
    }

    @Override
    public String toString() {
        return "PidCheckedFd[" + description + ", fd " + fd + ", owner " + owner.get() + "]";
    }
}
