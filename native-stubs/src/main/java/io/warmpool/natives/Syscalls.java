package io.warmpool.natives;

/**
 * The system calls warmpool makes, and nothing else: every native call of the project goes through
 * an implementation of this interface. {@link #linux()} is the real one; the tests of other modules
 * wrap it in the fault-injecting double of this module's test jar to drive their error paths.
 *
 * <p>Addresses and lengths are {@code long}s (warmpool runs on 64-bit Linux only). A call that
 * fails throws a {@link NativeCallException} naming the call, its arguments and the errno; errno is
 * read only after a failure. Methods that return nothing useful in C return nothing here.
 */
public interface Syscalls {

    /**
     * The real system calls of the running Linux kernel: the reset's hot calls through JNI (JNA when
     * warmpool's JNI library cannot load, see {@link HotCalls}), the others through JNA direct mapping.
     */
    static Syscalls linux() {
        return LinuxSyscalls.INSTANCE;
    }

    /** {@code mmap}: maps and returns the address of the mapping. */
    long mmap(long address, long length, int prot, int flags, int fd, long offset);

    /** {@code munmap}. */
    void munmap(long address, long length);

    /** {@code mprotect}. */
    void mprotect(long address, long length, int prot);

    /** {@code madvise}. */
    void madvise(long address, long length, int advice);

    /** {@code ioctl} with a pointer argument; returns the call's non-negative result. */
    int ioctl(int fd, long request, long argument);

    /** {@code open}; returns the new descriptor. */
    int open(String path, int flags, int mode);

    /** {@code close}. */
    void close(int fd);

    /** {@code pread} into native memory at {@code buffer}; returns the bytes read (0 at end of file). */
    long pread(int fd, long buffer, long count, long offset);

    /** {@code dup3}; returns {@code newFd}. */
    int dup3(int oldFd, int newFd, int flags);

    /** {@code fcntl} with an integer argument; returns the call's result. */
    int fcntl(int fd, int cmd, int arg);

    /** {@code getpid}: a real system call on this glibc, about a microsecond. */
    int getpid();

    /** {@code sysconf(_SC_PAGESIZE)}. */
    long pageSize();

    /** {@code pidfd_open} (Linux 5.3+); returns the pidfd. */
    int pidfdOpen(int pid, int flags);

    /**
     * {@code process_madvise} (Linux 5.10+, {@code MADV_DONTNEED} from 6.13) over an array of
     * {@code struct iovec} in native memory; returns the bytes advised, which may be fewer than asked.
     */
    long processMadvise(int pidfd, long iovec, long iovecCount, int advice, int flags);

    /** {@code memfd_create}; returns the descriptor. */
    int memfdCreate(String name, int flags);

    /** {@code ftruncate}. */
    void ftruncate(int fd, long length);

    /** The {@code userfaultfd} system call; returns the descriptor. */
    int userfaultfd(int flags);

    /** {@code getrlimit}: the soft limit of a resource, or -1 for {@code RLIM_INFINITY}. */
    long getrlimitSoft(int resource);

    /** {@code fork}: the child's pid in the parent, 0 in the child. For tests and tools. */
    int fork();

    /** {@code _exit}: ends the process at once, without running Java shutdown hooks. */
    void exit(int status);

    /** {@code waitpid}. */
    WaitStatus waitpid(int pid, int options);

    /** {@code kill}. */
    void kill(int pid, int signal);

    /**
     * {@code clock_gettime(CLOCK_MONOTONIC)} in nanoseconds, as {@link System#nanoTime()} reads it:
     * the clock that paces what the pool does over time (how long a batched decommit may wait).
     */
    default long nanoTime() {
        return System.nanoTime();
    }

    // ---- Written-page tracking (userfaultfd write-protect, issue 17) and memory images (issue 13) ----
    // The uffdio calls take their structs (Userfaultfd) as arguments and build them themselves, so
    // a caller allocates nothing native; every failure names the uffd, the range and the errno.

    /**
     * {@code ioctl(UFFDIO_API)}: enables {@code features} on a fresh userfaultfd (once per descriptor).
     *
     * @return the features this kernel supports (a superset of those asked for)
     */
    long uffdioApi(int uffd, long features);

    /**
     * {@code ioctl(UFFDIO_REGISTER)}: registers {@code [start, start + length)} (page-aligned) in
     * {@code mode} ({@link Userfaultfd#UFFDIO_REGISTER_MODE_WP}).
     *
     * @return the ioctls the range supports, as a bit set of their numbers
     */
    long uffdioRegister(int uffd, long start, long length, long mode);

    /** {@code ioctl(UFFDIO_UNREGISTER)} of {@code [start, start + length)}. */
    void uffdioUnregister(int uffd, long start, long length);

    /**
     * {@code ioctl(UFFDIO_WRITEPROTECT)}: write-protects {@code [start, start + length)} with
     * {@link Userfaultfd#UFFDIO_WRITEPROTECT_MODE_WP} in {@code mode}, unprotects it without.
     */
    void uffdioWriteprotect(int uffd, long start, long length, long mode);

    /** {@code pwrite} from native memory at {@code buffer}; returns the bytes written, which may be fewer than asked. */
    long pwrite(int fd, long buffer, long count, long offset);

    /** {@code fcntl(F_ADD_SEALS)}: adds {@code seals} ({@code Fcntl.F_SEAL_*}) to a memfd made with {@code MFD_ALLOW_SEALING}. */
    void addSeals(int fd, int seals);

    /** {@code fcntl(F_GET_SEALS)}: the seals of a memfd. */
    int getSeals(int fd);
}
