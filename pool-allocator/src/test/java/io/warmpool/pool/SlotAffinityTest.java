package io.warmpool.pool;

import io.warmpool.natives.NativeMemory;
import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.config.SlotKind;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.warmpool.pool.TestPools.PAGE;
import static io.warmpool.pool.TestPools.assertReadsZero;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * Which free slot an acquire gets: the most recently used slot of its affinity key first; else a
 * cold slot while the unused warm slots are under their bound; else the least recently used warm
 * slot of another key. One stripe, so that the bound is the pool's and the order is exact; except
 * where a test is about stripes: a key whose slot lies outside its home stripe.
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

    /**
     * A pool of two stripes of two slots, where an Integer key's home stripe is its value modulo 2:
     * keys 0 and 2 take stripe 0's slots, so key 4, at home there too, is served from stripe 1.
     * Returns the three instances, key 0's, 2's and 4's.
     */
    private static Instance[] keyFourServedAwayFromHome(WarmPool pool) {
        Instance[] instances = new Instance[3];
        for (int i = 0; i < instances.length; i++) {
            instances[i] = pool.acquire(InstanceRequest.memory(2 * i, MAX));
            NativeMemory.fill(instances[i].memory(0).address(), MAX, (byte) 9);
        }
        assertEquals(List.of(0, 1, 2), List.of(slotOf(instances[0]), slotOf(instances[1]), slotOf(instances[2])),
                "stripe 0 is slots 0 and 1, stripe 1 slots 2 and 3");
        return instances;
    }

    private static WarmPool twoStripesOfTwo(TestPools.Recorder recorder) {
        return WarmPool.create(TestPools.memories(4, MAX, 4 * PAGE).maxUnusedWarmSlots(4).stripes(2).build(), recorder);
    }

    /** Key 4's next acquire finds its slot in stripe 1, though its home stripe has warm slots of other keys. */
    @Test
    void aKeyServedOutsideItsHomeStripeGetsItsWarmSlotBackThere() {
        TestPools.Recorder recorder = new TestPools.Recorder();
        try (WarmPool pool = twoStripesOfTwo(recorder)) {
            for (Instance instance : keyFourServedAwayFromHome(pool)) {
                instance.close();
            }
            recorder.acquires.clear();
            for (int round = 0; round < 3; round++) {
                assertEquals(2, use(pool, 4), "round " + round + ": key 4's warm slot, in stripe 1");
            }
            assertEquals(0, use(pool, 0));
            assertEquals(1, use(pool, 2));
            assertEquals(List.of("memory:affinity", "memory:affinity", "memory:affinity", "memory:affinity",
                    "memory:affinity"), recorder.acquires);
        }
    }

    /** A hint that went stale (the key's slot was taken by another key) costs nothing but a look. */
    @Test
    void aKeyWhoseAwaySlotWasTakenByAnotherKeyIsServedAtHomeAgain() {
        TestPools.Recorder recorder = new TestPools.Recorder();
        try (WarmPool pool = twoStripesOfTwo(recorder)) {
            Instance[] held = keyFourServedAwayFromHome(pool);
            held[2].close(); // key 4's warm slot: 2, in stripe 1
            Instance one = pool.acquire(InstanceRequest.memory(1, MAX)); // at home in stripe 1: cold slot 3
            Instance three = pool.acquire(InstanceRequest.memory(3, MAX)); // stripe 1's last slot: key 4's
            assertEquals(List.of(3, 2), List.of(slotOf(one), slotOf(three)));
            held[0].close();
            recorder.acquires.clear();
            assertEquals(0, use(pool, 4), "key 4 has no warm slot left: stripe 0's free one");
            assertEquals(List.of("memory:warm"), recorder.acquires);
            held[1].close();
            one.close();
            three.close();
        }
    }

    @Test
    void anInstanceWithSeveralMemoriesAndTablesGetsEachBackInItsOwnSlot() {
        PoolConfig config = TestPools.memories(6, MAX, 4 * PAGE).tables(4).tableElements(1024)
                .tableKeepResident(PAGE).stripes(1).build();
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
