package io.warmpool.pool.profile;

import java.util.Arrays;

/**
 * The bucket layouts of the tenant profile's histograms, over non-negative integers, each with an
 * index computed in a few instructions (no search), since the pool counts on every reset.
 *
 * <pre>
 *  log-linear (dirty pages per reset; instances in use): four buckets to an octave, so a value's
 *  bucket is never more than a quarter wider than the value
 *    upper bounds ("le"):  0 1 2 3 4 5 6 7 8 | 10 12 14 16 | 20 24 28 32 | 40 48 56 64 | 80 ...
 *    index(v) = v                                  for v <= 8
 *             = 9 + 4 (o - 3) + ceil((v - 2^o) / 2^(o-2)) - 1,   o = floor(log2(v - 1))   above
 *  powers of two (offsets of dirty pages: a region spans few of them)
 *    upper bounds:         0 1 2 4 8 16 32 ...
 *    index(v) = 0 for v = 0, else 65 - numberOfLeadingZeros(v - 1)
 *  bucket i holds the values v with bounds[i-1] < v <= bounds[i]; the bounds stop at the first one
 *  at or above the largest value expected, and a value above it falls in the overflow bucket
 *  (index bounds.length, Prometheus' le="+Inf")
 * </pre>
 */
final class ProfileBuckets {
    private ProfileBuckets() {
    }

    /** Log-linear upper bounds that cover {@code 0..max}. */
    static long[] logLinear(long max) {
        long[] bounds = new long[16];
        int n = 0;
        for (long v = 0; ; v = v < 8 ? v + 1 : v + Long.highestOneBit(v) / 4) {
            if (n == bounds.length) {
                bounds = Arrays.copyOf(bounds, n * 2);
            }
            bounds[n++] = v;
            if (v >= max) {
                return Arrays.copyOf(bounds, n);
            }
        }
    }

    /** The log-linear bucket of {@code value} among {@code bounds} from {@link #logLinear}. */
    static int logLinearIndex(long[] bounds, long value) {
        int i;
        if (value <= 8) {
            i = (int) value;
        } else {
            int o = 63 - Long.numberOfLeadingZeros(value - 1);
            long quarter = 1L << (o - 2);
            i = 9 + 4 * (o - 3) + (int) ((value - (1L << o) + quarter - 1) / quarter) - 1;
        }
        return Math.min(i, bounds.length);
    }

    /** Power-of-two upper bounds that cover {@code 0..max}. */
    static long[] powersOfTwo(long max) {
        int n = 2;
        while (n < 64 && (1L << (n - 2)) < max) {
            n++;
        }
        long[] bounds = new long[n];
        for (int i = 1; i < n; i++) {
            bounds[i] = 1L << (i - 1);
        }
        return bounds;
    }

    /** The power-of-two bucket of {@code value} among {@code bounds} from {@link #powersOfTwo}. */
    static int powerOfTwoIndex(long[] bounds, long value) {
        int i = value == 0 ? 0 : 65 - Long.numberOfLeadingZeros(value - 1);
        return Math.min(i, bounds.length);
    }
}
