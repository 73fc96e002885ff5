package io.warmpool.pagemap;

/**
 * Which pages a scan reports and what it says of each region, in {@code PAGEMAP_SCAN}'s terms, and
 * what the scan does to them ({@code flags}).
 *
 * <p>With {@code c = categories ^ inverted}, a page matches when {@code (c & mask) == mask} and, if
 * {@code anyof} is not zero, {@code (c & anyof) != 0}. Neighbouring matching pages merge into one
 * region while their {@code categories & returnMask} are equal.
 *
 * <p>{@code flags} are the ioctl's: {@link #WP_MATCHING} write-protects every page the scan reports
 * (in a range registered for userfaultfd write-protect), {@link #CHECK_WPASYNC} fails the scan with
 * {@code EPERM} where the range is not so registered. Only the ioctl can do either; a scanner reading
 * {@code /proc/self/pagemap} refuses a selection with flags.
 *
 * @param inverted   categories whose meaning is inverted before matching
 * @param mask       categories a page must all have (after inversion)
 * @param anyof      categories of which a page must have one (after inversion), or 0
 * @param returnMask categories reported with each region
 * @param flags      {@code PM_SCAN_*} flags of the ioctl, or 0
 */
public record ScanSelection(long inverted, long mask, long anyof, long returnMask, long flags) {
    /** {@code PM_SCAN_WP_MATCHING}: write-protect the pages the scan reports, in the same call. */
    public static final long WP_MATCHING = 1L << 0;
    /** {@code PM_SCAN_CHECK_WPASYNC}: fail with {@code EPERM} where the range is not registered for uffd WP-async. */
    public static final long CHECK_WPASYNC = 1L << 1;

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

    /**
     * Pages written since they were last write-protected, in a range registered for userfaultfd
     * write-protect (async mode); fails where the range is not registered. Regions say only
     * {@link PageCategory#WRITTEN}.
     *
     * <p>This is the kernel's fast path (mask and return mask exactly {@code WRITTEN}, nothing else
     * asked): a quarter to a third of what any other selection costs per page table entry walked. Its price:
     * it reports every entry that is not write-protected, so an empty entry (a page given back with
     * {@code MADV_DONTNEED} and not protected again, or never protected) is reported too, and a
     * swapped-out page is not told from a resident one. Where every page of the range is protected
     * except those written since (see {@link WrittenPageTracker}), it reports exactly the written ones.
     */
    public static final ScanSelection WRITTEN = new ScanSelection(
            0, PageCategory.WRITTEN, 0, PageCategory.WRITTEN, CHECK_WPASYNC);

    /**
     * Written pages as {@link #WRITTEN} reports them, write-protected again in the same call: for pages
     * that will not be written before the next scan (the next tenant's writes then fault once each).
     */
    public static final ScanSelection WRITTEN_AND_PROTECT = WRITTEN.withFlags(CHECK_WPASYNC | WP_MATCHING);

    /**
     * Written pages that hold data: resident or swapped out, neither the zero page nor file-backed, as
     * {@link #DIRTY} says it, each region saying {@link PageCategory#PRESENT} or
     * {@link PageCategory#SWAPPED}. Exact whatever the range went through (empty entries, the zero page
     * and swapped pages are told apart), at three to five times {@link #WRITTEN}'s cost per entry walked.
     */
    public static final ScanSelection WRITTEN_DIRTY = new ScanSelection(
            PageCategory.PFNZERO | PageCategory.FILE,
            PageCategory.WRITTEN | PageCategory.PFNZERO | PageCategory.FILE,
            PageCategory.PRESENT | PageCategory.SWAPPED,
            PageCategory.PRESENT | PageCategory.SWAPPED,
            CHECK_WPASYNC);

    public ScanSelection {
        if (mask == 0 && anyof == 0) {
            throw new IllegalArgumentException("a selection needs a mask or an anyof mask; both are 0");
        }
        if ((flags & ~(WP_MATCHING | CHECK_WPASYNC)) != 0) {
            throw new IllegalArgumentException("unknown PAGEMAP_SCAN flags 0x" + Long.toHexString(flags));
        }
    }

    /** A selection that only reads (no flags). */
    public ScanSelection(long inverted, long mask, long anyof, long returnMask) {
        this(inverted, mask, anyof, returnMask, 0);
    }

    /** This selection with other ioctl flags. */
    public ScanSelection withFlags(long flags) {
        return new ScanSelection(inverted, mask, anyof, returnMask, flags);
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
                + ", anyof=" + PageCategory.names(anyof) + ", return=" + PageCategory.names(returnMask)
                + (flags == 0 ? "" : ", flags=" + flagNames(flags)) + "]";
    }

    private static String flagNames(long flags) {
        String wp = (flags & WP_MATCHING) != 0 ? "WP_MATCHING" : "";
        String check = (flags & CHECK_WPASYNC) != 0 ? "CHECK_WPASYNC" : "";
        return wp.isEmpty() || check.isEmpty() ? wp + check : wp + "|" + check;
    }
}
