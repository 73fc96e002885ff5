package io.warmpool.pool;

import io.warmpool.natives.KernelFeatures;
import io.warmpool.natives.Syscalls;
import io.warmpool.pagemap.PagemapScanner;
import io.warmpool.pagemap.ScanMode;
import io.warmpool.pagemap.ScanSelection;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A pool of pre-reserved memory, table and stack slots for short-lived instances, each reset on
 * release so that the next tenant reads zeros everywhere it can reach, at the least cost, with the
 * resident memory of idle slots inside a budget.
 *
 * <pre>{@code
 * try (WarmPool pool = WarmPool.create(PoolConfig.builder().build())) {
 *     InstanceRequest request = InstanceRequest.builder()
 *             .affinityKey("module-a").memory(64 << 10).tables(1).stack(true).build();
 *     try (Instance instance = pool.acquire(request)) {
 *         instance.memory(0).buffer().putLong(0, 42);        // the tenant runs
 *     }                                                       // reset, back in the pool, warm
 * }
 * }</pre>
 *
 * Thread-safe. Acquire and release take one stripe's lock of each kind, briefly; the reset runs
 * without a lock on the releasing thread, with that thread's own scanner.
 */
public final class WarmPool implements AutoCloseable {
    private final PoolConfig config;
    private final Syscalls os;
    private final PoolListener listener;
    private final TenantProfile profile;
    private final Map<SlotKind, SlotPool> kinds = new EnumMap<>(SlotKind.class);
    private final ThreadLocal<ResetContext> contexts;
    private final List<ResetContext> allContexts = new ArrayList<>();
    private final AtomicInteger outstanding = new AtomicInteger();
    private final AtomicInteger waiters = new AtomicInteger();
    private final Object freed = new Object();
    private volatile long freeVersion;
    private volatile boolean closed;
    private volatile int maxUnusedWarmSlots;
    private PagemapScanner measuringScanner;

    private WarmPool(PoolConfig config, PoolListener listener, Syscalls os) {
        this.config = config;
        this.os = os;
        this.listener = listener;
        this.maxUnusedWarmSlots = config.maxUnusedWarmSlots();
        this.contexts = ThreadLocal.withInitial(this::newContext);
        this.profile = new TenantProfile(config, this::keepResidentBytes);
        PoolListener profiling = profiling(profile, listener);
        boolean processMadvise = config.decommitBatchSize() > 1 && KernelFeatures.processMadviseDontneed(os).present();
        try {
            for (SlotKind kind : SlotKind.values()) {
                if (config.total(kind) > 0) {
                    kinds.put(kind, new SlotPool(kind, config, os, processMadvise, profiling, this::slotFreed));
                }
            }
            newContext(); // opens a scanner now, so that a bad scan mode fails here and not on a release
        } catch (RuntimeException e) {
            closeAll();
            throw e;
        }
    }

    /** A pool on the real kernel that tells nothing. */
    public static WarmPool create(PoolConfig config) {
        return create(config, PoolListener.NONE);
    }

    /** A pool on the real kernel that tells {@code listener} what it does. */
    public static WarmPool create(PoolConfig config, PoolListener listener) {
        return create(config, listener, Syscalls.linux());
    }

    /**
     * A pool that makes its system calls through {@code os} (tests pass a fault-injecting double).
     *
     * @throws UnsupportedOperationException when the scan mode asks for PAGEMAP_SCAN and the kernel lacks it
     * @throws io.warmpool.natives.NativeCallException when a slab cannot be reserved
     */
    public static WarmPool create(PoolConfig config, PoolListener listener, Syscalls os) {
        return new WarmPool(Objects.requireNonNull(config, "config"), Objects.requireNonNull(listener, "listener"),
                Objects.requireNonNull(os, "os"));
    }

    /** {@code listener}, with each reset recorded in {@code profile} first. */
    private static PoolListener profiling(TenantProfile profile, PoolListener listener) {
        return new PoolListener() {
            @Override
            public void acquired(SlotKind kind, AcquireKind result) {
                listener.acquired(kind, result);
            }

            @Override
            public void reset(ResetRecord record) {
                profile.reset(record);
                listener.reset(record);
            }

            @Override
            public void fallback(SlotKind kind, Fallback reason, String detail) {
                listener.fallback(kind, reason, detail);
            }
        };
    }

