package io.warmpool.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.warmpool.fork.ForkGeneration;
import io.warmpool.pool.WarmPool;
import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.config.SlotKind;
import io.warmpool.pool.event.AcquireKind;
import io.warmpool.pool.event.AcquireOutcome;
import io.warmpool.pool.event.Fallback;
import io.warmpool.pool.event.PoolListener;
import io.warmpool.pool.event.PoolSnapshot;
import io.warmpool.pool.event.ResetRecord;
import io.warmpool.pool.profile.TenantProfile;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToDoubleFunction;

/**
 * The Micrometer meters of one {@link WarmPool}: a {@link PoolListener} that the pool feeds with
 * every acquire, reset and fallback, and gauges that read the pool's state when scraped.
 *
 * <pre>{@code
 * PoolMetrics metrics = new PoolMetrics(config);
 * metrics.bindTo(registry);                          // registers every meter
 * WarmPool pool = WarmPool.create(config, metrics);  // the pool feeds the event meters
 * metrics.observe(pool);                             // the gauges read this pool
 * }</pre>
 *
 * Names as Prometheus exposes them (base units; Micrometer adds {@code _seconds}, {@code _bytes},
 * {@code _total}):
 *
 * <pre>
 *  warmpool_reset_seconds{kind,strategy}           histogram, 1 µs .. 100 ms
 *  warmpool_reset_scan_seconds{kind}               histogram, resets that scanned
 *  warmpool_reset_dirty_pages{kind}                histogram, 1 .. 65536 pages
 *  warmpool_reset_zeroed_bytes_total{kind}         counter
 *  warmpool_reset_decommitted_bytes_total{kind}    counter
 *  warmpool_reset_fallbacks_total{reason}          counter, every reason from the start
 *  warmpool_acquires_total{kind,result}            counter: affinity, warm, cold, exhausted; once per
 *                                                  slot of an acquire that ended (not for slots it gave
 *                                                  back untouched while it could not have every kind)
 *  warmpool_instance_acquires_total{result}        counter: acquired, exhausted, timed_out; once per
 *                                                  acquire of a whole instance
 *  warmpool_acquire_wait_seconds                   histogram, acquires that waited in line, 10 µs .. 10 s
 *  warmpool_slots{kind,state}                      gauge: in_use, warm, cold, resetting, quarantined
 *  warmpool_resident_bytes{kind}                   gauge, the slab's resident pages, scanned per scrape
 *  warmpool_idle_resident_bytes{kind}              gauge, the idle slots' resident pages: what the budget bounds
 *  warmpool_resident_budget_bytes{kind}            gauge, warm slots times keep-resident bytes
 *  warmpool_fork_generation                        gauge
 *  warmpool_image_acquires_total{result}           counter: hit (the slot already mapped the memory's
 *                                                  image: no system call), miss (it was remapped)
 *  warmpool_image_remaps_total                     counter: memory slots that changed image
 *  warmpool_image_restored_bytes_total{how}        counter: image bytes resets restored, by copy (kept
 *                                                  resident) or by decommit (read from the image again)
 *  warmpool_images_alive                           gauge: memory images open or still mapped by a slot
 *  warmpool_profile_*                              the tenant profile (ProfileFamily), when the
 *                                                  registry is a PrometheusMeterRegistry
 * </pre>
 *
 * The histograms also export Micrometer's {@code _max} gauge (the largest value of the last few
 * minutes). Every series exists from registration, at zero, so that dashboards and alerts need no
 * {@code absent()}. The listener's reset path is an array index by kind and strategy and a few
 * adder updates: it neither allocates nor looks up meters by tag. A registry from
 * {@link MetricsServer#newRegistry()} has a {@link CoarseClock}, which keeps the two wall-clock
 * reads each histogram record makes from costing a clock call each. Events that arrive before
 * {@link #bindTo} are not counted, except fallbacks; gauges read NaN while no pool is observed. The
 * profile's series are read from the observed pool's {@link WarmPool#profile()} at each scrape, and
 * are absent while no pool is observed.
 */
