package io.warmpool.pool.profile;

import io.warmpool.pool.Instance;
import io.warmpool.pool.InstanceRequest;
import io.warmpool.pool.StackSlot;
import io.warmpool.pool.TestPools;
import io.warmpool.pool.WarmPool;
import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.config.ResetStrategy;
import io.warmpool.pool.config.SlotKind;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The profile a real pool records from its resets on the real kernel. */
class TenantProfileTest {
    private static final long PAGE = TestPools.PAGE;

    private static void cycle(WarmPool pool, long... pages) {
        try (Instance instance = pool.acquire(InstanceRequest.memory("k", 256 * PAGE))) {
            for (long p : pages) {
                instance.memory(0).buffer().put((int) (p * PAGE), (byte) 1);
            }
        }
    }

    @Test
    void scannedResetsCountTheirDirtyPagesAndWhereTheyLie() {
        PoolConfig config = TestPools.memories(2, 256 * PAGE, 64 * PAGE).resetStrategy(ResetStrategy.PAGEMAP_GUIDED)
                .wipeOnFork(false).build();
        try (WarmPool pool = WarmPool.create(config)) {
            cycle(pool, 0, 1, 2, 3);
            cycle(pool, 40, 41);
            ProfileSnapshot.KindProfile memory = pool.profile().snapshot().kind(SlotKind.MEMORY);
            assertEquals(2, memory.scannedResets());
            assertEquals(0, memory.unscannedResets());
            assertEquals(1, memory.dirtyPages().counts()[ProfileBuckets.logLinearIndex(memory.dirtyPages().upperBounds(), 4)]);
            assertEquals(1, memory.dirtyPages().counts()[ProfileBuckets.logLinearIndex(memory.dirtyPages().upperBounds(), 6)],
                    "the second reset finds its two pages and the four kept resident, zeroed, from the first");
            assertEquals(10, memory.dirtyPages().sum());
            assertEquals(10, memory.dirtyOffsetPages().count());
            assertEquals(2 * (1 + 2 + 3 + 4) + 41 + 42, memory.dirtyOffsetPages().sum(), "page numbers count from 1");
            assertEquals(8, memory.dirtyOffsetPages().countAtMost(4));
            assertEquals(3, memory.dirtyRegions(), "pages 0-3 once, then 0-3 and 40-41");
            assertEquals(2 * 256 * PAGE, memory.accessibleBytes());
            assertEquals(256 * PAGE, memory.slotBytes());
            assertEquals(64 * PAGE, memory.keepResidentBytes());
            assertEquals(2, pool.profile().snapshot().inUseAtAcquire().count());
        }
    }

    @Test
    void aFullBudgetAndResetsThatDoNotScanAreCountedApart() {
        PoolConfig config = TestPools.memories(1, 256 * PAGE, 4 * PAGE).resetStrategy(ResetStrategy.PAGEMAP_GUIDED)
                .wipeOnFork(false).build();
        try (WarmPool pool = WarmPool.create(config)) {
            cycle(pool, 0, 1, 2, 3, 4, 5, 6, 7);
            pool.setResetStrategy(ResetStrategy.MEMSET_KEEP_RESIDENT);
            cycle(pool, 0);
            ProfileSnapshot.KindProfile memory = pool.profile().snapshot().kind(SlotKind.MEMORY);
            assertEquals(1, memory.scannedResets());
            assertEquals(1, memory.budgetFullResets());
            assertEquals(4, memory.dirtyPages().sum(), "the scan stops at the budget of four pages");
            assertEquals(1, memory.unscannedResets());
        }
    }

    @Test
    void stackOffsetsCountFromTheTop() {
        PoolConfig config = PoolConfig.builder().memories(1).memoryMax(16 * PAGE).memoryKeepResident(0).tables(0)
                .stacks(1).stackSize(32 * PAGE).stackKeepResident(8 * PAGE)
                .resetStrategy(ResetStrategy.PAGEMAP_GUIDED).wipeOnFork(false).build();
        try (WarmPool pool = WarmPool.create(config)) {
            try (Instance instance = pool.acquire(InstanceRequest.builder().stack(true).build())) {
                StackSlot stack = instance.stack().orElseThrow();
                stack.buffer().put((int) (stack.accessibleBytes() - 1), (byte) 1);
            }
            ProfileSnapshot.KindProfile stacks = pool.profile().snapshot().kind(SlotKind.STACK);
            assertEquals(1, stacks.dirtyOffsetPages().count());
            assertEquals(1, stacks.dirtyOffsetPages().sum(), "the top page is page 1 from the hot end");
        }
    }
}
