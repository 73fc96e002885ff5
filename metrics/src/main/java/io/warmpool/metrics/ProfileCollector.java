package io.warmpool.metrics;

import io.prometheus.client.Collector;
import io.warmpool.pool.profile.ProfileSnapshot;
import io.warmpool.pool.profile.TenantProfile;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The tenant profile's series on the metrics endpoint: a simpleclient {@link Collector} that
 * snapshots a pool's {@link TenantProfile} at each scrape and serves its {@link ProfileFamily}
 * families, the {@code warmpool_profile_*} series that a profile file holds, under the same names,
 * so that {@code warmpool tune --from URL} reads a scrape as it reads a file. Nothing runs on the
 * reset path; a scrape costs one snapshot (a sum over the profile's counter cells).
 */
final class ProfileCollector extends Collector implements Collector.Describable {
    private final Supplier<TenantProfile> profile;

    /** @param profile the profile to serve now, or null while there is none (no series then) */
    ProfileCollector(Supplier<TenantProfile> profile) {
        this.profile = profile;
    }

    @Override
    public List<MetricFamilySamples> collect() {
        TenantProfile now = profile.get();
        return now == null ? List.of() : families(now.snapshot(), true);
    }

    /** Every family the collector can serve, without samples: the registry refuses names that clash. */
    @Override
    public List<MetricFamilySamples> describe() {
        ProfileSnapshot none = new ProfileSnapshot(1, new ProfileSnapshot.Histogram(new long[0], new long[1], 0), Map.of());
        return families(none, false);
    }

    private static List<MetricFamilySamples> families(ProfileSnapshot snapshot, boolean withSamples) {
        List<MetricFamilySamples> out = new ArrayList<>();
        for (ProfileFamily family : ProfileFamily.of(snapshot)) {
            List<MetricFamilySamples.Sample> samples = new ArrayList<>();
            if (withSamples) {
                for (ProfileFamily.Sample s : family.samples()) {
                    samples.add(new MetricFamilySamples.Sample(s.name(), s.labelNames(), s.labelValues(), s.value()));
                }
            }
            out.add(new MetricFamilySamples(family.name(), type(family.type()), family.help(), samples));
        }
        return out;
    }

    private static Type type(ProfileFamily.Type type) {
        return switch (type) {
            case GAUGE -> Type.GAUGE;
            case COUNTER -> Type.COUNTER;
            case HISTOGRAM -> Type.HISTOGRAM;
        };
    }
}
