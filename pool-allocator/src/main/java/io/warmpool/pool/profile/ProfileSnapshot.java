package io.warmpool.pool.profile;

import io.warmpool.pool.config.SlotKind;

import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * A tenant profile at one moment: what the pool's resets found, per kind, and how many instances
 * were in use at each acquire. {@link TenantProfile#snapshot()} takes one from a running pool;
 * {@link ProfileExposition} writes it as Prometheus text and reads it back (from a file, or later
 * from a scrape of the metrics endpoint).
 *
 * @param pageSize       the page size the pages are counted in
 * @param inUseAtAcquire instances already in use at each acquire
 * @param kinds          the profile of each kind the pool has slots of
 */
public record ProfileSnapshot(long pageSize, Histogram inUseAtAcquire, Map<SlotKind, KindProfile> kinds) {

    public ProfileSnapshot {
        kinds = Collections.unmodifiableMap(kinds.isEmpty() ? new EnumMap<>(SlotKind.class) : new EnumMap<>(kinds));
    }

    /** The profile of {@code kind}, or null when the pool has no slots of it. */
    public KindProfile kind(SlotKind kind) {
        return kinds.get(kind);
    }

    /**
     * What the resets of one kind found. Only the resets that scanned (pagemap-guided, and auto when
     * it scans) fill the histograms; the others are only counted.
     *
     * @param slotBytes          a slot's most bytes (a memory's maximum)
     * @param keepResidentBytes  the keep-resident bytes per slot when the snapshot was taken
     * @param scannedResets      resets that scanned for dirty pages
     * @param unscannedResets    resets that did not
     * @param budgetFullResets   scanned resets that filled the keep-resident budget: the scan stopped
     *                           there, so the dirty pages beyond it were not seen
     * @param dirtyRegions       dirty regions the scanned resets found, summed
     * @param accessibleBytes    accessible bytes of the scanned resets, summed
     * @param dirtyPages         dirty pages per scanned reset
     * @param dirtyOffsetPages   each dirty page found, by its page number from the slot's hot end,
     *                           counting from 1 (a memory's or table's first page; a stack's top
     *                           page): the bucket {@code le=K} holds the dirty pages among the first K
     * @param stripes            the stripes of the kind's slot allocator: the bound on unused warm
     *                           slots is split across them, and a key's acquire looks in its home
     *                           stripe first (1 when unknown)
     * @param maxUnusedWarmSlots the bound on unused warm slots when the snapshot was taken, or -1
     *                           when unknown (a profile written before it was recorded)
     * @param acquires           slots of the kind acquired (exhausted attempts not counted)
     * @param coldAcquires       of those, the slots that were cold: nothing resident, inaccessible
     * @param affinityAcquires   of those, the slots last used with the same affinity key
     */
    public record KindProfile(long slotBytes, long keepResidentBytes, long scannedResets, long unscannedResets,
                              long budgetFullResets, long dirtyRegions, long accessibleBytes, Histogram dirtyPages,
                              Histogram dirtyOffsetPages, int stripes, int maxUnusedWarmSlots, long acquires,
                              long coldAcquires, long affinityAcquires) {

        public KindProfile {
            if (stripes < 1) {
                throw new IllegalArgumentException("stripes = " + stripes + ": must be at least 1");
            }
        }

        /** A profile that does not know the warm-slot bound, the stripes or the acquires. */
        public KindProfile(long slotBytes, long keepResidentBytes, long scannedResets, long unscannedResets,
                           long budgetFullResets, long dirtyRegions, long accessibleBytes, Histogram dirtyPages,
                           Histogram dirtyOffsetPages) {
            this(slotBytes, keepResidentBytes, scannedResets, unscannedResets, budgetFullResets, dirtyRegions,
                    accessibleBytes, dirtyPages, dirtyOffsetPages, 1, -1, 0, 0, 0);
        }

        /** The share of acquires that got a warm slot of their own key, or -1 without an acquire. */
        public double affinityShare() {
            return acquires == 0 ? -1 : (double) affinityAcquires / acquires;
        }

        /** The share of acquires that got a cold slot, or -1 without an acquire. */
        public double coldShare() {
            return acquires == 0 ? -1 : (double) coldAcquires / acquires;
        }

        /** The mean accessible bytes of a scanned reset, or 0 without one. */
        public double meanAccessibleBytes() {
            return scannedResets == 0 ? 0 : (double) accessibleBytes / scannedResets;
        }

        /** The mean dirty regions of a scanned reset, or 0 without one. */
        public double meanDirtyRegions() {
            return scannedResets == 0 ? 0 : (double) dirtyRegions / scannedResets;
        }
    }

    /**
     * A histogram of non-negative integers in buckets with inclusive upper bounds, and an overflow
     * bucket above the last bound.
     *
     * @param upperBounds the buckets' inclusive upper bounds, ascending
     * @param counts      observations per bucket, not cumulative; one more than the bounds (the last
     *                    is the overflow bucket)
     * @param sum         the sum of the observations
     */
    public record Histogram(long[] upperBounds, long[] counts, long sum) {

        public Histogram {
            if (counts.length != upperBounds.length + 1) {
                throw new IllegalArgumentException(upperBounds.length + " bounds need " + (upperBounds.length + 1)
                        + " counts, not " + counts.length);
            }
            for (int i = 1; i < upperBounds.length; i++) {
                if (upperBounds[i] <= upperBounds[i - 1]) {
                    throw new IllegalArgumentException("bucket bounds must ascend: " + Arrays.toString(upperBounds));
                }
            }
            upperBounds = upperBounds.clone();
            counts = counts.clone();
        }

        /** An empty histogram with {@code upperBounds}. */
        public static Histogram empty(long[] upperBounds) {
            return new Histogram(upperBounds, new long[upperBounds.length + 1], 0);
        }

        /** How many observations. */
        public long count() {
            long n = 0;
            for (long c : counts) {
                n += c;
            }
            return n;
        }

        /** The mean observation, or 0 without one. */
        public double mean() {
            long n = count();
            return n == 0 ? 0 : (double) sum / n;
        }

        /** The lowest value bucket {@code i} holds. */
        public long lowerBound(int i) {
            return i == 0 ? 0 : upperBounds[i - 1] + 1;
        }

        /**
         * A value that stands for bucket {@code i}: its middle, scaled so that the representatives of
         * all observations add up to the recorded sum (the mean stays exact). The overflow bucket
         * stands for twice the last bound.
         */
        public double representative(int i) {
            return middle(i) * scale();
        }

        private double middle(int i) {
            if (i == upperBounds.length) {
                return upperBounds.length == 0 ? 0 : 2.0 * upperBounds[upperBounds.length - 1];
            }
            return (lowerBound(i) + upperBounds[i]) / 2.0;
        }

        private double scale() {
            double estimated = 0;
            for (int i = 0; i < counts.length; i++) {
                estimated += counts[i] * middle(i);
            }
            return estimated == 0 ? 1 : sum / estimated;
        }

        /**
         * The observations at or below {@code value}, exact at a bucket bound and interpolated
         * linearly inside a bucket.
         */
        public double countAtMost(long value) {
            double n = 0;
            for (int i = 0; i < upperBounds.length; i++) {
                if (upperBounds[i] <= value) {
                    n += counts[i];
                } else {
                    long low = lowerBound(i);
                    if (value >= low) {
                        n += counts[i] * (double) (value - low + 1) / (upperBounds[i] - low + 1);
                    }
                    break;
                }
            }
            return n;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Histogram h && sum == h.sum && Arrays.equals(upperBounds, h.upperBounds)
                    && Arrays.equals(counts, h.counts);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * Arrays.hashCode(upperBounds) + Arrays.hashCode(counts)) + Long.hashCode(sum);
        }

        @Override
        public String toString() {
            return "Histogram[count=" + count() + ", sum=" + sum + ", mean=" + mean() + "]";
        }
    }
}
