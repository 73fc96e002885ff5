package io.warmpool.pool;

import io.warmpool.natives.NativeMemory;
import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.config.SlotKind;
import io.warmpool.pool.event.Fallback;
import io.warmpool.pool.event.PoolListener;
import io.warmpool.pool.event.PoolSnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

import static io.warmpool.pool.TestPools.PAGE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Several threads acquire and release for a few seconds, fewer slots than they would like, over
 * four stripes and batched decommits: no slot is ever held by two instances at once, and every
 * slot acquired reads zero everywhere its tenant can reach.
 */
class ConcurrentChurnTest {
    private static final int THREADS = 4;
    private static final long RUN_NANOS = Duration.ofMillis(2500).toNanos();
    private static final long MAX = 32 * PAGE;
    private static final Object[] KEYS = {"module-a", "module-b", "module-c", null};

    @Test
    @Timeout(120)
    void noSlotIsHeldTwiceAndEverySlotAcquiredReadsZero() throws InterruptedException {
        long seed = Long.getLong("warmpool.seed", System.nanoTime());
        System.out.println("ConcurrentChurnTest seed=" + seed + " (replay with -Dwarmpool.seed=" + seed + ")");
        PoolConfig config = TestPools.memories(6, MAX, 8 * PAGE).tables(3).tableElements(1024)
                .tableKeepResident(PAGE).stacks(3).stackSize(8 * PAGE).stackKeepResident(2 * PAGE)
                .maxUnusedWarmSlots(3).decommitBatch(3).stripes(4).build();
        Queue<String> fallbacks = new ConcurrentLinkedQueue<>();
        PoolListener listener = new PoolListener() {
            @Override
            public void fallback(SlotKind kind, Fallback reason, String detail) {
                fallbacks.add(kind.label() + ":" + reason.label() + ": " + detail);
            }
        };
        Map<String, String> holders = new ConcurrentHashMap<>();
        Queue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicLong cycles = new AtomicLong();
        CountDownLatch start = new CountDownLatch(1);
        try (WarmPool pool = WarmPool.create(config, listener)) {
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                SplittableRandom random = new SplittableRandom(seed + t);
                Thread thread = new Thread(() -> {
                    try {
                        start.await();
                        long end = System.nanoTime() + RUN_NANOS;
                        while (System.nanoTime() < end && failures.isEmpty()) {
                            cycle(pool, random, holders, failures);
                            cycles.incrementAndGet();
                        }
                    } catch (Throwable e) {
                        failures.add(Thread.currentThread().getName() + ": " + e);
                    }
                }, "churn-" + t);
                thread.start();
                threads.add(thread);
            }
            start.countDown();
            for (Thread thread : threads) {
                thread.join();
            }
            assertEquals(List.of(), List.copyOf(failures), "seed " + seed);
            assertEquals(List.of(), List.copyOf(fallbacks), "seed " + seed);
            pool.flushDecommits();
            for (SlotKind kind : SlotKind.values()) {
                PoolSnapshot.KindSnapshot snapshot = pool.snapshot().kind(kind);
                assertEquals(0, snapshot.inUse() + snapshot.resetting() + snapshot.quarantined(), snapshot.toString());
                assertEquals(snapshot.capacity(), snapshot.warm() + snapshot.cold(), snapshot.toString());
                assertTrue(snapshot.warm() <= 3, snapshot.toString());
            }
            System.out.println(cycles.get() + " cycles by " + THREADS + " threads; " + pool.snapshot());
            assertTrue(cycles.get() >= THREADS, cycles.get() + " cycles");
        }
    }

    /** One instance: acquire (waiting if need be), claim its slots, check and dirty them, release. */
    private static void cycle(WarmPool pool, SplittableRandom random, Map<String, String> holders, Queue<String> failures)
            throws InterruptedException {
        InstanceRequest.Builder request = InstanceRequest.builder().affinityKey(KEYS[random.nextInt(KEYS.length)])
                .tables(random.nextInt(2)).stack(random.nextBoolean());
        for (int m = 1 + random.nextInt(2); m > 0; m--) {
            request.memory(random.nextInt(4) == 0 ? 0 : PAGE * (1 + random.nextLong(MAX / PAGE)));
        }
        Instance instance = pool.acquire(request.build(), Duration.ofSeconds(60));
        String me = Thread.currentThread().getName() + " " + instance;
        List<PoolSlot> slots = new ArrayList<>(instance.memories());
        slots.addAll(instance.tables());
        instance.stack().ifPresent(slots::add);
        List<String> claimed = new ArrayList<>();
        try {
            for (PoolSlot slot : slots) {
                String name = slot.toString();
                String other = holders.putIfAbsent(name, me);
                if (other != null) {
                    failures.add(name + " handed to " + me + " while " + other + " holds it");
                    return;
                }
                claimed.add(name);
                long dirty = NativeMemory.firstNonZero(slot.address(), slot.accessibleBytes());
                if (dirty >= 0) {
                    failures.add(name + " handed to " + me + " with byte " + dirty + " not zero");
                    return;
                }
            }
            MemorySlot memory = instance.memory(0);
            if (random.nextInt(4) == 0 && memory.accessibleBytes() < MAX) {
                memory.grow(PAGE * (1 + random.nextLong((MAX - memory.accessibleBytes()) / PAGE)));
            }
            for (PoolSlot slot : slots) {
                long bytes = slot.accessibleBytes();
                for (int i = random.nextInt(6); i >= 0 && bytes > 0; i--) {
                    NativeMemory.putByte(slot.address() + random.nextLong(bytes), (byte) (1 + random.nextInt(255)));
                }
            }
        } finally {
            claimed.forEach(holders::remove); // before the release: the slot may be someone else's right after
            instance.close();
        }
    }
}
