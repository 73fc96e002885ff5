package io.warmpool.integration;

import io.warmpool.fork.testing.ForkedChild;
import io.warmpool.pagemap.ScanMode;
import io.warmpool.pool.Instance;
import io.warmpool.pool.InstanceRequest;
import io.warmpool.pool.WarmPool;
import io.warmpool.pool.config.SlotKind;
import io.warmpool.pool.event.AcquireKind;
import io.warmpool.pool.event.Fallback;
import io.warmpool.pool.event.PoolListener;
import io.warmpool.pool.event.PoolSnapshot;
import io.warmpool.pool.event.ResetRecord;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static io.warmpool.integration.ChildChecks.DEADLINE;
import static io.warmpool.integration.ChildChecks.OS;
import static io.warmpool.integration.ChildChecks.cycle;
import static io.warmpool.integration.ChildChecks.dirty;
import static io.warmpool.integration.ChildChecks.drain;
import static io.warmpool.integration.ChildChecks.everyKind;
import static io.warmpool.integration.ChildChecks.everyKindRequest;
import static io.warmpool.integration.ChildChecks.memories;
import static io.warmpool.integration.ChildChecks.memoryRequest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A forked child has only the thread that forked. Whatever the parent's other threads were doing
 * with the pool at that moment (holding its locks, acquiring, resetting, decommitting), the child's
 * thread must be able to use the pool without waiting forever and without being handed a dirty slot.
 */
class PoolLocksForkTest {
    private static final int SLOTS = 4;

    @Test
    void childUsesThePoolWhileAParentThreadHoldsEveryMonitorOfIt() throws Exception {
        ChildChecks.Events events = new ChildChecks.Events();
        try (WarmPool pool = WarmPool.create(everyKind(SLOTS).build(), events)) {
            InstanceRequest request = everyKindRequest("k");
            Instance[] room = new Instance[SLOTS + 1];
            assertEquals(0, childUsesEverything(pool, request, room), "the same checks in the parent");
            List<Object> monitors = monitorsOf(pool);
            CountDownLatch holding = new CountDownLatch(1);
            CountDownLatch done = new CountDownLatch(1);
            Thread holder = new Thread(() -> holdAll(monitors, 0, holding, done), "holds-every-pool-monitor");
            holder.start();
            assertTrue(holding.await(10, TimeUnit.SECONDS), "the holder thread took every monitor");
            try {
                ForkedChild.Result result = ForkedChild.run(OS, () -> childUsesEverything(pool, request, room), DEADLINE);
                assertTrue(result.exitedWith(0), result + " (" + monitors.size() + " monitors held by a parent thread)");
            } finally {
                done.countDown();
                holder.join();
            }
            assertEquals(0, childUsesEverything(pool, request, room), "the parent's pool is as it was");
        }
    }

    /** Every pool operation that takes a lock: 0, or the number of the first check that failed. */
    private static int childUsesEverything(WarmPool pool, InstanceRequest request, Instance[] room) {
        if (cycle(pool, request, 0) != 0) {
            return 1;
        }
        pool.flushDecommits();
        PoolSnapshot.KindSnapshot memories = pool.snapshot().kind(SlotKind.MEMORY);
        if (memories.capacity() != SLOTS || memories.inUse() != 0) {
            return 2;
        }
        if (pool.residentBytes(SlotKind.STACK) <= 0 || pool.scanMode() != ScanMode.PAGEMAP_SCAN) {
            return 3;
        }
        pool.setMaxUnusedWarmSlots(1);
        pool.setMaxUnusedWarmSlots(SLOTS / 2);
        return drain(pool, request, room, -1) == SLOTS ? 0 : 4;
    }

    @Test
    void slotsInFlightInTheParentAreReplacedByFreshMappingsInTheChild() throws Exception {
        ParkingListener listener = new ParkingListener();
        try (WarmPool pool = WarmPool.create(memories(SLOTS).wipeOnFork(false).build(), listener)) {
            InstanceRequest request = memoryRequest("k", 16);
            Instance[] room = new Instance[SLOTS + 1];
            assertEquals(SLOTS, drain(pool, request, room, -1));
            // One thread stops inside an acquire (its slot taken and opened, no instance yet), one
            // inside a release (its instance released, the slot reset and not yet free).
            Thread acquiring = listener.parkIn(ParkingListener.ACQUIRE, () -> pool.acquire(request).close());
            Thread releasing = listener.parkIn(ParkingListener.RESET, () -> {
                Instance instance = pool.acquire(request);
                dirty(instance);
                instance.close();
            });
            assertTrue(listener.parked.await(10, TimeUnit.SECONDS), () -> "both threads parked in the pool: "
                    + listener.failure.get());
            try {
                long forkedBefore = listener.events.count(Fallback.FORKED);
                ForkedChild.Result result = ForkedChild.run(OS, () -> {
                    PoolSnapshot.KindSnapshot kind = pool.snapshot().kind(SlotKind.MEMORY);
                    if (kind.inUse() != 0 || kind.resetting() != 0) {
                        return 1; // neither is held by an instance the child has
                    }
                    if (listener.events.count(Fallback.FORKED) != forkedBefore + 1
                            || !listener.events.lastFallback.startsWith("forked: 2 memory slot(s) in flight")) {
                        return 2;
                    }
                    int free = drain(pool, request, room, -1);
                    return free == SLOTS ? 0 : free < 0 ? 10 - free : 3; // both back in service, zeroed
                }, DEADLINE);
                assertTrue(result.exitedWith(0), result + "; last fallback: " + listener.events.lastFallback);
            } finally {
                listener.resume.countDown();
                acquiring.join();
                releasing.join();
            }
            assertNull(listener.failure.get());
            assertEquals(SLOTS, drain(pool, request, room, -1), "the parent's pool is as it was");
        }
    }

