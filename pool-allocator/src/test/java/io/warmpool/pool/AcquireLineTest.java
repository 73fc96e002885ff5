package io.warmpool.pool;

import io.warmpool.natives.NativeMemory;
import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.config.SlotKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static io.warmpool.pool.TestPools.PAGE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Under overload: an acquire that cannot have every kind it asks for takes nothing and resets
 * nothing, counts its result once, and waiters are served in the order they came, one woken per
 * slot freed.
 */
class AcquireLineTest {
    private static final Duration LONG = Duration.ofSeconds(60);

    private static PoolConfig.Builder oneOfEach() {
        return TestPools.memories(1, 16 * PAGE, 4 * PAGE).tables(1).tableElements(512).tableKeepResident(PAGE)
                .stacks(1).stackSize(4 * PAGE).stackKeepResident(PAGE);
    }

    private static InstanceRequest everyKind(Object key) {
        return InstanceRequest.builder().affinityKey(key).memory(16 * PAGE).tables(1).stack(true).build();
    }

    @Test
    void anAcquireThatCannotHaveEveryKindTakesNothingResetsNothingAndCountsOnce() {
        TestPools.Recorder recorder = new TestPools.Recorder();
        try (WarmPool pool = WarmPool.create(TestPools.memories(2, 16 * PAGE, 4 * PAGE).tables(1).tableElements(512)
                .tableKeepResident(PAGE).stacks(0).build(), recorder)) {
            InstanceRequest request = InstanceRequest.builder().affinityKey("k").memory(16 * PAGE).tables(1).build();
            try (Instance held = pool.acquire(request)) {
                recorder.acquires.clear();
                PoolExhaustedException e = assertThrows(PoolExhaustedException.class, () -> pool.acquire(request));
                assertEquals(SlotKind.TABLE, e.kind());
                assertEquals(List.of("table:exhausted"), recorder.acquires, "one count, for the kind that ran out");
                assertEquals(List.of(), recorder.resets, "the memory it took and gave back was never reset");
                assertEquals(1, pool.snapshot().kind(SlotKind.MEMORY).inUse());
                assertEquals(1, pool.snapshot().kind(SlotKind.MEMORY).warm(), "the memory went back, warm");
                assertTrue(held.memory(0).accessibleBytes() > 0);
            }
        }
    }

    @Test
    @Timeout(120)
    void overloadResetsOnlyWhatTenantsUsed() throws Exception {
        TestPools.Recorder recorder = new TestPools.Recorder();
        int threads = 8;
        int each = 100;
        AtomicLong served = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (WarmPool pool = WarmPool.create(oneOfEach().build(), recorder)) {
            List<Thread> tenants = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Object key = "tenant-" + t;
                Thread tenant = new Thread(() -> {
                    try {
                        for (int i = 0; i < each; i++) {
                            try (Instance instance = pool.acquire(everyKind(key), LONG)) {
                                NativeMemory.putByte(instance.memory(0).address(), (byte) 1);
                                served.incrementAndGet();
                            }
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                });
                tenants.add(tenant);
                tenant.start();
            }
            for (Thread tenant : tenants) {
                tenant.join();
            }
            assertNull(failure.get(), () -> "a tenant failed: " + failure.get());
            assertEquals((long) threads * each, served.get());
            for (SlotKind kind : SlotKind.values()) {
                assertEquals(served.get(), recorder.count(recorder.resets, kind.label() + ":"),
                        kind.label() + " resets: one per instance that held the slot, none for an acquire that waited");
            }
            assertEquals(0, recorder.count(recorder.acquires, "memory:exhausted"), "every acquire got its instance");
        }
    }

    @Test
    @Timeout(120)
    void waitersAreServedInTheOrderTheyCame() throws Exception {
        try (WarmPool pool = WarmPool.create(oneOfEach().build())) {
            List<String> order = Collections.synchronizedList(new ArrayList<>());
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Instance held = pool.acquire(everyKind("first"));
            List<Thread> waiters = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                String name = "waiter-" + w;
                Thread waiter = new Thread(() -> {
                    try (Instance instance = pool.acquire(everyKind(name), LONG)) {
                        order.add(name);
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }, name);
                waiter.start();
                awaitParked(waiter); // in line before the next one comes
                waiters.add(waiter);
            }
            held.close();
            for (Thread waiter : waiters) {
                waiter.join();
            }
            assertNull(failure.get(), () -> "a waiter failed: " + failure.get());
            assertEquals(List.of("waiter-0", "waiter-1", "waiter-2", "waiter-3"), order);
        }
    }

    @Test
    @Timeout(60)
    void aWaiterWhoseTimeoutPassesLeavesTheLineAndTheNextIsServed() throws Exception {
        TestPools.Recorder recorder = new TestPools.Recorder();
        try (WarmPool pool = WarmPool.create(oneOfEach().build(), recorder)) {
            Instance held = pool.acquire(everyKind("held"));
            AtomicReference<Object> second = new AtomicReference<>();
            Thread impatient = new Thread(() -> assertThrows(PoolExhaustedException.class,
                    () -> pool.acquire(everyKind("impatient"), Duration.ofMillis(300))), "impatient");
            impatient.start();
            awaitParked(impatient);
            Thread patient = new Thread(() -> {
                try (Instance instance = pool.acquire(everyKind("patient"), LONG)) {
                    second.set(instance.affinityKey());
                } catch (Throwable e) {
                    second.set(e);
                }
            }, "patient");
            patient.start();
            impatient.join(); // gave up in line, ahead of patient
            assertEquals(1, recorder.count(recorder.acquires, "memory:exhausted"), "the refusal counted once");
            held.close();
            patient.join();
            assertEquals("patient", second.get());
        }
    }

    @Test
    void closingThePoolRefusesTheWaiters() throws Exception {
        WarmPool pool = WarmPool.create(oneOfEach().build());
        Instance held = pool.acquire(everyKind("held"));
        AtomicReference<Throwable> refused = new AtomicReference<>();
        Thread waiter = new Thread(() -> {
            try {
                pool.acquire(everyKind("waiter"), LONG).close();
            } catch (Throwable e) {
                refused.set(e);
            }
        });
        waiter.start();
        awaitParked(waiter);
        held.close();
        waiter.join(); // it got the slot and gave it back; the line is empty
        assertNull(refused.get());
        Instance again = pool.acquire(everyKind("held"));
        Thread late = new Thread(() -> {
            try {
                pool.acquire(everyKind("late"), LONG).close();
            } catch (Throwable e) {
                refused.set(e);
            }
        });
        late.start();
        awaitParked(late);
        again.close();
        late.join();
        pool.close();
        assertNull(refused.get());
    }

    /** Waits until {@code thread} is parked (in line) or done. */
    private static void awaitParked(Thread thread) throws InterruptedException {
        while (thread.getState() != Thread.State.TIMED_WAITING && thread.getState() != Thread.State.TERMINATED) {
            Thread.sleep(1);
        }
    }
}
