package io.warmpool.pagemap;

import java.util.StringJoiner;

/**
 * The page categories of {@code PAGEMAP_SCAN} ({@code PAGE_IS_*} in {@code include/uapi/linux/fs.h}),
 * as bits of a category mask.
 *
 * <p>{@link #WRITTEN} means nothing unless the range is registered for userfaultfd write-protect:
 * outside such a range every present page reports it, read-only ones too. warmpool never selects on it.
 */
public final class PageCategory {
    private PageCategory() {
    }

    /** The page may be write-protected through userfaultfd (Linux 6.7). */
    public static final long WPALLOWED = 1L << 0;
    /** Written since write-protect was armed; see the class comment (6.7). */
    public static final long WRITTEN = 1L << 1;
    /** File-backed or shared (6.7). */
    public static final long FILE = 1L << 2;
    /** Resident in memory (6.7). */
    public static final long PRESENT = 1L << 3;
    /** Swapped out (6.7). */
    public static final long SWAPPED = 1L << 4;
    /** Maps the shared zero page (6.7). */
    public static final long PFNZERO = 1L << 5;
    /** Part of a huge page (6.7). */
    public static final long HUGE = 1L << 6;
    /** Soft-dirty (6.8). */
    public static final long SOFT_DIRTY = 1L << 7;
    /** A guard region installed with {@code MADV_GUARD_INSTALL} (6.15). */
    public static final long GUARD = 1L << 8;

    private static final String[] NAMES = {
        "WPALLOWED", "WRITTEN", "FILE", "PRESENT", "SWAPPED", "PFNZERO", "HUGE", "SOFT_DIRTY", "GUARD",
    };

    /** The highest bit any kernel warmpool knows of defines, plus one. */
    static final int KNOWN_BITS = NAMES.length;

    /** The names of the bits in {@code mask}, such as {@code "PRESENT|HUGE"}; unknown bits as {@code BIT<n>}. */
    public static String names(long mask) {
        if (mask == 0) {
            return "none";
        }
        StringJoiner out = new StringJoiner("|");
        for (int bit = 0; bit < Long.SIZE; bit++) {
            if ((mask & (1L << bit)) != 0) {
                out.add(bit < NAMES.length ? NAMES[bit] : "BIT" + bit);
            }
        }
        return out.toString();
    }
}
