package io.warmpool.metrics;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Cumulative histogram counts, summed over timers that share bucket bounds, and the quantiles that
 * Prometheus's {@code histogram_quantile} would compute from them:
 *
 * <pre>
 *  rank = q * count;  the first bucket i with cumulative[i] >= rank holds it
 *  value = lower(i) + (upper(i) - lower(i)) * (rank - cumulative[i-1]) / (cumulative[i] - cumulative[i-1])
 *  lower(0) = 0; a rank in the +Inf bucket (count > cumulative[last]) reads as the last finite bound
 * </pre>
 *
 * So the service's summary line and a dashboard agree on a percentile (both are interpolations
 * within a bucket, as fine as the bucket bounds).
 *
 * @param upperBounds the finite upper bounds, ascending (seconds for timers)
 * @param cumulative  observations at or below each bound
 * @param count       all observations, the +Inf bucket included
 */
public record BucketCounts(double[] upperBounds, long[] cumulative, long count) {

    /** The counts of {@code timers} now, in seconds; the timers must share their bucket bounds. */
    static BucketCounts of(List<Timer> timers) {
        double[] bounds = null;
        long[] cumulative = null;
        long count = 0;
        for (Timer timer : timers) {
            var snapshot = timer.takeSnapshot();
            CountAtBucket[] buckets = snapshot.histogramCounts();
            if (bounds == null) {
                bounds = new double[buckets.length];
                cumulative = new long[buckets.length];
                for (int i = 0; i < buckets.length; i++) {
                    bounds[i] = buckets[i].bucket(TimeUnit.SECONDS);
                }
            }
            for (int i = 0; i < buckets.length; i++) {
                cumulative[i] += (long) buckets[i].count();
            }
            count += snapshot.count();
        }
        return bounds == null ? new BucketCounts(new double[0], new long[0], 0) : new BucketCounts(bounds, cumulative, count);
    }

    /** The observations since {@code earlier}, a reading of the same timers. */
    public BucketCounts since(BucketCounts earlier) {
        if (earlier.upperBounds.length != upperBounds.length) {
            throw new IllegalArgumentException("bucket bounds differ: " + Arrays.toString(earlier.upperBounds) + " vs "
                    + Arrays.toString(upperBounds));
        }
        long[] delta = new long[cumulative.length];
        for (int i = 0; i < delta.length; i++) {
            delta[i] = cumulative[i] - earlier.cumulative[i];
        }
        return new BucketCounts(upperBounds, delta, count - earlier.count);
    }

    /** The {@code q} quantile (0 to 1) interpolated as Prometheus does; NaN without observations. */
    public double quantile(double q) {
        if (q < 0 || q > 1) {
            throw new IllegalArgumentException("quantile " + q + " is outside [0, 1]");
        }
        if (count == 0 || upperBounds.length == 0) {
            return Double.NaN;
        }
        double rank = q * count;
        long below = 0;
        for (int i = 0; i < upperBounds.length; i++) {
            if (cumulative[i] >= rank && cumulative[i] > below) {
                double lower = i == 0 ? 0 : upperBounds[i - 1];
                return lower + (upperBounds[i] - lower) * (rank - below) / (cumulative[i] - below);
            }
            below = cumulative[i];
        }
        return upperBounds[upperBounds.length - 1];
    }
}
