package io.warmpool.pagemap;

/**
 * Receives the regions of a scan, lowest address first. Implementations that run on every reset
 * should be reused objects, not lambdas that capture per call, so that a scan allocates nothing.
 */
@FunctionalInterface
public interface RegionVisitor {
    /**
     * One region of matching pages.
     *
     * @param start      the first byte of the region (page-aligned)
     * @param end        the byte after the region (page-aligned)
     * @param categories the region's categories, masked by the selection's return mask
     */
    void region(long start, long end, long categories);
}
