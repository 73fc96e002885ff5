package io.warmpool.pool.reset;

import io.warmpool.pagemap.PagemapScanner;
import io.warmpool.pagemap.RegionVisitor;

/**
 * Where a reset learns which pages of a range are dirty: the pool's {@link PagemapScanner}, or in
 * the reset's unit tests a list of regions made up for the case.
 */
public interface DirtyPageScan {

    /**
     * Reports the dirty regions of {@code [start, end)} to {@code visitor}, lowest first, each with
     * its categories ({@code PRESENT} or {@code SWAPPED}), and stops once {@code maxPages} pages are
     * reported (0: no limit).
     *
     * @return where the scan stopped: {@code end}, or the byte after the last page it reported when
     *         the budget ran out
     */
    long scan(long start, long end, long maxPages, RegionVisitor visitor);

    /** The scan of {@code scanner}. */
    static DirtyPageScan of(PagemapScanner scanner) {
        return new DirtyPageScan() { // no lambda: a forked child may be the first to make one
            @Override
            public long scan(long start, long end, long maxPages, RegionVisitor visitor) {
                return scanner.scan(start, end, maxPages, visitor);
            }
        };
    }
}
