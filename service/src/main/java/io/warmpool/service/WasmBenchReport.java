package io.warmpool.service;

import io.warmpool.bench.Samples;
import io.warmpool.bench.guest.GuestBench;
import io.warmpool.pool.config.ByteSize;

import java.util.List;
import java.util.Locale;

/**
 * The text {@code bench --module} prints:
 *
 * <pre>
 *  guest lookup-table.run(n,256): 1000 iterations (warmup 200, at least 1 s), one thread; times in µs, median / p99
 *  contender       engine       open            call            close           cycle           inst/s   idle per instance (heap + Pss + shared/N)
 *  chicory-memory  interpreter  1012 / 1890     ...
 *  ratios (same engine, against chicory-memory): pooled-image 6.1x the instances/s, 31x less memory per idle instance
 * </pre>
 */
final class WasmBenchReport {
    private WasmBenchReport() {
    }

    static String text(WasmBench.Request request, List<GuestBench.Result> results, List<String> engines) {
        GuestBench.Settings s = request.settings();
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "guest %s.%s(%s): %d iterations (warmup %d, at least %d s), one thread,"
                        + " keep-resident %s; times in µs, median / p99%n", request.guest().name(), s.export(),
                request.guest().arguments().map(Object::toString).orElse("n each"), s.iterations(), s.warmup(),
                s.warmupNanos() / 1_000_000_000L, ByteSize.format(request.keepResidentBytes())));
        out.append(String.format(Locale.ROOT, "%-15s %-12s %-17s %-17s %-17s %-17s %9s  %s%n", "contender", "engine",
                "open", "call", "close", "cycle", "inst/s", "idle per instance: heap + Pss + shared/N = all"));
        for (int i = 0; i < results.size(); i++) {
            GuestBench.Result r = results.get(i);
            out.append(String.format(Locale.ROOT, "%-15s %-12s %-17s %-17s %-17s %-17s %9.0f  %s%n", r.contender(),
                    engines.get(i), micros(r.open()), micros(r.call()), micros(r.close()), micros(r.cycle()),
                    r.instancesPerSecond(), idle(r.idle())));
        }
        StringBuilder ratios = new StringBuilder();
        for (int i = 0; i < results.size(); i++) {
            GuestBench.Result base = results.get(i);
            if (!base.contender().equals("chicory-memory")) {
                continue;
            }
            for (int j = 0; j < results.size(); j++) {
                GuestBench.Result r = results.get(j);
                if (j == i || !engines.get(j).equals(engines.get(i)) || r.contender().equals("chicory-memory")) {
                    continue;
                }
                ratios.append(String.format(Locale.ROOT, "  %s (%s): %.1fx the instances/s", r.contender(), engines.get(j),
                        r.instancesPerSecond() / base.instancesPerSecond()));
                if (r.idle() != null && base.idle() != null && r.idle().perInstance() > 0) {
                    ratios.append(String.format(Locale.ROOT, ", %.1fx less memory per idle instance",
                            (double) base.idle().perInstance() / r.idle().perInstance()));
                }
                ratios.append('\n');
            }
        }
        if (ratios.length() > 0) {
            out.append("ratios to chicory-memory, same engine, this run:\n").append(ratios);
        }
        for (String name : request.contenders()) {
            out.append(String.format(Locale.ROOT, "%-15s %s%n", name, legend(name)));
        }
        for (String name : WasmBench.CONTENDERS) {
            if (!WasmGuests.AVAILABLE.contains(name)) {
                out.append(String.format(Locale.ROOT, "%-15s not measured: %s%n", name, WasmGuests.unavailable(name)));
            }
        }
        return out.toString().stripTrailing();
    }

    static String legend(String contender) {
        return switch (contender) {
            case "chicory-memory" -> "Chicory's own memory: each instance allocates its memory on the heap and copies"
                    + " the data segments in";
            case "pooled" -> "a pooled slot's memory, the data segments copied in at each instantiation (no image)";
            case "pooled-image" -> "a pooled slot mapping the module's memory image (copy-on-write): nothing copied"
                    + " at instantiation, the reset restores the written pages";
            default -> "";
        };
    }

    private static String micros(Samples.Summary s) {
        return String.format(Locale.ROOT, "%s / %s", us(s.median()), us(s.p99()));
    }

    private static String us(long nanos) {
        double us = nanos / 1000.0;
        return us < 10 ? String.format(Locale.ROOT, "%.2f", us) : us < 100 ? String.format(Locale.ROOT, "%.1f", us)
                : String.format(Locale.ROOT, "%.0f", us);
    }

    private static String idle(GuestBench.Idle idle) {
        if (idle == null) {
            return "-";
        }
        String heapOrPss = idle.onHeap() ? ByteSize.format(Math.max(0, idle.heapBytes())) + " + (Pss " + kib(idle.pssBytes())
                + ", the heap's own pages)" : ByteSize.format(Math.max(0, idle.heapBytes())) + " + "
                + ByteSize.format(Math.max(0, idle.pssBytes()));
        return heapOrPss + " + " + ByteSize.format(idle.sharedBytes()) + "/" + idle.count() + " = "
                + ByteSize.format(idle.perInstance()) + " (" + idle.count() + " instances)";
    }

    private static String kib(long bytes) {
        return String.format(Locale.ROOT, "%d KiB", bytes / 1024);
    }
}
