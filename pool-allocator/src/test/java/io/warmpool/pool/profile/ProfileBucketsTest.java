package io.warmpool.pool.profile;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class ProfileBucketsTest {

    /** The bucket by definition: the first bound at or above the value, or the overflow bucket. */
    private static int bySearch(long[] bounds, long value) {
        int i = Arrays.binarySearch(bounds, value);
        return i >= 0 ? i : -i - 1;
    }

    @Test
    void logLinearBoundsAreFourToAnOctaveAndStopAtTheMaximum() {
        assertArrayEquals(new long[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 16, 20, 24, 28, 32, 40},
                ProfileBuckets.logLinear(33));
        assertArrayEquals(new long[] {0}, ProfileBuckets.logLinear(0));
    }

    @Test
    void logLinearIndexIsTheBucketOfTheFirstBoundAtOrAboveTheValue() {
        long[] bounds = ProfileBuckets.logLinear(1L << 20);
        for (long v = 0; v <= (1L << 20) + 5; v += v < 5000 ? 1 : 997) {
            assertEquals(bySearch(bounds, v), ProfileBuckets.logLinearIndex(bounds, v), "value " + v);
        }
        assertEquals(bounds.length, ProfileBuckets.logLinearIndex(bounds, Long.MAX_VALUE / 2));
    }

    @Test
    void powerOfTwoIndexIsTheBucketOfTheFirstBoundAtOrAboveTheValue() {
        long[] bounds = ProfileBuckets.powersOfTwo(65535);
        assertEquals(65536, bounds[bounds.length - 1]);
        assertEquals(0, bounds[0]);
        assertEquals(1, bounds[1]);
        for (long v = 0; v <= 70000; v++) {
            assertEquals(bySearch(bounds, v), ProfileBuckets.powerOfTwoIndex(bounds, v), "value " + v);
        }
        assertArrayEquals(new long[] {0, 1}, ProfileBuckets.powersOfTwo(1));
    }
}
