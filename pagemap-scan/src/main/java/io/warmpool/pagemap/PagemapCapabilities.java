package io.warmpool.pagemap;

import io.warmpool.natives.Errno;
import io.warmpool.natives.Fcntl;
import io.warmpool.natives.Mman;
import io.warmpool.natives.NativeCallException;
import io.warmpool.natives.NativeMemory;
import io.warmpool.natives.Syscalls;

/**
 * What {@code PAGEMAP_SCAN} offers on the running kernel: whether the ioctl works on
 * {@code /proc/self/pagemap} (Linux 6.7+), and which category bits it accepts (the kernel answers
 * {@code EINVAL} for a bit it does not know, so each bit is asked for on its own).
 *
 * @param pagemapScan        whether the ioctl reported a written page of a scratch mapping correctly
 * @param acceptedCategories the category bits the kernel accepts
 * @param detail             what the probe found, in words, such as why the ioctl is unusable
 */
public record PagemapCapabilities(boolean pagemapScan, long acceptedCategories, String detail) {
    private static final int BITS_ASKED = 32;

    private static final class Cached {
        static final PagemapCapabilities CAPABILITIES = probe(Syscalls.linux());
    }

    /** The capabilities of the running kernel, probed once per JVM. */
    public static PagemapCapabilities get() {
        return Cached.CAPABILITIES;
    }

    /** Whether the kernel accepts every bit of {@code categories}. */
    public boolean accepts(long categories) {
        return (categories & ~acceptedCategories) == 0;
    }

    /**
     * Probes the kernel through {@code os}: maps a scratch page, writes it, scans it, then asks for
     * each category bit from 0 to 31. Costs about 40 system calls.
     */
    public static PagemapCapabilities probe(Syscalls os) {
        int fd;
        try {
            fd = os.open("/proc/self/pagemap", Fcntl.O_RDONLY | Fcntl.O_CLOEXEC, 0);
        } catch (NativeCallException e) {
            return new PagemapCapabilities(false, 0, "cannot open /proc/self/pagemap: " + e.getMessage());
        }
        long page = os.pageSize();
        long scratch = 0;
        try (PmScanArg arg = new PmScanArg(1)) {
            scratch = os.mmap(0, page, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, -1, 0);
            NativeMemory.putByte(scratch, (byte) 1);
            arg.set(scratch, scratch + page, 0, new ScanSelection(0, 0, PageCategory.PRESENT, PageCategory.PRESENT), 1);
            int regions;
            try {
                regions = arg.call(os, fd);
            } catch (NativeCallException e) {
                String why = e.is(Errno.ENOTTY)
                        ? "the kernel has no PAGEMAP_SCAN (ENOTTY); it needs Linux 6.7 or newer"
                        : "PAGEMAP_SCAN failed: " + e.getMessage();
                return new PagemapCapabilities(false, 0, why);
            }
            if (regions != 1 || arg.regionStart(0) != scratch || arg.regionEnd(0) != scratch + page
                    || arg.regionCategories(0) != PageCategory.PRESENT) {
                return new PagemapCapabilities(false, 0, "PAGEMAP_SCAN answered " + regions
                        + " regions for one written page; not trusted");
            }
            long accepted = 0;
            for (int bit = 0; bit < BITS_ASKED; bit++) {
                arg.set(scratch, scratch + page, 0, new ScanSelection(0, 1L << bit, 0, 1L << bit), 1);
                try {
                    arg.call(os, fd);
                    accepted |= 1L << bit;
                } catch (NativeCallException e) {
                    if (!e.is(Errno.EINVAL)) {
                        return new PagemapCapabilities(false, 0, "probing category bit " + bit + ": " + e.getMessage());
                    }
                }
            }
            return new PagemapCapabilities(true, accepted, "PAGEMAP_SCAN works; categories "
                    + PageCategory.names(accepted));
        } finally {
            if (scratch != 0) {
                os.munmap(scratch, page);
            }
            os.close(fd);
        }
    }
}
