package io.warmpool.pool.reset;

import io.warmpool.fork.ForkGeneration;
import io.warmpool.natives.Syscalls;
import io.warmpool.pagemap.FirstWriteCost;
import io.warmpool.pagemap.PageCategory;
import io.warmpool.pagemap.PagemapScanner;
import io.warmpool.pagemap.ScanMode;
import io.warmpool.pagemap.WrittenPageTracker;
import io.warmpool.pool.config.SlotKind;

/**
 * The {@code written-tracked} reset of one kind's slots: each slot's keep-resident window is
 * registered with a userfaultfd in asynchronous write-protect mode ({@link WrittenPageTracker}, one
 * per kind), so a reset finds the pages written since the last one without reporting again every
 * page that earlier resets zeroed and kept resident.
 *
 * <pre>
 *  window   a memory or table: [slotBase, slotBase + keepResident)      (the low end, grows up)
 *           a stack:           [slotEnd - keepResident, slotEnd)         (its top)
 *           the window alone is registered, not the slot: a registered range has an entry in the
 *           page tables for every page, which every scan of it walks
 *
 *  a tracked reset, the slot's window registered where the keep-resident bytes put it now:
 *    written = scan the window's accessible part for WRITTEN pages        one PAGEMAP_SCAN
 *    zero every written region                                            they stay resident
 *    protect them again: per region (UFFDIO_WRITEPROTECT) while they are few, else one PAGEMAP_SCAN
 *      with PM_SCAN_WP_MATCHING over the window (it walks the window and protects only what was
 *      written); after the zeroing, never before: the memset writes too
 *    scan the rest of the accessible bytes for dirty pages; give them all back
 *
 *  an untracked reset, when the slot is not registered there (its first tracked reset, the
 *  keep-resident bytes changed, the slot was remapped or evicted):
 *    unregister the old window (its pages hold the tenant's bytes, now visible to a present-page
 *    scan again); reset as pagemap-guided; register the window (which protects every entry of it:
 *    the slot is clean now). The record says pagemap-guided.
 *
 *  no tracking at all (userfaultfd refused: seccomp, a kernel before 6.7; a forked child, whose
 *  mappings are not registered and whose inherited descriptor is its parent's; a scanner reading
 *  /proc/self/pagemap): every reset is pagemap-guided, and newFallback() says why once.
 * </pre>
 *
 * <p>What a tenant pays for it: its first write to each kept page is a write-protect fault, which
 * the kernel resolves by itself (about a page fault's cost). What a reset saves: the pages earlier
 * tenants wrote and later ones did not are neither reported nor zeroed again. The window is the
 * budget, so every written page of it is zeroed; pages beyond the window are given back whatever the
 * budget (pagemap-guided would keep the first ones it finds anywhere in the slot).
 *
 * <p>The per-slot windows are written by the thread that resets or trims the slot (one at a time per
 * slot); the tracker serializes its own registration calls. Stale entries (a page given back by
 * {@code MADV_DONTNEED} elsewhere, as when a memory shrinks at acquire, is no longer protected) are
 * reported as written and zeroed once: they cost, they never leak.
 */
public final class WrittenTracking implements AutoCloseable {
    /** Written regions up to which each is protected again by its own call; beyond, one walk of the window. */
    static final int PROTECT_EACH_MAX = 4;

    private final SlotKind kind;
    private final Syscalls os;
    private final long pageSize;
    private final boolean growsDown;
    /** Per slot, where its registered window starts and how long it is; 0 bytes: not registered. */
    private final long[] windowStart;
    private final long[] windowBytes;
    private WrittenPageTracker tracker; // opened on first use, under this
    /** Why there is no tracking here, once known: every tracked reset is then pagemap-guided. */
    private volatile String untracked;
    /** A fallback the pool has not counted yet, or null. */
    private volatile String unreported;
    private boolean closed;
    /** What a tenant's first write to a protected page costs, measured once per process; NaN before, -1 when it cannot be. */
    private static volatile double firstWriteNanos = Double.NaN;

    public WrittenTracking(SlotKind kind, Syscalls os, long pageSize, int slots) {
        this.kind = kind;
        this.os = os;
        this.pageSize = pageSize;
        this.growsDown = kind == SlotKind.STACK;
        this.windowStart = new long[slots];
        this.windowBytes = new long[slots];
    }

    /** Whether the slot's window is registered. */
    public boolean registered(int slot) {
        return windowBytes[slot] != 0;
    }

    /** The registered bytes of the slot's window, 0 when none. */
    public long registeredBytes(int slot) {
        return windowBytes[slot];
    }

