package io.warmpool.service;

import io.warmpool.pool.config.ByteSize;
import io.warmpool.pool.config.PoolSetting;
import io.warmpool.pool.config.ResetStrategy;
import io.warmpool.pool.config.SlotKind;
import io.warmpool.pool.profile.ProfileSnapshot;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** What {@code warmpool tune} prints and plots. */
final class TuneReport {
    private TuneReport() {
    }

    static String text(TuneCommand.Request r, ProfileSnapshot profile, ProfileSnapshot.KindProfile kind,
                       HostCosts costs, ScanCost scan, double overhead, TuneModel model,
                       List<TuneModel.Prediction> sweep) {
        StringBuilder out = new StringBuilder();
        long resets = kind.scannedResets();
        ProfileSnapshot.Histogram dirty = kind.dirtyPages();
        out.append(String.format(Locale.ROOT, "warmpool tune: %s slots of %s; profile of %d scanned resets (%d did not scan)%n",
                r.kind().label(), ByteSize.format(kind.slotBytes()), resets, kind.unscannedResets()));
        out.append(String.format(Locale.ROOT, "  dirty pages per reset: mean %.1f, median <= %d, p99 <= %d; %d resets"
                + " (%.0f%%) filled the keep-resident budget of %s%n", dirty.mean(), atMost(dirty, 0.5),
                atMost(dirty, 0.99), kind.budgetFullResets(), 100.0 * kind.budgetFullResets() / resets,
                ByteSize.format(kind.keepResidentBytes())));
        if (kind.budgetFullResets() > 0) {
            out.append("  (those scans stopped at the budget: a larger keep-resident size may find more dirty pages"
                    + " than predicted)\n");
        }
        out.append(String.format(Locale.ROOT, "  instances in use at acquire: mean %.1f, p99 <= %d; the allocator has %d"
                + " stripe%s%n", profile.inUseAtAcquire().mean(), atMost(profile.inUseAtAcquire(), 0.99), kind.stripes(),
                kind.stripes() == 1 ? "" : "s"));
        Optional<TuneModel.Prediction> current = model.current();
        if (current.isPresent()) {
            out.append(String.format(Locale.ROOT, "  current setting: keep-resident %s, %d max unused warm slots: %s of"
                    + " acquires were cold (%d of %d; the model predicts %s), %s found their key's slot%n",
                    ByteSize.format(kind.keepResidentBytes()), kind.maxUnusedWarmSlots(), percent(kind.coldShare()),
                    kind.coldAcquires(), kind.acquires(), percent(current.get().coldShare()),
                    percent(kind.affinityShare())));
        } else {
            out.append("  the profile does not say its warm-slot bound (written by an older warmpool): nothing to compare"
                    + " with\n");
        }
        out.append(String.format(Locale.ROOT, "host costs: page fault %s µs, zeroing %s µs, madvise %s µs a page;"
                        + " a scan of %s %s µs + %s µs a page found; madvise of it, empty, %s µs;"
                        + " the pool's own work per release %s µs%n%n", micros(costs.faultNanos()),
                micros(costs.zeroNanos()), micros(costs.decommitNanos()), ByteSize.format(scan.rangeBytes()),
                micros(scan.baseNanos()), micros(scan.perPageNanos()), micros(scan.emptyDecommitNanos()),
                micros(overhead)));
        out.append(String.format(Locale.ROOT, "  %13s %5s %6s  %-21s %9s %9s %9s %11s %11s%n", "keep-resident", "warm",
                "cold", "strategy", "reset µs", "faults µs", "total µs", "idle RSS", "idle bound"));
        for (TuneModel.Prediction p : sweep) {
            out.append(String.format(Locale.ROOT, "  %13s %5d %6s  %-21s %9s %9s %9s %11s %11s%n",
                    ByteSize.format(p.keepResidentBytes()), p.warmSlots(), percent(p.coldShare()), p.strategy(),
                    micros(p.resetNanos()), micros(p.faultNanos()), micros(p.totalNanos()),
                    ByteSize.format(Math.round(p.idleBytes())), ByteSize.format(p.idleBoundBytes())));
        }
        double[] own = model.guided(kind.keepResidentBytes() / profile.pageSize());
        out.append(String.format(Locale.ROOT, "%nat the profile's own keep-resident %s, pagemap-guided, warm: predicted"
                + " reset %s µs, faults %s µs per instance%n", ByteSize.format(kind.keepResidentBytes()), micros(own[0]),
                micros(own[1])));
        Optional<TuneModel.Prediction> best = TuneModel.recommend(sweep, r.rssBudget(), current);
        if (best.isEmpty()) {
            out.append("no setting of the sweep keeps the idle RSS within --rss-budget ")
                    .append(ByteSize.format(r.rssBudget())).append('\n');
        } else {
            TuneModel.Prediction p = best.get();
            boolean kept = current.isPresent() && current.get().keepResidentBytes() == p.keepResidentBytes()
                    && current.get().warmSlots() == p.warmSlots();
            out.append(String.format(Locale.ROOT, "recommended within --rss-budget %s%s: %s%n"
                            + "  predicted %s µs per instance, %s of acquires cold, idle RSS at most %s; resets as"
                            + " %s (auto picks it when it pays)%n",
                    ByteSize.format(r.rssBudget()), kept ? " (the current setting: no other is predicted "
                            + Math.round(TuneModel.MARGIN * 100) + "% cheaper and no more often cold)" : "",
                    flags(r.kind(), p), micros(p.totalNanos()), percent(p.coldShare()),
                    ByteSize.format(p.idleBoundBytes()), p.strategy()));
        }
        return out.toString().stripTrailing();
    }

