package io.warmpool.pool.reset;

import io.warmpool.pagemap.RegionVisitor;

import java.util.Arrays;

/**
 * A reusable, growable list of address ranges {@code [start, end)} with their page categories: the
 * regions a scan found, or the ranges a reset gives back. Adding a range that touches the last one
 * with the same categories extends it, so neighbouring decommits become one system call.
 */
public final class RangeList implements RegionVisitor {
    private long[] starts = new long[64];
    private long[] ends = new long[64];
    private long[] categories = new long[64];
    private int size;

    public void clear() {
        size = 0;
    }

    public int size() {
        return size;
    }

    public long start(int i) {
        return starts[i];
    }

    public long end(int i) {
        return ends[i];
    }

    public long categories(int i) {
        return categories[i];
    }

    /** The bytes the ranges cover. */
    public long bytes() {
        long sum = 0;
        for (int i = 0; i < size; i++) {
            sum += ends[i] - starts[i];
        }
        return sum;
    }

    @Override
    public void region(long start, long end, long category) {
        add(start, end, category);
    }

    public void add(long start, long end) {
        add(start, end, 0);
    }

    public void add(long start, long end, long category) {
        if (end <= start) {
            return;
        }
        if (size > 0 && categories[size - 1] == category) {
            if (ends[size - 1] == start) {
                ends[size - 1] = end;
                return;
            }
            if (starts[size - 1] == end) {
                starts[size - 1] = start;
                return;
            }
        }
        if (size == starts.length) {
            int grown = size * 2;
            starts = Arrays.copyOf(starts, grown);
            ends = Arrays.copyOf(ends, grown);
            categories = Arrays.copyOf(categories, grown);
        }
        starts[size] = start;
        ends[size] = end;
        categories[size] = category;
        size++;
    }
}
