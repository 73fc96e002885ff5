package io.warmpool.service;

import io.warmpool.metrics.MetricsServer;
import io.warmpool.metrics.PoolMetrics;
import io.warmpool.pool.WarmPool;
import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.event.AcquireKind;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SyntheticWorkloadTest {
    private static final long PAGE = 4096;
    private final PoolConfig config = PoolConfig.builder().memories(4).memoryMax(2 << 20)
            .memoryGuard(64 << 10).memoryKeepResident(256 << 10).tables(4).tableElements(1024)
            .stacks(4).stackSize(64 << 10).stackKeepResident(8 << 10).tableKeepResident(4096).build();

    private static SyntheticWorkload.Settings settings(long seed) {
        return new SyntheticWorkload.Settings(2, 3, 64 << 10, 1 << 20, 8, 4, Duration.ZERO, 1, true, 0, seed);
    }

    @Test
    void modulesHaveWholePageSizesInRangeAndTheSeedFixesThem() {
        try (WarmPool pool = WarmPool.create(config)) {
            List<SyntheticWorkload.Module> modules = new SyntheticWorkload(settings(5), pool, () -> { }).modules();
            assertEquals(3, modules.size());
            for (SyntheticWorkload.Module m : modules) {
                assertTrue(m.memoryBytes() >= 64 << 10 && m.memoryBytes() <= 1 << 20, m.toString());
                assertEquals(0, m.memoryBytes() % PAGE, m.toString());
                assertTrue(m.hotPages() >= 1 && m.hotPages() <= 8, m.toString());
            }
            assertEquals(List.of("module-0", "module-1", "module-2"), modules.stream().map(SyntheticWorkload.Module::key).toList());
            assertEquals(modules, new SyntheticWorkload(settings(5), pool, () -> { }).modules());
            assertNotEquals(modules, new SyntheticWorkload(settings(6), pool, () -> { }).modules());
        }
    }

    @Test
    void withImageBytesEveryMemoryStartsFromItsModulesImageAndTheImageMetersCount() throws InterruptedException {
        PoolMetrics metrics = new PoolMetrics(config);
        io.micrometer.core.instrument.MeterRegistry registry = MetricsServer.newRegistry();
        metrics.bindTo(registry);
        try (WarmPool pool = WarmPool.create(config, metrics)) {
            metrics.observe(pool);
            SyntheticWorkload.Settings images = new SyntheticWorkload.Settings(2, 3, 64 << 10, 1 << 20, 8, 4,
                    Duration.ZERO, 1, true, 96 << 10, 13);
            SyntheticWorkload workload = new SyntheticWorkload(images, pool, () -> { });
            TenantThreads tenants = workload.threads();
            for (SyntheticWorkload.Module m : workload.modules()) {
                assertEquals(96 << 10, m.image().byteSize(), m.toString());
            }
            tenants.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (tenants.instances() < 100 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            tenants.stopAndJoin();
            assertNull(tenants.failure());
            long acquired = metrics.imageAcquires(true) + metrics.imageAcquires(false);
            assertTrue(acquired >= tenants.instances() && acquired > 0, acquired + " image acquires");
            assertTrue(metrics.imageAcquires(true) > 0, "four slots, three modules: some slot meets its image again");
            assertTrue(metrics.imageRemaps() >= metrics.imageAcquires(false), "a miss remaps");
            assertTrue(metrics.imageRestoredBytes(true) > 0, "the hot set lies in the image: restored by copy");
            assertEquals(3.0, registry.get("warmpool.images.alive").gauge().value());
        }
    }

    @Test
    void tenantsDirtyPagesUntilStoppedAndLeaveNothingOut() throws InterruptedException {
        PoolMetrics metrics = new PoolMetrics(config);
        metrics.bindTo(MetricsServer.newRegistry());
        try (WarmPool pool = WarmPool.create(config, metrics)) {
            SyntheticWorkload workload = new SyntheticWorkload(settings(11), pool, () -> { });
            TenantThreads tenants = workload.threads();
            tenants.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (tenants.instances() < 200 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            tenants.stopAndJoin();
            assertNull(tenants.failure());
            assertTrue(tenants.instances() >= 200, "instances: " + tenants.instances());
            assertEquals(0, pool.outstanding());
            assertEquals(3 * tenants.instances(), metrics.resets(), "a memory, a table and a stack each");
            assertTrue(metrics.acquires(AcquireKind.AFFINITY) > 0, "three modules on four memories: affinity hits");
            assertTrue(metrics.zeroedBytes() >= tenants.instances() * PAGE, "the hot set is zeroed, at least a page each");
        } finally {
            metrics.close();
        }
    }
}
