package io.warmpool.pool;

import io.warmpool.natives.NativeMemory;
import io.warmpool.pool.config.ResetStrategy;
import io.warmpool.pool.config.SlotKind;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static io.warmpool.pool.TestPools.PAGE;
import static io.warmpool.pool.TestPools.assertReadsZero;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 16, bug 8: lowering the keep-resident bytes at run time brings the idle slots' resident
 * memory under the new budget at once, not slot by slot as each is reused (on the real kernel).
 */
class KeepResidentLoweredTest {
    private static final int SLOTS = 4;
    private static final long SLOT_PAGES = 64;

    static Stream<Arguments> strategies() {
        List<Arguments> all = new ArrayList<>();
        for (ResetStrategy strategy : ResetStrategy.values()) {
            all.add(Arguments.of(strategy, 1));
            all.add(Arguments.of(strategy, SLOTS));
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0}, decommit batch {1}")
    @MethodSource("strategies")
    void idleSlotsGiveBackWhatTheyKeepBeyondALoweredBudgetAtOnce(ResetStrategy strategy, int batch) {
        try (WarmPool pool = WarmPool.create(TestPools.memories(SLOTS, SLOT_PAGES * PAGE, SLOT_PAGES * PAGE)
                .maxUnusedWarmSlots(SLOTS).decommitBatch(batch).resetStrategy(strategy).build())) {
            dirtyEverySlot(pool);
            pool.flushDecommits();
            long before = pool.idleResidentBytes(SlotKind.MEMORY);
            if (strategy != ResetStrategy.MADVISE_ALL) {
                assertEquals(SLOTS * SLOT_PAGES * PAGE, before, "every slot kept its whole window");
            }

            pool.setKeepResidentBytes(SlotKind.MEMORY, 8 * PAGE);
            long lowered = pool.idleResidentBytes(SlotKind.MEMORY);
            assertTrue(lowered <= SLOTS * 8 * PAGE, lowered + " B idle resident over a budget of " + SLOTS * 8 * PAGE);

            pool.setKeepResidentBytes(SlotKind.MEMORY, 0);
            assertEquals(0, pool.idleResidentBytes(SlotKind.MEMORY));

            pool.setKeepResidentBytes(SlotKind.MEMORY, SLOT_PAGES * PAGE);
            dirtyEverySlot(pool);
            pool.flushDecommits();
            pool.setKeepResidentBytes(SlotKind.MEMORY, 16 * PAGE);
            assertTrue(pool.idleResidentBytes(SlotKind.MEMORY) <= SLOTS * 16 * PAGE);
            List<Instance> all = new ArrayList<>();
            for (int i = 0; i < SLOTS; i++) {
                all.add(pool.acquire(InstanceRequest.memory("k" + i, SLOT_PAGES * PAGE)));
                assertReadsZero(all.get(i).memory(0), "after the trims");
            }
            all.forEach(Instance::close);
        }
    }

    /** Every slot in use at once, every page written, then all released. */
    private static void dirtyEverySlot(WarmPool pool) {
        List<Instance> all = new ArrayList<>();
        for (int i = 0; i < SLOTS; i++) {
            Instance instance = pool.acquire(InstanceRequest.memory("k" + i, SLOT_PAGES * PAGE));
            NativeMemory.fill(instance.memory(0).address(), SLOT_PAGES * PAGE, (byte) 7);
            all.add(instance);
        }
        all.forEach(Instance::close);
    }
}