    /**
     * Why tracking took a slower path since the last call (the pool counts it as a fallback), or null.
     * Each cause is told once.
     */
    public String newFallback() {
        String why = unreported;
        if (why != null) {
            unreported = null;
        }
        return why;
    }

    /** Where the window of a slot with {@code keepResident} bytes kept starts; {@code lo, hi}: its accessible bytes (a stack's end at its top). */
    long windowFor(long lo, long hi, long keepResident) {
        return growsDown ? hi - keepResident : lo;
    }

    /**
     * The tracker for a reset with {@code scanner}, or null when this process cannot track (the
     * reason goes to {@link #newFallback} once).
     */
    WrittenPageTracker trackerFor(PagemapScanner scanner) {
        if (untracked != null) {
            return null;
        }
        if (scanner == null || scanner.mode() != ScanMode.PAGEMAP_SCAN) {
            return null; // the scanner's own fallback is counted (pagemap-read, no-scanner)
        }
        WrittenPageTracker t = tracker;
        if (t != null && t.usable()) {
            return t;
        }
        return open();
    }

    private synchronized WrittenPageTracker open() {
        if (untracked != null || closed) {
            return null;
        }
        if (tracker != null) {
            if (tracker.usable()) {
                return tracker;
            }
            refuse(kind.label() + " slots: written-page tracking is not usable in this process (fork generation "
                    + ForkGeneration.current() + "): a userfaultfd cannot be carried into a forked child;"
                    + " written-tracked resets scan for present pages (pagemap-guided)");
            return null;
        }
        try {
            tracker = WrittenPageTracker.open(os);
            return tracker;
        } catch (RuntimeException e) {
            refuse(kind.label() + " slots: userfaultfd write-protect tracking refused (" + e.getMessage()
                    + "); written-tracked resets scan for present pages (pagemap-guided)");
            return null;
        }
    }

    /**
     * What a tenant's first write to a protected page costs here, in nanoseconds ({@link
     * FirstWriteCost}, measured on first use: a few milliseconds, once); -1 when it cannot be measured
     * (tracking does not work), counted as a fallback.
     */
    double firstWriteNanos() {
        double nanos = firstWriteNanos;
        if (Double.isNaN(nanos)) {
            synchronized (WrittenTracking.class) {
                if (Double.isNaN(firstWriteNanos)) {
                    try {
                        firstWriteNanos = FirstWriteCost.measure(os).nanosPerPage();
                    } catch (RuntimeException e) {
                        firstWriteNanos = -1;
                        refuse(kind.label() + " slots: measuring the first-write cost of a protected page failed ("
                                + e.getMessage() + "); written-tracked resets scan for present pages");
                    }
                }
                nanos = firstWriteNanos;
            }
        }
        return nanos;
    }

    private void refuse(String why) {
        untracked = why;
        unreported = why;
    }

    /**
     * Whether the slot's window is registered exactly where a keep-resident of {@code keepResident}
     * puts it for the accessible bytes {@code [lo, hi)}.
     */
    boolean tracks(int slot, long lo, long hi, long keepResident) {
        return windowBytes[slot] == keepResident && windowStart[slot] == windowFor(lo, hi, keepResident);
    }

    /**
     * The tracked reset of {@code [lo, hi)}, its window registered ({@link #tracks}): zeroes and
     * protects again the written pages of the window, lists every dirty page beyond it in the
     * context's decommits, and fills the record's scan, zeroing and page counts.
     *
     * @return when it finished, by {@link System#nanoTime()}
     */
    long reset(ResetContext ctx, WrittenPageTracker tracker, int slot, long lo, long hi, long started) {
        RecordedReset record = ctx.record;
        long wlo = Math.max(lo, windowStart[slot]);
        long whi = Math.min(hi, windowStart[slot] + windowBytes[slot]);
        RangeList regions = ctx.regions;
        if (growsDown && wlo > lo) {
            ctx.scan.scan(lo, wlo, 0, regions); // below the top's window: dirty pages to give back
        }
        int outsideBelow = regions.size();
        if (whi > wlo) {
            tracker.scanWritten(ctx.scanner, wlo, whi, 0, regions);
        }
        int written = regions.size() - outsideBelow;
        if (!growsDown && whi < hi) {
            ctx.scan.scan(Math.max(whi, lo), hi, 0, regions);
        }
        long t1 = System.nanoTime();
        record.scanNanos = t1 - started;
        record.regions = regions;
        long dirtyPages = 0;
        long zeroed = 0;
        for (int i = 0; i < regions.size(); i++) {
            long start = regions.start(i);
            long end = regions.end(i);
            dirtyPages += (end - start) / pageSize;
            if (regions.categories(i) == PageCategory.WRITTEN) {
                ctx.clean(start, end - start); // zero, or the image's bytes on an image slot
                zeroed += end - start;
            } else {
                ctx.decommits.add(start, end);
            }
        }
        if (written > PROTECT_EACH_MAX) {
            tracker.reprotect(ctx.scanner, wlo, whi);
        } else {
            for (int i = outsideBelow; i < outsideBelow + written; i++) {
                tracker.protect(regions.start(i), regions.end(i) - regions.start(i));
            }
        }
        long finished = System.nanoTime();
        record.zeroNanos = finished - t1;
        record.zeroedBytes = zeroed;
        record.dirtyPages = dirtyPages;
        return finished;
    }

