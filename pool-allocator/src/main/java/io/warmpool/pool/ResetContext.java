package io.warmpool.pool;

import io.warmpool.pagemap.PagemapScanner;

/**
 * What one release needs to reset slots, lent by {@link ResetContexts} to one thread at a time and
 * reused across releases so that a reset allocates nothing: a scanner (its own off-heap buffers, over
 * the pool's shared pagemap descriptor), the regions it found, the ranges to give back, and the
 * record of the reset.
 */
final class ResetContext implements AutoCloseable {
    final PagemapScanner scanner;
    final RangeList regions = new RangeList();
    final RangeList decommits = new RangeList();
    final ResetRecord record = new ResetRecord();
    long scannerFallbacksSeen;
    /** The {@link ThreadIndex} of the thread that borrowed it: where it goes back, which counters it changes. */
    int borrower;

    /** @param scanner the context's scanner, or null when the pool has none */
    ResetContext(PagemapScanner scanner) {
        this.scanner = scanner;
    }

    /** Frees the scanner's buffers; the shared descriptor stays open. */
    @Override
    public void close() {
        if (scanner != null) {
            scanner.close();
        }
    }
}