    private ResetContext newContext() {
        PagemapScanner scanner = null;
        try {
            scanner = PagemapScanner.open(config.scanMode(), os).orElse(null);
        } catch (RuntimeException e) {
            if (config.scanMode() != ScanMode.AUTO) {
                throw e;
            }
            listener.fallback(SlotKind.MEMORY, Fallback.NO_SCANNER, "cannot open a scanner: " + e.getMessage());
        }
        if (scanner == null && config.resetStrategy() == ResetStrategy.PAGEMAP_GUIDED) {
            listener.fallback(SlotKind.MEMORY, Fallback.NO_SCANNER,
                    "scan mode " + config.scanMode() + ": pagemap-guided resets run as memset-keep-resident");
        }
        ResetContext context = new ResetContext(scanner);
        synchronized (allContexts) {
            allContexts.add(context);
        }
        return context;
    }

    /** The configuration the pool was built with (runtime changes are read with their own getters). */
    public PoolConfig config() {
        return config;
    }

    SlotPool slots(SlotKind kind) {
        SlotPool pool = kinds.get(kind);
        if (pool == null) {
            throw new IllegalStateException("the pool has no " + kind.label() + " slots (total " + kind.label()
                    + "s is 0)");
        }
        return pool;
    }

    /**
     * Acquires the slots of one instance, or none of them.
     *
     * @throws PoolExhaustedException naming the kind and its capacity when a kind has no free slot
     * @throws IllegalArgumentException when a memory's initial size exceeds the maximum, or a kind is asked
     *                                  for that the pool has no slots of
     * @throws IllegalStateException when the pool is closed
     */
    public Instance acquire(InstanceRequest request) {
        checkOpen();
        profile.acquiring(outstanding.get());
        Object key = request.affinityKey();
        int[] memories = new int[request.memories()];
        int[] tables = new int[request.tables()];
        int stack = -1;
        int memoriesTaken = 0;
        int tablesTaken = 0;
        try {
            for (; memoriesTaken < memories.length; memoriesTaken++) {
                long initial = PoolConfig.roundUp(request.memoryBytes(memoriesTaken), config.pageSize());
                if (initial > config.maxMemoryBytes()) {
                    throw new IllegalArgumentException("memory " + memoriesTaken + " asks for " + request.memoryBytes(memoriesTaken)
                            + " initial bytes; the maximum is " + config.maxMemoryBytes());
                }
                memories[memoriesTaken] = take(SlotKind.MEMORY, key, initial);
            }
            for (; tablesTaken < tables.length; tablesTaken++) {
                tables[tablesTaken] = take(SlotKind.TABLE, key, 0);
            }
            if (request.stack()) {
                stack = take(SlotKind.STACK, key, 0);
            }
        } catch (RuntimeException e) {
            ResetContext ctx = contexts.get();
            for (int i = 0; i < memoriesTaken; i++) {
                slots(SlotKind.MEMORY).release(ctx, memories[i], key);
            }
            for (int i = 0; i < tablesTaken; i++) {
                slots(SlotKind.TABLE).release(ctx, tables[i], key);
            }
            throw e;
        }
        outstanding.incrementAndGet();
        return new Instance(this, key, memories, tables, stack);
    }

    private int take(SlotKind kind, Object key, long initialBytes) {
        SlotPool pool = slots(kind);
        int slot = pool.acquire(key, initialBytes);
        if (slot == SlotIndexAllocator.NONE) {
            throw new PoolExhaustedException(pool.snapshot(), "");
        }
        return slot;
    }

