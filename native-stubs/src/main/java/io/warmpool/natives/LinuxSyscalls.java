package io.warmpool.natives;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;
import jnr.posix.RLimit;

/**
 * The real {@link Syscalls}: the calls of every reset ({@code ioctl} and the uffdio ioctls,
 * {@code madvise}, {@code mprotect}) through the {@link HotCalls} binding (JNI to warmpool's C
 * library, about 8 ns of overhead a call, or JNA where that library cannot load), the rest of glibc
 * through JNA direct mapping ({@code Native.register}, about 0.05 µs a call), and jnr-posix for the
 * process calls ({@code waitpid}, {@code kill}, {@code getrlimit}) that only tests and configuration
 * checks make.
 *
 * <p>A hot call returns {@code -errno} on failure. JNA saves errno after every native call on the
 * calling thread; it is read with {@link Native#getLastError()} only when the return value says the
 * call failed. Calls that newer
 * glibc versions added ({@code pidfd_open}, {@code process_madvise}) are bound lazily in a class
 * of their own, so a C library without them costs those calls ({@code ENOSYS}), not the others.
 */
final class LinuxSyscalls implements Syscalls {
    static final LinuxSyscalls INSTANCE = new LinuxSyscalls();

    private static final int SC_PAGESIZE = 30;
    private static final int ENOSYS = Errno.ENOSYS.number();

    private LinuxSyscalls() {
    }

    /** glibc calls present in every version warmpool supports. */
    private static final class Libc {
        static {
            Native.register(Libc.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
        }

        static native long mmap(long address, long length, int prot, int flags, int fd, long offset);

        static native int munmap(long address, long length);

        static native int open(String path, int flags, int mode);

        static native int close(int fd);

        static native long pread(int fd, long buffer, long count, long offset);

        static native int dup3(int oldFd, int newFd, int flags);

        static native int fcntl(int fd, int cmd, int arg);

        static native int getpid();

        static native long sysconf(int name);

        static native int ftruncate(int fd, long length);

        static native long pwrite(int fd, long buffer, long count, long offset);

        static native int memfd_create(String name, int flags);

        static native long syscall(long number, long argument);

        static native int fork();

        static native void _exit(int status);

    }

    /** glibc 2.36 calls: bound on first use; absent symbols make the calls fail with ENOSYS. */
    private static final class Libc236 {
        static final boolean BOUND = bind();

        private static boolean bind() {
            try {
                Native.register(Libc236.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
                return true;
            } catch (UnsatisfiedLinkError missing) {
                return false;
            }
        }

        static native int pidfd_open(int pid, int flags);

        static native long process_madvise(int pidfd, long iovec, long iovecCount, int advice, int flags);
    }

    /** jnr-posix, loaded on first use: it costs a few hundred milliseconds to start. */
    private static final class Posix {
        static final POSIX POSIX = POSIXFactory.getNativePOSIX();
    }

    /** The binding of the hot calls, chosen once per process. */
    private static final HotCalls.Binding HOT = HotCalls.BINDING;

    private static int errno() {
        return Native.getLastError();
    }

    @Override
    public long mmap(long address, long length, int prot, int flags, int fd, long offset) {
        long mapped = Libc.mmap(address, length, prot, flags, fd, offset);
        if (mapped == Mman.MAP_FAILED) {
            throw Call.MMAP.failure(errno(), address, length, prot, flags, fd, offset);
        }
        return mapped;
    }

    @Override
    public void munmap(long address, long length) {
        if (Libc.munmap(address, length) != 0) {
            throw Call.MUNMAP.failure(errno(), address, length);
        }
    }

    @Override
    public void mprotect(long address, long length, int prot) {
        int result = HOT.mprotect(address, length, prot);
        if (result != 0) {
            throw Call.MPROTECT.failure(-result, address, length, prot);
        }
    }

    @Override
    public void madvise(long address, long length, int advice) {
        int result = HOT.madvise(address, length, advice);
        if (result != 0) {
            throw Call.MADVISE.failure(-result, address, length, advice);
        }
    }

    @Override
    public int ioctl(int fd, long request, long argument) {
        int result = HOT.ioctl(fd, request, argument);
        if (result < 0) {
            throw Call.IOCTL.failure(-result, fd, request, argument);
        }
        return result;
    }

    @Override
    public int open(String path, int flags, int mode) {
        int fd = Libc.open(path, flags, mode);
        if (fd < 0) {
            throw Call.OPEN.failure(errno(), path, flags, mode);
        }
        return fd;
    }

    @Override
    public void close(int fd) {
        if (Libc.close(fd) != 0) {
            throw Call.CLOSE.failure(errno(), fd);
        }
    }

    @Override
    public long pread(int fd, long buffer, long count, long offset) {
        long read = Libc.pread(fd, buffer, count, offset);
        if (read < 0) {
            throw Call.PREAD.failure(errno(), fd, buffer, count, offset);
        }
        return read;
    }

    @Override
    public int dup3(int oldFd, int newFd, int flags) {
        int fd = Libc.dup3(oldFd, newFd, flags);
        if (fd < 0) {
            throw Call.DUP3.failure(errno(), oldFd, newFd, flags);
        }
        return fd;
    }

    @Override
    public int fcntl(int fd, int cmd, int arg) {
        int result = Libc.fcntl(fd, cmd, arg);
        if (result < 0) {
            throw Call.FCNTL.failure(errno(), fd, cmd, arg);
        }
        return result;
    }

