package io.warmpool.pagemap;

import java.util.ArrayList;
import java.util.List;

/** Collects the regions of a scan, for comparison in tests. */
final class Regions implements RegionVisitor {
    record Region(long start, long end, long categories) {
        @Override
        public String toString() {
            return "[0x" + Long.toHexString(start) + ", 0x" + Long.toHexString(end) + ") "
                    + PageCategory.names(categories);
        }
    }

    final List<Region> list = new ArrayList<>();

    @Override
    public void region(long start, long end, long categories) {
        list.add(new Region(start, end, categories));
    }

    long pages() {
        return list.stream().mapToLong(r -> (r.end() - r.start()) / TestMapping.PAGE).sum();
    }

    /** The regions with neighbours of equal categories merged, as one uncut scan reports them. */
    List<Region> merged() {
        List<Region> out = new ArrayList<>();
        for (Region r : list) {
            Region last = out.isEmpty() ? null : out.get(out.size() - 1);
            if (last != null && last.end() == r.start() && last.categories() == r.categories()) {
                out.set(out.size() - 1, new Region(last.start(), r.end(), r.categories()));
            } else {
                out.add(r);
            }
        }
        return out;
    }
}
