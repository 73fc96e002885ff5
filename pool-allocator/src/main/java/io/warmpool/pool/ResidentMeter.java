package io.warmpool.pool;

import io.warmpool.natives.Syscalls;
import io.warmpool.pagemap.PageCategory;
import io.warmpool.pagemap.PagemapScanner;
import io.warmpool.pagemap.ScanMode;
import io.warmpool.pagemap.ScanSelection;
import io.warmpool.pool.reset.ResetContexts;
import io.warmpool.pool.slab.SlotPool;

/**
 * Measures the resident bytes of a pool's slabs for {@link WarmPool#residentBytes} and
 * {@link WarmPool#idleResidentBytes}, with one scanner of its own over the reset contexts' pagemap
 * descriptor, opened on first use and used by one measurement at a time.
 */
final class ResidentMeter implements AutoCloseable {
    /** Present pages that hold memory of their own: not the shared zero page. */
    private static final ScanSelection RESIDENT_MEMORY = new ScanSelection(PageCategory.PFNZERO,
            PageCategory.PRESENT | PageCategory.PFNZERO, 0, PageCategory.PRESENT);

    private final Syscalls os;
    private final long pageSize;
    private PagemapScanner scanner; // under this object's monitor

    ResidentMeter(Syscalls os, long pageSize) {
        this.os = os;
        this.pageSize = pageSize;
    }

    /**
     * The resident bytes of {@code pool}'s whole slab, or of its idle slots only (each scanned in
     * turn: a slot acquired or released meanwhile counts on the side it was on when its turn came);
     * 0 for no pool (the pool has no slots of the kind). Decommits that waited too long for their
     * batch to fill run first.
     */
    long measure(SlotPool pool, boolean idleOnly, ResetContexts contexts) {
        if (pool == null) {
            return 0;
        }
        pool.flushIfWaited();
        return scan(pool, idleOnly, contexts);
    }

    private synchronized long scan(SlotPool pool, boolean idleOnly, ResetContexts contexts) {
        if (scanner == null) {
            scanner = PagemapScanner.open(ScanMode.AUTO, os, contexts.pagemap()).orElseThrow();
        }
        if (!idleOnly) {
            long base = pool.reservationBase();
            return scanner.countPages(base, base + pool.reservationBytes(), RESIDENT_MEMORY) * pageSize;
        }
        long pages = 0;
        for (int slot = 0; slot < pool.capacity(); slot++) {
            if (pool.isIdle(slot)) {
                long start = pool.slotBase(slot);
                pages += scanner.countPages(start, start + pool.slotBytes(), RESIDENT_MEMORY);
            }
        }
        return pages * pageSize;
    }

    /** Closes its scanner (buffers only: the descriptor is the reset contexts'), before they close theirs. */
    @Override
    public synchronized void close() {
        if (scanner != null) {
            scanner.close();
            scanner = null;
        }
    }

    /**
     * For a forked child, where a parent thread may hold this monitor: a new meter; this one's
     * scanner is closed without its monitor (buffers only).
     */
    ResidentMeter forChild() {
        PagemapScanner inherited = scanner;
        scanner = null;
        if (inherited != null) {
            inherited.close();
        }
        return new ResidentMeter(os, pageSize);
    }
}
