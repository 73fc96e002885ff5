package io.warmpool.metrics;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BucketCountsTest {
    private static final double[] BOUNDS = {1, 2, 4};

    @Test
    void quantilesInterpolateWithinTheirBucketAsPrometheusDoes() {
        // 10 observations <= 1, 10 in (1, 2], 20 in (2, 4]
        BucketCounts counts = new BucketCounts(BOUNDS, new long[] {10, 20, 40}, 40);
        assertEquals(0.5, counts.quantile(0.125), 1e-9);
        assertEquals(1.0, counts.quantile(0.25), 1e-9);
        assertEquals(1.5, counts.quantile(0.375), 1e-9);
        assertEquals(3.0, counts.quantile(0.75), 1e-9);
        assertEquals(4.0, counts.quantile(1.0), 1e-9);
    }

    @Test
    void aQuantileInTheInfiniteBucketReadsAsTheLastBound() {
        BucketCounts counts = new BucketCounts(BOUNDS, new long[] {1, 1, 1}, 100);
        assertEquals(4.0, counts.quantile(0.99), 1e-9);
    }

    @Test
    void emptyBucketsAreSkippedAndNoObservationsIsNan() {
        BucketCounts counts = new BucketCounts(BOUNDS, new long[] {0, 0, 8}, 8);
        assertEquals(2.0, counts.quantile(0.0), 1e-9);
        assertEquals(3.0, counts.quantile(0.5), 1e-9);
        assertTrue(Double.isNaN(new BucketCounts(BOUNDS, new long[3], 0).quantile(0.5)));
    }

    @Test
    void sinceSubtractsAnEarlierReading() {
        BucketCounts earlier = new BucketCounts(BOUNDS, new long[] {10, 10, 10}, 10);
        BucketCounts now = new BucketCounts(BOUNDS, new long[] {10, 14, 20}, 21);
        BucketCounts window = now.since(earlier);
        assertEquals(11, window.count());
        assertEquals(2.0, window.quantile(4.0 / 11), 1e-9);
        assertEquals(4.0, window.quantile(0.99), 1e-9, "one observation above every bound");
        assertThrows(IllegalArgumentException.class, () -> now.since(new BucketCounts(new double[] {1}, new long[1], 0)));
        assertThrows(IllegalArgumentException.class, () -> now.quantile(1.5));
    }
}
