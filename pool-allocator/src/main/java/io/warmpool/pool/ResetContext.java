package io.warmpool.pool;

import io.warmpool.pagemap.PagemapScanner;

/**
 * What one thread needs to reset slots, reused across resets so that a reset allocates nothing: a
 * scanner (its own off-heap buffers and pagemap descriptor), the regions it found, the ranges to
 * give back, and the record of the reset.
 */
final class ResetContext implements AutoCloseable {
    final PagemapScanner scanner;
    final RangeList regions = new RangeList();
    final RangeList decommits = new RangeList();
    final ResetRecord record = new ResetRecord();
    long scannerFallbacksSeen;

    /** @param scanner the thread's scanner, or null when the pool has none */
    ResetContext(PagemapScanner scanner) {
        this.scanner = scanner;
    }

    @Override
    public void close() {
        if (scanner != null) {
            scanner.close();
        }
    }
}
