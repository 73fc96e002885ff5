package io.warmpool.pool;

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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link PoolConfig.Builder#build()} refuses every bad value with an {@link IllegalArgumentException}
 * naming the field, the value and the rule: one case per rule and field. The reservation is checked
 * against the address space and, in a child JVM under {@code prlimit}, against {@code RLIMIT_AS},
 * before any {@code mmap}. The defaults build, print, and make a working pool.
 */
class PoolConfigValidationTest {
    private static final long GIB = 1L << 30;

    static Stream<Arguments> badValues() {
        return Stream.of(
                bad("no memories", b -> b.totalMemories(0), "totalMemories = 0: must be at least 1"),
                bad("negative tables", b -> b.totalTables(-1), "totalTables = -1: must be at least 0"),
                bad("negative stacks", b -> b.totalStacks(-2), "totalStacks = -2: must be at least 0"),
                bad("zero memory size", b -> b.maxMemoryBytes(0), "maxMemoryBytes = 0: must be positive"),
                bad("negative memory size", b -> b.maxMemoryBytes(-PAGE), "maxMemoryBytes = -4096: must be positive"),
                bad("memory size off the page", b -> b.maxMemoryBytes(16 * PAGE + 1),
                        "maxMemoryBytes = 65537: must be a multiple of the page size 4096"),
                bad("zero guard", b -> b.memoryGuardBytes(0), "memoryGuardBytes = 0: must be positive"),
                bad("guard off the page", b -> b.memoryGuardBytes(PAGE + 512),
                        "memoryGuardBytes = 4608: must be a multiple of the page size 4096"),
                bad("negative memory keep-resident", b -> b.memoryKeepResidentBytes(-PAGE),
                        "memoryKeepResidentBytes = -4096: must not be negative"),
                bad("memory keep-resident off the page", b -> b.memoryKeepResidentBytes(100),
                        "memoryKeepResidentBytes = 100: must be a multiple of the page size 4096"),
                bad("memory keep-resident above the maximum", b -> b.maxMemoryBytes(16 * PAGE).memoryKeepResidentBytes(32 * PAGE),
                        "memoryKeepResidentBytes = 131072: must not exceed maxMemoryBytes (65536)"),
                bad("no table elements", b -> b.tableElements(0), "tableElements = 0: must be at least 1"),
                bad("table elements past 63 bits", b -> b.tableElements(Long.MAX_VALUE / 4),
                        "tableElements = 2305843009213693951: 8 bytes each does not fit in 63 bits"),
                bad("negative table keep-resident", b -> b.tableKeepResidentBytes(-PAGE),
                        "tableKeepResidentBytes = -4096: must not be negative"),
                bad("table keep-resident off the page", b -> b.tableKeepResidentBytes(PAGE + 8),
                        "tableKeepResidentBytes = 4104: must be a multiple of the page size 4096"),
                bad("table keep-resident above the table", b -> b.tableElements(512).tableKeepResidentBytes(2 * PAGE),
                        "tableKeepResidentBytes = 8192: must not exceed the table size (4096)"),
                bad("zero stack size", b -> b.stackBytes(0), "stackBytes = 0: must be positive"),
                bad("stack size off the page", b -> b.stackBytes(8 * PAGE + 8),
                        "stackBytes = 32776: must be a multiple of the page size 4096"),
                bad("negative stack keep-resident", b -> b.stackKeepResidentBytes(-PAGE),
                        "stackKeepResidentBytes = -4096: must not be negative"),
                bad("stack keep-resident off the page", b -> b.stackKeepResidentBytes(3),
                        "stackKeepResidentBytes = 3: must be a multiple of the page size 4096"),
                bad("stack keep-resident above the stack", b -> b.stackBytes(8 * PAGE).stackKeepResidentBytes(9 * PAGE),
                        "stackKeepResidentBytes = 36864: must not exceed stackBytes (32768)"),
                bad("negative warm-slot bound", b -> b.maxUnusedWarmSlots(-1), "maxUnusedWarmSlots = -1: must be at least 0"),
                bad("no decommit batch", b -> b.decommitBatchSize(0), "decommitBatchSize = 0: must be at least 1"),
                bad("negative stripes", b -> b.stripes(-1), "stripes = -1: must be at least 0"),
                bad("a slab past 63 bits", b -> b.totalMemories(Integer.MAX_VALUE).maxMemoryBytes(1L << 40),
                        "the memory slab, totalMemories 2147483647 x (maxMemoryBytes 1 TiB + memoryGuardBytes 64 MiB),"
                                + " does not fit in 63 bits"),
                bad("more than half the address space", b -> b.totalMemories(100_000).maxMemoryBytes(GIB),
                        "totalMemories 100000 x (maxMemoryBytes 1 GiB + memoryGuardBytes 64 MiB)",
                        "more than half of the 128 TiB user address space"));
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
    @Timeout(120)
    void aReservationThatRlimitAsLeavesNoRoomForFailsAtBuildAsTheKernelWould() throws Exception {
        long limit = 6 * GIB; // a child JVM with -Xmx64m maps about 2.3 GiB here
        List<String> prlimit = List.of("prlimit", "--as=" + limit);
        try (ChildJvm child = ChildJvm.start(prlimit, ReservationLimitChild.class, "8", "1")) {
            assertEquals("LIMIT " + limit, child.awaitLine("LIMIT"));
            String refused = child.awaitLine("REFUSED");
            assertTrue(refused.contains("totalMemories 8 x (maxMemoryBytes 1 GiB + memoryGuardBytes 64 MiB)")
                    && refused.contains("but RLIMIT_AS is 6 GiB"), refused);
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
