package io.warmpool.fork;

import io.warmpool.natives.Syscalls;

/**
 * A file descriptor that knows the process and fork generation that own it.
 *
 * <p>SKELETON: the reopen-in-child logic is not implemented yet; {@link #fd()} returns the number.
 */
public final class PidCheckedFd implements AutoCloseable {
    private final Syscalls os;
    private final int fd;
    private final String path;

    private PidCheckedFd(Syscalls os, int fd, String path) {
        this.os = os;
        this.fd = fd;
        this.path = path;
    }

    /** Opens {@code path}; a forked child finds the descriptor reopened on its own process. */
    public static PidCheckedFd open(Syscalls os, String path, int flags) {
        return new PidCheckedFd(os, os.open(path, flags, 0), path);
    }

    /** The descriptor's number, valid in the calling process. */
    public int fd() {
        return fd;
    }

    /** The path the descriptor was opened from. */
    public String path() {
        return path;
    }

    @Override
    public void close() {
        os.close(fd);
    }
}
