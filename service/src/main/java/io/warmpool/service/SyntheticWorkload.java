package io.warmpool.service;

import io.warmpool.natives.NativeMemory;
import io.warmpool.pool.Instance;
import io.warmpool.pool.ImageSegment;
import io.warmpool.pool.InstanceRequest;
import io.warmpool.pool.MemoryImage;
import io.warmpool.pool.MemorySlot;
import io.warmpool.pool.PoolExhaustedException;
import io.warmpool.pool.TableSlot;
import io.warmpool.pool.WarmPool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * Tenants for {@code warmpool serve}: worker threads that acquire instances, dirty their pages the
 * way short-lived instances do, hold them briefly and release them.
 *
 * <pre>
 *  modules (affinity keys "module-0" .. "module-N-1"), fixed at start from the seed:
 *    memory size   log-uniform in [memory-min, memory-max], a whole number of pages
 *    hot set       1 .. hot-pages pages at the start of the memory
 *    image         with image-bytes > 0: a memory image of that many bytes (random, from the seed),
 *                  which the module's memory starts from; the hot set's writes land in it
 *  each worker ({@link TenantThreads}), until stopped:
 *    module  = N * u^2 (u uniform in [0, 1)): low-numbered modules are the popular ones
 *    acquire one memory of the module's size, `tables` tables and a stack (waits up to 100 ms)
 *    memory: write every page of the hot set, then 0 .. 2 * scattered-writes random pages
 *    tables: write the first element and one random one;  stack: write the top 2 pages (frames)
 *    park for `hold`, release (the pool resets every slot)
 *  each worker draws from a random of its own, split from the seed in worker order
 * </pre>
 */
final class SyntheticWorkload {
    private static final Duration ACQUIRE_WAIT = Duration.ofMillis(100);

    /**
     * What the workload does.
     *
     * @param threads         worker threads
     * @param modules         distinct affinity keys
     * @param memoryMin       the smallest module memory, bytes
     * @param memoryMax       the largest module memory, bytes
     * @param hotPages        the largest hot set a module writes at the start of its memory, pages
     * @param scatteredWrites the mean number of random pages an instance writes beyond its hot set
     * @param hold            how long an instance is held before its release
     * @param tables          tables per instance
     * @param stack           whether each instance takes a stack
     * @param imageBytes      the size of each module's memory image, bytes; 0: no images
     * @param seed            the seed of every random choice
     */
    record Settings(int threads, int modules, long memoryMin, long memoryMax, int hotPages, int scatteredWrites,
                    Duration hold, int tables, boolean stack, long imageBytes, long seed) {
    }

    /** One module: its affinity key, its memory's size, its hot set, and its memory image or null. */
    record Module(String key, long memoryBytes, int hotPages, MemoryImage image) {
    }

    private final Settings settings;
    private final WarmPool pool;
    private final long pageSize;
    private final List<Module> modules = new ArrayList<>();
    private final TenantThreads threads;

    /** @param onFailure runs once, on the failing worker, when a worker meets an unexpected failure */
    SyntheticWorkload(Settings settings, WarmPool pool, Runnable onFailure) {
        this.settings = settings;
        this.pool = pool;
        SplittableRandom seeds = new SplittableRandom(settings.seed() ^ 0x5DEECE66DL);
        this.threads = new TenantThreads("warmpool-tenant", settings.threads(), i -> {
            SplittableRandom random = seeds.split();
            return () -> request(random);
        }, onFailure);
        this.pageSize = pool.config().pageSize();
        SplittableRandom random = new SplittableRandom(settings.seed());
        double lnMin = Math.log(settings.memoryMin());
        double lnMax = Math.log(settings.memoryMax());
        for (int i = 0; i < settings.modules(); i++) {
            long bytes = (long) Math.exp(lnMin + (lnMax - lnMin) * random.nextDouble());
            bytes = Math.min(Math.max(roundUp(bytes), roundUp(settings.memoryMin())), settings.memoryMax());
            int hot = settings.hotPages() == 0 ? 0 : 1 + random.nextInt(settings.hotPages());
            MemoryImage image = null;
            if (settings.imageBytes() > 0) {
                byte[] initial = new byte[(int) Math.min(settings.imageBytes(), Integer.MAX_VALUE - 8)];
                random.split().nextBytes(initial);
                image = pool.createImage(List.of(new ImageSegment(0, initial)));
            }
            modules.add(new Module("module-" + i, bytes, hot, image));
        }
    }

    private long roundUp(long bytes) {
        return (bytes + pageSize - 1) / pageSize * pageSize;
    }

    /** The modules, in key order. */
    List<Module> modules() {
        return modules;
    }

    /** The worker threads that run this workload's requests. */
    TenantThreads threads() {
        return threads;
    }

    /** One instance: a module drawn, acquired, dirtied, held and released. */
    private void request(SplittableRandom random) throws InterruptedException {
        double u = random.nextDouble();
        Module module = modules.get((int) (modules.size() * u * u));
        InstanceRequest request = InstanceRequest.builder().affinityKey(module.key())
                .memory(module.memoryBytes(), module.image()).tables(settings.tables())
                .stack(settings.stack()).build();
        Instance instance;
        try {
            instance = pool.acquire(request, ACQUIRE_WAIT);
        } catch (PoolExhaustedException e) {
            threads.exhausted();
            return;
        }
        try (instance) {
            dirty(instance, module, random);
            hold();
        }
        threads.served();
    }

    /** Parks for the hold time, or less when stopped (an interrupt ends a park early, and is kept). */
    private void hold() {
        long end = System.nanoTime() + settings.hold().toNanos();
        for (long left = settings.hold().toNanos();
             left > 0 && !threads.stopping() && !Thread.currentThread().isInterrupted(); left = end - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }

    private void dirty(Instance instance, Module module, SplittableRandom random) {
        long stamp = random.nextLong() | 1;
        MemorySlot memory = instance.memory(0);
        long base = memory.address();
        long pages = memory.accessibleBytes() / pageSize;
        for (long p = 0; p < Math.min(module.hotPages(), pages); p++) {
            NativeMemory.putLong(base + p * pageSize, stamp);
        }
        int scattered = settings.scatteredWrites() == 0 ? 0 : random.nextInt(2 * settings.scatteredWrites() + 1);
        for (int i = 0; i < scattered && pages > 0; i++) {
            NativeMemory.putLong(base + random.nextLong(pages) * pageSize + 8 * random.nextInt((int) (pageSize / 8)), stamp);
        }
        for (TableSlot table : instance.tables()) {
            NativeMemory.putLong(table.address(), stamp);
            NativeMemory.putLong(table.address() + 8 * random.nextLong(table.elements()), stamp);
        }
        instance.stack().ifPresent(stack -> {
            long frames = Math.min(2 * pageSize, stack.accessibleBytes());
            NativeMemory.fill(stack.top() - frames, frames, (byte) 1);
        });
    }

}
