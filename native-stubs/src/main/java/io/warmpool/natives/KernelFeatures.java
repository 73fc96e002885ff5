package io.warmpool.natives;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Probes of what the running kernel offers beyond the basics: userfaultfd's asynchronous
 * write-protect mode, {@code process_madvise} with {@code MADV_DONTNEED}, transparent huge pages.
 * Each probe makes the real calls on scratch resources and says, in words, what it found.
 */
public final class KernelFeatures {
    /** The features written-page tracking asks {@code UFFDIO_API} for. */
    public static final long WP_ASYNC_FEATURES = Userfaultfd.UFFD_FEATURE_WP_ASYNC
            | Userfaultfd.UFFD_FEATURE_WP_UNPOPULATED;

    private static final Pattern BRACKETED = Pattern.compile("\\[(\\w+)]");

    private KernelFeatures() {
    }

    /**
     * Whether a feature is there, and what the probe found.
     *
     * @param present whether it works
     * @param detail  what the probe found, naming the failing call and errno when it does not
     */
    public record Feature(boolean present, String detail) {
    }

    /** The kernel release, such as {@code "6.18.44"}, from {@code /proc/sys/kernel/osrelease}. */
    public static String kernelRelease() {
        return readTrimmed(Path.of("/proc/sys/kernel/osrelease"));
    }

    /**
     * The transparent huge page mode ({@code always}, {@code madvise} or {@code never}), or
     * {@code "unavailable"} when the kernel has no THP support.
     */
    public static String transparentHugePages() {
        Path enabled = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");
        if (!Files.exists(enabled)) {
            return "unavailable";
        }
        Matcher m = BRACKETED.matcher(readTrimmed(enabled));
        return m.find() ? m.group(1) : "unknown";
    }

    private static String readTrimmed(Path path) {
        try {
            return Files.readString(path).trim();
        } catch (NoSuchFileException e) {
            throw new IllegalStateException(path + " does not exist: is /proc or /sys mounted?", e);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * Whether userfaultfd supports asynchronous write-protect ({@code UFFD_FEATURE_WP_ASYNC}, Linux
     * 6.7, with {@code UFFD_FEATURE_WP_UNPOPULATED}): opens a user-mode-only userfaultfd and asks
     * {@code UFFDIO_API} for the features. That the whole of written-page tracking works (register,
     * protect, a write, a scan) is {@code WrittenPageTracker.probe}'s question, in pagemap-scan.
     */
    public static Feature userfaultfdWriteProtectAsync(Syscalls os) {
        int fd;
        try {
            fd = os.userfaultfd(Fcntl.O_CLOEXEC | Fcntl.O_NONBLOCK | Userfaultfd.UFFD_USER_MODE_ONLY);
        } catch (NativeCallException e) {
            return new Feature(false, whyNoUserfaultfd(e) + ": " + e.getMessage());
        }
        try {
            long supported = os.uffdioApi(fd, WP_ASYNC_FEATURES);
            return new Feature(true, "UFFD_FEATURE_WP_ASYNC and UFFD_FEATURE_WP_UNPOPULATED accepted (features 0x"
                    + Long.toHexString(supported) + ")");
        } catch (NativeCallException e) {
            return new Feature(false, whyNoWriteProtectAsync(e) + ": " + e.getMessage());
        } finally {
            os.close(fd);
        }
    }

    /** Why the {@code userfaultfd} system call failed, in words: ENOSYS, EPERM (a sysctl or seccomp), or other. */
    public static String whyNoUserfaultfd(NativeCallException e) {
        return e.is(Errno.ENOSYS) ? "the kernel has no userfaultfd (or seccomp answers ENOSYS for it)"
                : e.is(Errno.EPERM) ? "userfaultfd is not permitted here (vm.unprivileged_userfaultfd, or a"
                        + " seccomp profile such as Docker's default)"
                : e.is(Errno.EINVAL) ? "userfaultfd refuses UFFD_USER_MODE_ONLY; it needs Linux 5.11 or newer"
                : "userfaultfd is unusable";
    }

    /** Why {@code UFFDIO_API} refused the write-protect features, in words. */
    public static String whyNoWriteProtectAsync(NativeCallException e) {
        return e.is(Errno.EINVAL) ? "the kernel refuses UFFD_FEATURE_WP_ASYNC; it needs Linux 6.7 or newer"
                : "UFFDIO_API failed";
    }

    /**
     * Whether {@code process_madvise(MADV_DONTNEED)} works on this process (Linux 6.13 lets a process
     * give any advice to itself): writes a scratch page, advises it away through a pidfd of this
     * process, and checks that it reads zero again.
     */
    public static Feature processMadviseDontneed(Syscalls os) {
        long page = os.pageSize();
        long scratch = os.mmap(0, page, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, -1, 0);
        long iovec = NativeMemory.allocate(16);
        int pidfd = -1;
        try {
            NativeMemory.putByte(scratch, (byte) 1);
            pidfd = os.pidfdOpen(os.getpid(), 0);
            NativeMemory.putLong(iovec, scratch);
            NativeMemory.putLong(iovec + 8, page);
            long advised = os.processMadvise(pidfd, iovec, 1, Mman.MADV_DONTNEED, 0);
            if (advised != page || NativeMemory.getByte(scratch) != 0) {
                return new Feature(false, "process_madvise advised " + advised + " of " + page
                        + " bytes and the page reads " + NativeMemory.getByte(scratch));
            }
            return new Feature(true, "process_madvise(MADV_DONTNEED) on this process works");
        } catch (NativeCallException e) {
            String why = e.is(Errno.ENOSYS) ? "no process_madvise or pidfd_open (Linux 5.10+, glibc 2.36+)"
                    : e.is(Errno.EINVAL) ? "process_madvise refuses MADV_DONTNEED; it needs Linux 6.13 or newer"
                    : "process_madvise is unusable";
            return new Feature(false, why + ": " + e.getMessage());
        } finally {
            NativeMemory.free(iovec);
            if (pidfd >= 0) {
                os.close(pidfd);
            }
            os.munmap(scratch, page);
        }
    }
}