@SuppressWarnings("deprecation") // the simpleclient flavour of the Prometheus registry is the one served
public final class PoolMetrics implements MeterBinder, PoolListener, AutoCloseable {
    private final Set<SlotKind> kinds;
    private final AtomicLongArray fallbacks = new AtomicLongArray(Fallback.values().length);
    private final AtomicReferenceArray<String> lastFallback = new AtomicReferenceArray<>(Fallback.values().length);
    private final List<Meter> registered = new ArrayList<>();
    /** The buckets of the acquire wait: from a release's reset (microseconds) to a timeout (seconds). */
    private static final Duration[] WAIT_BUCKETS = {Duration.ofNanos(10_000), Duration.ofNanos(100_000),
            Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(50),
            Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(5),
            Duration.ofSeconds(10)};
    private final Counter[] instanceAcquires = new Counter[AcquireOutcome.values().length];
    private final LongAdder imageHits = new LongAdder();
    private final LongAdder imageMisses = new LongAdder();
    private final LongAdder imageRemaps = new LongAdder();
    private final LongAdder imageRestoredByCopy = new LongAdder();
    private final LongAdder imageRestoredByDecommit = new LongAdder();
    private Timer acquireWait;
    private volatile KindMeters[] byKind;
    private volatile WarmPool pool;
    private MeterRegistry registry;
    private ProfileCollector profileCollector;

    /** Meters for the kinds of slot {@code config} has (a kind with 0 slots gets none). */
    public PoolMetrics(PoolConfig config) {
        this(kindsOf(config));
    }

    /** Meters for {@code kinds}. */
    public PoolMetrics(Set<SlotKind> kinds) {
        this.kinds = kinds.isEmpty() ? EnumSet.noneOf(SlotKind.class) : EnumSet.copyOf(kinds);
    }

    private static Set<SlotKind> kindsOf(PoolConfig config) {
        Set<SlotKind> kinds = EnumSet.noneOf(SlotKind.class);
        for (SlotKind kind : SlotKind.values()) {
            if (config.kind(kind).count() > 0) {
                kinds.add(kind);
            }
        }
        return kinds;
    }

    /**
     * Registers every meter in {@code registry}.
     *
     * @throws IllegalStateException when already bound (the listener records into one registry)
     */
    @Override
    public synchronized void bindTo(MeterRegistry registry) {
        if (this.registry != null) {
            throw new IllegalStateException("PoolMetrics is already bound to " + this.registry);
        }
        this.registry = Objects.requireNonNull(registry, "registry");
        KindMeters[] meters = new KindMeters[SlotKind.values().length];
        for (SlotKind kind : kinds) {
            meters[kind.ordinal()] = new KindMeters(registry, kind);
            registered.addAll(meters[kind.ordinal()].all());
            bindGauges(registry, kind);
        }
        for (Fallback reason : Fallback.values()) {
            registered.add(FunctionCounter.builder("warmpool.reset.fallbacks", fallbacks, f -> f.get(reason.ordinal()))
                    .description("Times the pool took a slower or safer path than the configured one, by reason")
                    .tags("reason", reason.label())
                    .register(registry));
        }
        for (AcquireOutcome outcome : AcquireOutcome.values()) {
            instanceAcquires[outcome.ordinal()] = Counter.builder("warmpool.instance.acquires")
                    .description("Acquires of whole instances, by how they ended: acquired, exhausted (a try-once"
                            + " acquire found a kind without a free slot), timed_out (a waiting acquire's timeout passed)")
                    .tags("result", outcome.label())
                    .register(registry);
            registered.add(instanceAcquires[outcome.ordinal()]);
        }
        acquireWait = Timer.builder("warmpool.acquire.wait")
                .description("How long acquires waited in line for slots to be released, the refused ones too")
                .serviceLevelObjectives(WAIT_BUCKETS)
                .register(registry);
        registered.add(acquireWait);
        bindImageMeters(registry);
        registered.add(Gauge.builder("warmpool.fork.generation", ForkGeneration::current)
                .description("How many times this process's line has forked (0: the process that started the pool)")
                .register(registry));
        if (registry instanceof PrometheusMeterRegistry prometheus) {
            profileCollector = new ProfileCollector(this::observedProfile);
            profileCollector.register(prometheus.getPrometheusRegistry());
        }
        byKind = meters;
    }

