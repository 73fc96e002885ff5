package io.warmpool.pool;

import io.warmpool.natives.NativeMemory;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.warmpool.pool.TestPools.PAGE;
import static io.warmpool.pool.TestPools.assertReadsZero;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * Which free slot an acquire gets: the most recently used slot of its affinity key first; else a
 * cold slot while the unused warm slots are under their bound; else the least recently used warm
 * slot of another key. One stripe, so that the bound is the pool's and the order is exact.
 */
class SlotAffinityTest {
    private static final long MAX = 16 * PAGE;

    private static WarmPool pool(int slots, int warmBound, TestPools.Recorder recorder) {
        return WarmPool.create(TestPools.memories(slots, MAX, 4 * PAGE).maxUnusedWarmSlots(warmBound).stripes(1).build(),
                recorder);
    }

    private static int slotOf(Instance instance) {
        return instance.memory(0).index();
    }

    /** Acquires for {@code key}, dirties the memory, releases it; returns the slot it had. */
    private static int use(WarmPool pool, Object key) {
        try (Instance instance = pool.acquire(InstanceRequest.memory(key, MAX))) {
            assertReadsZero(instance.memory(0), "key " + key);
            NativeMemory.fill(instance.memory(0).address(), MAX, (byte) 9);
            return slotOf(instance);
        }
    }

    @Test
    void theSameKeyGetsItsMostRecentlyUsedSlotBack() {
        TestPools.Recorder recorder = new TestPools.Recorder();
        try (WarmPool pool = pool(4, 4, recorder)) {
            Instance older = pool.acquire(InstanceRequest.memory("a", MAX));
            Instance newer = pool.acquire(InstanceRequest.memory("a", MAX));
            int olderSlot = slotOf(older);
            int newerSlot = slotOf(newer);
            older.close();
            newer.close(); // the most recently used slot of "a"
            recorder.acquires.clear();
            try (Instance first = pool.acquire(InstanceRequest.memory("a", MAX));
                 Instance second = pool.acquire(InstanceRequest.memory("a", MAX))) {
                assertEquals(newerSlot, slotOf(first));
                assertEquals(olderSlot, slotOf(second));
                assertReadsZero(first.memory(0), "first");
                assertReadsZero(second.memory(0), "second");
            }
            assertEquals(List.of("memory:affinity", "memory:affinity"), recorder.acquires);
        }
    }

    @Test
    void anotherKeyGetsAColdSlotWhileWarmSlotsAreUnderTheBound() {
        TestPools.Recorder recorder = new TestPools.Recorder();
        try (WarmPool pool = pool(4, 2, recorder)) {
            int a = use(pool, "a");
            int b = use(pool, "b");
            assertNotEquals(a, b, "b does not take a's warm slot while a cold one may still warm up");
            assertEquals(a, use(pool, "a"));
            assertEquals(b, use(pool, "b"));
            assertEquals(List.of("memory:cold", "memory:cold", "memory:affinity", "memory:affinity"), recorder.acquires);
        }
    }

    @Test
    void atTheBoundAnotherKeyTakesTheLeastRecentlyUsedWarmSlot() {
        TestPools.Recorder recorder = new TestPools.Recorder();
        try (WarmPool pool = pool(4, 2, recorder)) {
            int a = use(pool, "a");
            int b = use(pool, "b");
            assertEquals(a, use(pool, "c"), "the least recently used warm slot was a's");
            assertEquals(b, use(pool, "d"), "then b's");
            assertEquals(List.of("memory:cold", "memory:cold", "memory:warm", "memory:warm"), recorder.acquires);
            assertEquals(2, pool.snapshot().kind(SlotKind.MEMORY).cold(), "two slots never used");
        }
    }

    @Test
    void anInstanceWithSeveralMemoriesAndTablesGetsEachBackInItsOwnSlot() {
        PoolConfig config = TestPools.memories(6, MAX, 4 * PAGE).totalTables(4).tableElements(1024)
                .tableKeepResidentBytes(PAGE).stripes(1).build();
        InstanceRequest request = InstanceRequest.builder().affinityKey("module").memory(MAX).memory(2 * PAGE)
                .memory(8 * PAGE).tables(2).build();
        try (WarmPool pool = WarmPool.create(config)) {
            String first;
            try (Instance instance = pool.acquire(request)) {
                first = instance.toString();
            }
            for (int round = 0; round < 3; round++) {
                try (Instance instance = pool.acquire(request)) {
                    assertEquals(first, instance.toString(), "round " + round);
                    for (MemorySlot memory : instance.memories()) {
                        assertReadsZero(memory, "round " + round);
                        NativeMemory.fill(memory.address(), memory.accessibleBytes(), (byte) 4);
                    }
                }
            }
        }
    }
}
