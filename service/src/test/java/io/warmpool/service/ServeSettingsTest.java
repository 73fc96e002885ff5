package io.warmpool.service;

import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.config.ResetStrategy;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServeSettingsTest {

    static Configuration flags(Map<String, String> flags) {
        return Configuration.load("serve", ServeSettings.KEYS, null, Map.of(), flags);
    }

    @Test
    void theDefaultsArePoolConfigsDefaults() {
        assertEquals(PoolConfig.builder().build(), ServeSettings.pool(flags(Map.of())));
    }

    @Test
    void everyPoolKeyReachesThePoolConfig() {
        PoolConfig config = ServeSettings.pool(flags(Map.ofEntries(Map.entry("pool.memories", "3"),
                Map.entry("pool.memory-max", "8MiB"), Map.entry("pool.memory-guard", "64KiB"),
                Map.entry("pool.memory-keep-resident", "128KiB"), Map.entry("pool.tables", "2"),
                Map.entry("pool.table-elements", "1024"), Map.entry("pool.table-keep-resident", "4KiB"),
                Map.entry("pool.stacks", "1"), Map.entry("pool.stack-size", "256KiB"),
                Map.entry("pool.stack-keep-resident", "8KiB"), Map.entry("pool.max-unused-warm-slots", "5"),
                Map.entry("pool.decommit-batch", "4"), Map.entry("pool.reset-strategy", "madvise-all"),
                Map.entry("pool.scan-mode", "pagemap-read"), Map.entry("pool.wipe-on-fork", "false"))));
        PoolConfig expected = PoolConfig.builder().memories(3).memoryMax(8 << 20).memoryGuard(64 << 10)
                .memoryKeepResident(128 << 10).tables(2).tableElements(1024).tableKeepResident(4 << 10)
                .stacks(1).stackSize(256 << 10).stackKeepResident(8 << 10).maxUnusedWarmSlots(5)
                .decommitBatch(4).resetStrategy(ResetStrategy.MADVISE_ALL)
                .scanMode(io.warmpool.pagemap.ScanMode.PAGEMAP_READ).wipeOnFork(false).build();
        assertEquals(expected, config);
    }

    @Test
    void aValueThePoolRefusesIsNamedByItsKey() {
        UsageException e = assertThrows(UsageException.class,
                () -> ServeSettings.pool(flags(Map.of("pool.memory-keep-resident", "12345"))));
        assertEquals("serve: pool.memory-keep-resident = '12345' (flag --pool.memory-keep-resident): must be a multiple"
                + " of the page size 4096", e.getMessage());
        UsageException strategy = assertThrows(UsageException.class,
                () -> ServeSettings.pool(flags(Map.of("pool.reset-strategy", "zero-it"))));
        assertTrue(strategy.getMessage().startsWith("serve: pool.reset-strategy = 'zero-it' (flag --pool.reset-strategy):"
                + " unknown reset strategy 'zero-it'; expected madvise-all,"), strategy.getMessage());
        UsageException whole = assertThrows(UsageException.class,
                () -> ServeSettings.pool(flags(Map.of("pool.memories", "1048576", "pool.memory-max", "64GiB"))));
        assertTrue(whole.getMessage().startsWith("serve: the pool would reserve 64.1 PiB of virtual memory, more than half"
                + " of the 128 TiB user address space; shrink pool.memories, pool.memory-max"), whole.getMessage());
    }

    @Test
    void theWorkloadMustFitThePool() {
        Configuration tooLarge = flags(Map.of("pool.memory-max", "1MiB", "pool.memory-keep-resident", "64KiB"));
        assertEquals("serve: workload.memory-max = '4MiB' (default): must not exceed pool.memory-max (1MiB)",
                assertThrows(UsageException.class, () -> ServeSettings.workload(tooLarge, ServeSettings.pool(tooLarge)))
                        .getMessage());
        Configuration noStacks = flags(Map.of("pool.stacks", "0"));
        assertEquals("serve: workload.stack = 'true' (default): the pool has no stacks (pool.stacks = 0)",
                assertThrows(UsageException.class, () -> ServeSettings.workload(noStacks, ServeSettings.pool(noStacks)))
                        .getMessage());
        Configuration tables = flags(Map.of("pool.tables", "1", "workload.tables", "2"));
        assertTrue(assertThrows(UsageException.class, () -> ServeSettings.workload(tables, ServeSettings.pool(tables)))
                .getMessage().startsWith("serve: workload.tables = '2' (flag --workload.tables): "));
        Configuration inverted = flags(Map.of("workload.memory-min", "2MiB", "workload.memory-max", "1MiB"));
        assertTrue(assertThrows(UsageException.class, () -> ServeSettings.workload(inverted, ServeSettings.pool(inverted)))
                .getMessage().startsWith("serve: workload.memory-max = '1MiB' (flag --workload.memory-max): must be at least"));
    }

    @Test
    void aZeroSeedPicksOneAndAnyOtherIsKept() {
        Configuration seeded = flags(Map.of("workload.seed", "42"));
        assertEquals(42, ServeSettings.workload(seeded, ServeSettings.pool(seeded)).seed());
        Configuration fresh = flags(Map.of());
        assertTrue(ServeSettings.workload(fresh, ServeSettings.pool(fresh)).seed() != 0);
    }

    @Test
    void everyKeyIsInTheHelpWithItsDefaultAndVariable() {
        String help = new ServeCommand().help();
        for (ConfigKey<?> key : ServeSettings.KEYS) {
            assertTrue(help.contains("--" + key.name()) && help.contains(key.envName()), key.name());
        }
        assertTrue(help.contains("defaults < file (--config FILE, else $WARMPOOL_CONFIG"), help);
    }
}
