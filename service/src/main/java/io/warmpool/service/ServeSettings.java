package io.warmpool.service;

import io.warmpool.pagemap.ScanMode;
import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.config.PoolConfigException;
import io.warmpool.pool.config.PoolSetting;
import io.warmpool.pool.config.ReservationException;
import io.warmpool.pool.config.ResetStrategy;
import io.warmpool.service.logging.LogSettings;
import io.warmpool.wasm.Engine;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The configuration keys of {@code warmpool serve} and what they build: the pool's
 * {@link PoolConfig}, the synthetic workload's settings and the metrics address. The pool keys'
 * defaults are {@link PoolConfig}'s own.
 */
final class ServeSettings {
    private static final PoolConfig POOL = PoolConfig.builder().build();

    static final ConfigKey<Duration> DURATION = ConfigKey.duration("duration", "0",
            "how long to serve; 0: until SIGTERM or Ctrl-C");
    static final ConfigKey<Duration> SUMMARY_INTERVAL = ConfigKey.duration("summary-interval", "5s",
            "how often to print the one-line summary");

    static final ConfigKey<Optional<Path>> PROFILE_OUT = ConfigKey.optionalPath("profile.out",
            "write the tenant profile here every profile.interval and at drain (for tune --profile); default: none");
    static final ConfigKey<Duration> PROFILE_INTERVAL = ConfigKey.duration("profile.interval", "1m",
            "how often to rewrite profile.out (a temporary file renamed over it)");

    static final ConfigKey<Integer> MEMORIES = ConfigKey.integer(PoolSetting.MEMORIES, POOL.memories().count(), 1, PoolConfig.MAX_SLOTS);
    static final ConfigKey<Long> MEMORY_MAX = ConfigKey.bytes(PoolSetting.MEMORY_MAX, POOL.memories().slotBytes());
    static final ConfigKey<Long> MEMORY_GUARD = ConfigKey.bytes(PoolSetting.MEMORY_GUARD, POOL.memories().guardBytes());
    static final ConfigKey<Long> MEMORY_KEEP = ConfigKey.bytes(PoolSetting.MEMORY_KEEP_RESIDENT,
            POOL.memories().keepResidentBytes());
    static final ConfigKey<Integer> TABLES = ConfigKey.integer(PoolSetting.TABLES, POOL.tables().count(), 0, PoolConfig.MAX_SLOTS);
    static final ConfigKey<Long> TABLE_ELEMENTS = ConfigKey.wholeNumber(PoolSetting.TABLE_ELEMENTS, POOL.tableElements(), 1);
    static final ConfigKey<Long> TABLE_KEEP = ConfigKey.bytes(PoolSetting.TABLE_KEEP_RESIDENT,
            POOL.tables().keepResidentBytes());
    static final ConfigKey<Integer> STACKS = ConfigKey.integer(PoolSetting.STACKS, POOL.stacks().count(), 0, PoolConfig.MAX_SLOTS);
    static final ConfigKey<Long> STACK_SIZE = ConfigKey.bytes(PoolSetting.STACK_SIZE, POOL.stacks().slotBytes());
    static final ConfigKey<Long> STACK_KEEP = ConfigKey.bytes(PoolSetting.STACK_KEEP_RESIDENT,
            POOL.stacks().keepResidentBytes());
    static final ConfigKey<Integer> MAX_UNUSED_WARM = ConfigKey.integer(PoolSetting.MAX_UNUSED_WARM_SLOTS,
            POOL.maxUnusedWarmSlots(), 0, Integer.MAX_VALUE);
    static final ConfigKey<Integer> DECOMMIT_BATCH = ConfigKey.integer(PoolSetting.DECOMMIT_BATCH, POOL.decommitBatch(), 1,
            1 << 16);
    static final ConfigKey<ResetStrategy> RESET_STRATEGY = new ConfigKey<>(PoolSetting.RESET_STRATEGY.key(),
            POOL.resetStrategy().configName(), PoolSetting.RESET_STRATEGY.description(), ResetStrategy::fromConfigName);
    static final ConfigKey<ScanMode> SCAN_MODE = new ConfigKey<>(PoolSetting.SCAN_MODE.key(), POOL.scanMode().configName(),
            PoolSetting.SCAN_MODE.description(), ScanMode::fromConfigName);
    static final ConfigKey<Boolean> WIPE_ON_FORK = ConfigKey.bool(PoolSetting.WIPE_ON_FORK.key(), POOL.wipeOnFork(),
            PoolSetting.WIPE_ON_FORK.description());
    static final ConfigKey<Integer> STRIPES = ConfigKey.integer(PoolSetting.STRIPES, POOL.stripes(), 0, 1 << 16);