    @Override
    public int getpid() {
        return Libc.getpid();
    }

    @Override
    public long pageSize() {
        long size = Libc.sysconf(SC_PAGESIZE);
        if (size <= 0) {
            throw Call.SYSCONF.failure(errno(), SC_PAGESIZE);
        }
        return size;
    }

    @Override
    public int pidfdOpen(int pid, int flags) {
        if (!Libc236.BOUND) {
            throw Call.PIDFD_OPEN.failure(ENOSYS, pid, flags);
        }
        int fd = Libc236.pidfd_open(pid, flags);
        if (fd < 0) {
            throw Call.PIDFD_OPEN.failure(errno(), pid, flags);
        }
        return fd;
    }

    @Override
    public long processMadvise(int pidfd, long iovec, long iovecCount, int advice, int flags) {
        if (!Libc236.BOUND) {
            throw Call.PROCESS_MADVISE.failure(ENOSYS, pidfd, iovec, iovecCount, advice, flags);
        }
        long advised = Libc236.process_madvise(pidfd, iovec, iovecCount, advice, flags);
        if (advised < 0) {
            throw Call.PROCESS_MADVISE.failure(errno(), pidfd, iovec, iovecCount, advice, flags);
        }
        return advised;
    }

    @Override
    public int memfdCreate(String name, int flags) {
        int fd = Libc.memfd_create(name, flags);
        if (fd < 0) {
            throw Call.MEMFD_CREATE.failure(errno(), name, flags);
        }
        return fd;
    }

    @Override
    public void ftruncate(int fd, long length) {
        if (Libc.ftruncate(fd, length) != 0) {
            throw Call.FTRUNCATE.failure(errno(), fd, length);
        }
    }

    @Override
    public int userfaultfd(int flags) {
        long fd = Libc.syscall(SyscallNumbers.USERFAULTFD, flags);
        if (fd < 0) {
            throw Call.USERFAULTFD.failure(errno(), flags);
        }
        return (int) fd;
    }

    @Override
    public long getrlimitSoft(int resource) {
        RLimit limit = Posix.POSIX.getrlimit(resource);
        if (limit == null) {
            throw Call.GETRLIMIT.failure(Posix.POSIX.errno(), resource);
        }
        return limit.rlimCur();
    }

    @Override
    public int fork() {
        int pid = Libc.fork();
        if (pid < 0) {
            throw Call.FORK.failure(errno());
        }
        return pid;
    }

    @Override
    public void exit(int status) {
        Libc._exit(status);
    }

    @Override
    public WaitStatus waitpid(int pid, int options) {
        int[] status = new int[1];
        int changed = Posix.POSIX.waitpid(pid, status, options);
        if (changed < 0) {
            throw Call.WAITPID.failure(Posix.POSIX.errno(), pid, options);
        }
        return new WaitStatus(changed, status[0]);
    }

    @Override
    public void kill(int pid, int signal) {
        if (Posix.POSIX.kill(pid, signal) != 0) {
            throw Call.KILL.failure(Posix.POSIX.errno(), pid, signal);
        }
    }

    @Override
    public long uffdioApi(int uffd, long features) {
        long[] api = {Userfaultfd.UFFD_API, features, 0};
        int result = HOT.ioctlWords(uffd, Userfaultfd.UFFDIO_API, api);
        if (result < 0) {
            throw Call.UFFDIO_API.failure(-result, uffd, features);
        }
        return api[1];
    }

    @Override
    public long uffdioRegister(int uffd, long start, long length, long mode) {
        long[] register = {start, length, mode, 0};
        int result = HOT.ioctlWords(uffd, Userfaultfd.UFFDIO_REGISTER, register);
        if (result < 0) {
            throw Call.UFFDIO_REGISTER.failure(-result, uffd, start, length, mode);
        }
        return register[3];
    }

    @Override
    public void uffdioUnregister(int uffd, long start, long length) {
        int result = HOT.ioctlRange(uffd, Userfaultfd.UFFDIO_UNREGISTER, start, length, 0);
        if (result < 0) {
            throw Call.UFFDIO_UNREGISTER.failure(-result, uffd, start, length);
        }
    }

    @Override
    public void uffdioWriteprotect(int uffd, long start, long length, long mode) {
        int result = HOT.ioctlRange(uffd, Userfaultfd.UFFDIO_WRITEPROTECT, start, length, mode);
        if (result < 0) {
            throw Call.UFFDIO_WRITEPROTECT.failure(-result, uffd, start, length, mode);
        }
    }

    @Override
    public long pwrite(int fd, long buffer, long count, long offset) {
        long written = Libc.pwrite(fd, buffer, count, offset);
        if (written < 0) {
            throw Call.PWRITE.failure(errno(), fd, buffer, count, offset);
        }
        return written;
    }

    @Override
    public void addSeals(int fd, int seals) {
        if (Libc.fcntl(fd, Fcntl.F_ADD_SEALS, seals) < 0) {
            throw Call.FCNTL_ADD_SEALS.failure(errno(), fd, seals);
        }
    }

    @Override
    public int getSeals(int fd) {
        int seals = Libc.fcntl(fd, Fcntl.F_GET_SEALS, 0);
        if (seals < 0) {
            throw Call.FCNTL_GET_SEALS.failure(errno(), fd);
        }
        return seals;
    }
}