    /** The upper bound of the bucket that holds the {@code q}-quantile. */
    static long atMost(ProfileSnapshot.Histogram h, double q) {
        long n = h.count();
        long rank = Math.max(1, (long) Math.ceil(q * n));
        long seen = 0;
        for (int i = 0; i < h.counts().length; i++) {
            seen += h.counts()[i];
            if (seen >= rank) {
                return i < h.upperBounds().length ? h.upperBounds()[i] : Long.MAX_VALUE;
            }
        }
        return 0;
    }

    /** The recommendation as the flags that apply it to serve. */
    static String flags(SlotKind kind, TuneModel.Prediction p) {
        return "--" + PoolSetting.keepResident(kind).key() + " " + ByteSize.text(p.keepResidentBytes())
                + " --" + PoolSetting.MAX_UNUSED_WARM_SLOTS.key() + " " + p.warmSlots();
    }

    static String percent(double share) {
        return share < 0 ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * share);
    }

    static String micros(double nanos) {
        return String.format(Locale.ROOT, "%.2f", nanos / 1000);
    }

    /** Cost per instance against the idle RSS bound, a line per warm-slot bound. */
    static String plot(List<TuneModel.Prediction> sweep, SlotKind kind) {
        Map<Integer, List<TuneModel.Prediction>> lines = new LinkedHashMap<>();
        for (TuneModel.Prediction p : sweep) {
            lines.computeIfAbsent(p.warmSlots(), w -> new ArrayList<>()).add(p);
        }
        SvgPlot plot = new SvgPlot("warmpool tune: " + kind.label() + " cost per instance against idle RSS",
                new SvgPlot.Axis("idle RSS bound, KiB (warm slots x keep-resident)", true),
                new SvgPlot.Axis("reset + faults per instance, µs", true));
        lines.forEach((w, points) -> plot.series(w + " warm slot" + (w == 1 ? "" : "s"),
                points.stream().mapToDouble(p -> p.idleBoundBytes() / 1024.0).toArray(),
                points.stream().mapToDouble(p -> p.totalNanos() / 1000).toArray()));
        return plot.render();
    }
}