    @Test
    void childAcquiresResetsAndVerifiesOnEachOfTwentyForksWhileTwoThreadsChurnThePool() throws Exception {
        ChildChecks.Events events = new ChildChecks.Events();
        try (WarmPool pool = WarmPool.create(everyKind(SLOTS + 2).wipeOnFork(false).build(), events)) {
            InstanceRequest request = everyKindRequest("child");
            Instance[] room = new Instance[SLOTS + 3];
            assertEquals(0, childAfterChurn(pool, request, room));
            InstanceRequest[] mine = {everyKindRequest("churn-0"), everyKindRequest("churn-1")};
            Churners churners = Churners.start(2, (t, i) -> churnCycle(pool, mine[t], i));
            try (churners) {
                for (int fork = 0; fork < 20; fork++) {
                    churners.awaitMore(3);
                    ForkedChild.Result result = ForkedChild.run(OS, () -> childAfterChurn(pool, request, room), DEADLINE);
                    assertTrue(result.exitedWith(0), "fork " + fork + ": " + result);
                }
            }
            assertNull(churners.failure(), () -> "a churner failed: " + churners.failure());
            assertEquals(0, events.count(Fallback.FORKED), "the parent never rebuilds: only its children do");
            assertEquals(0, childAfterChurn(pool, request, room), "the parent's pool after the churn");
        }
    }

    /**
     * In a child forked while two threads churn: every slot the child can get reads zero, at most the
     * two churners' instances stay out, and a reset in the child cleans what its tenant wrote.
     */
    private static int childAfterChurn(WarmPool pool, InstanceRequest request, Instance[] room) {
        int free = drain(pool, request, room, -1);
        if (free < 0) {
            return 10 - free;
        }
        if (free < SLOTS) {
            return 1;
        }
        return cycle(pool, request, 20);
    }

    /** One cycle of a churner: an instance that must read zero, dirtied, every fourth grown, every eighth a snapshot. */
    private static void churnCycle(WarmPool pool, InstanceRequest request, long i) {
        try (Instance instance = pool.acquire(request)) {
            if (!ChildChecks.readsZero(instance)) {
                throw new AssertionError("churn cycle " + i + " was handed a dirty instance " + instance);
            }
            dirty(instance);
            if (i % 4 == 0) {
                instance.memory(0).grow(ChildChecks.PAGE);
                dirty(instance);
            }
        }
        if (i % 8 == 0) {
            pool.snapshot();
        }
    }

    /**
     * The monitors the pool's bookkeeping takes: the pool's own, and each kind's allocator stripes,
     * decommit queue and a memory's grow locks. Read by reflection: the test must hold them as a
     * parent thread would.
     */
    private static List<Object> monitorsOf(WarmPool pool) throws ReflectiveOperationException {
        List<Object> monitors = new ArrayList<>();
        monitors.add(field(pool, "contexts"));
        monitors.add(field(field(pool, "leasing"), "line"));
        monitors.add(field(pool, "meter"));
        for (Object kind : (List<?>) field(field(pool, "kinds"), "present")) {
            for (Object stripe : (Object[]) field(field(kind, "allocator"), "stripes")) {
                monitors.add(stripe);
            }
            monitors.add(field(kind, "queue"));
            monitors.addAll(List.of((Object[]) field(field(kind, "records"), "growLocks")));
        }
        return monitors;
    }

    private static Object field(Object owner, String name) throws ReflectiveOperationException {
        Field field = owner.getClass().getDeclaredField(name);
        field.setAccessible(true);
        Object value = field.get(owner);
        assertFalse(value == null, owner.getClass().getSimpleName() + "." + name + " is null");
        return value;
    }

    private static void holdAll(List<Object> monitors, int from, CountDownLatch holding, CountDownLatch done) {
        if (from == monitors.size()) {
            holding.countDown();
            try {
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        synchronized (monitors.get(from)) {
            holdAll(monitors, from + 1, holding, done);
        }
    }

    /** Parks a chosen thread inside the pool's call to the listener, until told to resume. */
    private static final class ParkingListener implements PoolListener {
        static final int ACQUIRE = 0;
        static final int RESET = 1;
        final ChildChecks.Events events = new ChildChecks.Events();
        final CountDownLatch parked = new CountDownLatch(2);
        final CountDownLatch resume = new CountDownLatch(1);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final Thread[] parkers = new Thread[2];

        Thread parkIn(int where, Runnable work) {
            Thread thread = new Thread(() -> {
                try {
                    work.run();
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }, where == ACQUIRE ? "parks-in-acquire" : "parks-in-reset");
            parkers[where] = thread;
            thread.start();
            return thread;
        }

        private void park(int where) {
            if (Thread.currentThread() == parkers[where]) {
                parked.countDown();
                try {
                    resume.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        @Override
        public void acquired(SlotKind kind, AcquireKind result) {
            park(ACQUIRE);
        }

        @Override
        public void reset(ResetRecord record) {
            events.reset(record);
            park(RESET);
        }

        @Override
        public void fallback(SlotKind kind, Fallback reason, String detail) {
            events.fallback(kind, reason, detail);
        }
    }
}
