package io.warmpool.service;

import io.warmpool.metrics.ProfileExposition;
import io.warmpool.natives.Syscalls;
import io.warmpool.pool.config.ByteSize;
import io.warmpool.pool.config.PoolSetting;
import io.warmpool.pool.config.SlotKind;
import io.warmpool.pool.profile.ProfileSnapshot;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** {@code warmpool tune}: settings for this host from a tenant profile. */
final class TuneCommand implements Command {
    /** The flags' names before they were the pool settings' own: still read, with a notice. */
    private static final String OLD_KEEP = "keep-resident-bytes";
    private static final String OLD_WARM = "warm-slots";
    static final Set<String> VALUED = Set.of("profile", "from", "timeout", "rss-budget", "kind",
            PoolSetting.MEMORY_KEEP_RESIDENT.key(), PoolSetting.TABLE_KEEP_RESIDENT.key(), PoolSetting.STACK_KEEP_RESIDENT.key(),
            PoolSetting.MAX_UNUSED_WARM_SLOTS.key(), "plot");

    @Override
    public String name() {
        return "tune";
    }

    @Override
    public String summary() {
        return "recommend keep-resident bytes and warm slots from a tenant profile and this host's costs";
    }

    @Override
    public String help() {
        return """
                usage: warmpool tune --profile FILE [options]
                       warmpool tune --from URL [options]

                Reads a tenant profile (the Prometheus text that warmpool bench --profile-out and
                serve's profile.out write, or a running serve's /metrics), measures what a page
                fault, zeroing, madvise, a scan of the profile's slot and the pool's own work per
                release cost on this host, and prints for a sweep of keep-resident sizes and
                warm-slot bounds the predicted reset cost and page-fault cost per instance and the
                idle RSS of the warm slots. Cold acquires (no warm slot left in the key's stripe of
                the allocator) are priced from the instances the profile saw in use: each faults in
                every page its tenant writes and pays an mprotect and, later, an eviction. Then it
                recommends the cheapest setting whose idle RSS bound (warm slots times keep-resident
                bytes) fits the budget, but keeps the profile's own setting unless another is
                predicted 5% cheaper and no more often cold.

                options:
                  --profile FILE              the tenant profile to read
                  --from URL                  read it from a running serve's metrics endpoint instead,
                                              such as http://127.0.0.1:9464/metrics
                  --timeout DURATION          how long --from waits to connect, and for each read
                                              (default 10s)
                  --rss-budget SIZE           the most idle RSS of one kind's warm slots (default 1GiB)
                  --kind KIND                 memory (default), table or stack
                  --pool.memory-keep-resident LIST
                                              keep-resident sizes to sweep (default: 0, then powers of
                                              two from a page to the slot, and the profile's own); for
                                              --kind table or stack, --pool.table-keep-resident or
                                              --pool.stack-keep-resident
                  --pool.max-unused-warm-slots LIST
                                              warm-slot bounds to sweep (default: 0, then powers of two
                                              up to twice the most instances the profile saw in use a
                                              stripe, and the profile's own)
                  --plot FILE                 write an SVG of cost per instance against idle RSS, a
                                              line per warm-slot bound
                  --help                      print this help""";
    }

    /**
     * What the command line asks for.
     *
     * @param profile the profile file, or null when it is read {@code from} a URL
     * @param from    the metrics URL to read the profile from, or null when it is read from a file
     */
    record Request(Path profile, String from, Duration timeout, long rssBudget, SlotKind kind, List<Long> keepResident,
                   List<Integer> warmSlots, Path plot) {
        /** Where the profile comes from, for messages. */
        String source() {
            return from != null ? from : profile.toString();
        }
    }

