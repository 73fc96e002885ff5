package io.warmpool.pool;

import io.warmpool.natives.NativeMemory;
import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.config.ResetStrategy;
import io.warmpool.pool.config.SlotKind;
import io.warmpool.pool.event.PoolSnapshot;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;

import static io.warmpool.pool.TestPools.PAGE;
import static io.warmpool.pool.TestPools.assertReadsZero;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * At most {@code maxUnusedWarmSlots} free slots stay warm, each with its keep-resident bytes zeroed
 * and resident; the least recently used beyond the bound are decommitted entirely and go cold.
 * Measured with the scanner, not taken from the pool's counters.
 */
class WarmSlotBoundTest {
    private static final int SLOTS = 6;
    private static final int BOUND = 2;
    private static final long MAX = 16 * PAGE;
    private static final long KEEP = 4 * PAGE;

    @ParameterizedTest
    @EnumSource(ResetStrategy.class)
    void slotsBeyondTheBoundAreDecommittedAndColdWarmOnesKeepTheirBudget(ResetStrategy strategy) {
        PoolConfig config = TestPools.memories(SLOTS, MAX, KEEP).maxUnusedWarmSlots(BOUND).stripes(1)
                .resetStrategy(strategy).build();
        TestPools.Recorder recorder = new TestPools.Recorder();
        try (WarmPool pool = WarmPool.create(config, recorder)) {
            List<Instance> tenants = new ArrayList<>();
            for (int i = 0; i < SLOTS; i++) {
                Instance instance = pool.acquire(InstanceRequest.memory("key-" + i, MAX));
                NativeMemory.fill(instance.memory(0).address(), MAX, (byte) (i + 1));
                tenants.add(instance);
            }
            assertEquals(SLOTS * MAX, pool.residentBytes(SlotKind.MEMORY), "every tenant dirtied all of its memory");
            tenants.forEach(Instance::close);

            PoolSnapshot.KindSnapshot memories = pool.snapshot().kind(SlotKind.MEMORY);
            assertEquals(BOUND, memories.warm(), memories.toString());
            assertEquals(SLOTS - BOUND, memories.cold(), memories.toString());
            long expected = strategy == ResetStrategy.MADVISE_ALL ? 0 : BOUND * KEEP;
            assertEquals(expected, pool.residentBytes(SlotKind.MEMORY),
                    "the warm slots keep their budget, the cold ones nothing: " + memories);

            recorder.acquires.clear();
            tenants.clear();
            for (int i = SLOTS - BOUND; i < SLOTS; i++) {
                tenants.add(pool.acquire(InstanceRequest.memory("key-" + i, MAX)));
            }
            tenants.add(pool.acquire(InstanceRequest.memory("key-0", MAX)));
            for (Instance instance : tenants) {
                assertReadsZero(instance.memory(0), instance.toString());
            }
            tenants.forEach(Instance::close);
            assertEquals(List.of("memory:affinity", "memory:affinity", "memory:cold"), recorder.acquires,
                    "the last released stayed warm; the first went cold and lost its key");

            pool.setMaxUnusedWarmSlots(0);
            memories = pool.snapshot().kind(SlotKind.MEMORY);
            assertEquals(0, memories.warm(), memories.toString());
            assertEquals(0, pool.residentBytes(SlotKind.MEMORY), "a bound lowered to 0 decommits every warm slot now");
        }
    }
}
