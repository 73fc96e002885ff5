package io.warmpool.service;

import io.warmpool.pool.config.ByteSize;
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
        out.append(String.format(Locale.ROOT, "  instances in use at acquire: mean %.1f, p99 <= %d%n",
                profile.inUseAtAcquire().mean(), atMost(profile.inUseAtAcquire(), 0.99)));
        out.append(String.format(Locale.ROOT, "host costs: page fault %s µs, zeroing %s µs, madvise %s µs a page;"
                        + " a scan of %s %s µs + %s µs a page found; madvise of it, empty, %s µs;"
                        + " the pool's own work per release %s µs%n%n", micros(costs.faultNanos()),
                micros(costs.zeroNanos()), micros(costs.decommitNanos()), ByteSize.format(scan.rangeBytes()),
                micros(scan.baseNanos()), micros(scan.perPageNanos()), micros(scan.emptyDecommitNanos()),
                micros(overhead)));
        out.append(String.format(Locale.ROOT, "  %13s %5s  %-21s %9s %9s %9s %11s %11s%n", "keep-resident", "warm",
                "strategy", "reset µs", "faults µs", "total µs", "idle RSS", "idle bound"));
        for (TuneModel.Prediction p : sweep) {
            out.append(String.format(Locale.ROOT, "  %13s %5d  %-21s %9s %9s %9s %11s %11s%n",
                    ByteSize.format(p.keepResidentBytes()), p.warmSlots(), p.strategy(), micros(p.resetNanos()),
                    micros(p.faultNanos()), micros(p.totalNanos()), ByteSize.format(Math.round(p.idleBytes())),
                    ByteSize.format(p.idleBoundBytes())));
        }
        double[] own = model.guided(kind.keepResidentBytes() / profile.pageSize());
        out.append(String.format(Locale.ROOT, "%nat the profile's own keep-resident %s, pagemap-guided, warm: predicted"
                + " reset %s µs, faults %s µs per instance%n", ByteSize.format(kind.keepResidentBytes()), micros(own[0]),
                micros(own[1])));
        Optional<TuneModel.Prediction> best = TuneModel.recommend(sweep, r.rssBudget());
        if (best.isEmpty()) {
            out.append("no setting of the sweep keeps the idle RSS within --rss-budget ")
                    .append(ByteSize.format(r.rssBudget())).append('\n');
        } else {
            TuneModel.Prediction p = best.get();
            out.append(String.format(Locale.ROOT, "recommended within --rss-budget %s: %s keep-resident bytes %s,"
                            + " max unused warm slots %d, reset %s (or auto): %s µs per instance, idle RSS at most %s%n",
                    ByteSize.format(r.rssBudget()), r.kind().label(), ByteSize.format(p.keepResidentBytes()),
                    p.warmSlots(), p.strategy() == ResetStrategy.MADVISE_ALL ? "madvise-all" : p.strategy(),
                    micros(p.totalNanos()), ByteSize.format(p.idleBoundBytes())));
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
