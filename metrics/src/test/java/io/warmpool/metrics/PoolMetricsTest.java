package io.warmpool.metrics;

import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.prometheus.client.exporter.common.TextFormat;
import io.warmpool.natives.NativeMemory;
import io.warmpool.pool.Instance;
import io.warmpool.pool.InstanceRequest;
import io.warmpool.pool.WarmPool;
import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.config.ResetStrategy;
import io.warmpool.pool.config.SlotKind;
import io.warmpool.pool.event.AcquireKind;
import io.warmpool.pool.event.Fallback;
import io.warmpool.pool.event.PoolListener;
import io.warmpool.pool.event.ResetRecord;
import io.warmpool.pool.profile.ProfileSnapshot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@SuppressWarnings("deprecation")
class PoolMetricsTest {
    private static final long PAGE = 4096;
    private static final int CYCLES = 20;

    private final PoolConfig config = PoolConfig.builder().memories(2).memoryMax(1 << 20)
            .memoryGuard(64 << 10).memoryKeepResident(64 << 10).tables(1).tableElements(4096)
            .tableKeepResident(8 << 10).stacks(1).stackSize(64 << 10).stackKeepResident(16 << 10)
            .resetStrategy(ResetStrategy.PAGEMAP_GUIDED).build();
    private final PrometheusMeterRegistry registry = MetricsServer.newRegistry();
    private final PoolMetrics metrics = new PoolMetrics(config);
    private ResetRecord lastRecord;
    private WarmPool pool;

    @BeforeEach
    void start() {
        metrics.bindTo(registry);
        PoolListener capture = new PoolListener() {
            @Override
            public void acquired(SlotKind kind, AcquireKind result) {
                metrics.acquired(kind, result);
            }

            @Override
            public void reset(ResetRecord record) {
                lastRecord = record;
                metrics.reset(record);
            }
        };
        pool = WarmPool.create(config, capture);
        metrics.observe(pool);
    }

    @AfterEach
    void stop() {
        metrics.close();
        pool.close();
    }

    /** CYCLES instances of the same key, each dirtying 3 pages of memory, one of table and two of stack. */
    private void runTenants() {
        InstanceRequest request = InstanceRequest.builder().affinityKey("m").memory(256 << 10).tables(1).stack(true).build();
        for (int i = 0; i < CYCLES; i++) {
            try (Instance instance = pool.acquire(request)) {
                long memory = instance.memory(0).address();
                NativeMemory.fill(memory, 3 * PAGE, (byte) 1);
                NativeMemory.putLong(instance.table(0).address(), 7);
                NativeMemory.fill(instance.stack().orElseThrow().top() - 2 * PAGE, 2 * PAGE, (byte) 1);
            }
        }
    }

    @Test
    void everyListedMeterIsExportedUnderItsPrometheusNameAndType() {
        runTenants();
        Exposition scrape = new Exposition(registry.scrape());
        Map<String, String> expected = Map.ofEntries(
                Map.entry("warmpool_reset_seconds", "histogram"),
                Map.entry("warmpool_reset_seconds_max", "gauge"),
                Map.entry("warmpool_reset_scan_seconds", "histogram"),
                Map.entry("warmpool_reset_dirty_pages", "histogram"),
                Map.entry("warmpool_reset_zeroed_bytes_total", "counter"),
                Map.entry("warmpool_reset_decommitted_bytes_total", "counter"),
                Map.entry("warmpool_reset_fallbacks_total", "counter"),
                Map.entry("warmpool_acquires_total", "counter"),
                Map.entry("warmpool_slots", "gauge"),
                Map.entry("warmpool_resident_bytes", "gauge"),
                Map.entry("warmpool_resident_budget_bytes", "gauge"),
                Map.entry("warmpool_fork_generation", "gauge"),
                Map.entry("process_resident_memory_bytes", "gauge"));
        expected.forEach((name, type) -> assertEquals(type, scrape.types.get(name), name + " in " + scrape.types));
        assertTrue(scrape.value("process_resident_memory_bytes") > 0);
        assertEquals(0, scrape.value("warmpool_fork_generation"));
    }

    @Test
    void theMetersCountWhatThePoolDid() {
        runTenants();
        Exposition scrape = new Exposition(registry.scrape());
        for (String kind : new String[] {"memory", "table", "stack"}) {
            String k = "kind=\"" + kind + "\"";
            assertEquals(1, scrape.sum("warmpool_acquires_total", k, "result=\"cold\""), kind);
            assertEquals(CYCLES - 1, scrape.sum("warmpool_acquires_total", k, "result=\"affinity\""), kind);
            assertEquals(CYCLES, scrape.sum("warmpool_reset_seconds_count", k, "strategy=\"pagemap-guided\""), kind);
            assertEquals(CYCLES, scrape.sum("warmpool_reset_seconds_bucket", k, "le=\"+Inf\""), kind);
            assertEquals(CYCLES, scrape.sum("warmpool_reset_scan_seconds_count", k), kind);
            assertEquals(1, scrape.value("warmpool_slots{" + k + ",state=\"warm\",}"), kind);
            assertEquals(0, scrape.value("warmpool_slots{" + k + ",state=\"in_use\",}"), kind);
        }
        assertEquals(CYCLES * 3, scrape.sum("warmpool_reset_dirty_pages_sum", "kind=\"memory\""));
        assertEquals(CYCLES, scrape.sum("warmpool_reset_dirty_pages_bucket", "kind=\"memory\"", "le=\"4.0\""));
        assertEquals(0, scrape.sum("warmpool_reset_dirty_pages_bucket", "kind=\"memory\"", "le=\"2.0\""));
        assertEquals(CYCLES * 3 * PAGE, scrape.sum("warmpool_reset_zeroed_bytes_total", "kind=\"memory\""));
        assertEquals(1, scrape.value("warmpool_slots{kind=\"memory\",state=\"cold\",}"));
        assertEquals(64 << 10, scrape.value("warmpool_resident_budget_bytes{kind=\"memory\",}"));
        double resident = scrape.value("warmpool_resident_bytes{kind=\"memory\",}");
        assertEquals(3 * PAGE, resident, "the warm memory keeps its three zeroed pages resident");
        assertEquals(CYCLES * 3, metrics.resets());
        assertEquals(CYCLES * 3, metrics.resetLatency().count());
        assertEquals(3, metrics.acquires(AcquireKind.COLD));
    }