    static final ConfigKey<WorkloadKind> WORKLOAD = new ConfigKey<>("workload", WorkloadKind.WASM.configName(),
            "what the tenants run: wasm (a WebAssembly guest, a fresh instance on a pooled slot per request) or"
                    + " synthetic (page writes that play instances; the workload.* keys below shape it)",
            WorkloadKind::fromConfigName);
    static final ConfigKey<String> MODULE = ConfigKey.text("module", "request-handler",
            "the guest the wasm workload runs: a .wasm file, or a bundled guest (request-handler, scattered-pages,"
                    + " lookup-table)");
    static final ConfigKey<String> EXPORT = new ConfigKey<>("export", "", "the export each request calls; default:"
            + " the bundled guest's (handle, dirty, run); a module file needs one", text -> text.strip());
    static final ConfigKey<String> ARGS = new ConfigKey<>("args", "", "the export's arguments, comma-separated: whole"
            + " numbers, or n for the request's number; default: the bundled guest's (n; n,64; n,1024), else n for"
            + " every parameter", text -> {
                GuestArguments.parse(text); // refuses what it cannot read
                return text.strip();
            });
    static final ConfigKey<Engine> ENGINE = new ConfigKey<>("engine", Engine.INTERPRETER.configName(),
            "how the guest's code runs: interpreter (Chicory's) or compiler (Chicory's ahead-of-time compiler to"
                    + " JVM bytecode, at load)", Engine::fromConfigName);
    static final ConfigKey<Integer> THREADS = ConfigKey.integer("workload.threads", 2, 0, 1024,
            "tenant threads (0: serve an idle pool)");
    static final ConfigKey<Integer> MODULES = ConfigKey.integer("workload.modules", 16, 1, 1 << 20,
            "distinct affinity keys; low-numbered ones are the popular ones");
    static final ConfigKey<Long> MEMORY_MIN_SIZE = ConfigKey.bytes("workload.memory-min", 64L << 10,
            "the smallest module memory (sizes are log-uniform between min and max)");
    static final ConfigKey<Long> MEMORY_MAX_SIZE = ConfigKey.bytes("workload.memory-max", 4L << 20,
            "the largest module memory");
    static final ConfigKey<Integer> HOT_PAGES = ConfigKey.integer("workload.hot-pages", 32, 0, 1 << 20,
            "the largest hot set a module writes at the start of its memory, pages");
    static final ConfigKey<Integer> SCATTERED = ConfigKey.integer("workload.scattered-writes", 8, 0, 1 << 20,
            "mean random pages an instance writes beyond its hot set");
    static final ConfigKey<Duration> HOLD = ConfigKey.duration("workload.hold", "1ms",
            "how long a tenant holds its instance");
    static final ConfigKey<Integer> WORKLOAD_TABLES = ConfigKey.integer("workload.tables", 1, 0, 64,
            "tables per instance");
    static final ConfigKey<Boolean> WORKLOAD_STACK = ConfigKey.bool("workload.stack", true,
            "whether each instance takes a stack");
    static final ConfigKey<Long> IMAGE_BYTES = ConfigKey.bytes("image-bytes", 0,
            "a synthetic memory image of this size per module, which its memories start from; 0: none");
    static final ConfigKey<Long> SEED = ConfigKey.wholeNumber("workload.seed", 0, 0,
            "the seed of the workload's random choices; 0: a new one each run");
    static final ConfigKey<Duration> FORK_INTERVAL = ConfigKey.duration("workload.fork-interval", "0",
            "how often a child process (/bin/true) is started while an instance is held; 0: never");

    /** Every key, in the order of {@code --help}. */
    static final List<ConfigKey<?>> KEYS = List.of(DURATION, SUMMARY_INTERVAL, MetricsAddress.HOST, MetricsAddress.PORT,
            LogSettings.LEVEL, LogSettings.FORMAT, PROFILE_OUT, PROFILE_INTERVAL,
            MEMORIES, MEMORY_MAX, MEMORY_GUARD, MEMORY_KEEP, TABLES, TABLE_ELEMENTS, TABLE_KEEP, STACKS, STACK_SIZE,
            STACK_KEEP, MAX_UNUSED_WARM, DECOMMIT_BATCH, RESET_STRATEGY, SCAN_MODE, WIPE_ON_FORK, STRIPES,
            WORKLOAD, MODULE, EXPORT, ARGS, ENGINE, THREADS, MODULES, MEMORY_MIN_SIZE, MEMORY_MAX_SIZE, HOT_PAGES, SCATTERED,
            HOLD, WORKLOAD_TABLES, WORKLOAD_STACK, IMAGE_BYTES, SEED, FORK_INTERVAL);

    /** The key of each pool setting, for PoolConfig's refusals. */
    private static final Map<PoolSetting, ConfigKey<?>> POOL_KEYS = poolKeys();

    private static Map<PoolSetting, ConfigKey<?>> poolKeys() {
        Map<PoolSetting, ConfigKey<?>> keys = new EnumMap<>(PoolSetting.class);
        for (ConfigKey<?> key : KEYS) {
            for (PoolSetting setting : PoolSetting.values()) {
                if (setting.key().equals(key.name())) {
                    keys.put(setting, key);
                }
            }
        }
        if (keys.size() != PoolSetting.values().length) {
            throw new AssertionError("serve has no key for some pool settings: " + keys.keySet());
        }
        return keys;
    }

