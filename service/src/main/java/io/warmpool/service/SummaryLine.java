package io.warmpool.service;

import io.warmpool.metrics.BucketCounts;
import io.warmpool.metrics.PoolMetrics;
import io.warmpool.pool.WarmPool;
import io.warmpool.pool.config.ByteSize;
import io.warmpool.pool.config.SlotKind;
import io.warmpool.pool.event.Fallback;
import io.warmpool.pool.event.PoolSnapshot;

import java.util.Locale;

/**
 * The line {@code serve} prints every few seconds, about the interval since the last one:
 *
 * <pre>
 *  [  10s] 4512 resets/s  reset p50 12.4 µs p99 210 µs  slab RSS 3.1 MiB / budget 40 MiB  slots 2 in use, 94 warm, 94 cold, 0 resetting, 0 quarantined
 * </pre>
 *
 * The percentiles come from the {@code warmpool_reset_seconds} buckets, interpolated as Prometheus
 * does; the RSS is the slabs' resident bytes (scanned now), the budget what idle slots may keep.
 * Fallbacks, when there were any, follow with the count by reason.
 */
final class SummaryLine {
    private final PoolMetrics metrics;
    private final WarmPool pool;
    private final long startNanos;
    private long lastNanos;
    private long lastResets;
    private BucketCounts lastLatency;

    SummaryLine(PoolMetrics metrics, WarmPool pool, long startNanos) {
        this.metrics = metrics;
        this.pool = pool;
        this.startNanos = startNanos;
        this.lastNanos = startNanos;
        this.lastResets = metrics.resets();
        this.lastLatency = metrics.resetLatency();
    }

    /** The line for the interval that ends at {@code nowNanos}; the next line starts from there. */
    String next(long nowNanos) {
        long resets = metrics.resets();
        BucketCounts latency = metrics.resetLatency();
        BucketCounts window = latency.since(lastLatency);
        double seconds = Math.max(1e-9, (nowNanos - lastNanos) / 1e9);
        double rate = (resets - lastResets) / seconds;
        lastNanos = nowNanos;
        lastResets = resets;
        lastLatency = latency;

        long resident = 0;
        long budget = 0;
        int inUse = 0;
        int warm = 0;
        int cold = 0;
        int resetting = 0;
        int quarantined = 0;
        PoolSnapshot snapshot = pool.snapshot();
        for (SlotKind kind : snapshot.kinds().keySet()) {
            PoolSnapshot.KindSnapshot k = snapshot.kind(kind);
            resident += pool.residentBytes(kind);
            budget += k.residentBudgetBytes();
            inUse += k.inUse();
            warm += k.warm();
            cold += k.cold();
            resetting += k.resetting();
            quarantined += k.quarantined();
        }
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
                "[%5ds] %.0f resets/s  reset p50 %s p99 %s  slab RSS %s / budget %s  slots %d in use, %d warm, %d cold,"
                        + " %d resetting, %d quarantined",
                Math.round((nowNanos - startNanos) / 1e9), rate, latency(window.quantile(0.5)), latency(window.quantile(0.99)),
                ByteSize.format(resident), ByteSize.format(budget), inUse, warm, cold, resetting, quarantined));
        String fallbacks = fallbacks();
        if (!fallbacks.isEmpty()) {
            line.append("  fallbacks").append(fallbacks);
        }
        return line.toString();
    }

    private String fallbacks() {
        StringBuilder out = new StringBuilder();
        for (Fallback reason : Fallback.values()) {
            long n = metrics.fallbacks(reason);
            if (n > 0) {
                out.append(' ').append(reason.label()).append(' ').append(n);
            }
        }
        return out.toString();
    }

    /** Seconds as µs or ms, or "-" when there was nothing to measure. */
    static String latency(double seconds) {
        if (Double.isNaN(seconds)) {
            return "-";
        }
        if (seconds < 1e-3) {
            return String.format(Locale.ROOT, "%.1f µs", seconds * 1e6);
        }
        return String.format(Locale.ROOT, "%.2f ms", seconds * 1e3);
    }
}