    private void bindImageMeters(MeterRegistry registry) {
        registered.add(FunctionCounter.builder("warmpool.image.acquires", imageHits, LongAdder::sum)
                .description("Memories acquired with a memory image, by whether their slot already mapped it")
                .tags("result", "hit").register(registry));
        registered.add(FunctionCounter.builder("warmpool.image.acquires", imageMisses, LongAdder::sum)
                .description("Memories acquired with a memory image, by whether their slot already mapped it")
                .tags("result", "miss").register(registry));
        registered.add(FunctionCounter.builder("warmpool.image.remaps", imageRemaps, LongAdder::sum)
                .description("Memory slots that changed image: old image range replaced, new image mapped")
                .register(registry));
        registered.add(FunctionCounter.builder("warmpool.image.restored", imageRestoredByCopy, LongAdder::sum)
                .description("Bytes of memory images that resets restored, by copy or by decommit")
                .baseUnit("bytes").tags("how", "copy").register(registry));
        registered.add(FunctionCounter.builder("warmpool.image.restored", imageRestoredByDecommit, LongAdder::sum)
                .description("Bytes of memory images that resets restored, by copy or by decommit")
                .baseUnit("bytes").tags("how", "decommit").register(registry));
        registered.add(Gauge.builder("warmpool.images.alive", this, m -> m.readPool(WarmPool::imagesAlive))
                .description("Memory images of the pool that are open, or closed and still mapped by a slot")
                .register(registry));
    }

    private TenantProfile observedProfile() {
        WarmPool p = pool;
        return p == null ? null : p.profile();
    }

    private void bindGauges(MeterRegistry registry, SlotKind kind) {
        String k = kind.label();
        slotGauge(registry, kind, "in_use", PoolSnapshot.KindSnapshot::inUse);
        slotGauge(registry, kind, "warm", PoolSnapshot.KindSnapshot::warm);
        slotGauge(registry, kind, "cold", PoolSnapshot.KindSnapshot::cold);
        slotGauge(registry, kind, "resetting", PoolSnapshot.KindSnapshot::resetting);
        slotGauge(registry, kind, "quarantined", PoolSnapshot.KindSnapshot::quarantined);
        registered.add(Gauge.builder("warmpool.resident", this, m -> m.readPool(p -> p.residentBytes(kind)))
                .description("Resident bytes of the slab's slots, in use or idle, measured by a scan when read")
                .baseUnit("bytes")
                .tags("kind", k)
                .register(registry));
        registered.add(Gauge.builder("warmpool.idle.resident", this, m -> m.readPool(p -> p.idleResidentBytes(kind)))
                .description("Resident bytes of the slab's idle slots (warm, cold, quarantined): what the budget bounds")
                .baseUnit("bytes")
                .tags("kind", k)
                .register(registry));
        registered.add(Gauge.builder("warmpool.resident.budget", this,
                        m -> m.readPool(p -> p.snapshot().kind(kind).residentBudgetBytes()))
                .description("The most bytes idle slots may keep resident: warm slots times keep-resident bytes")
                .baseUnit("bytes")
                .tags("kind", k)
                .register(registry));
    }

    private void slotGauge(MeterRegistry registry, SlotKind kind, String state,
                           ToDoubleFunction<PoolSnapshot.KindSnapshot> count) {
        registered.add(Gauge.builder("warmpool.slots", this,
                        m -> m.readPool(p -> count.applyAsDouble(p.snapshot().kind(kind))))
                .description("Slots by state: in_use, warm (free, may hold zeroed pages), cold (nothing resident),"
                        + " resetting, quarantined (out of service)")
                .tags("kind", kind.label(), "state", state)
                .register(registry));
    }

    /** What {@code read} says of the observed pool; NaN when there is none or it is closed. */
    private double readPool(ToDoubleFunction<WarmPool> read) {
        WarmPool p = pool;
        if (p == null) {
            return Double.NaN;
        }
        try {
            return read.applyAsDouble(p);
        } catch (IllegalStateException closed) {
            return Double.NaN;
        }
    }

    /** Makes the gauges read {@code pool} (null: no pool, the gauges read NaN). */
    public void observe(WarmPool pool) {
        this.pool = pool;
    }

    @Override
    public void acquired(SlotKind kind, AcquireKind result) {
        KindMeters[] meters = byKind;
        if (meters != null && meters[kind.ordinal()] != null) {
            meters[kind.ordinal()].acquires[result.ordinal()].increment();
        }
    }

