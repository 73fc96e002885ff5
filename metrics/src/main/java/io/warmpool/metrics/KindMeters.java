package io.warmpool.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.warmpool.pool.config.ResetStrategy;
import io.warmpool.pool.config.SlotKind;
import io.warmpool.pool.event.AcquireKind;
import io.warmpool.pool.event.ResetRecord;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The event meters of one slot kind, resolved once when they are registered so that recording an
 * event is an array index and a few adder updates: no tag lookup, no allocation.
 *
 * <pre>
 *  resets[strategy.ordinal()]   warmpool_reset_seconds{kind, strategy}     one per strategy that runs
 *                                                                          (auto is never recorded: the
 *                                                                          record names what auto chose)
 *  scan                         warmpool_reset_scan_seconds{kind}          resets that scanned
 *  dirtyPages                   warmpool_reset_dirty_pages{kind}           resets that scanned
 *  zeroed, decommitted          warmpool_reset_{zeroed,decommitted}_bytes_total{kind}
 *  acquires[result.ordinal()]   warmpool_acquires_total{kind, result}
 * </pre>
 */
final class KindMeters {
    /** Upper bounds of the reset and scan latency buckets: 1 µs to 100 ms in 1-2.5-5 steps. */
    static final Duration[] LATENCY_BUCKETS = latencyBuckets();
    /** Upper bounds of the dirty-page buckets: powers of two up to 1024 pages, then of four. */
    static final double[] DIRTY_PAGE_BUCKETS = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096, 16384, 65536};

    final SlotKind kind;
    final Timer[] resets = new Timer[ResetStrategy.values().length];
    final Timer scan;
    final DistributionSummary dirtyPages;
    final Counter zeroed;
    final Counter decommitted;
    final Counter[] acquires = new Counter[AcquireKind.values().length];

    KindMeters(MeterRegistry registry, SlotKind kind) {
        this.kind = kind;
        String k = kind.label();
        for (ResetStrategy strategy : ResetStrategy.values()) {
            if (strategy != ResetStrategy.AUTO) {
                resets[strategy.ordinal()] = Timer.builder("warmpool.reset")
                        .description("How long one slot reset took on release (scan, zero, decommit), by the strategy that ran")
                        .tags("kind", k, "strategy", strategy.configName())
                        .serviceLevelObjectives(LATENCY_BUCKETS)
                        .register(registry);
            }
        }
        scan = Timer.builder("warmpool.reset.scan")
                .description("How long the dirty-page scan of one reset took (PAGEMAP_SCAN or its pread fallback)")
                .tags("kind", k)
                .serviceLevelObjectives(LATENCY_BUCKETS)
                .register(registry);
        dirtyPages = DistributionSummary.builder("warmpool.reset.dirty")
                .description("Dirty pages one scanning reset found, counted up to the keep-resident budget")
                .baseUnit("pages")
                .tags("kind", k)
                .serviceLevelObjectives(DIRTY_PAGE_BUCKETS)
                .register(registry);
        zeroed = Counter.builder("warmpool.reset.zeroed")
                .description("Bytes resets zeroed in place (they stay resident)")
                .baseUnit("bytes")
                .tags("kind", k)
                .register(registry);
        decommitted = Counter.builder("warmpool.reset.decommitted")
                .description("Bytes resets gave back to the kernel with MADV_DONTNEED, or queued to")
                .baseUnit("bytes")
                .tags("kind", k)
                .register(registry);
        for (AcquireKind result : AcquireKind.values()) {
            acquires[result.ordinal()] = Counter.builder("warmpool.acquires")
                    .description("Slot acquires by how they were served: affinity, warm, cold, or exhausted")
                    .tags("kind", k, "result", result.label())
                    .register(registry);
        }
    }

    private static Duration[] latencyBuckets() {
        long[] nanos = {1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000,
                1_000_000, 2_500_000, 5_000_000, 10_000_000, 25_000_000, 50_000_000, 100_000_000};
        Duration[] out = new Duration[nanos.length];
        for (int i = 0; i < nanos.length; i++) {
            out[i] = Duration.ofNanos(nanos[i]);
        }
        return out;
    }

    /** Records one reset; runs on the releasing thread, allocates nothing. */
    void record(ResetRecord r) {
        Timer timer = resets[r.strategy().ordinal()];
        if (timer != null) {
            timer.record(r.totalNanos(), TimeUnit.NANOSECONDS);
        }
        long dirty = r.dirtyPages();
        if (dirty >= 0) {
            scan.record(r.scanNanos(), TimeUnit.NANOSECONDS);
            dirtyPages.record(dirty);
        }
        long z = r.zeroedBytes();
        if (z != 0) {
            zeroed.increment(z);
        }
        long d = r.decommittedBytes();
        if (d != 0) {
            decommitted.increment(d);
        }
    }

    /** The reset timers of the strategies that can run. */
    List<Timer> resetTimers() {
        List<Timer> out = new ArrayList<>();
        for (Timer timer : resets) {
            if (timer != null) {
                out.add(timer);
            }
        }
        return out;
    }

    /** Every meter this object registered. */
    List<Meter> all() {
        List<Meter> out = new ArrayList<>(resetTimers());
        out.add(scan);
        out.add(dirtyPages);
        out.add(zeroed);
        out.add(decommitted);
        out.addAll(List.of(acquires));
        return out;
    }
}
