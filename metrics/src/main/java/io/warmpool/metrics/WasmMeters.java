package io.warmpool.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The Micrometer meters of WebAssembly guests run on a pool, by module, beside {@link PoolMetrics}:
 *
 * <pre>
 *  warmpool_wasm_instances_total{module}        counter: calls that ended, a fresh instance each
 *                                               (instantiate, call, release), trapped or not
 *  warmpool_wasm_call_seconds{module}           histogram, 10 µs .. 10 s: instantiate + call + release,
 *                                               as the caller sees one request (acquire wait excluded)
 *  warmpool_wasm_traps_total{module,trap}       counter: calls that trapped, by {@link WasmTrap}
 * </pre>
 *
 * {@link #module(String)} registers a module's meters once (every trap label from the start, at zero)
 * and returns the handle its callers record into: a few adder updates per call, no tag lookup. The
 * module label is the name the caller gives, such as the file name without {@code .wasm}; a process
 * runs a handful of modules, not one per request. Events before {@link #bindTo} are not counted.
 */
public final class WasmMeters implements AutoCloseable {
    /** Upper bounds of the call buckets: 10 µs to 10 s in 1-2.5-5 steps. */
    static final Duration[] CALL_BUCKETS = callBuckets();

    private final Map<String, Module> modules = new ConcurrentHashMap<>();
    private final List<Meter> registered = new ArrayList<>();
    private MeterRegistry registry;

    /**
     * Registers the meters of modules asked for from now on (and of those asked for already) in
     * {@code registry}.
     *
     * @throws IllegalStateException when already bound
     */
    public synchronized void bindTo(MeterRegistry registry) {
        if (this.registry != null) {
            throw new IllegalStateException("WasmMeters is already bound to " + this.registry);
        }
        this.registry = Objects.requireNonNull(registry, "registry");
        for (Module m : modules.values()) {
            m.register(registry, registered);
        }
    }

    /**
     * The meters of the module named {@code name}, registered on first use.
     *
     * @throws IllegalArgumentException when the name is blank
     */
    public Module module(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("a module's name is blank");
        }
        Module existing = modules.get(name);
        if (existing != null) {
            return existing;
        }
        synchronized (this) {
            return modules.computeIfAbsent(name, n -> {
                Module m = new Module(n);
                if (registry != null) {
                    m.register(registry, registered);
                }
                return m;
            });
        }
    }

    /** Removes every meter from the registry; later calls are no longer counted. */
    @Override
    public synchronized void close() {
        for (Module m : modules.values()) {
            m.unregister();
        }
        if (registry != null) {
            for (Meter meter : registered) {
                registry.remove(meter);
            }
        }
        registered.clear();
    }

    private static Duration[] callBuckets() {
        long[] micros = {10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000,
                500_000, 1_000_000, 2_500_000, 5_000_000, 10_000_000};
        Duration[] out = new Duration[micros.length];
        for (int i = 0; i < micros.length; i++) {
            out[i] = Duration.ofNanos(micros[i] * 1000);
        }
        return out;
    }

    /** One module's meters: what a caller records each call into. */
    public static final class Module {
        private final String name;
        private volatile Counter instances;
        private volatile Timer calls;
        private volatile Counter[] traps;

        private Module(String name) {
            this.name = name;
        }

        private void register(MeterRegistry registry, List<Meter> into) {
            Counter[] t = new Counter[WasmTrap.values().length];
            for (WasmTrap trap : WasmTrap.values()) {
                t[trap.ordinal()] = Counter.builder("warmpool.wasm.traps")
                        .description("Guest calls that trapped, by module and trap")
                        .tags("module", name, "trap", trap.label())
                        .register(registry);
                into.add(t[trap.ordinal()]);
            }
            Timer c = Timer.builder("warmpool.wasm.call")
                    .description("One guest request: instantiate on a pooled slot, call the export, release")
                    .tags("module", name)
                    .serviceLevelObjectives(CALL_BUCKETS)
                    .register(registry);
            Counter i = Counter.builder("warmpool.wasm.instances")
                    .description("Guest instances that ran one call on a pooled slot and were released, trapped or not")
                    .tags("module", name)
                    .register(registry);
            into.add(c);
            into.add(i);
            traps = t;
            calls = c;
            instances = i;
        }

        private void unregister() {
            instances = null;
            calls = null;
            traps = null;
        }

        /** The module's name, its label value. */
        public String name() {
            return name;
        }

        /** Records one call that returned, instantiation to release taking {@code nanos}. */
        public void completed(long nanos) {
            Timer c = calls;
            Counter i = instances;
            if (c != null && i != null) {
                c.record(Math.max(0, nanos), TimeUnit.NANOSECONDS);
                i.increment();
            }
        }

        /** Records one call that trapped with {@code trap} after {@code nanos}. */
        public void trapped(WasmTrap trap, long nanos) {
            Counter[] t = traps;
            if (t != null) {
                t[Objects.requireNonNull(trap, "trap").ordinal()].increment();
            }
            completed(nanos);
        }

        /** Instances run so far (trapped ones too). */
        public long instances() {
            Counter i = instances;
            return i == null ? 0 : (long) i.count();
        }

        /** Calls that trapped with {@code trap} so far. */
        public long traps(WasmTrap trap) {
            Counter[] t = traps;
            return t == null ? 0 : (long) t[trap.ordinal()].count();
        }

        /** Calls that trapped so far, every trap. */
        public long traps() {
            long n = 0;
            for (WasmTrap trap : WasmTrap.values()) {
                n += traps(trap);
            }
            return n;
        }

        /** The call duration histogram so far; bounds in seconds. */
        public BucketCounts calls() {
            Timer c = calls;
            return c == null ? BucketCounts.of(List.of()) : BucketCounts.of(List.of(c));
        }
    }
}
