package io.warmpool.pagemap;

import io.warmpool.fork.PidCheckedFd;
import io.warmpool.natives.Errno;
import io.warmpool.natives.Fcntl;
import io.warmpool.natives.NativeCallException;
import io.warmpool.natives.Syscalls;

import java.lang.System.Logger.Level;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Finds the pages of a virtual range that match a selection (by default: dirty) and reports them as
 * regions, lowest address first, until the range is done or a page budget is spent.
 *
 * <pre>
 * scan(start, end, maxPages, visitor):
 *   cursor = start
 *   loop:
 *     n = source.fill(cursor, end, maxPages - reported)   one PAGEMAP_SCAN ioctl, or pread of entries
 *     for each of the n regions:                          merged with the one before when adjacent
 *       reported += its pages                             and of the same categories, so a cut and
 *       visitor.region(start, end, categories)            resumed scan reports what one scan would
 *     if reported == maxPages: stop after the last page   (possibly in the middle of a region)
 *     cursor = walk_end                                   the vector was full, or the range is done
 *   return where the walk stopped                         end, or the byte after the last page reported
 * </pre>
 *
 * <p>The source is the {@code PAGEMAP_SCAN} ioctl where the kernel has it (6.7+) and {@code pread}
 * of {@code /proc/self/pagemap} otherwise; in {@link ScanMode#AUTO} an {@code ENOTTY} from the ioctl
 * switches to {@code pread} for good, logged once and counted in {@link #fallbacks()}. The argument,
 * the region vector and the entry buffer live off the heap and are reused: a scan allocates nothing
 * when its visitor does not.
 *
 * <p>The documented errors, the same in both modes; the scanner stays usable after each:
 * <ul>
 *   <li>a start that is not page-aligned, an end before the start or in the last page of the
 *       address space, a negative budget: {@link IllegalArgumentException};</li>
 *   <li>a range outside any mapping: no regions, and the scan returns its end;</li>
 *   <li>a range beyond the user address space (the kernel's half too): {@link PageScanException}
 *       with {@code EFAULT};</li>
 *   <li>a closed descriptor: {@link PageScanException} with {@code EBADF};</li>
 *   <li>a descriptor of a process that has exited: {@link StalePagemapException} ({@code ESRCH}).</li>
 * </ul>
 *
 * <p>Not thread-safe: use one scanner per thread, or guard it. The pagemap descriptor is a
 * {@link PidCheckedFd}, so a forked child scans itself, not its parent. Scanners may share one
 * descriptor ({@link #openPagemap} and {@link #open(ScanMode, Syscalls, PidCheckedFd)}): the ioctl
 * and {@code pread} at an explicit offset keep no state in the open file, so they can run at once
 * on one descriptor from many threads, each scanner with its own buffers. This is what keeps a
 * process from needing a descriptor per thread (the fork handlers reopen at most 64).
 */
public final class PagemapScanner implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(PagemapScanner.class.getName());
    private static final AtomicBoolean LOGGED_FALLBACK = new AtomicBoolean();

    /**
     * Regions one call can return; the issue asks for at least 256. The kernel copies the regions
     * through a buffer of its own of {@code min(vec_len, 512)} entries of 24 bytes, allocated and
     * freed on every call: up to 8 KiB it comes from a slab cache, above that from the page
     * allocator, which costs about 0.5 µs more a call (measured on Linux 6.18: a scan of 256 MiB,
     * 5.0 µs with 512 regions, 4.5 µs with 340). So: as many as fit in 8 KiB.
     */
    public static final int VECTOR_REGIONS = 8192 / 24;

    private final Syscalls os;
    private final ScanMode requested;
    private final PidCheckedFd pagemap;
    private final boolean ownsPagemap;
    private final PmScanArg arg;
    private final long pageSize;
    private final PageCounter counter = new PageCounter();
    private RegionSource source;
    private long fallbacks;
    private String fallbackReason = "";
    private boolean closed;

    PagemapScanner(Syscalls os, ScanMode requested, PidCheckedFd pagemap, boolean ioctl, int vectorRegions) {
        this(os, requested, pagemap, true, ioctl, vectorRegions);
    }

    private PagemapScanner(Syscalls os, ScanMode requested, PidCheckedFd pagemap, boolean ownsPagemap, boolean ioctl,
                           int vectorRegions) {
        this.os = os;
        this.requested = requested;
        this.pagemap = pagemap;
        this.ownsPagemap = ownsPagemap;
        this.pageSize = os.pageSize();
        this.arg = new PmScanArg(vectorRegions);
        this.source = ioctl ? new PagemapScanIoctl(os, pagemap) : new PagemapEntryReader(os, pagemap, pageSize);
    }

    /**
     * A scanner in {@code mode} on the real kernel; empty for {@link ScanMode#NONE}.
     *
     * @throws UnsupportedOperationException for {@link ScanMode#PAGEMAP_SCAN} on a kernel without it
     */
    public static Optional<PagemapScanner> open(ScanMode mode) {
        return open(mode, Syscalls.linux());
    }

    /**
     * A scanner in {@code mode} that makes its calls through {@code os}; empty for {@link ScanMode#NONE}.
     * What the kernel offers is {@link PagemapCapabilities#get() probed once}.
     *
     * @throws UnsupportedOperationException for {@link ScanMode#PAGEMAP_SCAN} on a kernel without it
     */
    public static Optional<PagemapScanner> open(ScanMode mode, Syscalls os) {
        if (mode == ScanMode.NONE) {
            return Optional.empty();
        }
        boolean ioctl = usesIoctl(mode);
        return Optional.of(new PagemapScanner(os, mode, openPagemap(os), true, ioctl, VECTOR_REGIONS));
    }

    /**
     * A scanner in {@code mode} over {@code pagemap}, a descriptor of {@code /proc/self/pagemap} that
     * the caller owns (from {@link #openPagemap}) and may share with other scanners: closing the
     * scanner leaves it open, and the caller must close it only after every scanner over it is closed
     * or no longer used. Empty for {@link ScanMode#NONE}.
     *
     * @throws UnsupportedOperationException for {@link ScanMode#PAGEMAP_SCAN} on a kernel without it
     */
    public static Optional<PagemapScanner> open(ScanMode mode, Syscalls os, PidCheckedFd pagemap) {
        Objects.requireNonNull(pagemap, "pagemap");
        if (mode == ScanMode.NONE) {
            return Optional.empty();
        }
        return Optional.of(new PagemapScanner(os, mode, pagemap, false, usesIoctl(mode), VECTOR_REGIONS));
    }

    /**
     * Opens {@code /proc/self/pagemap} read-only and close-on-exec, registered with the fork handlers
     * so that a forked child finds it reopened on itself: one descriptor for any number of scanners.
     */
    public static PidCheckedFd openPagemap(Syscalls os) {
        return PidCheckedFd.open(os, "/proc/self/pagemap", Fcntl.O_RDONLY | Fcntl.O_CLOEXEC);
    }

    /** Whether a scanner in {@code mode} starts with the ioctl; checks that the kernel offers what it asks. */
    private static boolean usesIoctl(ScanMode mode) {
        PagemapCapabilities capabilities = PagemapCapabilities.get();
        if (mode == ScanMode.PAGEMAP_SCAN && !capabilities.pagemapScan()) {
            throw new UnsupportedOperationException("scan mode pagemap-scan: " + capabilities.detail());
        }
        boolean ioctl = mode == ScanMode.PAGEMAP_SCAN || (mode == ScanMode.AUTO && capabilities.pagemapScan());
        if (mode == ScanMode.AUTO && !ioctl) {
            logFallbackOnce(capabilities.detail());
        }
        return ioctl;
    }

    /** The mode that was asked for. */
    public ScanMode requestedMode() {
        return requested;
    }

    /** The mode scans run in now: {@link ScanMode#PAGEMAP_SCAN} or {@link ScanMode#PAGEMAP_READ}. */
    public ScanMode mode() {
        return source.mode();
    }

    /** The page size the scanner works in. */
    public long pageSize() {
        return pageSize;
    }

    /** How many times this scanner fell back from the ioctl to {@code pread} (0 or 1). */
    public long fallbacks() {
        return fallbacks;
    }

    /** Why the scanner fell back, or the empty string. */
    public String fallbackReason() {
        return fallbackReason;
    }

    /** Scans {@code [start, end)} for {@link ScanSelection#DIRTY dirty} pages; see {@link #scan(long, long, ScanSelection, long, RegionVisitor)}. */
    public long scan(long start, long end, long maxPages, RegionVisitor visitor) {
        return scan(start, end, ScanSelection.DIRTY, maxPages, visitor);
    }

    /**
     * Reports the regions of {@code [start, end)} whose pages match {@code selection}, at most
     * {@code maxPages} pages of them.
     *
     * @param start     the first byte, page-aligned
     * @param end       the byte after the range; rounded up to a page
     * @param maxPages  the page budget, or 0 for none
     * @return where the walk stopped: {@code end} (rounded up) when the range is done, or the byte
     *         after the last page reported when the budget ran out
     */
    public long scan(long start, long end, ScanSelection selection, long maxPages, RegionVisitor visitor) {
        checkRange(start, end, maxPages);
        long alignedEnd = (end + pageSize - 1) & -pageSize;
        long cursor = start;
        long reported = 0;
        boolean pending = false;
        long pendingStart = 0;
        long pendingEnd = 0;
        long pendingCategories = 0;
        try {
            while (Long.compareUnsigned(cursor, alignedEnd) < 0) {
                int n = fill(cursor, alignedEnd, selection, maxPages == 0 ? 0 : maxPages - reported);
                for (int i = 0; i < n; i++) {
                    long regionStart = arg.regionStart(i);
                    long regionEnd = arg.regionEnd(i);
                    long categories = arg.regionCategories(i);
                    reported += (regionEnd - regionStart) / pageSize;
                    if (pending && pendingEnd == regionStart && pendingCategories == categories) {
                        pendingEnd = regionEnd;
                        continue;
                    }
                    if (pending) {
                        visitor.region(pendingStart, pendingEnd, pendingCategories);
                    }
                    pending = true;
                    pendingStart = regionStart;
                    pendingEnd = regionEnd;
                    pendingCategories = categories;
                }
                if (maxPages != 0 && reported >= maxPages) {
                    // The kernel's walk_end lies at the next matching page after the budget ran out,
                    // pread's right after the last page reported; return the latter from both.
                    cursor = pendingEnd;
                    break;
                }
                long walkEnd = arg.walkEnd();
                if (Long.compareUnsigned(walkEnd, cursor) <= 0) {
                    throw new IllegalStateException(mode() + " made no progress at 0x" + Long.toHexString(cursor)
                            + " (walk_end 0x" + Long.toHexString(walkEnd) + ")");
                }
                cursor = walkEnd;
            }
        } catch (NativeCallException e) {
            throw translate(e, start, alignedEnd);
        }
        if (pending) {
            visitor.region(pendingStart, pendingEnd, pendingCategories);
        }
        return Long.compareUnsigned(cursor, alignedEnd) < 0 ? cursor : alignedEnd;
    }

    /**
     * Write-protects every page table entry of {@code [start, end)} that is not protected yet, with
     * {@code PAGEMAP_SCAN} ({@code PM_SCAN_WP_MATCHING | PM_SCAN_CHECK_WPASYNC}, no region vector: the
     * kernel then protects without reporting, and flushes only the span it changed). The range must
     * be registered for userfaultfd write-protect in async mode; {@link WrittenPageTracker#reprotect}
     * is the public way in.
     *
     * @throws PageScanException with {@code EPERM} where the range is not so registered
     */
    void writeProtect(long start, long end) {
        checkRange(start, end, 0);
        if (source.mode() != ScanMode.PAGEMAP_SCAN) {
            throw new UnsupportedOperationException("write-protect needs the PAGEMAP_SCAN ioctl; this scanner runs "
                    + source.mode());
        }
        long alignedEnd = (end + pageSize - 1) & -pageSize;
        long cursor = start;
        try {
            while (Long.compareUnsigned(cursor, alignedEnd) < 0) {
                arg.set(cursor, alignedEnd, 0, ScanSelection.WRITTEN_AND_PROTECT, 0);
                arg.call(os, pagemap.fd());
                long walkEnd = arg.walkEnd();
                if (Long.compareUnsigned(walkEnd, cursor) <= 0) {
                    throw new IllegalStateException("write-protect made no progress at 0x" + Long.toHexString(cursor)
                            + " (walk_end 0x" + Long.toHexString(walkEnd) + ")");
                }
                cursor = walkEnd;
            }
        } catch (NativeCallException e) {
            throw translate(e, start, alignedEnd);
        }
    }

    private void checkRange(long start, long end, long maxPages) {
        if (closed) {
            throw new IllegalStateException("scanner is closed");
        }
        if ((start & (pageSize - 1)) != 0) {
            throw new IllegalArgumentException("scan start 0x" + Long.toHexString(start)
                    + " is not aligned to the page size " + pageSize);
        }
        if (Long.compareUnsigned(end, start) < 0) {
            throw new IllegalArgumentException("scan end 0x" + Long.toHexString(end)
                    + " is before its start 0x" + Long.toHexString(start));
        }
        if (Long.compareUnsigned(end, -pageSize) > 0) {
            // Rounded up to a page it would wrap to 0, and the scan would end before it began.
            throw new IllegalArgumentException("scan end 0x" + Long.toHexString(end)
                    + " rounds up past the top of the address space");
        }
        if (maxPages < 0) {
            throw new IllegalArgumentException("page budget " + maxPages + " is negative");
        }
    }

    /** The number of pages of {@code [start, end)} that match {@code selection}. */
    public long countPages(long start, long end, ScanSelection selection) {
        counter.bytes = 0;
        scan(start, end, selection, 0, counter);
        return counter.bytes / pageSize;
    }

    private int fill(long cursor, long end, ScanSelection selection, long budget) {
        try {
            return source.fill(arg, cursor, end, selection, budget);
        } catch (NativeCallException e) {
            if (requested != ScanMode.AUTO || source.mode() != ScanMode.PAGEMAP_SCAN || !e.is(Errno.ENOTTY)) {
                throw e;
            }
            fallBack("PAGEMAP_SCAN answered ENOTTY: " + e.getMessage());
            return source.fill(arg, cursor, end, selection, budget);
        }
    }

    private void fallBack(String reason) {
        source.close();
        source = new PagemapEntryReader(os, pagemap, pageSize);
        fallbacks++;
        fallbackReason = reason;
        logFallbackOnce(reason);
    }

    private static void logFallbackOnce(String reason) {
        if (LOGGED_FALLBACK.compareAndSet(false, true)) {
            LOG.log(Level.WARNING, "warmpool scans dirty pages with pread of /proc/self/pagemap, which is slower: "
                    + reason);
        }
    }

    private RuntimeException translate(NativeCallException e, long start, long end) {
        if (e.is(Errno.ESRCH)) {
            return new StalePagemapException("pagemap descriptor " + pagemap.path() + " describes a process that"
                    + " has exited (ESRCH); a forked child must reopen it. Scan of "
                    + PageScanException.range(start, end) + ": " + e.getMessage(), e.errno(), e);
        }
        return PageScanException.of(mode(), start, end, e);
    }

    /** Frees the buffers and closes the pagemap descriptor, unless it is the caller's (shared). Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            source.close();
            arg.close();
            if (ownsPagemap) {
                pagemap.close();
            }
        }
    }

    private static final class PageCounter implements RegionVisitor {
        long bytes;

        @Override
        public void region(long start, long end, long categories) {
            bytes += end - start;
        }
    }
}
