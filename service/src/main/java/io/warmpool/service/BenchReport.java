package io.warmpool.service;

import io.warmpool.bench.BenchRun;
import io.warmpool.bench.ContenderResult;
import io.warmpool.bench.Measurement;
import io.warmpool.bench.Ratios;
import io.warmpool.bench.Samples;
import io.warmpool.bench.Workload;
import io.warmpool.pool.config.ByteSize;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The results of {@code warmpool bench} as a table, as JSON, and as a plot. */
final class BenchReport {
    private static final long PAGE_SIZE = io.warmpool.natives.Syscalls.linux().pageSize();

    private BenchReport() {
    }

    /** A table per workload, then its ratios and the contenders skipped. */
    static String text(List<BenchRun.WorkloadResult> results, Measurement m) {
        return text(results, m, 1);
    }

    /** The table, for contenders that took turns {@code rounds} times. */
    static String text(List<BenchRun.WorkloadResult> results, Measurement m, int rounds) {
        StringBuilder out = new StringBuilder();
        for (BenchRun.WorkloadResult w : results) {
            if (out.length() > 0) {
                out.append('\n');
            }
            out.append("workload: ").append(w.workload().describe(PAGE_SIZE)).append(String.format(Locale.ROOT,
                    "; %d iterations (warmup %d, at least %d ms)%s%n", m.iterations(), m.warmup(), m.warmupNanos() / 1_000_000,
                    rounds == 1 ? "" : ", in " + rounds + " rounds taken in turn (medians of the rounds' medians)"));
            out.append(String.format(Locale.ROOT, "  %-24s %7s  %21s  %21s  %21s  %10s%n", "contender", "cycles",
                    "write µs (med / p99)", "reset µs (med / p99)", "cycle µs (med / p99)", "resident"));
            for (ContenderResult r : w.results()) {
                out.append(String.format(Locale.ROOT, "  %-24s %7d  %21s  %21s  %21s  %10s%n", r.contender(),
                        r.samples(), micros(r.write()), micros(r.reset()), micros(r.cycle()),
                        ByteSize.format(r.residentBytes())));
            }
            for (ContenderResult r : w.results()) {
                if (r.pssBytes() >= 0) {
                    out.append(String.format(Locale.ROOT, "  pss %-24s %10s  (64 idle warm slots of the image)%n",
                            r.contender(), ByteSize.format(r.pssBytes())));
                }
            }
            for (Ratios.Ratio ratio : Ratios.of(w.results())) {
                out.append(String.format(Locale.ROOT, "  ratio %-80s %8.2f%n", ratio.label(), ratio.value()));
            }
            for (String skipped : w.skipped()) {
                out.append("  skipped ").append(skipped).append('\n');
            }
        }
        return out.toString().stripTrailing();
    }

    private static String micros(Samples.Summary s) {
        return String.format(Locale.ROOT, "%9.2f / %9.2f", s.median() / 1000.0, s.p99() / 1000.0);
    }

    /** One JSON object: the measurement, then each workload with its contenders and ratios. */
    static String json(List<BenchRun.WorkloadResult> results, Measurement m) {
        return json(results, m, 1);
    }

    /** The JSON, for contenders that took turns {@code rounds} times. */
    static String json(List<BenchRun.WorkloadResult> results, Measurement m, int rounds) {
        Json json = new Json().begin(null)
                .field("iterations", m.iterations()).field("warmup", m.warmup()).field("warmup_ns", m.warmupNanos())
                .field("time_limit_ns", m.timeLimitNanos()).field("seed", m.seed()).field("rounds", rounds)
                .beginArray("workloads");
        for (BenchRun.WorkloadResult w : results) {
            Workload wl = w.workload();
            json.begin(null).field("slot_bytes", wl.slotBytes()).field("max_bytes", wl.maxBytes())
                    .field("keep_resident_bytes", wl.keepResidentBytes()).field("dirty_pages", wl.dirtyPages())
                    .field("written_pages", wl.distinctPages(PAGE_SIZE))
                    .field("spread_bytes", wl.spreadBytes()).beginArray("contenders");
            for (ContenderResult r : w.results()) {
                json.begin(null).field("name", r.contender()).field("samples", r.samples());
                summary(json, "write_ns", r.write());
                summary(json, "reset_ns", r.reset());
                summary(json, "cycle_ns", r.cycle());
                json.field("resident_bytes", r.residentBytes()).field("resident_how", r.residentHow());
                if (r.pssBytes() >= 0) {
                    json.field("pss", r.pssBytes());
                }
                json.end();
            }
            json.endArray().beginArray("ratios");
            for (Ratios.Ratio ratio : Ratios.of(w.results())) {
                json.begin(null).field("label", ratio.label()).field("value", ratio.value()).end();
            }
            json.endArray().beginArray("skipped");
            for (String skipped : w.skipped()) {
                json.value(skipped);
            }
            json.endArray().end();
        }
        return json.endArray().end().toString();
    }

    private static void summary(Json json, String name, Samples.Summary s) {
        json.begin(name).field("median", s.median()).field("p99", s.p99()).end();
    }

    /**
     * The median whole cycle (the writes, with the faults they take, then the reset) against the
     * pages written: a line per contender, and per value of any other workload field that varies in
     * the run (named in the line's label). The cycle, not the reset alone: a strategy that gives
     * pages back resets fast and makes the next tenant's writes fault.
     */
    static String plot(List<BenchRun.WorkloadResult> results) {
        Map<String, List<double[]>> lines = new LinkedHashMap<>();
        for (BenchRun.WorkloadResult w : results) {
            String others = otherFields(results, w.workload());
            for (ContenderResult r : w.results()) {
                lines.computeIfAbsent(r.contender() + others, k -> new ArrayList<>())
                        .add(new double[] {w.workload().distinctPages(PAGE_SIZE), r.cycle().median() / 1000.0});
            }
        }
        SvgPlot plot = new SvgPlot("warmpool bench: median cycle (writes with their faults, then the reset) against pages written",
                new SvgPlot.Axis("distinct pages written per cycle", true),
                new SvgPlot.Axis("median cycle (writes + faults + reset), µs", true));
        lines.forEach((name, points) -> {
            points.sort((a, b) -> Double.compare(a[0], b[0]));
            plot.series(name, points.stream().mapToDouble(p -> p[0]).toArray(),
                    points.stream().mapToDouble(p -> p[1]).toArray());
        });
        return plot.render();
    }

    /** The fields other than the dirty pages that vary across the run, with this workload's values. */
    private static String otherFields(List<BenchRun.WorkloadResult> results, Workload w) {
        StringBuilder label = new StringBuilder();
        Workload first = results.get(0).workload();
        boolean slot = false;
        boolean max = false;
        boolean keep = false;
        boolean spread = false;
        for (BenchRun.WorkloadResult r : results) {
            slot |= r.workload().slotBytes() != first.slotBytes();
            max |= r.workload().maxBytes() != first.maxBytes();
            keep |= r.workload().keepResidentBytes() != first.keepResidentBytes();
            spread |= r.workload().spreadBytes() != first.spreadBytes();
        }
        if (slot) {
            label.append(" slot ").append(ByteSize.format(w.slotBytes()));
        }
        if (max) {
            label.append(" max ").append(ByteSize.format(w.maxBytes()));
        }
        if (keep) {
            label.append(" keep ").append(ByteSize.format(w.keepResidentBytes()));
        }
        if (spread) {
            label.append(" spread ").append(ByteSize.format(w.spreadBytes()));
        }
        return label.toString();
    }
}
