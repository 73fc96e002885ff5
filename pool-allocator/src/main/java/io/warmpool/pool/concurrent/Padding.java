package io.warmpool.pool.concurrent;

/**
 * The one padding scheme of the pool: what threads write often sits alone on {@value #BYTES} bytes,
 * two cache lines, because the adjacent-line prefetcher fetches lines in pairs.
 *
 * <pre>
 *  arrays   element i at index(i, stride); stride = LONGS for long[] and AtomicLongArray, REFERENCES
 *           for arrays of references (4 bytes each, compressed; 8 without, and the stride is then
 *           wider than needed, never narrower)
 *
 *             [ stride unused ][ element 0 ... ][ element 1 ... ] ... [ element n-1 ... ][ stride unused ]
 *             ^ 0              ^ index(0)        ^ index(1)                               length(n) ^
 *
 *  objects  fields between two layers of LONGS longs: the class extends {@link Before}, and its
 *           final subclass declares the layer after (Java has no way to write that layer once)
 *
 *             [ header ][ Before: p00..p15 ][ the class's own fields ][ the subclass's q00..q15 ]
 * </pre>
 *
 * Objects need both layers because a garbage collection copies objects reached one after another
 * (the stripes of an array, say) side by side, where their hot fields would otherwise share lines.
 */
public final class Padding {
    /** The bytes kept between two things that different threads write. */
    public static final int BYTES = 128;
    /** {@link #BYTES} in longs: the stride of padded {@code long} arrays. */
    public static final int LONGS = BYTES / Long.BYTES;
    /** {@link #BYTES} in compressed references: the stride of padded reference arrays. */
    public static final int REFERENCES = BYTES / 4;

    private Padding() {
    }

    /** Where element {@code i} of a padded array with {@code stride} lies: padded on both sides. */
    public static int index(int i, int stride) {
        return (i + 1) * stride;
    }

    /** The length of a padded array of {@code count} elements with {@code stride}. */
    public static int length(int count, int stride) {
        return (count + 2) * stride;
    }

    /** The layer of padding ahead of a class's fields; see the class comment for the layer after. */
    @SuppressWarnings("unused")
    public abstract static class Before {
        long p00, p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15;
    }
}
