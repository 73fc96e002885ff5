package io.warmpool.natives;

/**
 * Constants of {@code <fcntl.h>}, {@code <sys/mman.h>}'s {@code memfd_create}, {@code <signal.h>}
 * and {@code <sys/wait.h>} that warmpool uses (Linux, x86-64 and AArch64).
 */
public final class Fcntl {
    private Fcntl() {
    }

    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 1;
    public static final int O_RDWR = 2;
    public static final int O_CREAT = 0100;
    public static final int O_TRUNC = 01000;
    public static final int O_NONBLOCK = 04000;
    public static final int O_CLOEXEC = 02000000;

    public static final int F_GETFD = 1;
    public static final int F_SETFD = 2;
    public static final int FD_CLOEXEC = 1;
    /** {@code F_DUPFD_CLOEXEC}: duplicate to the lowest free number at or above the argument. */
    public static final int F_DUPFD_CLOEXEC = 1030;

    public static final int MFD_CLOEXEC = 1;

    public static final int SIGKILL = 9;
    public static final int SIGSEGV = 11;
    public static final int SIGTERM = 15;

    public static final int WNOHANG = 1;

    /** {@code RLIMIT_AS}: the limit on the size of the address space. */
    public static final int RLIMIT_AS = 9;
}
