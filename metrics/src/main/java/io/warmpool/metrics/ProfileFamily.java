package io.warmpool.metrics;

import io.warmpool.pool.config.SlotKind;
import io.warmpool.pool.profile.ProfileSnapshot;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One metric family of a tenant profile as Prometheus sees it: what {@link ProfileExposition}
 * writes as text, and what a metrics endpoint's collector serves ({@code io.warmpool.metrics}), so
 * that both expose the same series under the same names.
 *
 * <pre>
 *  warmpool_profile_page_size_bytes                                     gauge
 *  warmpool_profile_in_use_at_acquire{le}                               histogram
 *  per kind, labelled kind="memory" | "table" | "stack":
 *    warmpool_profile_slot_bytes, warmpool_profile_keep_resident_bytes  gauges
 *    warmpool_profile_resets_total{scanned="true" | "false"}            counter
 *    warmpool_profile_budget_full_resets_total, _dirty_regions_total,
 *    warmpool_profile_accessible_bytes_total                            counters
 *    warmpool_profile_dirty_pages{le}, warmpool_profile_dirty_offset_pages{le}   histograms
 *    warmpool_profile_max_unused_warm_slots, warmpool_profile_stripes     gauges
 *    warmpool_profile_acquires_total{result="cold" | "affinity" | "warm"}   counter
 * </pre>
 *
 * A histogram's samples are its cumulative {@code _bucket}s ({@code le="+Inf"} last), then
 * {@code _sum} and {@code _count}; a counter's sample is {@code name_total}.
 *
 * @param name    the family's name; a counter's without its {@code _total}
 * @param type    what kind of metric it is
 * @param help    what it counts, one line
 * @param samples its samples, in the order they are written
 */
public record ProfileFamily(String name, Type type, String help, List<Sample> samples) {
    /** The prefix of every name. */
    public static final String PREFIX = "warmpool_profile_";

    /** The metric types the profile uses. */
    public enum Type {
        GAUGE, COUNTER, HISTOGRAM;

        /** The type as the text format names it. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * One sample.
     *
     * @param name        the sample's full name, suffix included ({@code _bucket}, {@code _total}, ...)
     * @param labelNames  its label names, {@code kind} first, {@code le} last
     * @param labelValues their values, in the same order
     * @param value       its value
     */
    public record Sample(String name, List<String> labelNames, List<String> labelValues, long value) {
    }

    public ProfileFamily {
        samples = List.copyOf(samples);
    }

    /** The name a text exposition's {@code # HELP} and {@code # TYPE} lines give: a counter's with {@code _total}. */
    public String textName() {
        return type == Type.COUNTER ? name + "_total" : name;
    }

