package io.warmpool.pool;

import io.warmpool.natives.NativeMemory;
import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.config.SlotKind;
import io.warmpool.pool.event.PoolSnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

import static io.warmpool.pool.TestPools.PAGE;
import static io.warmpool.pool.TestPools.assertReadsZero;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An instance is acquired in one call and released in one call; after that, neither a second release
 * nor any use of it or its slots gets through: an {@link IllegalStateException}, never a second reset.
 */
class InstanceLifecycleTest {
    private static final InstanceRequest FULL = InstanceRequest.builder().affinityKey("a").memory(4 * PAGE)
            .memory(2 * PAGE).tables(1).stack(true).build();

    private static PoolConfig.Builder small() {
        return TestPools.memories(4, 16 * PAGE, 4 * PAGE).tables(2).tableElements(512).tableKeepResident(PAGE)
                .stacks(2).stackSize(8 * PAGE).stackKeepResident(2 * PAGE);
    }

    @Test
    void aSecondReleaseIsAnIllegalStateExceptionAndNoSecondReset() {
        TestPools.Recorder recorder = new TestPools.Recorder();
        try (WarmPool pool = WarmPool.create(small().build(), recorder)) {
            Instance instance = pool.acquire(FULL);
            instance.close();
            assertEquals(4, recorder.resets.size(), "two memories, a table and a stack: " + recorder.resets);
            IllegalStateException second = assertThrows(IllegalStateException.class, instance::close);
            assertTrue(second.getMessage().contains("already released"), second.getMessage());
            assertEquals(4, recorder.resets.size(), "no second reset: " + recorder.resets);
            assertEquals(0, pool.outstanding());
            PoolSnapshot.KindSnapshot memories = pool.snapshot().kind(SlotKind.MEMORY);
            assertEquals(0, memories.inUse());
            assertEquals(4, memories.warm() + memories.cold(), "each slot free once: " + memories);
        }
    }

    @Test
    void everyUseOfAReleasedInstanceOrItsSlotsIsAnIllegalStateException() {
        try (WarmPool pool = WarmPool.create(small().build())) {
            Instance instance = pool.acquire(FULL);
            MemorySlot memory = instance.memory(0);
            TableSlot table = instance.table(0);
            StackSlot stack = instance.stack().orElseThrow();
            int slot = memory.index();
            instance.close();
            Instance next = pool.acquire(FULL);
            assertEquals(slot, next.memory(0).index(), "the next tenant holds the same slot (affinity)");
            Map<String, Executable> uses = new LinkedHashMap<>();
            uses.put("memories()", instance::memories);
            uses.put("memory(0)", () -> instance.memory(0));
            uses.put("tables()", instance::tables);
            uses.put("table(0)", () -> instance.table(0));
            uses.put("stack()", instance::stack);
            uses.put("memory.index()", memory::index);
            uses.put("memory.address()", memory::address);
            uses.put("memory.accessibleBytes()", memory::accessibleBytes);
            uses.put("memory.maximumBytes()", memory::maximumBytes);
            uses.put("memory.buffer()", memory::buffer);
            uses.put("memory.buffer(0, 8)", () -> memory.buffer(0, 8));
            uses.put("memory.grow(PAGE)", () -> memory.grow(PAGE));
            uses.put("table.elements()", table::elements);
            uses.put("table.buffer()", table::buffer);
            uses.put("stack.top()", stack::top);
            uses.put("stack.address()", stack::address);
            uses.forEach((use, call) -> assertThrows(IllegalStateException.class, call, use));
            assertTrue(instance.isReleased());
            assertEquals(4 * PAGE, next.memory(0).accessibleBytes(), "the stale grow did not reach the next tenant");
            next.close();
        }
    }

    @Test
    void closingThePoolWithInstancesOutNamesHowManyAndLeavesItServing() {
        WarmPool pool = WarmPool.create(small().build());
        Instance a = pool.acquire(FULL);
        Instance b = pool.acquire(InstanceRequest.memory("b", PAGE));
        IllegalStateException refused = assertThrows(IllegalStateException.class, pool::close);
        assertTrue(refused.getMessage().startsWith("2 instance(s) still out"), refused.getMessage());
        a.close();
        try (Instance c = pool.acquire(InstanceRequest.memory("c", PAGE))) {
            assertReadsZero(c.memory(0), "after the refused close");
        }
        refused = assertThrows(IllegalStateException.class, pool::close);
        assertTrue(refused.getMessage().startsWith("1 instance(s) still out"), refused.getMessage());
        b.close();
        pool.close();
        pool.close();
        assertThrows(IllegalStateException.class, () -> pool.acquire(FULL));
    }

