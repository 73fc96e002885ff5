package io.warmpool.pool.reset;

import io.warmpool.pagemap.PageCategory;
import io.warmpool.pagemap.RegionVisitor;

import java.util.ArrayList;
import java.util.List;

/**
 * Dirty regions made up for a test, reported as a PAGEMAP_SCAN would report them: lowest first,
 * clipped to the range scanned, stopping once the page budget is spent (cutting a region there) and
 * returning where it stopped. It records each scan it was asked for.
 */
final class FakeDirtyPages implements DirtyPageScan {
    private final long pageSize;
    private final List<long[]> regions = new ArrayList<>();
    final List<String> scans = new ArrayList<>();

    FakeDirtyPages(long pageSize) {
        this.pageSize = pageSize;
    }

    /** Pages {@code [start, end)} are dirty and resident. */
    FakeDirtyPages present(long start, long end) {
        regions.add(new long[] {start, end, PageCategory.PRESENT});
        return this;
    }

    /** Pages {@code [start, end)} are dirty and swapped out. */
    FakeDirtyPages swapped(long start, long end) {
        regions.add(new long[] {start, end, PageCategory.SWAPPED});
        return this;
    }

    @Override
    public long scan(long start, long end, long maxPages, RegionVisitor visitor) {
        scans.add("[" + start + ", " + end + ") max " + maxPages);
        long left = maxPages == 0 ? Long.MAX_VALUE : maxPages;
        for (long[] r : regions) {
            long from = Math.max(r[0], start);
            long to = Math.min(r[1], end);
            if (to <= from) {
                continue;
            }
            long pages = Math.min(left, (to - from) / pageSize);
            visitor.region(from, from + pages * pageSize, r[2]);
            left -= pages;
            if (left == 0) {
                return from + pages * pageSize;
            }
        }
        return end;
    }
}
