package io.warmpool.pool.config;

import io.warmpool.pool.ChildJvm;
import io.warmpool.pool.Instance;
import io.warmpool.pool.InstanceRequest;
import io.warmpool.pool.ReservationLimitChild;
import io.warmpool.pool.TestPools;
import io.warmpool.pool.WarmPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static io.warmpool.pool.TestPools.PAGE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link PoolConfig.Builder#build()} refuses every bad value with a {@link PoolConfigException}
 * naming the setting by its one name, the value and the rule: one case per rule and setting. The
 * reservation is checked against the address space when the configuration is built, and, in a child
 * JVM under {@code prlimit}, against {@code RLIMIT_AS} when a pool is created, before any
 * {@code mmap}. The defaults build, print, and make a working pool.
 */
class PoolConfigValidationTest {
    private static final long GIB = 1L << 30;

    static Stream<Arguments> badValues() {
        return Stream.of(
                bad("no memories", b -> b.memories(0), "pool.memories = 0: must be at least 1"),
                bad("negative tables", b -> b.tables(-1), "pool.tables = -1: must be at least 0"),
                bad("negative stacks", b -> b.stacks(-2), "pool.stacks = -2: must be at least 0"),
                bad("zero memory size", b -> b.memoryMax(0), "pool.memory-max = 0: must be positive"),
                bad("negative memory size", b -> b.memoryMax(-PAGE), "pool.memory-max = -4096: must be positive"),
                bad("memory size off the page", b -> b.memoryMax(16 * PAGE + 1),
                        "pool.memory-max = 65537: must be a multiple of the page size 4096"),
                bad("zero guard", b -> b.memoryGuard(0), "pool.memory-guard = 0: must be positive"),
                bad("guard off the page", b -> b.memoryGuard(PAGE + 512),
                        "pool.memory-guard = 4608: must be a multiple of the page size 4096"),
                bad("negative memory keep-resident", b -> b.memoryKeepResident(-PAGE),
                        "pool.memory-keep-resident = -4096: must not be negative"),
                bad("memory keep-resident off the page", b -> b.memoryKeepResident(100),
                        "pool.memory-keep-resident = 100: must be a multiple of the page size 4096"),
                bad("memory keep-resident above the maximum", b -> b.memoryMax(16 * PAGE).memoryKeepResident(32 * PAGE),
                        "pool.memory-keep-resident = 131072: must not exceed the slot's 65536 bytes (pool.memory-max)"),
                bad("no table elements", b -> b.tableElements(0), "pool.table-elements = 0: must be at least 1"),
                bad("table elements past 63 bits", b -> b.tableElements(Long.MAX_VALUE / 4),
                        "pool.table-elements = 2305843009213693951: 8 bytes each does not fit in 63 bits"),
                bad("negative table keep-resident", b -> b.tableKeepResident(-PAGE),
                        "pool.table-keep-resident = -4096: must not be negative"),
                bad("table keep-resident off the page", b -> b.tableKeepResident(PAGE + 8),
                        "pool.table-keep-resident = 4104: must be a multiple of the page size 4096"),
                bad("table keep-resident above the table", b -> b.tableElements(512).tableKeepResident(2 * PAGE),
                        "pool.table-keep-resident = 8192: must not exceed the slot's 4096 bytes (pool.table-elements)"),
                bad("zero stack size", b -> b.stackSize(0), "pool.stack-size = 0: must be positive"),
                bad("stack size off the page", b -> b.stackSize(8 * PAGE + 8),
                        "pool.stack-size = 32776: must be a multiple of the page size 4096"),
                bad("negative stack keep-resident", b -> b.stackKeepResident(-PAGE),
                        "pool.stack-keep-resident = -4096: must not be negative"),
                bad("stack keep-resident off the page", b -> b.stackKeepResident(3),
                        "pool.stack-keep-resident = 3: must be a multiple of the page size 4096"),
                bad("stack keep-resident above the stack", b -> b.stackSize(8 * PAGE).stackKeepResident(9 * PAGE),
                        "pool.stack-keep-resident = 36864: must not exceed the slot's 32768 bytes (pool.stack-size)"),
                bad("negative warm-slot bound", b -> b.maxUnusedWarmSlots(-1), "pool.max-unused-warm-slots = -1: must be at least 0"),
                bad("no decommit batch", b -> b.decommitBatch(0), "pool.decommit-batch = 0: must be at least 1"),
                bad("negative stripes", b -> b.stripes(-1), "pool.stripes = -1: must be at least 0"),
                bad("a slab past 63 bits", b -> b.memories(Integer.MAX_VALUE).memoryMax(1L << 40),
                        "the memory slab, pool.memories 2147483647 x (1099511627776 bytes + 67108864 guard bytes),"
                                + " does not fit in 63 bits"),
                bad("more than half the address space", b -> b.memories(100_000).memoryMax(GIB),
                        "the pool would reserve 103.8 TiB of virtual memory",
                        "more than half of the 128 TiB user address space; shrink pool.memories, pool.memory-max,"));
    }