    @Test
    void instancesReleasedOnOtherThreadsThanAcquiredThemAreCountedOutExactly() throws Exception {
        WarmPool pool = WarmPool.create(small().build());
        Instance[] held = new Instance[3];
        Thread[] acquirers = new Thread[held.length];
        for (int i = 0; i < held.length; i++) {
            int mine = i;
            acquirers[i] = new Thread(() -> held[mine] = pool.acquire(InstanceRequest.memory("t" + mine, PAGE)));
            acquirers[i].start();
        }
        for (Thread acquirer : acquirers) {
            acquirer.join();
        }
        assertEquals(3, pool.outstanding(), "three threads, three instances");
        Thread releaser = new Thread(() -> {
            held[0].close();
            held[1].close();
        });
        releaser.start();
        releaser.join();
        assertEquals(1, pool.outstanding(), "two released by a fourth thread");
        IllegalStateException refused = assertThrows(IllegalStateException.class, pool::close);
        assertTrue(refused.getMessage().startsWith("1 instance(s) still out"), refused.getMessage());
        held[2].close();
        assertEquals(0, pool.outstanding());
        assertEquals(0, pool.snapshot().kind(SlotKind.MEMORY).inUse());
        assertEquals(0, pool.snapshot().kind(SlotKind.MEMORY).resetting());
        pool.close();
    }

    @Test
    void growMakesMoreAccessibleUpToTheMaximumAndFailsCleanlyPastIt() {
        try (WarmPool pool = WarmPool.create(small().build()); Instance instance = pool.acquire(FULL)) {
            MemorySlot memory = instance.memory(0);
            assertEquals(16 * PAGE, memory.maximumBytes());
            assertEquals(6 * PAGE, memory.grow(PAGE + 1), "rounded up to a page");
            assertThrows(IllegalArgumentException.class, () -> memory.grow(10 * PAGE + 1));
            assertThrows(IllegalArgumentException.class, () -> memory.grow(Long.MAX_VALUE));
            assertThrows(IllegalArgumentException.class, () -> memory.grow(-1));
            assertEquals(6 * PAGE, memory.accessibleBytes(), "the refused grows changed nothing");
            assertEquals(16 * PAGE, memory.grow(10 * PAGE));
            assertReadsZero(memory, "grown to the maximum");
            NativeMemory.putByte(memory.address() + memory.accessibleBytes() - 1, (byte) 1);

            ByteBuffer view = memory.buffer();
            assertEquals(16 * PAGE, view.capacity());
            view.put(0, (byte) 42);
            assertEquals(42, NativeMemory.getByte(memory.address()));
            assertEquals(1, memory.buffer(16 * PAGE - 1, 1).get(0));
            assertThrows(IndexOutOfBoundsException.class, () -> memory.buffer(16 * PAGE - 1, 2));
        }
    }

    @Test
    void aRequestNoPoolStateCouldServeIsRefusedBeforeAnySlotIsTaken() {
        try (WarmPool pool = WarmPool.create(small().stacks(0).build())) {
            Map<String, InstanceRequest> impossible = new LinkedHashMap<>();
            impossible.put("a stack from a pool without stacks", InstanceRequest.builder().memory(PAGE).stack(true).build());
            impossible.put("three tables of two", InstanceRequest.builder().memory(PAGE).tables(3).build());
            impossible.put("five memories of four", InstanceRequest.builder().memory(PAGE).memory(PAGE).memory(PAGE)
                    .memory(PAGE).memory(PAGE).build());
            impossible.put("a memory above the maximum", InstanceRequest.builder().memory(PAGE).memory(16 * PAGE + 1).build());
            impossible.put("a memory of Long.MAX_VALUE", InstanceRequest.memory(null, Long.MAX_VALUE));
            impossible.forEach((what, request) -> {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pool.acquire(request), what);
                System.out.println(what + ": " + e.getMessage());
            });
            assertEquals(0, pool.snapshot().kind(SlotKind.MEMORY).inUse());
            assertEquals(0, pool.snapshot().kind(SlotKind.TABLE).inUse());
            assertEquals(0, pool.outstanding());
        }
    }
}
