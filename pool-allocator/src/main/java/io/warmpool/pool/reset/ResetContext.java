package io.warmpool.pool.reset;

import io.warmpool.pagemap.PagemapScanner;
import io.warmpool.pagemap.ScanMode;

/**
 * What one release needs to reset slots, lent by {@link ResetContexts} to one thread at a time and
 * reused across releases so that a reset allocates nothing: the dirty-page scan (a scanner with its
 * own off-heap buffers, over the pool's shared pagemap descriptor), the zeroing, the regions the scan
 * found, the ranges to give back, and the record of the reset.
 */
public final class ResetContext implements AutoCloseable {
    /** The scanner behind {@link #scan}, or null: its fallbacks are counted, and it is closed with the context. */
    final PagemapScanner scanner;
    /** The scan, or null when the pool has no scanner. */
    final DirtyPageScan scan;
    final Zeroing zeroing;
    final RangeList regions = new RangeList();
    /** The ranges the reset gives back, for the caller to run or queue. */
    public final RangeList decommits = new RangeList();
    /** The record of the last reset. */
    public final RecordedReset record = new RecordedReset();
    private long scannerFallbacksSeen;
    /** The image range of the slot being reset: its first byte, its bytes (0: no image), where its bytes are read from. */
    private long imageStart;
    private long imageBytes;
    private long imageSource;
    /** The {@link io.warmpool.pool.concurrent.ThreadIndex} of the thread that borrowed it: where it goes back, which counters it changes. */
    public int borrower;

    /** A context over the pool's scanner, or without one ({@code scanner} null). */
    public ResetContext(PagemapScanner scanner) {
        this.scanner = scanner;
        this.scan = scanner == null ? null : DirtyPageScan.of(scanner);
        this.zeroing = Zeroing.NATIVE;
    }

    /** A context with the scan and zeroing given (the reset's unit tests). */
    public ResetContext(DirtyPageScan scan, Zeroing zeroing) {
        this.scanner = null;
        this.scan = scan;
        this.zeroing = zeroing;
    }

    /**
     * The next reset is of a slot whose {@code [start, start + bytes)} maps a memory image whose
     * bytes can be read at {@code source}: what it cleans there it restores from the image. Zero
     * bytes: the slot has no image. The slot pool sets it before each reset.
     */
    public void image(long start, long bytes, long source) {
        imageStart = start;
        imageBytes = bytes;
        imageSource = source;
    }

    /**
     * The restore sink of a reset: makes {@code [address, address + bytes)} read what the slot's
     * next tenant must read there: the image's bytes inside the image range (copied back from its
     * source, counted in the record's restored bytes), zero elsewhere.
     */
    void clean(long address, long bytes) {
        long imageEnd = imageStart + imageBytes;
        if (imageBytes > 0 && address < imageEnd && address + bytes > imageStart) {
            if (address < imageStart) {
                zeroing.zero(address, imageStart - address);
                bytes -= imageStart - address;
                address = imageStart;
            }
            long copied = Math.min(bytes, imageEnd - address);
            zeroing.copy(imageSource + (address - imageStart), address, copied);
            record.restoredBytes += copied;
            address += copied;
            bytes -= copied;
        }
        if (bytes > 0) {
            zeroing.zero(address, bytes);
        }
    }

    /** The bytes of the record's decommits that lie in the image range: they read the image again. */
    long decommitsInImage() {
        if (imageBytes == 0) {
            return 0;
        }
        long sum = 0;
        long imageEnd = imageStart + imageBytes;
        for (int i = 0; i < decommits.size(); i++) {
            long start = Math.max(decommits.start(i), imageStart);
            long end = Math.min(decommits.end(i), imageEnd);
            if (end > start) {
                sum += end - start;
            }
        }
        return sum;
    }

    /** The mode its scanner runs in now, or {@link ScanMode#NONE} without one. */
    public ScanMode scanMode() {
        return scanner == null ? ScanMode.NONE : scanner.mode();
    }

    /** Whether the context can scan for dirty pages. */
    public boolean canScan() {
        return scan != null;
    }

    /**
     * The reason, once per fallback, when the scanner fell back from PAGEMAP_SCAN to reading
     * pagemap since the last call; else null.
     */
    public String newScannerFallback() {
        if (scanner == null || scanner.fallbacks() == scannerFallbacksSeen) {
            return null;
        }
        scannerFallbacksSeen = scanner.fallbacks();
        return scanner.fallbackReason();
    }

    /** Frees the scanner's buffers; the shared descriptor stays open. */
    @Override
    public void close() {
        if (scanner != null) {
            scanner.close();
        }
    }
}