    private ServeSettings() {
    }

    /**
     * The pool's configuration.
     *
     * @throws UsageException naming the key whose value PoolConfig refuses, or saying why the whole does not fit
     */
    static PoolConfig pool(Configuration c) {
        PoolConfig.Builder b = PoolConfig.builder()
                .memories(c.get(MEMORIES)).memoryMax(c.get(MEMORY_MAX)).memoryGuard(c.get(MEMORY_GUARD))
                .memoryKeepResident(c.get(MEMORY_KEEP))
                .tables(c.get(TABLES)).tableElements(c.get(TABLE_ELEMENTS)).tableKeepResident(c.get(TABLE_KEEP))
                .stacks(c.get(STACKS)).stackSize(c.get(STACK_SIZE)).stackKeepResident(c.get(STACK_KEEP))
                .maxUnusedWarmSlots(c.get(MAX_UNUSED_WARM)).decommitBatch(c.get(DECOMMIT_BATCH))
                .resetStrategy(c.get(RESET_STRATEGY)).scanMode(c.get(SCAN_MODE)).wipeOnFork(c.get(WIPE_ON_FORK))
                .stripes(c.get(STRIPES));
        try {
            return b.build();
        } catch (PoolConfigException e) {
            throw c.invalid(POOL_KEYS.get(e.setting()), e.rule());
        } catch (ReservationException e) {
            throw new UsageException("serve: " + e.getMessage());
        }
    }

    /**
     * The workload's settings, checked against the pool's.
     *
     * @throws UsageException naming the key that asks for what the pool cannot give
     */
    static SyntheticWorkload.Settings workload(Configuration c, PoolConfig pool) {
        long min = c.get(MEMORY_MIN_SIZE);
        long max = c.get(MEMORY_MAX_SIZE);
        if (min <= 0) {
            throw c.invalid(MEMORY_MIN_SIZE, "must be positive");
        }
        if (max < min) {
            throw c.invalid(MEMORY_MAX_SIZE, "must be at least workload.memory-min (" + c.text(MEMORY_MIN_SIZE) + ")");
        }
        if (max > pool.memories().slotBytes()) {
            throw c.invalid(MEMORY_MAX_SIZE, "must not exceed pool.memory-max (" + c.text(MEMORY_MAX) + ")");
        }
        int tables = c.get(WORKLOAD_TABLES);
        if (tables > 0 && pool.tables().count() < tables) {
            throw c.invalid(WORKLOAD_TABLES, "an instance cannot take more tables than the pool has (pool.tables = "
                    + pool.tables().count() + ")");
        }
        boolean stack = c.get(WORKLOAD_STACK);
        if (stack && pool.stacks().count() == 0) {
            throw c.invalid(WORKLOAD_STACK, "the pool has no stacks (pool.stacks = 0)");
        }
        long imageBytes = c.get(IMAGE_BYTES);
        if (imageBytes > pool.memories().slotBytes()) {
            throw c.invalid(IMAGE_BYTES, "must not exceed pool.memory-max (" + c.text(MEMORY_MAX) + ")");
        }
        long seed = c.get(SEED);
        if (seed == 0) {
            seed = System.nanoTime() | 1;
        }
        return new SyntheticWorkload.Settings(c.get(THREADS), c.get(MODULES), min, max, c.get(HOT_PAGES),
                c.get(SCATTERED), c.get(HOLD), tables, stack, imageBytes, seed);
    }

    /**
     * The guest of the wasm workload, or empty for the synthetic one.
     *
     * @throws UsageException naming the key whose value names no guest, no export, or arguments that do
     *                        not fit; or module, export or args set for the synthetic workload
     */
    static Optional<GuestChoice> guest(Configuration c) {
        if (c.get(WORKLOAD) == WorkloadKind.SYNTHETIC) {
            for (ConfigKey<?> key : List.of(MODULE, EXPORT, ARGS, ENGINE)) {
                if (!c.origin(key).equals("default")) {
                    throw c.invalid(key, "applies to the wasm workload, and workload is synthetic");
                }
            }
            return Optional.empty();
        }
        try {
            return Optional.of(GuestChoice.of(c.get(MODULE), c.get(EXPORT), c.get(ARGS)));
        } catch (IllegalArgumentException e) {
            throw c.invalid(e.getMessage().startsWith("a module file needs") ? EXPORT : MODULE, e.getMessage());
        }
    }

    /** The keys as {@code --help} lists them: key, default, environment variable, what it does. */
    static String keyTable() {
        StringBuilder out = new StringBuilder();
        for (ConfigKey<?> key : KEYS) {
            out.append(String.format(Locale.ROOT, "  --%-28s %-12s %s%n      %s%n", key.name(), key.defaultText(),
                    key.envName(), key.description()));
        }
        return out.toString().stripTrailing();
    }
}
