package io.warmpool.pool;

import io.warmpool.natives.NativeMemory;
import io.warmpool.pool.config.PoolConfig;
import org.junit.jupiter.api.Test;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static io.warmpool.pool.TestPools.PAGE;
import static io.warmpool.pool.TestPools.assertReadsZero;
import static io.warmpool.pool.TestPools.protectionAt;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Bug 1 of issue 16: two threads of one tenant grow the same memory at once (from 4 pages, one by 64
 * pages, one by 8). Both grows count, the accessible size and the protection agree, and the bytes the
 * tenant wrote where each grow said it could are reset for the next tenant.
 */
class ConcurrentGrowOfOneMemoryIsSerializedTest {
    private static final int ROUNDS = 300;

    @Test
    void twoGrowsAtOnceBothCountAndTheNextTenantReadsZero() throws Exception {
        PoolConfig config = TestPools.memories(1, 128 * PAGE, 0).maxUnusedWarmSlots(1).build();
        ExecutorService two = Executors.newFixedThreadPool(2);
        try (WarmPool pool = WarmPool.create(config)) {
            for (int round = 0; round < ROUNDS; round++) {
                Instance tenant = pool.acquire(InstanceRequest.memory("a", 4 * PAGE));
                MemorySlot memory = tenant.memory(0);
                AtomicInteger start = new AtomicInteger();
                Future<Long> big = two.submit(() -> growAndWriteTheLastByte(memory, 64 * PAGE, start));
                Future<Long> small = two.submit(() -> growAndWriteTheLastByte(memory, 8 * PAGE, start));
                long bigTo = big.get();
                long smallTo = small.get();
                long accessible = memory.accessibleBytes();
                String context = "round " + round + ": grows returned " + bigTo + " and " + smallTo
                        + ", accessibleBytes() " + accessible;
                String lastByte = protectionAt(memory.address() + 76 * PAGE - 1);
                String pastIt = protectionAt(memory.address() + 76 * PAGE);
                tenant.close();
                try (Instance next = pool.acquire(InstanceRequest.memory("a", 4 * PAGE))) {
                    assertEquals(4 * PAGE, next.memory(0).accessibleBytes(), context);
                    next.memory(0).grow(124 * PAGE);
                    assertReadsZero(next.memory(0), context + "; the next tenant");
                }
                assertEquals(76 * PAGE, Math.max(bigTo, smallTo), context);
                assertEquals(76 * PAGE, accessible, context);
                assertEquals("rw-p", lastByte, context);
                assertEquals("---p", pastIt, context);
            }
        } finally {
            two.shutdownNow();
        }
    }

    @Test
    void manySmallGrowsFromTwoThreadsAllCountAndTheNextTenantReadsZero() throws Exception {
        PoolConfig config = TestPools.memories(1, 128 * PAGE, 0).maxUnusedWarmSlots(1).build();
        ExecutorService two = Executors.newFixedThreadPool(2);
        try (WarmPool pool = WarmPool.create(config)) {
            for (int round = 0; round < ROUNDS / 10; round++) {
                Instance tenant = pool.acquire(InstanceRequest.memory("a", 4 * PAGE));
                MemorySlot memory = tenant.memory(0);
                AtomicInteger start = new AtomicInteger();
                Future<Long> one = two.submit(() -> growPageByPage(memory, 50, start));
                Future<Long> other = two.submit(() -> growPageByPage(memory, 50, start));
                long highest = Math.max(one.get(), other.get());
                String context = "round " + round + ": 100 grows of a page from 4 pages; the highest returned " + highest;
                assertEquals(104 * PAGE, highest, context);
                assertEquals(104 * PAGE, memory.accessibleBytes(), context + "; accessibleBytes()");
                assertEquals("---p", protectionAt(memory.address() + 104 * PAGE), context);
                tenant.close();
                try (Instance next = pool.acquire(InstanceRequest.memory("a", 4 * PAGE))) {
                    next.memory(0).grow(124 * PAGE);
                    assertReadsZero(next.memory(0), context + ", the next tenant");
                }
            }
        } finally {
            two.shutdownNow();
        }
    }

    /** Grows by a page {@code times}, writing the last byte each grow made accessible; returns the largest size seen. */
    private static long growPageByPage(MemorySlot memory, int times, AtomicInteger start) throws Exception {
        awaitBoth(start);
        long highest = 0;
        for (int i = 0; i < times; i++) {
            long to = memory.grow(PAGE);
            NativeMemory.putByte(memory.address() + to - 1, (byte) 0x5a);
            highest = Math.max(highest, to);
        }
        return highest;
    }

    /** Spins until both threads are here, so that their grows overlap (a parked thread wakes too late for that). */
    private static void awaitBoth(AtomicInteger start) {
        start.incrementAndGet();
        while (start.get() < 2) {
            Thread.onSpinWait();
        }
    }

    private static long growAndWriteTheLastByte(MemorySlot memory, long bytes, AtomicInteger start) throws Exception {
        awaitBoth(start);
        long to = memory.grow(bytes);
        NativeMemory.putByte(memory.address() + to - 1, (byte) 0x5a); // the grow said this byte is the tenant's
        return to;
    }
}
