package io.warmpool.pool.concurrent;

/**
 * How many ways the pool spreads what threads write at once (counter cells, reset contexts,
 * allocator stripes): twice the processors, rounded up to a power of two, at least four. Threads get
 * consecutive {@link ThreadIndex} numbers, so {@code index & (ways - 1)} gives up to that many
 * threads a way each; the factor two leaves room for threads that come and go.
 */
public final class Striping {
    /** The ways on this machine: twice {@code availableProcessors()}, a power of two, at least 4. */
    public static final int WAYS = powerOfTwoAtLeast(Math.max(4, 2 * Runtime.getRuntime().availableProcessors()));

    private Striping() {
    }

    /** The smallest power of two that is {@code n} or more ({@code n} from 1 to 2^30). */
    public static int powerOfTwoAtLeast(int n) {
        if (n < 1 || n > 1 << 30) {
            throw new IllegalArgumentException(n + " is not between 1 and 2^30");
        }
        return n == 1 ? 1 : Integer.highestOneBit(n - 1) << 1;
    }
}