    /**
     * Acquires the slots of one instance, waiting up to {@code timeout} for slots to be released.
     *
     * @throws PoolExhaustedException when the timeout passed with a kind still exhausted
     * @throws InterruptedException   when interrupted while waiting
     */
    public Instance acquire(InstanceRequest request, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        waiters.incrementAndGet();
        try {
            while (true) {
                long seen = freeVersion;
                try {
                    return acquire(request);
                } catch (PoolExhaustedException e) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new PoolExhaustedException(slots(e.kind()).snapshot(), " within " + timeout);
                    }
                    synchronized (freed) {
                        while (freeVersion == seen && (left = deadline - System.nanoTime()) > 0) {
                            freed.wait(Math.max(1, left / 1_000_000), 0);
                        }
                    }
                }
            }
        } finally {
            waiters.decrementAndGet();
        }
    }

    private void slotFreed() {
        if (waiters.get() > 0) {
            synchronized (freed) {
                freeVersion++;
                freed.notifyAll();
            }
        }
    }

    void release(Instance instance) {
        ResetContext ctx = contexts.get();
        Object key = instance.affinityKey();
        try {
            for (int slot : instance.memorySlots) {
                slots(SlotKind.MEMORY).release(ctx, slot, key);
            }
            for (int slot : instance.tableSlots) {
                slots(SlotKind.TABLE).release(ctx, slot, key);
            }
            if (instance.stackSlot >= 0) {
                slots(SlotKind.STACK).release(ctx, instance.stackSlot, key);
            }
        } finally {
            outstanding.decrementAndGet();
        }
    }

    /** What the pool's tenants did so far: dirty pages per reset and where, instances in use at acquire. */
    public TenantProfile profile() {
        return profile;
    }

    /** Instances acquired and not yet released. */
    public int outstanding() {
        return outstanding.get();
    }

    /** The state of every kind's slots now. */
    public PoolSnapshot snapshot() {
        Map<SlotKind, PoolSnapshot.KindSnapshot> out = new EnumMap<>(SlotKind.class);
        for (SlotPool pool : kinds.values()) {
            out.put(pool.kind(), pool.snapshot());
        }
        return new PoolSnapshot(out);
    }

    /**
     * The resident bytes of a kind's slab, measured now by scanning it (cheap where nothing is mapped:
     * the scan skips empty page tables). In-use slots count too.
     */
    public long residentBytes(SlotKind kind) {
        checkOpen();
        SlotPool pool = kinds.get(kind);
        if (pool == null) {
            return 0;
        }
        synchronized (this) {
            if (measuringScanner == null) {
                measuringScanner = PagemapScanner.open(ScanMode.AUTO, os).orElseThrow();
            }
            Slab slab = pool.slab();
            return measuringScanner.countPages(slab.base(), slab.base() + slab.reservation(), ScanSelection.RESIDENT)
                    * config.pageSize();
        }
    }

    /** The keep-resident bytes per warm slot of {@code kind} now. */
    public long keepResidentBytes(SlotKind kind) {
        return slots(kind).resetter().keepResidentBytes();
    }

    /**
     * Changes the keep-resident bytes of {@code kind} for the resets from now on.
     *
     * @throws IllegalArgumentException when not page-aligned or above the slot size
     */
    public void setKeepResidentBytes(SlotKind kind, long bytes) {
        slots(kind).resetter().keepResidentBytes(bytes);
    }

    /** The bound on unused warm slots per kind now. */
    public int maxUnusedWarmSlots() {
        return maxUnusedWarmSlots;
    }

    /** Changes the bound on unused warm slots per kind; warm slots above a lower bound go cold now. */
    public void setMaxUnusedWarmSlots(int bound) {
        for (SlotPool pool : kinds.values()) {
            pool.allocator().setMaxUnusedWarm(bound);
        }
        maxUnusedWarmSlots = bound;
        for (SlotPool pool : kinds.values()) {
            pool.evictExcess();
        }
    }

    /** The reset strategy now. */
    public ResetStrategy resetStrategy() {
        return slots(SlotKind.MEMORY).resetter().strategy();
    }

    /** Changes the reset strategy of every kind for the resets from now on. */
    public void setResetStrategy(ResetStrategy strategy) {
        Objects.requireNonNull(strategy, "strategy");
        for (SlotPool pool : kinds.values()) {
            pool.resetter().strategy(strategy);
        }
    }

    /** The mode the calling thread's scanner runs in, or {@link ScanMode#NONE} without one. */
    public ScanMode scanMode() {
        PagemapScanner scanner = contexts.get().scanner;
        return scanner == null ? ScanMode.NONE : scanner.mode();
    }

    /** Runs every queued decommit now. */
    public void flushDecommits() {
        for (SlotPool pool : kinds.values()) {
            pool.flush();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the pool is closed");
        }
    }

    /**
     * Unmaps every slab. Idempotent.
     *
     * @throws IllegalStateException naming how many instances are still out; the pool stays open
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        int out = outstanding.get();
        if (out > 0) {
            throw new IllegalStateException(out + " instance(s) still out: release them before closing the pool");
        }
        closed = true;
        closeAll();
    }

    private void closeAll() {
        for (SlotPool pool : kinds.values()) {
            pool.close();
        }
        synchronized (allContexts) {
            for (ResetContext context : allContexts) {
                context.close();
            }
            allContexts.clear();
        }
        if (measuringScanner != null) {
            measuringScanner.close();
        }
    }
}
