package io.warmpool.pool;

import io.warmpool.natives.NativeMemory;
import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.config.SlotKind;
import io.warmpool.pool.event.AcquireKind;
import io.warmpool.pool.event.Fallback;
import io.warmpool.pool.event.PoolListener;
import io.warmpool.pool.event.ResetRecord;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WarmPoolSmokeTest {
    private static final long PAGE = 4096;

    @Test
    void releasedMemoryIsHandedOutAgainZeroedToTheSameKey() {
        List<String> events = new ArrayList<>();
        PoolListener listener = new PoolListener() {
            @Override
            public void acquired(SlotKind kind, AcquireKind result) {
                events.add(kind.label() + ":" + result.label());
            }

            @Override
            public void reset(ResetRecord record) {
                events.add(record.toString());
            }

            @Override
            public void fallback(SlotKind kind, Fallback reason, String detail) {
                events.add("FALLBACK " + reason + " " + detail);
            }
        };
        PoolConfig config = PoolConfig.builder().memories(4).memoryMax(1 << 20).memoryGuard(64 << 10)
                .memoryKeepResident(64 << 10).tables(2).stacks(2).stackSize(64 << 10)
                .stackKeepResident(16 << 10).tableKeepResident(0).build();
        try (WarmPool pool = WarmPool.create(config, listener)) {
            InstanceRequest request = InstanceRequest.builder().affinityKey("a").memory(256 << 10).tables(1).stack(true).build();
            long address;
            int slot;
            try (Instance instance = pool.acquire(request)) {
                MemorySlot memory = instance.memory(0);
                address = memory.address();
                slot = memory.index();
                assertEquals(256 << 10, memory.accessibleBytes());
                NativeMemory.fill(address, 256 << 10, (byte) 7);
                memory.grow(PAGE * 3);
                NativeMemory.fill(address + (256 << 10), PAGE * 3, (byte) 9);
                StackSlot stack = instance.stack().orElseThrow();
                NativeMemory.fill(stack.top() - 3 * PAGE, 3 * PAGE, (byte) 1);
                NativeMemory.fill(instance.table(0).address(), instance.table(0).accessibleBytes(), (byte) 2);
            }
            try (Instance again = pool.acquire(request)) {
                MemorySlot memory = again.memory(0);
                assertEquals(slot, memory.index(), "affinity: the same slot");
                assertEquals(address, memory.address());
                assertEquals(256 << 10, memory.accessibleBytes(), "shrunk back to the initial size");
                assertEquals(-1, NativeMemory.firstNonZero(memory.address(), memory.accessibleBytes()));
                memory.grow(PAGE * 3);
                assertEquals(-1, NativeMemory.firstNonZero(memory.address(), memory.accessibleBytes()));
                StackSlot stack = again.stack().orElseThrow();
                assertEquals(-1, NativeMemory.firstNonZero(stack.address(), stack.accessibleBytes()));
                assertEquals(-1, NativeMemory.firstNonZero(again.table(0).address(), again.table(0).accessibleBytes()));
                assertThrows(IllegalArgumentException.class, () -> memory.grow(1 << 20));
            }
            Instance released = pool.acquire(request);
            released.close();
            assertThrows(IllegalStateException.class, released::close);
            assertThrows(IllegalStateException.class, () -> released.memory(0));
            assertTrue(pool.residentBytes(SlotKind.MEMORY) <= (64 << 10) * 4, "resident " + pool.residentBytes(SlotKind.MEMORY));
            System.out.println(pool.snapshot());
            System.out.println(config);
        }
        events.forEach(System.out::println);
        assertTrue(events.stream().noneMatch(e -> e.startsWith("FALLBACK")), events.toString());
    }
}
