package io.warmpool.service;

import io.warmpool.pagemap.ScanMode;
import io.warmpool.pool.PoolConfig;
import io.warmpool.pool.ResetStrategy;
import io.warmpool.service.logging.LogSettings;

import java.nio.file.Path;
import java.time.Duration;
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

    static final ConfigKey<Integer> MEMORIES = ConfigKey.integer("pool.memories", POOL.totalMemories(), 1, 1 << 20,
            "linear memory slots");
    static final ConfigKey<Long> MEMORY_MAX = ConfigKey.bytes("pool.memory-max", POOL.maxMemoryBytes(),
            "the most bytes a memory can grow to (its slot's size)");
    static final ConfigKey<Long> MEMORY_GUARD = ConfigKey.bytes("pool.memory-guard", POOL.memoryGuardBytes(),
            "guard bytes after each memory");
    static final ConfigKey<Long> MEMORY_KEEP = ConfigKey.bytes("pool.memory-keep-resident", POOL.memoryKeepResidentBytes(),
            "bytes of a memory kept resident (zeroed) when idle");
    static final ConfigKey<Integer> TABLES = ConfigKey.integer("pool.tables", POOL.totalTables(), 0, 1 << 20,
            "table slots");
    static final ConfigKey<Long> TABLE_ELEMENTS = ConfigKey.wholeNumber("pool.table-elements", POOL.tableElements(), 1,
            "8-byte elements per table");
    static final ConfigKey<Long> TABLE_KEEP = ConfigKey.bytes("pool.table-keep-resident", POOL.tableKeepResidentBytes(),
            "bytes of a table kept resident when idle");
    static final ConfigKey<Integer> STACKS = ConfigKey.integer("pool.stacks", POOL.totalStacks(), 0, 1 << 20,
            "stack slots");
    static final ConfigKey<Long> STACK_SIZE = ConfigKey.bytes("pool.stack-size", POOL.stackBytes(),
            "usable bytes per stack (a guard page lies below)");
    static final ConfigKey<Long> STACK_KEEP = ConfigKey.bytes("pool.stack-keep-resident", POOL.stackKeepResidentBytes(),
            "bytes at a stack's top kept resident when idle");
    static final ConfigKey<Integer> MAX_UNUSED_WARM = ConfigKey.integer("pool.max-unused-warm-slots",
            POOL.maxUnusedWarmSlots(), 0, Integer.MAX_VALUE, "the most unused warm slots per kind");
    static final ConfigKey<Integer> DECOMMIT_BATCH = ConfigKey.integer("pool.decommit-batch", POOL.decommitBatchSize(), 1,
            1 << 16, "released slots whose decommits are batched (1: none)");
    static final ConfigKey<ResetStrategy> RESET_STRATEGY = new ConfigKey<>("pool.reset-strategy",
            POOL.resetStrategy().configName(), "madvise-all, memset-keep-resident, pagemap-guided or auto",
            ResetStrategy::fromConfigName);
    static final ConfigKey<ScanMode> SCAN_MODE = new ConfigKey<>("pool.scan-mode", POOL.scanMode().configName(),
            "auto, pagemap-scan, pagemap-read or none", ScanMode::fromConfigName);
    static final ConfigKey<Boolean> WIPE_ON_FORK = ConfigKey.bool("pool.wipe-on-fork", POOL.wipeOnFork(),
            "MADV_WIPEONFORK on the slabs: no tenant's bytes reach a forked child");

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
    static final ConfigKey<Long> SEED = ConfigKey.wholeNumber("workload.seed", 0, 0,
            "the seed of the workload's random choices; 0: a new one each run");

    /** Every key, in the order of {@code --help}. */
    static final List<ConfigKey<?>> KEYS = List.of(DURATION, SUMMARY_INTERVAL, MetricsAddress.HOST, MetricsAddress.PORT,
            LogSettings.LEVEL, LogSettings.FORMAT, PROFILE_OUT, PROFILE_INTERVAL,
            MEMORIES, MEMORY_MAX, MEMORY_GUARD, MEMORY_KEEP, TABLES, TABLE_ELEMENTS, TABLE_KEEP, STACKS, STACK_SIZE,
            STACK_KEEP, MAX_UNUSED_WARM, DECOMMIT_BATCH, RESET_STRATEGY, SCAN_MODE, WIPE_ON_FORK,
            THREADS, MODULES, MEMORY_MIN_SIZE, MEMORY_MAX_SIZE, HOT_PAGES, SCATTERED, HOLD, WORKLOAD_TABLES,
            WORKLOAD_STACK, SEED);

    /** PoolConfig's builder fields, by the key that sets each: its messages name the field. */
    private static final Map<String, ConfigKey<?>> POOL_FIELDS = Map.ofEntries(
            Map.entry("totalMemories", MEMORIES), Map.entry("maxMemoryBytes", MEMORY_MAX),
            Map.entry("memoryGuardBytes", MEMORY_GUARD), Map.entry("memoryKeepResidentBytes", MEMORY_KEEP),
            Map.entry("totalTables", TABLES), Map.entry("tableElements", TABLE_ELEMENTS),
            Map.entry("tableKeepResidentBytes", TABLE_KEEP), Map.entry("totalStacks", STACKS),
            Map.entry("stackBytes", STACK_SIZE), Map.entry("stackKeepResidentBytes", STACK_KEEP),
            Map.entry("maxUnusedWarmSlots", MAX_UNUSED_WARM), Map.entry("decommitBatchSize", DECOMMIT_BATCH));

    private ServeSettings() {
    }

    /**
     * The pool's configuration.
     *
     * @throws UsageException naming the key whose value PoolConfig refuses, or saying why the whole does not fit
     */
    static PoolConfig pool(Configuration c) {
        PoolConfig.Builder b = PoolConfig.builder()
                .totalMemories(c.get(MEMORIES)).maxMemoryBytes(c.get(MEMORY_MAX)).memoryGuardBytes(c.get(MEMORY_GUARD))
                .memoryKeepResidentBytes(c.get(MEMORY_KEEP))
                .totalTables(c.get(TABLES)).tableElements(c.get(TABLE_ELEMENTS)).tableKeepResidentBytes(c.get(TABLE_KEEP))
                .totalStacks(c.get(STACKS)).stackBytes(c.get(STACK_SIZE)).stackKeepResidentBytes(c.get(STACK_KEEP))
                .maxUnusedWarmSlots(c.get(MAX_UNUSED_WARM)).decommitBatchSize(c.get(DECOMMIT_BATCH))
                .resetStrategy(c.get(RESET_STRATEGY)).scanMode(c.get(SCAN_MODE)).wipeOnFork(c.get(WIPE_ON_FORK));
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            String message = e.getMessage();
            int eq = message.indexOf(" = ");
            ConfigKey<?> key = eq > 0 ? POOL_FIELDS.get(message.substring(0, eq)) : null;
            int colon = message.indexOf(": ");
            if (key != null && colon > 0) {
                throw c.invalid(key, message.substring(colon + 2));
            }
            throw new UsageException("serve: the pool configuration does not work: " + message);
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
        if (max > pool.maxMemoryBytes()) {
            throw c.invalid(MEMORY_MAX_SIZE, "must not exceed pool.memory-max (" + c.text(MEMORY_MAX) + ")");
        }
        int tables = c.get(WORKLOAD_TABLES);
        if (tables > 0 && pool.totalTables() < tables) {
            throw c.invalid(WORKLOAD_TABLES, "an instance cannot take more tables than the pool has (pool.tables = "
                    + pool.totalTables() + ")");
        }
        boolean stack = c.get(WORKLOAD_STACK);
        if (stack && pool.totalStacks() == 0) {
            throw c.invalid(WORKLOAD_STACK, "the pool has no stacks (pool.stacks = 0)");
        }
        long seed = c.get(SEED);
        if (seed == 0) {
            seed = System.nanoTime() | 1;
        }
        return new SyntheticWorkload.Settings(c.get(THREADS), c.get(MODULES), min, max, c.get(HOT_PAGES),
                c.get(SCATTERED), c.get(HOLD), tables, stack, seed);
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