    @Override
    public void instanceAcquired(AcquireOutcome outcome, long waitNanos) {
        Counter counter = instanceAcquires[outcome.ordinal()];
        if (counter != null) {
            counter.increment();
        }
        Timer wait = acquireWait;
        if (wait != null && waitNanos > 0) {
            wait.record(waitNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** Acquires of whole instances that ended as {@code outcome} so far. */
    public long instanceAcquires(AcquireOutcome outcome) {
        Counter counter = instanceAcquires[outcome.ordinal()];
        return counter == null ? 0 : (long) counter.count();
    }

    /** The wait of acquires that waited in line so far, as histogram buckets; bounds in seconds. */
    public BucketCounts acquireWaits() {
        Timer wait = acquireWait;
        return wait == null ? BucketCounts.of(List.of()) : BucketCounts.of(List.of(wait));
    }

    @Override
    public void reset(ResetRecord record) {
        long restored = record.restoredBytes();
        if (restored > 0) {
            imageRestoredByCopy.add(restored);
        }
        long decommitted = record.imageDecommittedBytes();
        if (decommitted > 0) {
            imageRestoredByDecommit.add(decommitted);
        }
        KindMeters[] meters = byKind;
        if (meters != null && meters[record.kind().ordinal()] != null) {
            meters[record.kind().ordinal()].record(record);
        }
    }

    @Override
    public void imageAcquired(boolean hit) {
        (hit ? imageHits : imageMisses).increment();
    }

    @Override
    public void imageRemapped(long unmappedBytes, long mappedBytes) {
        imageRemaps.increment();
    }

    /** Memories acquired with an image whose slot already mapped it ({@code hit}) or was remapped, so far. */
    public long imageAcquires(boolean hit) {
        return (hit ? imageHits : imageMisses).sum();
    }

    /** Memory slots that changed image so far. */
    public long imageRemaps() {
        return imageRemaps.sum();
    }

    /** Image bytes resets restored by copy ({@code byCopy}) or by decommit so far. */
    public long imageRestoredBytes(boolean byCopy) {
        return (byCopy ? imageRestoredByCopy : imageRestoredByDecommit).sum();
    }

    @Override
    public void fallback(SlotKind kind, Fallback reason, String detail) {
        fallbacks.incrementAndGet(reason.ordinal());
        lastFallback.set(reason.ordinal(), detail);
    }

    /** Resets recorded so far, every kind and strategy. */
    public long resets() {
        long n = 0;
        for (Timer timer : resetTimers()) {
            n += timer.count();
        }
        return n;
    }

    /** The reset latency histogram so far, every kind and strategy summed; bounds in seconds. */
    public BucketCounts resetLatency() {
        return BucketCounts.of(resetTimers());
    }

    private List<Timer> resetTimers() {
        List<Timer> timers = new ArrayList<>();
        KindMeters[] meters = byKind;
        if (meters != null) {
            for (KindMeters m : meters) {
                if (m != null) {
                    timers.addAll(m.resetTimers());
                }
            }
        }
        return timers;
    }

    /** Bytes resets zeroed so far, every kind. */
    public long zeroedBytes() {
        return sum(m -> m.zeroed.count());
    }

    /** Bytes resets gave back (or queued to) so far, every kind. */
    public long decommittedBytes() {
        return sum(m -> m.decommitted.count());
    }

    /** Acquires served as {@code result} so far, every kind. */
    public long acquires(AcquireKind result) {
        return sum(m -> m.acquires[result.ordinal()].count());
    }

    private long sum(ToDoubleFunction<KindMeters> read) {
        KindMeters[] meters = byKind;
        double total = 0;
        if (meters != null) {
            for (KindMeters m : meters) {
                if (m != null) {
                    total += read.applyAsDouble(m);
                }
            }
        }
        return (long) total;
    }

    /** Fallbacks for {@code reason} so far (counted from construction, bound or not). */
    public long fallbacks(Fallback reason) {
        return fallbacks.get(reason.ordinal());
    }

    /** What the pool said of the latest fallback for {@code reason}, or null. */
    public String lastFallback(Fallback reason) {
        return lastFallback.get(reason.ordinal());
    }

    /** Removes every meter from the registry and stops observing the pool; events are no longer counted. */
    @Override
    public synchronized void close() {
        byKind = null;
        pool = null;
        if (registry != null) {
            for (Meter meter : registered) {
                registry.remove(meter);
            }
            registered.clear();
            if (profileCollector != null) {
                ((PrometheusMeterRegistry) registry).getPrometheusRegistry().unregister(profileCollector);
                profileCollector = null;
            }
        }
    }
}
