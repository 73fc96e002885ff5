package io.warmpool.pagemap;

/**
 * One step of a scan: fills the vector of a {@link PmScanArg} with the regions of
 * {@code [cursor, end)} and sets its {@code walk_end}, as one {@code PAGEMAP_SCAN} ioctl does.
 * Native failures surface as {@code NativeCallException}s; the scanner names the range.
 */
interface RegionSource extends AutoCloseable {

    /** The mode this source implements. */
    ScanMode mode();

    /**
     * Writes at most {@code arg.vecLen()} regions, reporting at most {@code maxPages} pages
     * (0: no limit), and sets {@code walk_end}.
     *
     * @return the number of regions written
     */
    int fill(PmScanArg arg, long cursor, long end, ScanSelection selection, long maxPages);

    @Override
    void close();
}
