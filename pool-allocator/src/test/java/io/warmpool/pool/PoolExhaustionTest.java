package io.warmpool.pool;

import io.warmpool.natives.NativeMemory;
import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.config.SlotKind;
import io.warmpool.pool.event.PoolSnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.warmpool.pool.TestPools.PAGE;
import static io.warmpool.pool.TestPools.assertReadsZero;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * When a kind has no free slot: an exception naming the kind and its capacity, all or nothing; an
 * acquire with a timeout waits for a release instead, or gives up when the timeout passes; and
 * slots waiting for a batched decommit are flushed and handed out before the pool gives up.
 */
@Timeout(60)
class PoolExhaustionTest {

    @Test
    void anExhaustedKindIsNamedWithItsCapacityAndNothingStaysTaken() {
        PoolConfig config = TestPools.memories(3, 8 * PAGE, PAGE).tables(1).tableElements(512).tableKeepResident(0).build();
        TestPools.Recorder recorder = new TestPools.Recorder();
        try (WarmPool pool = WarmPool.create(config, recorder)) {
            Instance a = pool.acquire(InstanceRequest.builder().memory(PAGE).tables(1).build());
            PoolExhaustedException tables = assertThrows(PoolExhaustedException.class,
                    () -> pool.acquire(InstanceRequest.builder().memory(PAGE).memory(PAGE).tables(1).build()));
            assertEquals(SlotKind.TABLE, tables.kind());
            assertEquals(1, tables.capacity());
            assertTrue(tables.getMessage().startsWith("no free table slot: capacity 1 (1 in use"), tables.getMessage());
            assertEquals(1, pool.snapshot().kind(SlotKind.MEMORY).inUse(), "the two memories taken went back");
            assertEquals(1, recorder.count(recorder.acquires, "table:exhausted"));

            Instance b = pool.acquire(InstanceRequest.builder().memory(PAGE).memory(PAGE).build());
            PoolExhaustedException memories = assertThrows(PoolExhaustedException.class,
                    () -> pool.acquire(InstanceRequest.memory("x", PAGE)));
            assertEquals(SlotKind.MEMORY, memories.kind());
            assertEquals(3, memories.capacity());
            assertTrue(memories.getMessage().contains("memory slot") && memories.getMessage().contains("capacity 3"),
                    memories.getMessage());
            a.close();
            b.close();
        }
    }

    @Test
    void anAcquireWithATimeoutWaitsForARelease() throws Exception {
        TestPools.Recorder recorder = new TestPools.Recorder();
        ExecutorService waiter = Executors.newSingleThreadExecutor();
        try (WarmPool pool = WarmPool.create(TestPools.memories(1, 8 * PAGE, PAGE).build(), recorder)) {
            Instance holder = pool.acquire(InstanceRequest.memory("holder", 8 * PAGE));
            NativeMemory.fill(holder.memory(0).address(), 8 * PAGE, (byte) 3);
            Future<Instance> waiting = waiter.submit(() -> pool.acquire(InstanceRequest.memory("waiter", 8 * PAGE),
                    Duration.ofSeconds(50)));
            while (recorder.count(recorder.acquires, "memory:exhausted") == 0) {
                Thread.sleep(5); // until the waiter has found the pool exhausted
            }
            assertFalse(waiting.isDone(), "it waits while the only slot is out");
            holder.close();
            try (Instance got = waiting.get(50, TimeUnit.SECONDS)) {
                assertReadsZero(got.memory(0), "the slot the waiter got");
            }
        } finally {
            waiter.shutdownNow();
        }
    }

    @Test
    void anAcquireWithATimeoutGivesUpWhenItPasses() throws Exception {
        TestPools.Recorder recorder = new TestPools.Recorder();
        try (WarmPool pool = WarmPool.create(TestPools.memories(1, 8 * PAGE, PAGE).build(), recorder);
             Instance holder = pool.acquire(InstanceRequest.memory("holder", PAGE))) {
            PoolExhaustedException timedOut = assertThrows(PoolExhaustedException.class,
                    () -> pool.acquire(InstanceRequest.memory("x", PAGE), Duration.ofMillis(30)));
            assertTrue(timedOut.getMessage().contains("within PT0.03S"), timedOut.getMessage());
            assertEquals(SlotKind.MEMORY, timedOut.kind());
            assertThrows(PoolExhaustedException.class, () -> pool.acquire(InstanceRequest.memory("x", PAGE), Duration.ZERO));
            assertThrows(PoolExhaustedException.class,
                    () -> pool.acquire(InstanceRequest.memory("x", PAGE), Duration.ofSeconds(-1)));
            assertThrows(IllegalArgumentException.class,
                    () -> pool.acquire(InstanceRequest.memory("x", 9 * PAGE), Duration.ofDays(1)), "refused at once");
            assertTrue(holder.memory(0).accessibleBytes() > 0);
        }
    }

    @Test
    void anExhaustedPoolFlushesQueuedDecommitsAndRetries() {
        PoolConfig config = TestPools.memories(2, 16 * PAGE, PAGE).decommitBatch(8).build();
        TestPools.Recorder recorder = new TestPools.Recorder();
        try (WarmPool pool = WarmPool.create(config, recorder)) {
            Instance a = pool.acquire(InstanceRequest.memory("a", 16 * PAGE));
            Instance b = pool.acquire(InstanceRequest.memory("b", 16 * PAGE));
            NativeMemory.fill(a.memory(0).address(), 16 * PAGE, (byte) 1);
            NativeMemory.fill(b.memory(0).address(), 16 * PAGE, (byte) 2);
            a.close();
            b.close();
            PoolSnapshot.KindSnapshot queued = pool.snapshot().kind(SlotKind.MEMORY);
            assertEquals(2, queued.resetting(), "both wait for a batch of 8: " + queued);
            assertEquals(0, queued.warm() + queued.cold(), queued.toString());

            try (Instance c = pool.acquire(InstanceRequest.memory("c", 16 * PAGE))) {
                assertReadsZero(c.memory(0), "a slot whose decommit the acquire flushed");
                PoolSnapshot.KindSnapshot flushed = pool.snapshot().kind(SlotKind.MEMORY);
                assertEquals(0, flushed.resetting(), flushed.toString());
                assertEquals(1, flushed.inUse());
            }
            assertEquals(0, recorder.count(recorder.acquires, "memory:exhausted"), recorder.acquires.toString());
        }
    }
}
