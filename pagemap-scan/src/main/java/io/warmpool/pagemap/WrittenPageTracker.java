package io.warmpool.pagemap;

import io.warmpool.fork.ForkGeneration;
import io.warmpool.fork.PidCheckedFd;
import io.warmpool.natives.Call;
import io.warmpool.natives.Errno;
import io.warmpool.natives.Fcntl;
import io.warmpool.natives.KernelFeatures;
import io.warmpool.natives.Mman;
import io.warmpool.natives.NativeCallException;
import io.warmpool.natives.NativeMemory;
import io.warmpool.natives.Syscalls;
import io.warmpool.natives.Userfaultfd;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Knows which pages of its ranges were written since they were last write-protected, through one
 * userfaultfd in asynchronous write-protect mode: a range costs its scan what was written in it, not
 * what stays resident there. One tracker serves a pool; each slot registers its keep-resident window.
 *
 * <pre>
 *  open        uffd = userfaultfd(UFFD_USER_MODE_ONLY | O_CLOEXEC | O_NONBLOCK)
 *              UFFDIO_API(UFFD_FEATURE_WP_ASYNC | UFFD_FEATURE_WP_UNPOPULATED)
 *  register    UFFDIO_REGISTER(range, MODE_WP), then UFFDIO_WRITEPROTECT(range): every entry, resident
 *              or not, is now protected, so the range counts as clean. Register only what holds no
 *              tenant's bytes (a fresh mapping, a slot right after its reset).
 *  a write     to a protected page: one write-protect fault, which the kernel resolves by itself
 *              (async mode, no reader thread); the entry is no longer protected, and PAGEMAP_SCAN's
 *              WRITTEN category reports exactly the entries that are not protected
 *  reset       scanWritten(range, budget)      the pages written since the last protect
 *              zero them / MADV_DONTNEED them  (the memset writes again: protect after it, not before)
 *              protect them again, one of:
 *                protect(region) per region        UFFDIO_WRITEPROTECT: a system call per region
 *                protect(range)                    UFFDIO_WRITEPROTECT: changes every entry of the range
 *                reprotect(range)                  PAGEMAP_SCAN WP_MATCHING without output: walks the
 *                                                  range, changes only the unprotected entries
 *              (or scanWrittenAndProtect, for pages decommitted rather than zeroed: one call)
 *  move        UFFDIO_UNREGISTER(old), register(new): when the window changes at runtime
 *  fork        the child's mappings are not registered (no UFFD_FEATURE_EVENT_FORK), and the
 *              inherited descriptor would act on the parent: in a child the tracker is not usable(),
 *              every call on it throws ForeignDescriptorException, and close() only drops the child's
 *              copy of the descriptor. Callers scan the child's slots for present pages instead.
 *  close       UFFDIO_UNREGISTER of every range still registered, then close the descriptor
 * </pre>
 *
 * <p>Costs here (Linux 6.18, 4 KiB pages; {@code WriteTrackingBenchmark}, medians on a loaded
 * machine, so read them as ratios): the first write to a protected page costs half to three
 * quarters of a page fault; a {@link ScanSelection#WRITTEN} scan of 64 MiB registered and protected
 * costs 57 µs where a present-page scan of 64 MiB unregistered with 16 resident pages costs 4.6 µs
 * (the registered range has a page table entry, a marker, for every page), which is why a slot
 * registers its window, not itself. {@link ScanSelection#WRITTEN_DIRTY} costs four to five times {@code WRITTEN} over a
 * resident window. To protect again after a reset, over a resident window:
 * <ul>
 *   <li>{@link #protect} per region is the cheapest for a few regions (4 MiB window, 1 region: a
 *       whole cycle, write and fault included, 8.1 µs);</li>
 *   <li>{@link #reprotect} for many (16 MiB window, 64 regions: 128 µs a cycle, against 223 µs per
 *       region); it walks the window once and changes only what the tenant wrote;</li>
 *   <li>{@link #protect} of the whole window never: it rewrites every entry (4 MiB, 1 region:
 *       106 µs a cycle, more than the memset of the whole window, 69 µs).</li>
 * </ul>
 * Per region costs about a system call per region, {@code reprotect} about a walk of the window
 * (some 3 µs per 4 MiB on a quiet machine): choose per region while the regions are fewer than about
 * the window's size in MiB divided by two.
 *
 * <p>Scan a registered range only with the written-page selections: to {@link ScanSelection#DIRTY}
 * a protected empty entry (a write-protect marker) looks {@link PageCategory#SWAPPED}, so a
 * present-page scan of a registered window reports every page never written as swapped out.
 *
 * <p>Every range is page-aligned. {@code register}, {@code unregister}, {@code move} and
 * {@code close} are serialized by this object; {@code protect}, {@code reprotect} and the scans take
 * no lock and may run on different ranges from many threads, each with its own scanner. A range the
 * kernel no longer has registered (its mapping was replaced with {@code MAP_FIXED}) makes a scan fail
 * with {@code EPERM} and a protect with {@code ENOENT}: unregister it and register it again. The
 * caller must close the tracker before it unmaps the ranges.
 */
public final class WrittenPageTracker implements AutoCloseable {
    private static final class Cached {
        static final KernelFeatures.Feature SUPPORT = probe(Syscalls.linux());
    }

    private final Syscalls os;
    private final PidCheckedFd uffd;
    private final long pageSize;
    private final long generation;
    private final TreeMap<Long, Long> registered = new TreeMap<>(); // start -> end, guarded by this
    private volatile boolean closed;

    private WrittenPageTracker(Syscalls os, PidCheckedFd uffd) {
        this.os = os;
        this.uffd = uffd;
        this.pageSize = os.pageSize();
        this.generation = ForkGeneration.current();
    }

    /**
     * Opens a userfaultfd in asynchronous write-protect mode.
     *
     * @throws NativeCallException when the kernel refuses it (seccomp, sysctl, a kernel before 6.7);
     *                             {@link #probe} and {@link #support} say whether it works, and why not
     */
    public static WrittenPageTracker open(Syscalls os) {
        int fd = os.userfaultfd(Fcntl.O_CLOEXEC | Fcntl.O_NONBLOCK | Userfaultfd.UFFD_USER_MODE_ONLY);
        try {
            os.uffdioApi(fd, KernelFeatures.WP_ASYNC_FEATURES);
            return new WrittenPageTracker(os, PidCheckedFd.adopt(os, fd, "userfaultfd (write-protect tracking)"));
        } catch (RuntimeException e) {
            try {
                os.close(fd);
            } catch (NativeCallException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    /** Whether written-page tracking works on the running kernel, and why not: probed once per JVM. */
    public static KernelFeatures.Feature support() {
        return Cached.SUPPORT;
    }

    /**
     * Whether written-page tracking works through {@code os}, tried for real on a scratch mapping: a
     * tracker opens, registers four resident pages, and after one write a scan reports that page and
     * no other, and none once it is protected again. A refusal (the system call or an ioctl failing,
     * as under Docker's default seccomp profile) is an absent feature with the reason, never an error.
     */
    public static KernelFeatures.Feature probe(Syscalls os) {
        PagemapCapabilities pagemap = PagemapCapabilities.get();
        if (!pagemap.pagemapScan()) {
            return new KernelFeatures.Feature(false, "written-page tracking needs PAGEMAP_SCAN: " + pagemap.detail());
        }
        WrittenPageTracker tracker;
        try {
            tracker = open(os);
        } catch (NativeCallException e) {
            String why = e.call() == Call.USERFAULTFD ? KernelFeatures.whyNoUserfaultfd(e)
                    : KernelFeatures.whyNoWriteProtectAsync(e);
            return new KernelFeatures.Feature(false, why + ": " + e.getMessage());
        }
        long page = os.pageSize();
        long scratch = 0;
        try (tracker; PagemapScanner scanner = PagemapScanner.open(ScanMode.PAGEMAP_SCAN, os).orElseThrow()) {
            scratch = os.mmap(0, 4 * page, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, -1, 0);
            NativeMemory.fill(scratch, 4 * page, (byte) 1);
            tracker.register(scratch, 4 * page);
            NativeMemory.putByte(scratch + 2 * page, (byte) 2);
            long[] found = new long[3];
            tracker.scanWritten(scanner, scratch, scratch + 4 * page, 0, (start, end, categories) -> {
                found[0]++;
                found[1] = start;
                found[2] = end;
            });
            if (found[0] != 1 || found[1] != scratch + 2 * page || found[2] != scratch + 3 * page) {
                return new KernelFeatures.Feature(false, "after one write, a scan of WRITTEN pages found " + found[0]
                        + " regions, not the page written; not trusted");
            }
            tracker.reprotect(scanner, scratch, scratch + 4 * page);
            if (scanner.countPages(scratch, scratch + 4 * page, ScanSelection.WRITTEN) != 0) {
                return new KernelFeatures.Feature(false, "a page protected again still scans as WRITTEN; not trusted");
            }
            tracker.unregister(scratch, 4 * page);
            return new KernelFeatures.Feature(true, "userfaultfd write-protect (async) tracks written pages;"
                    + " PAGEMAP_SCAN reports and re-protects them");
        } catch (NativeCallException | PageScanException e) {
            return new KernelFeatures.Feature(false, "written-page tracking failed on a scratch mapping: " + e.getMessage());
        } finally {
            if (scratch != 0) {
                os.munmap(scratch, 4 * page);
            }
        }
    }

    /**
     * Whether this tracker can be used here: open, and in the process (fork generation) that opened
     * it. In a forked child it is not, and callers fall back to scanning for present pages.
     */
    public boolean usable() {
        return !closed && ForkGeneration.current() == generation;
    }

    /**
     * Registers {@code [start, start + length)} and write-protects all of it: from now on a scan
     * reports the pages written in it, and nothing written before. Register only a range that holds
     * no tenant's bytes.
     *
     * @throws IllegalArgumentException  for an unaligned or empty range, or one overlapping a registered one
     * @throws NativeCallException       when the kernel refuses (the range is not mapped, or of a kind
     *                                   that cannot be registered); the range is then not registered
     */
    public synchronized void register(long start, long length) {
        int fd = ownedFd();
        long end = checkRange("register", start, length);
        Map.Entry<Long, Long> before = registered.floorEntry(end - 1);
        if (before != null && before.getValue() > start) {
            throw new IllegalArgumentException(range(start, end) + " overlaps the registered "
                    + range(before.getKey(), before.getValue()));
        }
        os.uffdioRegister(fd, start, length, Userfaultfd.UFFDIO_REGISTER_MODE_WP);
        try {
            os.uffdioWriteprotect(fd, start, length, Userfaultfd.UFFDIO_WRITEPROTECT_MODE_WP);
        } catch (RuntimeException e) {
            try {
                os.uffdioUnregister(fd, start, length);
            } catch (RuntimeException undoing) {
                e.addSuppressed(undoing);
            }
            throw e;
        }
        registered.put(start, end);
    }

    /**
     * Unregisters a range registered before, exactly as it was registered. The tracker forgets it even
     * when the kernel call fails (its mapping is gone, say), and the failure is thrown.
     *
     * @throws IllegalArgumentException when no range was registered at {@code start} with that length
     */
    public synchronized void unregister(long start, long length) {
        int fd = ownedFd();
        long end = checkRange("unregister", start, length);
        Long registeredEnd = registered.get(start);
        if (registeredEnd == null || registeredEnd != end) {
            throw new IllegalArgumentException(range(start, end) + " is not a registered range"
                    + (registeredEnd == null ? "" : "; " + range(start, registeredEnd) + " is"));
        }
        registered.remove(start);
        os.uffdioUnregister(fd, start, length);
    }

    /**
     * Moves a registration, as when a slot's keep-resident window changes: unregisters the old range
     * and registers the new one (protected, so it must hold no tenant's bytes; move a slot's window
     * right after its reset). When the new range cannot be registered the old one is registered again.
     */
    public synchronized void move(long oldStart, long oldLength, long newStart, long newLength) {
        checkRange("move to", newStart, newLength);
        unregister(oldStart, oldLength);
        try {
            register(newStart, newLength);
        } catch (RuntimeException e) {
            try {
                register(oldStart, oldLength);
            } catch (RuntimeException restoring) {
                e.addSuppressed(restoring);
            }
            throw e;
        }
    }

    /** The bytes registered now. */
    public synchronized long registeredBytes() {
        long bytes = 0;
        for (Map.Entry<Long, Long> range : registered.entrySet()) {
            bytes += range.getValue() - range.getKey();
        }
        return bytes;
    }

    /**
     * Write-protects {@code [start, start + length)} with {@code UFFDIO_WRITEPROTECT}: one system call
     * that changes every entry of the range and flushes the range from the TLB. Cheapest for a few
     * small regions; over a large window {@link #reprotect} costs less.
     *
     * @throws NativeCallException with {@code ENOENT} where the range is not registered
     */
    public void protect(long start, long length) {
        os.uffdioWriteprotect(ownedFd(), start, length, Userfaultfd.UFFDIO_WRITEPROTECT_MODE_WP);
    }

    /**
     * Write-protects every entry of {@code [start, end)} that is not protected (written pages, entries
     * emptied by {@code MADV_DONTNEED}), with one {@code PAGEMAP_SCAN} that walks the range: cheaper
     * than {@link #protect} over a window with more than a few written regions.
     *
     * @param scanner a scanner in {@link ScanMode#PAGEMAP_SCAN} mode, of the calling thread
     * @throws PageScanException with {@code EPERM} where the range is not registered
     */
    public void reprotect(PagemapScanner scanner, long start, long end) {
        ownedFd();
        checkScanner(scanner);
        try {
            scanner.writeProtect(start, end);
        } catch (PageScanException e) {
            throw explain(e, start, end);
        }
    }

    /**
     * Reports the pages of {@code [start, end)} written since they were last protected
     * ({@link ScanSelection#WRITTEN}), at most {@code maxPages} of them; protects nothing.
     *
     * @return where the walk stopped, as {@link PagemapScanner#scan} says
     * @throws PageScanException with {@code EPERM} where the range is not registered
     */
    public long scanWritten(PagemapScanner scanner, long start, long end, long maxPages, RegionVisitor visitor) {
        return scan(scanner, start, end, ScanSelection.WRITTEN, maxPages, visitor);
    }

    /**
     * Reports the written pages as {@link #scanWritten} does and write-protects them in the same call
     * ({@link ScanSelection#WRITTEN_AND_PROTECT}): for pages the caller gives back with
     * {@code MADV_DONTNEED}, not for pages it zeroes (the memset would fault on each again).
     */
    public long scanWrittenAndProtect(PagemapScanner scanner, long start, long end, long maxPages,
                                      RegionVisitor visitor) {
        return scan(scanner, start, end, ScanSelection.WRITTEN_AND_PROTECT, maxPages, visitor);
    }

    /**
     * Scans a registered range with a selection of written pages, such as
     * {@link ScanSelection#WRITTEN_DIRTY} (exact, slower).
     *
     * @throws IllegalArgumentException when {@code selection} does not ask for {@link PageCategory#WRITTEN}
     */
    public long scan(PagemapScanner scanner, long start, long end, ScanSelection selection, long maxPages,
                     RegionVisitor visitor) {
        ownedFd();
        checkScanner(scanner);
        if ((selection.mask() & PageCategory.WRITTEN) == 0 || (selection.inverted() & PageCategory.WRITTEN) != 0) {
            throw new IllegalArgumentException("a written-page scan selects WRITTEN pages, not " + selection);
        }
        try {
            return scanner.scan(start, end, selection, maxPages, visitor);
        } catch (PageScanException e) {
            throw explain(e, start, end);
        }
    }

    /**
     * Unregisters every range still registered and closes the descriptor; in a forked child, only
     * closes the child's copy of the descriptor (the ranges are the parent's). Idempotent. A range
     * whose unregistering fails (its mapping is gone) is reported after the descriptor is closed.
     * Close a tracker only when no other thread uses it: a call racing with close could reach a
     * descriptor number the process has since reused.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        RuntimeException failure = null;
        if (ForkGeneration.current() == generation) {
            for (Map.Entry<Long, Long> range : registered.entrySet()) {
                try {
                    os.uffdioUnregister(uffd.fd(), range.getKey(), range.getValue() - range.getKey());
                } catch (RuntimeException e) {
                    if (failure == null) {
                        failure = e;
                    } else {
                        failure.addSuppressed(e);
                    }
                }
            }
        }
        registered.clear();
        uffd.close();
        if (failure != null) {
            throw failure;
        }
    }

    /** The descriptor, checked: open, and owned by the calling process. */
    private int ownedFd() {
        if (closed) {
            throw new IllegalStateException("written-page tracker is closed");
        }
        return uffd.fd(); // throws ForeignDescriptorException in a forked child
    }

    private long checkRange(String what, long start, long length) {
        if (length <= 0 || ((start | length) & (pageSize - 1)) != 0 || Long.compareUnsigned(start + length, start) < 0) {
            throw new IllegalArgumentException("cannot " + what + " [0x" + Long.toHexString(start) + ", +0x"
                    + Long.toHexString(length) + "): a range is page-aligned (" + pageSize + "), not empty, and"
                    + " does not wrap");
        }
        return start + length;
    }

    private static void checkScanner(PagemapScanner scanner) {
        Objects.requireNonNull(scanner, "scanner");
        if (scanner.mode() != ScanMode.PAGEMAP_SCAN) {
            throw new IllegalArgumentException("written-page tracking scans with the PAGEMAP_SCAN ioctl; this scanner"
                    + " runs " + scanner.mode());
        }
    }

    private static PageScanException explain(PageScanException e, long start, long end) {
        if (!Errno.EPERM.is(e.errno())) {
            return e;
        }
        return new PageScanException(range(start, end) + " is not registered for write-protect tracking (EPERM"
                + " from PM_SCAN_CHECK_WPASYNC); was its mapping replaced since it was registered? " + e.getMessage(),
                e.errno(), e);
    }

    private static String range(long start, long end) {
        return PageScanException.range(start, end);
    }

    @Override
    public String toString() {
        return "WrittenPageTracker[" + uffd + ", " + registeredBytes() + " bytes registered"
                + (usable() ? "" : ", not usable here") + "]";
    }
}
