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
    /** {@code MFD_ALLOW_SEALING}: the memfd accepts {@link #F_ADD_SEALS}; without it, it starts sealed by {@link #F_SEAL_SEAL}. */
    public static final int MFD_ALLOW_SEALING = 2;
    /**
     * {@code MFD_NOEXEC_SEAL} (Linux 6.3): the memfd can never be made executable. Kernels before 6.3
     * refuse it ({@code EINVAL}); from 6.3 a memfd created with neither it nor {@code MFD_EXEC} gets a
     * warning in the kernel log.
     */
    public static final int MFD_NOEXEC_SEAL = 8;

    /** {@code F_ADD_SEALS}: adds seals to a memfd. */
    public static final int F_ADD_SEALS = 1033;
    /** {@code F_GET_SEALS}: the seals of a memfd. */
    public static final int F_GET_SEALS = 1034;
    /** {@code F_SEAL_SEAL}: no more seals can be added. */
    public static final int F_SEAL_SEAL = 0x1;
    /** {@code F_SEAL_SHRINK}: the file cannot shrink. */
    public static final int F_SEAL_SHRINK = 0x2;
    /** {@code F_SEAL_GROW}: the file cannot grow. */
    public static final int F_SEAL_GROW = 0x4;
    /** {@code F_SEAL_WRITE}: the contents cannot change (no write, no shared writable mapping). */
    public static final int F_SEAL_WRITE = 0x8;
    /** {@code F_SEAL_FUTURE_WRITE} (5.1): no new writes or shared writable mappings; existing ones keep working. */
    public static final int F_SEAL_FUTURE_WRITE = 0x10;
    /** The seals of an immutable file: what a memory image is sealed with. */
    public static final int F_SEALS_IMMUTABLE = F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL;

    public static final int SIGKILL = 9;
    public static final int SIGSEGV = 11;
    public static final int SIGTERM = 15;

    public static final int WNOHANG = 1;

    /** {@code RLIMIT_AS}: the limit on the size of the address space. */
    public static final int RLIMIT_AS = 9;
}
