package io.warmpool.bench;

import java.util.Arrays;

/**
 * Nanosecond samples of one phase of a cycle, and their order statistics by the nearest-rank rule:
 * the q-quantile of n sorted samples is the one at rank {@code ceil(q * n)} (1-based), so the median
 * of an even count is the lower middle one and every figure is a sample that was measured.
 */
public final class Samples {
    private long[] values;
    private int size;
    private boolean sorted;

    /** Room for {@code expected} samples; it grows past that. */
    public Samples(int expected) {
        values = new long[Math.max(1, expected)];
    }

    /** Samples holding {@code values}. */
    public static Samples of(long... values) {
        Samples samples = new Samples(values.length);
        for (long v : values) {
            samples.add(v);
        }
        return samples;
    }

    /** Adds one sample. */
    public void add(long value) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = value;
        sorted = false;
    }

    /** How many samples. */
    public int size() {
        return size;
    }

    /**
     * The {@code q}-quantile by nearest rank.
     *
     * @throws IllegalArgumentException for q outside (0, 1]
     * @throws IllegalStateException    when there are no samples
     */
    public long quantile(double q) {
        if (!(q > 0 && q <= 1)) {
            throw new IllegalArgumentException("quantile " + q + " is not in (0, 1]");
        }
        if (size == 0) {
            throw new IllegalStateException("no samples");
        }
        if (!sorted) {
            Arrays.sort(values, 0, size);
            sorted = true;
        }
        int rank = (int) Math.ceil(q * size);
        return values[Math.max(1, rank) - 1];
    }

    /** The median and the 99th percentile. */
    public Summary summary() {
        return new Summary(quantile(0.5), quantile(0.99));
    }

    /**
     * The figures a bench reports of one phase.
     *
     * @param median the median, nanoseconds
     * @param p99    the 99th percentile, nanoseconds
     */
    public record Summary(long median, long p99) {
    }
}