    private static Arguments bad(String rule, UnaryOperator<PoolConfig.Builder> change, String... expected) {
        return Arguments.of(rule, change, List.of(expected));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badValues")
    void aBadValueFailsAtBuildNamingTheFieldTheValueAndTheRule(String rule, UnaryOperator<PoolConfig.Builder> change,
                                                              List<String> expected) {
        PoolConfig.Builder builder = change.apply(PoolConfig.builder());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, builder::build, rule);
        for (String fragment : expected) {
            assertTrue(e.getMessage().contains(fragment), "'" + e.getMessage() + "' should say '" + fragment + "'");
        }
    }

    @Test
    void aRefusedValueIsTypedWithItsSettingValueAndRule() {
        PoolConfigException e = assertThrows(PoolConfigException.class,
                () -> PoolConfig.builder().memoryKeepResident(100).build());
        assertEquals(PoolSetting.MEMORY_KEEP_RESIDENT, e.setting());
        assertEquals("100", e.value());
        assertEquals("must be a multiple of the page size 4096", e.rule());
        ReservationException r = assertThrows(ReservationException.class,
                () -> PoolConfig.builder().memories(100_000).build());
        assertEquals(List.of(PoolSetting.MEMORIES, PoolSetting.MEMORY_MAX, PoolSetting.MEMORY_GUARD, PoolSetting.STACKS,
                PoolSetting.STACK_SIZE, PoolSetting.TABLES, PoolSetting.TABLE_ELEMENTS), r.shrinkWith());
    }

    @Test
    void equalConfigurationsAreEqualAndDifferentOnesAreNot() {
        PoolConfig a = PoolConfig.builder().memories(4).build();
        assertEquals(a, PoolConfig.builder().memories(4).build());
        assertEquals(a.hashCode(), PoolConfig.builder().memories(4).build().hashCode());
        assertNotEquals(a, PoolConfig.builder().memories(5).build());
        assertNotEquals(a, a.toBuilder().stripes(2).build(), "stripes differ though toString prints auto for neither");
    }

    @Test
    @Timeout(120)
    void aConfigurationBuildsUnderAnyRlimitAsAndAPoolThatDoesNotFitIsRefusedAtCreate() throws Exception {
        long limit = 6 * GIB; // a child JVM with -Xmx64m maps about 2.3 GiB here
        List<String> prlimit = List.of("prlimit", "--as=" + limit);
        try (ChildJvm child = ChildJvm.start(prlimit, ReservationLimitChild.class, "8", "1")) {
            assertEquals("LIMIT " + limit, child.awaitLine("LIMIT"));
            assertEquals("BUILT the large configuration", child.awaitLine("BUILT"));
            String refused = child.awaitLine("REFUSED");
            assertTrue(refused.contains("the pool would reserve 8.6 GiB of virtual memory, but RLIMIT_AS (ulimit -v) is 6 GiB")
                    && refused.contains("shrink pool.memories, pool.memory-max, pool.memory-guard"), refused);
            assertEquals("KERNEL ENOMEM", child.awaitLine("KERNEL"), "the kernel refuses that reservation too");
            child.awaitLine("SERVED");
            assertEquals(0, child.awaitExit(60), child.output());
        }
    }

    @Test
    void theDefaultsBuildPrintAndServeOnThisMachine() {
        PoolConfig defaults = PoolConfig.builder().build();
        String printed = defaults.toString();
        System.out.println(printed);
        for (String line : List.of("memories         64 x 1 GiB max, 64 MiB guard, keep resident 1 MiB",
                "tables           64 x 10000 elements (80 KiB), keep resident 64 KiB",
                "stacks           64 x 512 KiB, guard page below, keep resident 64 KiB",
                "warm slots       at most 32 unused per kind", "decommit batch   1 slot(s)",
                "reset strategy   auto", "scan mode        auto", "wipe on fork     true", "stripes          auto")) {
            assertTrue(printed.contains(line), printed + "\nshould print: " + line);
        }
        assertEquals(defaults, defaults.toBuilder().build());
        try (WarmPool pool = WarmPool.create(defaults);
             Instance instance = pool.acquire(InstanceRequest.builder().memory(1 << 20).tables(1).stack(true).build())) {
            instance.memory(0).buffer().putLong(8, 1);
            TestPools.assertReadsZero(instance.table(0), "a default table");
        }
    }
}
