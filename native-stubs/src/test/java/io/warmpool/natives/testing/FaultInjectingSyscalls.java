package io.warmpool.natives.testing;

import io.warmpool.natives.Call;
import io.warmpool.natives.Errno;
import io.warmpool.natives.NativeMemory;
import io.warmpool.natives.Syscalls;
import io.warmpool.natives.WaitStatus;

import java.util.EnumMap;
import java.util.Map;

/**
 * A {@link Syscalls} that passes every call to a real one, except where a test told it to fail or to
 * truncate. It exists to drive error paths that the kernel will not take on demand; it never stands
 * in for the kernel.
 *
 * <ul>
 *   <li>{@link #failNth}: the Nth next invocation of a call fails with an errno, without reaching the
 *       kernel, and throws the same {@code NativeCallException} the real call would.</li>
 *   <li>{@link #failAlways}: every invocation of a call fails, until {@link #clear}.</li>
 *   <li>{@link #truncate}: a call does less than it was asked, as the kernel may: a
 *       {@code PAGEMAP_SCAN} ioctl fills at most {@code limit} regions (its {@code vec_len} is cut,
 *       then restored), a {@code pread} reads and a {@code pwrite} writes at most {@code limit} bytes,
 *       a {@code process_madvise} takes at most {@code limit} iovecs.</li>
 * </ul>
 *
 * Thread-safe: rules and counters are guarded by this object's lock.
 */
public final class FaultInjectingSyscalls implements Syscalls {
    /** {@code PAGEMAP_SCAN}'s ioctl request number. */
    private static final long PAGEMAP_SCAN = 0xC0606610L;
    /** Offset of {@code vec_len} in {@code struct pm_scan_arg}. */
    private static final long VEC_LEN_OFFSET = 48;

    private final Syscalls real;
    private final Map<Call, Long> invocations = new EnumMap<>(Call.class);
    private final Map<Call, Long> injected = new EnumMap<>(Call.class);
    private final Map<Call, Rule> rules = new EnumMap<>(Call.class);
    private final Map<Call, Long> truncations = new EnumMap<>(Call.class);

    private static final class Rule {
        long countdown; // invocations left before the failing one; -1: every invocation fails
        final int errno;

        Rule(long countdown, int errno) {
            this.countdown = countdown;
            this.errno = errno;
        }
    }

    /** A double over {@code real}, passing everything through until told otherwise. */
    public FaultInjectingSyscalls(Syscalls real) {
        this.real = real;
    }

    /** The {@code nth} next invocation of {@code call} (1: the very next) fails with {@code errno}; once. */
    public synchronized FaultInjectingSyscalls failNth(Call call, long nth, Errno errno) {
        if (nth < 1) {
            throw new IllegalArgumentException("nth counts from 1, not " + nth);
        }
        rules.put(call, new Rule(nth - 1, errno.number()));
        return this;
    }

    /** Every invocation of {@code call} fails with {@code errno} until {@link #clear}. */
    public synchronized FaultInjectingSyscalls failAlways(Call call, Errno errno) {
        rules.put(call, new Rule(-1, errno.number()));
        return this;
    }

    /** {@code call} does at most {@code limit} units of its work (see the class comment). */
    public synchronized FaultInjectingSyscalls truncate(Call call, long limit) {
        if (call != Call.IOCTL && call != Call.PREAD && call != Call.PWRITE && call != Call.PROCESS_MADVISE) {
            throw new IllegalArgumentException(call + " has no result to truncate");
        }
        if (limit < 1) {
            throw new IllegalArgumentException("a truncation keeps at least one unit, not " + limit);
        }
        truncations.put(call, limit);
        return this;
    }

    /** Removes every rule and truncation; counters keep counting. */
    public synchronized void clear() {
        rules.clear();
        truncations.clear();
    }

    /** How many times {@code call} was invoked, failed ones included. */
    public synchronized long invocations(Call call) {
        return invocations.getOrDefault(call, 0L);
    }

    /** How many invocations of {@code call} this double made fail. */
    public synchronized long injectedFailures(Call call) {
        return injected.getOrDefault(call, 0L);
    }

    /** Whether a {@link #failNth} rule is still waiting for its invocation. */
    public synchronized boolean hasPendingFailure() {
        return rules.values().stream().anyMatch(rule -> rule.countdown >= 0);
    }

    private synchronized void enter(Call call, Object... arguments) {
        invocations.merge(call, 1L, Long::sum);
        Rule rule = rules.get(call);
        if (rule == null) {
            return;
        }
        if (rule.countdown > 0) {
            rule.countdown--;
            return;
        }
        if (rule.countdown == 0) {
            rules.remove(call);
        }
        injected.merge(call, 1L, Long::sum);
        throw call.failure(rule.errno, arguments);
    }

    private synchronized long truncation(Call call) {
        return truncations.getOrDefault(call, Long.MAX_VALUE);
    }

    @Override
    public long mmap(long address, long length, int prot, int flags, int fd, long offset) {
        enter(Call.MMAP, address, length, prot, flags, fd, offset);
        return real.mmap(address, length, prot, flags, fd, offset);
    }

    @Override
    public void munmap(long address, long length) {
        enter(Call.MUNMAP, address, length);
        real.munmap(address, length);
    }