    @Test
    void everyFallbackReasonIsExportedFromTheStartAndCounted() {
        Exposition before = new Exposition(registry.scrape());
        for (Fallback reason : Fallback.values()) {
            assertEquals(0, before.value("warmpool_reset_fallbacks_total{reason=\"" + reason.label() + "\",}"), reason.label());
        }
        metrics.fallback(SlotKind.MEMORY, Fallback.REMAPPED, "memory slot 1: madvise failed");
        metrics.fallback(SlotKind.TABLE, Fallback.REMAPPED, "table slot 0: madvise failed");
        Exposition after = new Exposition(registry.scrape());
        assertEquals(2, after.value("warmpool_reset_fallbacks_total{reason=\"remapped\",}"));
        assertEquals(2, metrics.fallbacks(Fallback.REMAPPED));
        assertEquals("table slot 0: madvise failed", metrics.lastFallback(Fallback.REMAPPED));
    }

    @Test
    void noSeriesIsExportedTwice() {
        runTenants();
        Exposition scrape = new Exposition(registry.scrape());
        assertEquals(List.of(), scrape.repeatedTypes);
        Set<String> seen = new HashSet<>();
        for (Map.Entry<String, Double> sample : scrape.samples) {
            assertTrue(seen.add(sample.getKey()), "exported twice: " + sample.getKey());
        }
        assertTrue(seen.size() > 100, "a full scrape: " + seen.size());
    }

    @Test
    void theTenantProfileIsServedAndReadsBackAsThePoolRecordedIt() {
        runTenants();
        ProfileSnapshot recorded = pool.profile().snapshot();
        assertEquals(CYCLES, recorded.kind(SlotKind.MEMORY).scannedResets());
        for (String format : new String[] {TextFormat.CONTENT_TYPE_004, TextFormat.CONTENT_TYPE_OPENMETRICS_100}) {
            String scrape = registry.scrape(format);
            assertEquals(recorded, ProfileExposition.parse(scrape), format);
        }
        Exposition scrape = new Exposition(registry.scrape());
        assertEquals("histogram", scrape.types.get("warmpool_profile_dirty_pages"));
        assertEquals("histogram", scrape.types.get("warmpool_profile_dirty_offset_pages"));
        assertEquals("counter", scrape.types.get("warmpool_profile_resets_total"));
        assertEquals("gauge", scrape.types.get("warmpool_profile_keep_resident_bytes"));
        assertEquals(CYCLES, scrape.value("warmpool_profile_resets_total{kind=\"stack\",scanned=\"true\",}"));
    }

    @Test
    void resetAndAcquireEventsAllocateNothingOnceWarm() {
        runTenants();
        ResetRecord record = lastRecord;
        assertNotNull(record);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        int events = 1_000_000;
        for (int i = 0; i < events / 5; i++) {
            metrics.reset(record);
            metrics.acquired(SlotKind.MEMORY, AcquireKind.AFFINITY);
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < events; i++) {
            metrics.reset(record);
            metrics.acquired(SlotKind.MEMORY, AcquireKind.AFFINITY);
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        // One object per event would be 16 MB or more; what remains is the JIT's one-off deoptimizations.
        assertTrue(allocated < 64 << 10, allocated + " bytes allocated by " + 2 * events + " events");
        assertEquals(3 * (CYCLES - 1) + events * 6 / 5, metrics.acquires(AcquireKind.AFFINITY), "every event was counted");
    }

    @Test
    void gaugesReadNanWithoutAPoolAndEveryMeterGoesOnClose() {
        metrics.observe(null);
        Exposition scrape = new Exposition(registry.scrape());
        assertTrue(Double.isNaN(scrape.value("warmpool_slots{kind=\"memory\",state=\"warm\",}")));
        assertTrue(Double.isNaN(scrape.value("warmpool_resident_bytes{kind=\"table\",}")));
        assertTrue(scrape.samples.stream().noneMatch(e -> e.getKey().startsWith("warmpool_profile_")),
                "no profile without a pool");
        metrics.close();
        String after = registry.scrape();
        assertTrue(!after.contains("warmpool_"), after);
        assertTrue(after.contains("process_resident_memory_bytes"), "the process collectors stay");
        assertThrows(IllegalStateException.class, () -> metrics.bindTo(registry));
    }
}
