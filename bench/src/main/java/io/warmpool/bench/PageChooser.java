package io.warmpool.bench;

/**
 * Which pages a bench tenant writes in each cycle: {@code min(dirty, spreadPages)} distinct pages,
 * uniformly at random among the first {@code spreadPages} pages of the slot.
 *
 * <pre>
 *  perm = 0, 1, ..., spreadPages - 1           kept across cycles, so each draw is uniform
 *  next(dirty):  for i in 0 until k:           a partial Fisher-Yates shuffle
 *                  j = i + bounded(spreadPages - i)
 *                  swap perm[i], perm[j]
 *                the pages are perm[0..k)
 *  bounded(n) = ((splitmix64() >>> 32) * n) >>> 32
 * </pre>
 *
 * The C reference ({@code src/main/c/warmpool_cref.c}) draws with the same generator and the same
 * steps, so for one seed both write the same pages in the same order.
 */
public final class PageChooser {
    private final int[] perm;
    private long state;

    /** A chooser over {@code spreadPages} pages, seeded with {@code seed}. */
    public PageChooser(long seed, int spreadPages) {
        if (spreadPages < 1) {
            throw new IllegalArgumentException("the spread holds no page: " + spreadPages);
        }
        this.state = seed;
        this.perm = new int[spreadPages];
        for (int i = 0; i < spreadPages; i++) {
            perm[i] = i;
        }
    }

    /**
     * Draws the next cycle's pages.
     *
     * @return how many pages were drawn, {@code min(dirty, spreadPages)}; they are {@link #page}(0..n)
     */
    public int next(long dirty) {
        int k = (int) Math.min(dirty, perm.length);
        for (int i = 0; i < k; i++) {
            int j = i + bounded(perm.length - i);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        return k;
    }

    /** Page {@code i} of the last draw, as an index from the slot's first page. */
    public int page(int i) {
        return perm[i];
    }

    private long nextRandom() {
        long z = state += 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private int bounded(int n) {
        return (int) (((nextRandom() >>> 32) * n) >>> 32);
    }
}