    @Override
    public void mprotect(long address, long length, int prot) {
        enter(Call.MPROTECT, address, length, prot);
        real.mprotect(address, length, prot);
    }

    @Override
    public void madvise(long address, long length, int advice) {
        enter(Call.MADVISE, address, length, advice);
        real.madvise(address, length, advice);
    }

    @Override
    public int ioctl(int fd, long request, long argument) {
        enter(Call.IOCTL, fd, request, argument);
        long limit = truncation(Call.IOCTL);
        if (request != PAGEMAP_SCAN || limit == Long.MAX_VALUE) {
            return real.ioctl(fd, request, argument);
        }
        long vecLen = NativeMemory.getLong(argument + VEC_LEN_OFFSET);
        NativeMemory.putLong(argument + VEC_LEN_OFFSET, Math.min(vecLen, limit));
        try {
            return real.ioctl(fd, request, argument);
        } finally {
            NativeMemory.putLong(argument + VEC_LEN_OFFSET, vecLen);
        }
    }

    @Override
    public int open(String path, int flags, int mode) {
        enter(Call.OPEN, path, flags, mode);
        return real.open(path, flags, mode);
    }

    @Override
    public void close(int fd) {
        enter(Call.CLOSE, fd);
        real.close(fd);
    }

    @Override
    public long pread(int fd, long buffer, long count, long offset) {
        enter(Call.PREAD, fd, buffer, count, offset);
        return real.pread(fd, buffer, Math.min(count, truncation(Call.PREAD)), offset);
    }

    @Override
    public int dup3(int oldFd, int newFd, int flags) {
        enter(Call.DUP3, oldFd, newFd, flags);
        return real.dup3(oldFd, newFd, flags);
    }

    @Override
    public int fcntl(int fd, int cmd, int arg) {
        enter(Call.FCNTL, fd, cmd, arg);
        return real.fcntl(fd, cmd, arg);
    }

    @Override
    public int getpid() {
        enter(Call.GETPID);
        return real.getpid();
    }

    @Override
    public long pageSize() {
        enter(Call.SYSCONF, 30);
        return real.pageSize();
    }

    @Override
    public int pidfdOpen(int pid, int flags) {
        enter(Call.PIDFD_OPEN, pid, flags);
        return real.pidfdOpen(pid, flags);
    }

    @Override
    public long processMadvise(int pidfd, long iovec, long iovecCount, int advice, int flags) {
        enter(Call.PROCESS_MADVISE, pidfd, iovec, iovecCount, advice, flags);
        return real.processMadvise(pidfd, iovec, Math.min(iovecCount, truncation(Call.PROCESS_MADVISE)), advice, flags);
    }

    @Override
    public int memfdCreate(String name, int flags) {
        enter(Call.MEMFD_CREATE, name, flags);
        return real.memfdCreate(name, flags);
    }

    @Override
    public void ftruncate(int fd, long length) {
        enter(Call.FTRUNCATE, fd, length);
        real.ftruncate(fd, length);
    }

    @Override
    public int userfaultfd(int flags) {
        enter(Call.USERFAULTFD, flags);
        return real.userfaultfd(flags);
    }

    @Override
    public long getrlimitSoft(int resource) {
        enter(Call.GETRLIMIT, resource);
        return real.getrlimitSoft(resource);
    }

    @Override
    public int fork() {
        enter(Call.FORK);
        return real.fork();
    }

    @Override
    public void exit(int status) {
        real.exit(status);
    }

    @Override
    public WaitStatus waitpid(int pid, int options) {
        enter(Call.WAITPID, pid, options);
        return real.waitpid(pid, options);
    }

    @Override
    public void kill(int pid, int signal) {
        enter(Call.KILL, pid, signal);
        real.kill(pid, signal);
    }

    @Override
    public long uffdioApi(int uffd, long features) {
        enter(Call.UFFDIO_API, uffd, features);
        return real.uffdioApi(uffd, features);
    }

    @Override
    public long uffdioRegister(int uffd, long start, long length, long mode) {
        enter(Call.UFFDIO_REGISTER, uffd, start, length, mode);
        return real.uffdioRegister(uffd, start, length, mode);
    }

    @Override
    public void uffdioUnregister(int uffd, long start, long length) {
        enter(Call.UFFDIO_UNREGISTER, uffd, start, length);
        real.uffdioUnregister(uffd, start, length);
    }

    @Override
    public void uffdioWriteprotect(int uffd, long start, long length, long mode) {
        enter(Call.UFFDIO_WRITEPROTECT, uffd, start, length, mode);
        real.uffdioWriteprotect(uffd, start, length, mode);
    }

    @Override
    public long pwrite(int fd, long buffer, long count, long offset) {
        enter(Call.PWRITE, fd, buffer, count, offset);
        return real.pwrite(fd, buffer, Math.min(count, truncation(Call.PWRITE)), offset);
    }

    @Override
    public void addSeals(int fd, int seals) {
        enter(Call.FCNTL_ADD_SEALS, fd, seals);
        real.addSeals(fd, seals);
    }

    @Override
    public int getSeals(int fd) {
        enter(Call.FCNTL_GET_SEALS, fd);
        return real.getSeals(fd);
    }
}