    /**
     * Registers the slot's window for {@code keepResident} bytes over the accessible bytes
     * {@code [lo, hi)}, which must hold no tenant's bytes (right after a reset's zeroing). A refusal
     * is a fallback (the slot stays untracked and its next reset tries again), never an error.
     */
    void track(WrittenPageTracker tracker, int slot, long lo, long hi, long keepResident) {
        long start = windowFor(lo, hi, keepResident);
        try {
            tracker.register(start, keepResident);
            windowStart[slot] = start;
            windowBytes[slot] = keepResident;
        } catch (RuntimeException e) {
            unreported = kind.label() + " slot " + slot + ": registering its window [0x" + Long.toHexString(start)
                    + ", +" + keepResident + ") for write-protect tracking failed (" + e.getMessage()
                    + "); its resets scan for present pages until it succeeds";
        }
    }

    /**
     * Unregisters the slot's window (a reset that does not track is about to run, or the window
     * moves): the pages in it are plain again, so a present-page scan or a memset sees them as they
     * are. Throws the kernel's refusal (the reset then fails and the slot is remapped); the window is
     * forgotten either way.
     */
    public void untrack(int slot) {
        long bytes = windowBytes[slot];
        if (bytes == 0) {
            return;
        }
        windowBytes[slot] = 0;
        WrittenPageTracker t = tracker;
        if (t != null && t.usable()) {
            t.unregister(windowStart[slot], bytes);
        }
    }

    /**
     * The slot was replaced by a fresh mapping, which dropped its registration in the kernel: forget
     * it, and unregister the tracker's record of it. A refusal here is counted as a fallback, not
     * thrown: the slot is fresh and untracked either way.
     */
    public void remapped(int slot) {
        try {
            untrack(slot);
        } catch (RuntimeException e) {
            unreported = kind.label() + " slot " + slot + " remapped: unregistering its old window failed ("
                    + e.getMessage() + ")";
        }
    }

    /**
     * Moves an idle slot's window to where {@code keepResident} bytes put it (0: none), as when the
     * keep-resident bytes were lowered: its pages are clean (it is warm), so the new window is
     * registered and protected at once. Throws the kernel's refusal.
     *
     * @param lo the accessible bytes' start; {@code hi} their end (a stack's top)
     */
    public void moveIdle(int slot, long lo, long hi, long keepResident) {
        if (windowBytes[slot] == 0 || tracks(slot, lo, hi, keepResident)) {
            return;
        }
        untrack(slot);
        WrittenPageTracker t = tracker;
        if (keepResident > 0 && t != null && t.usable()) {
            track(t, slot, lo, hi, keepResident);
        }
    }

    /**
     * In a forked child: the child's mappings are not registered (the kernel dropped their
     * registration at the fork) and the inherited descriptor is the parent's. Forgets every window
     * without a system call, closes the child's copy of the descriptor, and tracks no more here.
     */
    public void forChild() {
        java.util.Arrays.fill(windowBytes, 0);
        WrittenPageTracker inherited = tracker; // no lock: a parent thread may have held it at the fork
        tracker = null;
        refuse(kind.label() + " slots: a forked child cannot use its parent's userfaultfd;"
                + " written-tracked resets scan for present pages (pagemap-guided)");
        if (inherited != null) {
            inherited.close(); // in a child: closes the descriptor only
        }
    }

    /** Unregisters every window and closes the descriptor; before the slab is unmapped. */
    @Override
    public synchronized void close() {
        closed = true;
        java.util.Arrays.fill(windowBytes, 0);
        if (tracker != null) {
            WrittenPageTracker t = tracker;
            tracker = null;
            t.close();
        }
    }
}
