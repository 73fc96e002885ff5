package io.warmpool.service;

import io.warmpool.metrics.BucketCounts;
import io.warmpool.metrics.PoolMetrics;
import io.warmpool.metrics.WasmMeters;
import io.warmpool.pool.WarmPool;
import io.warmpool.pool.config.ByteSize;
import io.warmpool.pool.config.SlotKind;
import io.warmpool.pool.event.AcquireOutcome;
import io.warmpool.pool.event.Fallback;
import io.warmpool.pool.event.PoolSnapshot;

import java.util.Locale;

/**
 * The line {@code serve} prints every few seconds, about the interval since the last one:
 *
 * <pre>
 *  [  10s] 4512 resets/s  reset p50 12.4 µs p99 210 µs  acquires 2256/s, 31% waited (p99 4.20 ms), 0 refused
 *         idle RSS 3.1 MiB / budget 40 MiB, in use 1.2 MiB  slots 2 in use, 94 warm, 94 cold, 0 resetting, 0 quarantined
 *         wasm request-handler 2250/s, call p50 180 µs p99 1.20 ms, 0 traps
 * </pre>
 *
 * (one line). The percentiles come from the {@code warmpool_reset_seconds} and
 * {@code warmpool_acquire_wait_seconds} buckets, interpolated as Prometheus does. Acquires count
 * whole instances: those that waited in line for a slot, how long, and those refused (a try-once
 * acquire that found a kind without a slot, or a wait that timed out). The idle RSS is what free
 * slots keep resident (scanned now), which the budget bounds; in use is what held instances keep,
 * which no budget bounds. With a WebAssembly guest as the workload, its instances per second, the
 * percentiles of one call (instantiate, call, release; from {@code warmpool_wasm_call_seconds}) and
 * its traps in the interval follow. Fallbacks, when there were any, end the line with the count by
 * reason.
 */
final class SummaryLine {
    private final PoolMetrics metrics;
    private final WarmPool pool;
    private final WasmMeters.Module guest;
    private final long startNanos;
    private long lastNanos;
    private long lastResets;
    private BucketCounts lastLatency;
    private long lastAcquired;
    private long lastRefused;
    private BucketCounts lastWaits;
    private long lastInstances;
    private long lastTraps;
    private BucketCounts lastCalls;

    SummaryLine(PoolMetrics metrics, WarmPool pool, long startNanos) {
        this(metrics, pool, null, startNanos);
    }

    /** @param guest the meters of the guest the workload runs, or null */
    SummaryLine(PoolMetrics metrics, WarmPool pool, WasmMeters.Module guest, long startNanos) {
        this.metrics = metrics;
        this.pool = pool;
        this.guest = guest;
        this.startNanos = startNanos;
        this.lastNanos = startNanos;
        this.lastResets = metrics.resets();
        this.lastLatency = metrics.resetLatency();
        this.lastAcquired = metrics.instanceAcquires(AcquireOutcome.ACQUIRED);
        this.lastRefused = refused();
        this.lastWaits = metrics.acquireWaits();
        if (guest != null) {
            this.lastInstances = guest.instances();
            this.lastTraps = guest.traps();
            this.lastCalls = guest.calls();
        }
    }

    private long refused() {
        return metrics.instanceAcquires(AcquireOutcome.EXHAUSTED) + metrics.instanceAcquires(AcquireOutcome.TIMED_OUT);
    }

    /** The line for the interval that ends at {@code nowNanos}; the next line starts from there. */
    String next(long nowNanos) {
        long resets = metrics.resets();
        BucketCounts latency = metrics.resetLatency();
        BucketCounts window = latency.since(lastLatency);
        double seconds = Math.max(1e-9, (nowNanos - lastNanos) / 1e9);
        double rate = (resets - lastResets) / seconds;
        long acquired = metrics.instanceAcquires(AcquireOutcome.ACQUIRED);
        long refused = refused();
        BucketCounts waits = metrics.acquireWaits();
        BucketCounts waitWindow = waits.since(lastWaits);
        long acquiredNow = acquired - lastAcquired;
        long waitedNow = waitWindow.count();
        long refusedNow = refused - lastRefused;
        lastNanos = nowNanos;
        lastResets = resets;
        lastLatency = latency;
        lastAcquired = acquired;
        lastRefused = refused;
        lastWaits = waits;

        long resident = 0;
        long idle = 0;
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
            idle += pool.idleResidentBytes(kind);
            budget += k.residentBudgetBytes();
            inUse += k.inUse();
            warm += k.warm();
            cold += k.cold();
            resetting += k.resetting();
            quarantined += k.quarantined();
        }
        long ended = acquiredNow + refusedNow;
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
                "[%5ds] %.0f resets/s  reset p50 %s p99 %s  acquires %.0f/s, %.0f%% waited (p99 %s), %d refused"
                        + "  idle RSS %s / budget %s, in use %s  slots %d in use, %d warm, %d cold, %d resetting,"
                        + " %d quarantined",
                Math.round((nowNanos - startNanos) / 1e9), rate, latency(window.quantile(0.5)), latency(window.quantile(0.99)),
                acquiredNow / seconds, ended == 0 ? 0.0 : 100.0 * waitedNow / ended, latency(waitWindow.quantile(0.99)),
                refusedNow, ByteSize.format(idle), ByteSize.format(budget), ByteSize.format(Math.max(0, resident - idle)),
                inUse, warm, cold, resetting, quarantined));
        if (guest != null) {
            long instances = guest.instances();
            long traps = guest.traps();
            BucketCounts calls = guest.calls();
            BucketCounts callWindow = calls.since(lastCalls);
            line.append(String.format(Locale.ROOT, "  wasm %s %.0f/s, call p50 %s p99 %s, %d traps", guest.name(),
                    (instances - lastInstances) / seconds, latency(callWindow.quantile(0.5)),
                    latency(callWindow.quantile(0.99)), traps - lastTraps));
            lastInstances = instances;
            lastTraps = traps;
            lastCalls = calls;
        }
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
