package io.warmpool.service;

import io.warmpool.metrics.MetricsServer;
import io.warmpool.metrics.PoolMetrics;
import io.warmpool.pool.Instance;
import io.warmpool.pool.InstanceRequest;
import io.warmpool.pool.WarmPool;
import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.config.ResetStrategy;
import io.warmpool.pool.config.SlotKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import javax.management.Attribute;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.RuntimeMBeanException;
import javax.management.openmbean.TabularData;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PoolControlTest {
    private final PoolConfig config = PoolConfig.builder().memories(2).memoryMax(1 << 20)
            .memoryGuard(64 << 10).memoryKeepResident(64 << 10).tables(1).tableElements(1024)
            .tableKeepResident(0).stacks(1).stackSize(64 << 10).stackKeepResident(8 << 10).build();
    private final PoolMetrics metrics = new PoolMetrics(config);
    private final WarmPool pool;
    private final PoolControl control;
    private final MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
    private final ObjectName name;

    PoolControlTest() {
        metrics.bindTo(MetricsServer.newRegistry());
        pool = WarmPool.create(config, metrics);
        metrics.observe(pool);
        control = PoolControl.register(pool, metrics, "control-test");
        name = control.objectName();
    }

    @AfterEach
    void close() {
        control.close();
        metrics.close();
        pool.close();
    }

    private static Object row(Object tabular, String key) {
        return ((TabularData) tabular).get(new Object[] {key}).get("value");
    }

    @Test
    void anOperatorChangesTheRunningPoolThroughJmx() throws Exception {
        assertEquals("io.warmpool:type=WarmPool,name=control-test", name.toString());
        jmx.setAttribute(name, new Attribute("MemoryKeepResident", 128L << 10));
        jmx.setAttribute(name, new Attribute("TableKeepResident", 4096L));
        jmx.setAttribute(name, new Attribute("StackKeepResident", 0L));
        jmx.setAttribute(name, new Attribute("MaxUnusedWarmSlots", 3));
        jmx.setAttribute(name, new Attribute("ResetStrategy", "madvise-all"));
        assertEquals(128 << 10, pool.keepResidentBytes(SlotKind.MEMORY));
        assertEquals(4096, pool.keepResidentBytes(SlotKind.TABLE));
        assertEquals(0, pool.keepResidentBytes(SlotKind.STACK));
        assertEquals(3, pool.maxUnusedWarmSlots());
        assertEquals(ResetStrategy.MADVISE_ALL, pool.resetStrategy());
        assertEquals(128L << 10, jmx.getAttribute(name, "MemoryKeepResident"));
        assertEquals("madvise-all", jmx.getAttribute(name, "ResetStrategy"));
    }

    @Test
    void badValuesAreRefusedNamingThemAndChangeNothing() throws Exception {
        RuntimeMBeanException strategy = assertThrows(RuntimeMBeanException.class,
                () -> jmx.setAttribute(name, new Attribute("ResetStrategy", "zero-it")));
        assertTrue(strategy.getCause().getMessage().startsWith("unknown reset strategy 'zero-it'"), strategy.getCause().getMessage());
        RuntimeMBeanException keep = assertThrows(RuntimeMBeanException.class,
                () -> jmx.setAttribute(name, new Attribute("MemoryKeepResident", 12345L)));
        assertTrue(keep.getCause().getMessage().contains("12345"), keep.getCause().getMessage());
        RuntimeMBeanException bound = assertThrows(RuntimeMBeanException.class,
                () -> jmx.setAttribute(name, new Attribute("MaxUnusedWarmSlots", -1)));
        assertTrue(bound.getCause().getMessage().contains("-1"), bound.getCause().getMessage());
        assertEquals(config.resetStrategy(), pool.resetStrategy());
        assertEquals(64 << 10, pool.keepResidentBytes(SlotKind.MEMORY));
        assertEquals(config.maxUnusedWarmSlots(), pool.maxUnusedWarmSlots());
    }

    @Test
    void theStatisticsSayWhatThePoolDid() throws Exception {
        InstanceRequest request = InstanceRequest.builder().affinityKey("a").memory(64 << 10).tables(1).stack(true).build();
        for (int i = 0; i < 2; i++) {
            try (Instance instance = pool.acquire(request)) {
                io.warmpool.natives.NativeMemory.fill(instance.memory(0).address(), 8192, (byte) 1);
                assertEquals(1, jmx.getAttribute(name, "OutstandingInstances"));
                assertEquals(1, row(jmx.getAttribute(name, "Slots"), "memory.in_use"));
            }
        }
        assertEquals(6L, jmx.getAttribute(name, "Resets"));
        assertEquals(3L, row(jmx.getAttribute(name, "Acquires"), "cold"));
        assertEquals(3L, row(jmx.getAttribute(name, "Acquires"), "affinity"));
        assertEquals(1, row(jmx.getAttribute(name, "Slots"), "memory.warm"));
        assertEquals(1, row(jmx.getAttribute(name, "Slots"), "memory.cold"));
        assertEquals(64L << 10, row(jmx.getAttribute(name, "ResidentBudgetBytes"), "memory"));
        assertTrue((Long) row(jmx.getAttribute(name, "ResidentBytes"), "memory") >= 8192);
        assertTrue((Long) jmx.getAttribute(name, "ZeroedBytes") >= 2 * 8192);
        assertTrue((Double) row(jmx.getAttribute(name, "ResetSeconds"), "p99") > 0);
        assertEquals(0L, row(jmx.getAttribute(name, "Fallbacks"), "remapped"));
        assertEquals("pagemap-scan", jmx.getAttribute(name, "ScanMode"));
    }

    @Test
    void aSecondPoolOfTheSameNameIsRefusedAndCloseUnregisters() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> PoolControl.register(pool, metrics, "control-test"));
        assertTrue(e.getMessage().contains("'control-test' is registered with JMX already"), e.getMessage());
        control.close();
        assertFalse(jmx.isRegistered(name));
        control.close();
    }

    @Test
    void everyChangeIsLoggedWithItsKeyOldAndNewValueAndARefusalWithItsReason() throws Exception {
        java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
        Configuration json = Configuration.load("serve", io.warmpool.service.logging.LogSettings.KEYS, null, java.util.Map.of(),
                java.util.Map.of("log.format", "json"));
        try (var logging = io.warmpool.service.logging.LogSettings.apply(json, new java.io.PrintStream(log, true,
                java.nio.charset.StandardCharsets.UTF_8))) {
            jmx.setAttribute(name, new Attribute("MemoryKeepResident", 128L << 10));
            jmx.setAttribute(name, new Attribute("ResetStrategy", "madvise-all"));
            assertThrows(RuntimeMBeanException.class, () -> jmx.setAttribute(name, new Attribute("MaxUnusedWarmSlots", -1)));
        }
        java.util.List<String> lines = log.toString(java.nio.charset.StandardCharsets.UTF_8).lines().toList();
        assertEquals(3, lines.size(), lines.toString());
        java.util.Map<?, ?> keep = (java.util.Map<?, ?>) JsonReader.parse(lines.get(0));
        assertEquals("JMX: MemoryKeepResident (pool.memory-keep-resident) changed from 65536 (64 KiB) to 131072 (128 KiB)",
                keep.get("message"));
        assertEquals("pool.memory-keep-resident", keep.get("setting"));
        assertEquals(65536.0, keep.get("old"));
        assertEquals(131072.0, keep.get("new"));
        java.util.Map<?, ?> strategy = (java.util.Map<?, ?>) JsonReader.parse(lines.get(1));
        assertEquals("JMX: ResetStrategy (pool.reset-strategy) changed from auto to madvise-all", strategy.get("message"));
        assertEquals("auto", strategy.get("old"));
        java.util.Map<?, ?> refused = (java.util.Map<?, ?>) JsonReader.parse(lines.get(2));
        assertEquals("WARN", refused.get("level"));
        assertEquals("JMX: MaxUnusedWarmSlots (pool.max-unused-warm-slots) = -1 refused: max unused warm slots = -1: must be at"
                + " least 0", refused.get("message"));
    }
}