    /** The families of {@code profile}, in the order they are written. */
    public static List<ProfileFamily> of(ProfileSnapshot profile) {
        Map<SlotKind, ProfileSnapshot.KindProfile> kinds = profile.kinds();
        List<ProfileFamily> out = new ArrayList<>();
        out.add(new Builder("page_size_bytes", Type.GAUGE, "The page size the profile counts pages in.")
                .sample("", List.of(), List.of(), profile.pageSize()).build());
        out.add(new Builder("in_use_at_acquire", Type.HISTOGRAM, "Instances already in use when an instance was acquired.")
                .histogram(null, profile.inUseAtAcquire()).build());
        Builder slot = new Builder("slot_bytes", Type.GAUGE, "The most bytes a slot of the kind holds.");
        Builder keep = new Builder("keep_resident_bytes", Type.GAUGE,
                "The keep-resident bytes per slot when the profile was taken.");
        Builder resets = new Builder("resets", Type.COUNTER,
                "Resets, by whether they scanned for dirty pages (only those that scanned fill the histograms).");
        Builder budgetFull = new Builder("budget_full_resets", Type.COUNTER,
                "Scanned resets that filled the keep-resident budget, so that the scan stopped there.");
        Builder regions = new Builder("dirty_regions", Type.COUNTER, "Dirty regions the scanned resets found.");
        Builder accessible = new Builder("accessible_bytes", Type.COUNTER, "Accessible bytes of the scanned resets, summed.");
        Builder dirty = new Builder("dirty_pages", Type.HISTOGRAM, "Dirty pages a scanned reset found: the pages its tenant wrote, and those an earlier"
                + " reset kept resident (zeroed), which a scan for present pages finds again.");
        Builder offsets = new Builder("dirty_offset_pages", Type.HISTOGRAM, "Dirty pages found, by page number from the"
                + " slot's hot end, from 1 (a memory's or table's first page, a stack's top page).");
        Builder warm = new Builder("max_unused_warm_slots", Type.GAUGE,
                "The bound on unused warm slots when the profile was taken (pool.max-unused-warm-slots).");
        Builder stripes = new Builder("stripes", Type.GAUGE,
                "Stripes of the kind's slot allocator: the warm-slot bound is split across them.");
        Builder acquires = new Builder("acquires", Type.COUNTER,
                "Slots acquired: cold (nothing resident: the tenant faults every page in), affinity (warm, last used"
                        + " with the same key) or warm (another key's).");
        kinds.forEach((kind, p) -> {
            String k = kind.label();
            slot.sample("", List.of("kind"), List.of(k), p.slotBytes());
            keep.sample("", List.of("kind"), List.of(k), p.keepResidentBytes());
            resets.sample("_total", List.of("kind", "scanned"), List.of(k, "true"), p.scannedResets());
            resets.sample("_total", List.of("kind", "scanned"), List.of(k, "false"), p.unscannedResets());
            budgetFull.sample("_total", List.of("kind"), List.of(k), p.budgetFullResets());
            regions.sample("_total", List.of("kind"), List.of(k), p.dirtyRegions());
            accessible.sample("_total", List.of("kind"), List.of(k), p.accessibleBytes());
            dirty.histogram(k, p.dirtyPages());
            offsets.histogram(k, p.dirtyOffsetPages());
            warm.sample("", List.of("kind"), List.of(k), p.maxUnusedWarmSlots());
            stripes.sample("", List.of("kind"), List.of(k), p.stripes());
            acquires.sample("_total", List.of("kind", "result"), List.of(k, "cold"), p.coldAcquires());
            acquires.sample("_total", List.of("kind", "result"), List.of(k, "affinity"), p.affinityAcquires());
            acquires.sample("_total", List.of("kind", "result"), List.of(k, "warm"),
                    p.acquires() - p.coldAcquires() - p.affinityAcquires());
        });
        for (Builder b : List.of(slot, keep, resets, budgetFull, regions, accessible, dirty, offsets, warm, stripes,
                acquires)) {
            out.add(b.build());
        }
        return out;
    }

    /** Collects one family's samples. */
    private static final class Builder {
        private final String name;
        private final Type type;
        private final String help;
        private final List<Sample> samples = new ArrayList<>();

        Builder(String name, Type type, String help) {
            this.name = PREFIX + name;
            this.type = type;
            this.help = help;
        }

        Builder sample(String suffix, List<String> labelNames, List<String> labelValues, long value) {
            samples.add(new Sample(name + suffix, labelNames, labelValues, value));
            return this;
        }

        /** The histogram's cumulative buckets, sum and count, labelled with {@code kind} unless it is null. */
        Builder histogram(String kind, ProfileSnapshot.Histogram h) {
            List<String> names = kind == null ? List.of() : List.of("kind");
            List<String> values = kind == null ? List.of() : List.of(kind);
            List<String> bucketNames = kind == null ? List.of("le") : List.of("kind", "le");
            long cumulative = 0;
            long[] bounds = h.upperBounds();
            long[] counts = h.counts();
            for (int i = 0; i <= bounds.length; i++) {
                cumulative += counts[i];
                String le = i < bounds.length ? Long.toString(bounds[i]) : "+Inf";
                samples.add(new Sample(name + "_bucket", bucketNames,
                        kind == null ? List.of(le) : List.of(kind, le), cumulative));
            }
            sample("_sum", names, values, h.sum());
            return sample("_count", names, values, cumulative);
        }

        ProfileFamily build() {
            return new ProfileFamily(name, type, help, samples);
        }
    }
}
