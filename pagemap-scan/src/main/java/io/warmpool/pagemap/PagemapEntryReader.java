package io.warmpool.pagemap;

import io.warmpool.fork.PidCheckedFd;
import io.warmpool.natives.Call;
import io.warmpool.natives.Errno;
import io.warmpool.natives.NativeMemory;
import io.warmpool.natives.Syscalls;

import java.nio.ByteBuffer;

/**
 * Regions from {@code pread} of {@code /proc/self/pagemap}, for kernels without {@code PAGEMAP_SCAN}
 * (Linux 2.6.25 to 6.6). Each page has an eight-byte entry at offset {@code (address / pageSize) * 8}:
 *
 * <pre>
 *  63 present   62 swapped   61 file-page or shared-anon   56 exclusively mapped   55 soft-dirty
 *  54..0 page frame number (zero unless CAP_SYS_ADMIN) or swap type and offset
 * </pre>
 *
 * Entries are read {@value #ENTRIES} at a time into a reused off-heap buffer, matched against the
 * selection exactly as the kernel matches them, and merged into regions with the kernel's rules:
 * a full vector stops the walk at the first page that did not fit, and a spent page budget stops it
 * after the page that spent it.
 *
 * <p>Only {@code PRESENT}, {@code SWAPPED}, {@code FILE} and {@code SOFT_DIRTY} can be read this way.
 * {@code PFNZERO} is never reported (the frame number is hidden from most processes), so a page that
 * maps the zero page counts as dirty here; zeroing it costs a memset and is harmless.
 */
final class PagemapEntryReader implements RegionSource {
    static final int ENTRIES = 4096;
    static final long READABLE = PageCategory.PRESENT | PageCategory.SWAPPED | PageCategory.FILE
            | PageCategory.PFNZERO | PageCategory.SOFT_DIRTY;

    private static final long PM_PRESENT = 1L << 63;
    private static final long PM_SWAPPED = 1L << 62;
    private static final long PM_FILE = 1L << 61;
    private static final long PM_SOFT_DIRTY = 1L << 55;

    private final Syscalls os;
    private final PidCheckedFd pagemap;
    private final long pageSize;
    private final long buffer;
    private final ByteBuffer entries;

    PagemapEntryReader(Syscalls os, PidCheckedFd pagemap, long pageSize) {
        this.os = os;
        this.pagemap = pagemap;
        this.pageSize = pageSize;
        this.buffer = NativeMemory.allocate(ENTRIES * 8L);
        this.entries = NativeMemory.view(buffer, ENTRIES * 8L);
    }

    @Override
    public ScanMode mode() {
        return ScanMode.PAGEMAP_READ;
    }

    static long categoriesOf(long entry) {
        long categories = 0;
        if ((entry & PM_PRESENT) != 0) {
            categories |= PageCategory.PRESENT;
        }
        if ((entry & PM_SWAPPED) != 0) {
            categories |= PageCategory.SWAPPED;
        }
        if ((entry & PM_FILE) != 0) {
            categories |= PageCategory.FILE;
        }
        if ((entry & PM_SOFT_DIRTY) != 0) {
            categories |= PageCategory.SOFT_DIRTY;
        }
        return categories;
    }

    @Override
    public int fill(PmScanArg arg, long cursor, long end, ScanSelection selection, long maxPages) {
        if (selection.flags() != 0) {
            throw new UnsupportedOperationException("pread of pagemap cannot write-protect or check for it: "
                    + selection);
        }
        long unreadable = selection.categoriesUsed() & ~READABLE;
        if (unreadable != 0) {
            throw new UnsupportedOperationException("pread of pagemap cannot tell " + PageCategory.names(unreadable));
        }
        int fd = pagemap.fd();
        // Unsigned: an address in the kernel's half is negative as a long, and a negative offset
        // would be EINVAL where the ioctl says EFAULT (found by ScannerFuzzTest).
        long pages = Math.min(Long.divideUnsigned(end - cursor, pageSize), ENTRIES);
        long offset = Long.divideUnsigned(cursor, pageSize) * 8;
        long read = os.pread(fd, buffer, pages * 8, offset);
        if (read == 0) {
            throw noEntries(fd, pages * 8, offset);
        }
        int count = (int) (read / 8);

        int regions = 0;
        boolean open = false;
        long runStart = 0;
        long runCategories = 0;
        long reported = 0;
        for (int i = 0; i < count; i++) {
            long address = cursor + i * pageSize;
            long categories = categoriesOf(entries.getLong(i * 8));
            if (!selection.matches(categories)) {
                if (open) {
                    arg.putRegion(regions++, runStart, address, runCategories);
                    open = false;
                }
                continue;
            }
            long returned = categories & selection.returnMask();
            if (!open || returned != runCategories) {
                if (open) {
                    arg.putRegion(regions++, runStart, address, runCategories);
                }
                if (regions == arg.vecLen()) {
                    arg.walkEnd(address);
                    return regions;
                }
                open = true;
                runStart = address;
                runCategories = returned;
            }
            reported++;
            if (reported == maxPages) {
                arg.putRegion(regions++, runStart, address + pageSize, runCategories);
                arg.walkEnd(address + pageSize);
                return regions;
            }
        }
        long walkEnd = cursor + count * pageSize;
        if (open) {
            arg.putRegion(regions++, runStart, walkEnd, runCategories);
        }
        arg.walkEnd(walkEnd);
        return regions;
    }

    /**
     * pagemap reads as empty in two cases: the process it describes has exited (the ioctl would say
     * ESRCH), or the range lies beyond the user address space (the ioctl would say EFAULT). Entry 0
     * is readable in a live process, so asking for it tells the two apart.
     */
    private RuntimeException noEntries(int fd, long count, long offset) {
        long alive = os.pread(fd, buffer, 8, 0);
        int errno = alive == 0 ? Errno.ESRCH.number() : Errno.EFAULT.number();
        return Call.PREAD.failure(errno, fd, buffer, count, offset);
    }

    @Override
    public void close() {
        NativeMemory.free(buffer);
    }
}