    static Request parse(List<String> args) {
        Set<String> valued = new java.util.HashSet<>(VALUED);
        valued.addAll(List.of(OLD_KEEP, OLD_WARM));
        Options o = Options.parse("tune", args, valued, Set.of());
        if (!o.positional().isEmpty()) {
            throw new UsageException("tune: unexpected argument '" + o.positional().get(0) + "'");
        }
        if (o.has("from") == o.has("profile")) {
            throw new UsageException("tune: " + (o.has("from") ? "--profile and --from are two sources: give one"
                    : "--profile FILE or --from URL is required (warmpool bench --profile-out and serve's profile.out"
                    + " write a profile file; a running serve serves it on http://127.0.0.1:9464/metrics)"));
        }
        Duration timeout;
        try {
            timeout = ConfigKey.parseDuration(o.get("timeout", "10s"));
        } catch (IllegalArgumentException e) {
            throw new UsageException("tune: --timeout '" + o.get("timeout", "") + "': " + e.getMessage());
        }
        SlotKind kind = switch (o.get("kind", "memory")) {
            case "memory" -> SlotKind.MEMORY;
            case "table" -> SlotKind.TABLE;
            case "stack" -> SlotKind.STACK;
            default -> throw new UsageException("tune: --kind = '" + o.get("kind", "") + "': expected memory, table or stack");
        };
        String keepFlag = o.renamed(OLD_KEEP, PoolSetting.keepResident(kind).key());
        String warmFlag = o.renamed(OLD_WARM, PoolSetting.MAX_UNUSED_WARM_SLOTS.key());
        for (SlotKind other : SlotKind.values()) {
            if (other != kind && o.has(PoolSetting.keepResident(other).key())) {
                throw new UsageException("tune: --" + PoolSetting.keepResident(other).key() + " sweeps " + other.label()
                        + " slots, and --kind is " + kind.label());
            }
        }
        List<Long> keep = null;
        if (keepFlag != null) {
            keep = new ArrayList<>();
            for (String item : o.get(keepFlag, "").split(",")) {
                keep.add(size(keepFlag, item));
            }
        }
        List<Integer> warm = null;
        if (warmFlag != null) {
            warm = new ArrayList<>();
            for (String item : o.get(warmFlag, "").split(",")) {
                try {
                    int w = Integer.parseInt(item.trim());
                    if (w < 0) {
                        throw new NumberFormatException();
                    }
                    warm.add(w);
                } catch (NumberFormatException e) {
                    throw new UsageException("tune: --" + warmFlag + ": '" + item + "' is not a whole number of 0 or more");
                }
            }
        }
        return new Request(o.has("profile") ? Path.of(o.get("profile", "")) : null, o.get("from", null), timeout,
                size("rss-budget", o.get("rss-budget", "1GiB")), kind, keep, warm,
                o.has("plot") ? Path.of(o.get("plot", "")) : null);
    }

    private static long size(String flag, String text) {
        try {
            return ByteSize.parse(text);
        } catch (IllegalArgumentException e) {
            throw new UsageException("tune: --" + flag + ": " + e.getMessage());
        }
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws IOException {
        Request r = parse(args);
        ProfileSnapshot profile = r.from() != null ? fetch(r.from(), r.timeout()) : read(r.profile());
        ProfileSnapshot.KindProfile kind = profile.kind(r.kind());
        if (kind == null) {
            throw new IllegalArgumentException(r.source() + " has no " + r.kind().label() + " slots");
        }
        Syscalls os = Syscalls.linux();
        HostCosts costs = HostCosts.measure(os);
        ScanCost scan = ScanCost.measure(os, Math.round(kind.meanAccessibleBytes()));
        double overhead = ResetOverhead.measure(costs.zeroNanos());
        TuneModel model = new TuneModel(profile, kind, costs, scan, overhead);
        List<Long> keep = r.keepResident() != null ? r.keepResident()
                : TuneModel.keepResidentSweep(profile.pageSize(), kind.slotBytes(), kind.keepResidentBytes());
        List<Integer> warm = r.warmSlots() != null ? r.warmSlots()
                : TuneModel.warmSlotSweep(profile.inUseAtAcquire(), kind.stripes(), kind.maxUnusedWarmSlots());
        List<TuneModel.Prediction> sweep = model.sweep(keep, warm);
        out.println(TuneReport.text(r, profile, kind, costs, scan, overhead, model, sweep));
        if (r.plot() != null) {
            Files.writeString(r.plot(), TuneReport.plot(sweep, r.kind()), StandardCharsets.UTF_8);
        }
        return 0;
    }

    /**
     * The profile in a running service's metrics.
     *
     * @throws IOException naming the URL when it does not answer, or answers anything but HTTP 200
     */
    static ProfileSnapshot fetch(String url, Duration timeout) throws IOException {
        HttpGet.Response response;
        try {
            response = HttpGet.get(url, timeout);
        } catch (IllegalArgumentException e) {
            throw new UsageException("tune: --from " + e.getMessage());
        } catch (IOException e) {
            throw new IOException("cannot read the tenant profile from " + url + ": " + e, e);
        }
        if (response.status() != 200) {
            throw new IOException("cannot read the tenant profile from " + url + ": it answered HTTP " + response.status());
        }
        try {
            return ProfileExposition.parse(response.body());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(url + ": " + e.getMessage(), e);
        }
    }

    private static ProfileSnapshot read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new UsageException("tune: --profile " + file + ": no such file");
        }
        try {
            return ProfileExposition.parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }
}
