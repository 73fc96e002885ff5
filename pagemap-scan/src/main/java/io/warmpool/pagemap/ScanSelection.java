package io.warmpool.pagemap;

/**
 * Which pages a scan reports and what it says of each region, in {@code PAGEMAP_SCAN}'s terms.
 *
 * <p>With {@code c = categories ^ inverted}, a page matches when {@code (c & mask) == mask} and, if
 * {@code anyof} is not zero, {@code (c & anyof) != 0}. Neighbouring matching pages merge into one
 * region while their {@code categories & returnMask} are equal.
 *
 * @param inverted   categories whose meaning is inverted before matching
 * @param mask       categories a page must all have (after inversion)
 * @param anyof      categories of which a page must have one (after inversion), or 0
 * @param returnMask categories reported with each region
 */
public record ScanSelection(long inverted, long mask, long anyof, long returnMask) {

    /**
     * Dirty pages: resident or swapped out, and neither the zero page nor file-backed or shared.
     * Each region says whether it is {@link PageCategory#PRESENT} or {@link PageCategory#SWAPPED}.
     * Nothing here depends on {@link PageCategory#WRITTEN}.
     */
    public static final ScanSelection DIRTY = new ScanSelection(
            PageCategory.PFNZERO | PageCategory.FILE,
            PageCategory.PFNZERO | PageCategory.FILE,
            PageCategory.PRESENT | PageCategory.SWAPPED,
            PageCategory.PRESENT | PageCategory.SWAPPED);

    /** Resident pages, whatever backs them: what counts against RSS. */
    public static final ScanSelection RESIDENT = new ScanSelection(
            0, PageCategory.PRESENT, 0, PageCategory.PRESENT);

    public ScanSelection {
        if (mask == 0 && anyof == 0) {
            throw new IllegalArgumentException("a selection needs a mask or an anyof mask; both are 0");
        }
    }

    /** Every category bit this selection reads or reports. */
    public long categoriesUsed() {
        return inverted | mask | anyof | returnMask;
    }

    /** Whether a page with {@code categories} matches. */
    public boolean matches(long categories) {
        long c = categories ^ inverted;
        return (c & mask) == mask && (anyof == 0 || (c & anyof) != 0);
    }

    @Override
    public String toString() {
        return "ScanSelection[inverted=" + PageCategory.names(inverted) + ", mask=" + PageCategory.names(mask)
                + ", anyof=" + PageCategory.names(anyof) + ", return=" + PageCategory.names(returnMask) + "]";
    }
}
