package io.warmpool.pool;

import io.warmpool.natives.NativeCallException;
import io.warmpool.natives.NativeMemory;
import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.config.ResetStrategy;
import io.warmpool.pool.config.SlotKind;
import io.warmpool.pool.event.AcquireKind;
import io.warmpool.pool.event.AcquireOutcome;
import io.warmpool.pool.event.Fallback;
import io.warmpool.pool.event.PoolListener;
import io.warmpool.pool.event.PoolSnapshot;
import io.warmpool.pool.event.ResetRecord;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;

import static io.warmpool.pool.TestPools.PAGE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random sequences of every public call, from several threads against several pools, with affinity
 * keys and listeners that sometimes throw and numbers that overflow; after every acquire, every
 * accessible byte of every slot of the instance must read zero, and every tenant finds the bytes it
 * wrote intact until it releases them.
 *
 * <p>Each thread draws its calls from its own generator, seeded from one seed: the run prints it,
 * and a failure names it. {@code -Dwarmpool.stress.seed=N} replays each thread's sequence of calls
 * (the interleaving of the threads is the scheduler's). {@code -Dwarmpool.stress.seconds=N} runs
 * longer than the default {@value #DEFAULT_SECONDS} s.
 *
 * <pre>
 *  threads ──► pools[0..POOLS): acquire (timeout or not; good, bad and hostile keys; requests too
 *              large), grow (of its own instances and of others' held ones, any size), buffer (any
 *              offset and length), write, release (twice too), close and replace the pool,
 *              setters with any value, flush, snapshot, resident bytes, profile
 *  after each acquire:   every accessible byte of every slot reads zero
 *  before each release:  the owner's marks read as it wrote them
 *  at the end:           every pool has nothing out, every slot free and clean
 * </pre>
 */
class HostileCallersStressTest {
    static final int DEFAULT_SECONDS = 20;
    private static final int POOLS = 3;
    private static final int THREADS = 4;
    private static final int MEMORIES = 4;
    private static final long MAX = 32 * PAGE;

    private final AtomicReferenceArray<WarmPool> pools = new AtomicReferenceArray<>(POOLS);
    private final List<WarmPool> everyPool = new ArrayList<>();
    /** Instances any thread may poke (grow, buffer, sizes) while their owner holds them. */
    private final ConcurrentLinkedQueue<Instance> shared = new ConcurrentLinkedQueue<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final AtomicLong acquires = new AtomicLong();
    private final AtomicLong calls = new AtomicLong();
    private final AtomicLong closes = new AtomicLong();
    private volatile boolean stop;

    /** A key that behaves, throws from everything, or starts throwing once its instance is acquired. */
    private static final class HostileKey {
        final int mode; // 0 throws at once; 1 throws after its acquire; 2 only equals throws
        volatile boolean throwing;

        HostileKey(int mode) {
            this.mode = mode;
            this.throwing = mode == 0;
        }

        @Override
        public int hashCode() {
            if (throwing && mode != 2) {
                throw new IllegalStateException("hostile hashCode");
            }
            return 7;
        }

        @Override
        public boolean equals(Object o) {
            if (throwing || mode == 2) {
                throw new IllegalStateException("hostile equals");
            }
            return o == this;
        }

        @Override
        public String toString() {
            throw new IllegalStateException("hostile toString");
        }
    }

    /** A listener that throws from every {@code every}-th callback. */
    private static final class SometimesThrowing implements PoolListener {
        private final AtomicLong count = new AtomicLong();
        private final int every;

        SometimesThrowing(int every) {
            this.every = every;
        }

        private void maybeThrow() {
            if (count.incrementAndGet() % every == 0) {
                throw new IllegalStateException("listener throws");
            }
        }

        @Override
        public void acquired(SlotKind kind, AcquireKind result) {
            maybeThrow();
        }

        @Override
        public void instanceAcquired(AcquireOutcome outcome, long waitNanos) {
            maybeThrow();
        }

        @Override
        public void reset(ResetRecord record) {
            maybeThrow();
        }

        @Override
        public void fallback(SlotKind kind, Fallback reason, String detail) {
            maybeThrow();
        }
    }

    /** An instance a thread holds, and the marks it wrote: an address and its byte each. */
    private static final class Held {
        final Instance instance;
        final List<long[]> marks = new ArrayList<>();

        Held(Instance instance) {
            this.instance = instance;
        }
    }

    private static PoolConfig config(int index) {
        return TestPools.memories(MEMORIES, MAX, 4 * PAGE).tables(2).tableElements(1024).tableKeepResident(PAGE)
                .stacks(2).stackSize(8 * PAGE).stackKeepResident(2 * PAGE).maxUnusedWarmSlots(2)
                .decommitBatch(index == 1 ? 3 : 1).resetStrategy(ResetStrategy.values()[index % ResetStrategy.values().length])
                .build();
    }

    private WarmPool newPool(int index) {
        WarmPool pool = WarmPool.create(config(index), new SometimesThrowing(7 + index));
        synchronized (everyPool) {
            everyPool.add(pool);
        }
        return pool;
    }

    @Test
    void randomCallsFromManyThreadsNeverBreakIsolationOrLoseASlot() throws Exception {
        long seed = Long.getLong("warmpool.stress.seed", System.nanoTime());
        long seconds = Long.getLong("warmpool.stress.seconds", DEFAULT_SECONDS);
        String replay = "replay with -Dwarmpool.stress.seed=" + seed;
        System.out.println("HostileCallersStressTest: seed " + seed + ", " + seconds + " s (" + replay + ")");
        for (int p = 0; p < POOLS; p++) {
            pools.set(p, newPool(p));
        }
        Thread[] threads = new Thread[THREADS];
        for (int t = 0; t < THREADS; t++) {
            SplittableRandom random = new SplittableRandom(seed + 31L * t);
            int me = t;
            threads[t] = new Thread(() -> run(random, me), "hostile-" + t);
            threads[t].start();
        }
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < end && failure.get() == null) {
            Thread.sleep(50);
        }
        stop = true;
        for (Thread thread : threads) {
            thread.join(60_000);
            assertTrue(!thread.isAlive(), thread.getName() + " still runs 60 s after the stop; " + replay);
        }
        if (failure.get() != null) {
            throw new AssertionError("a hostile sequence broke the pool; " + replay, failure.get());
        }
        System.out.println("HostileCallersStressTest: " + calls + " calls, " + acquires + " acquires, " + closes
                + " pools closed and replaced");
        long listenerFailures = 0;
        for (int p = 0; p < POOLS; p++) {
            WarmPool pool = pools.get(p);
            assertEquals(0, pool.outstanding(), "pool " + p + "; " + replay);
            pool.flushDecommits();
            PoolSnapshot snapshot = pool.snapshot();
            listenerFailures += snapshot.listenerFailures();
            for (PoolSnapshot.KindSnapshot kind : snapshot.kinds().values()) {
                assertEquals(0, kind.inUse(), kind + "; " + replay);
                assertEquals(0, kind.resetting(), kind + "; " + replay);
                assertEquals(0, kind.quarantined(), kind + "; " + replay);
                assertEquals(kind.capacity(), kind.warm() + kind.cold(), kind + "; " + replay);
            }
            List<Instance> all = new ArrayList<>();
            for (int i = 0; i < MEMORIES; i++) {
                Instance instance = pool.acquire(InstanceRequest.builder().memory(MAX).tables(i < 2 ? 1 : 0)
                        .stack(i < 2).build());
                all.add(instance);
                assertClean(instance, "pool " + p + " at the end; " + replay);
            }
            all.forEach(Instance::close);
        }
        assertTrue(acquires.get() > 100, acquires + " acquires: the run did something; " + replay);
        assertTrue(listenerFailures > 0, "the listeners threw, and the pools counted it; " + replay);
        for (WarmPool pool : everyPool) {
            pool.close();
        }
    }

    private void run(SplittableRandom random, int me) {
        List<Held> held = new ArrayList<>();
        try {
            while (!stop && failure.get() == null) {
                calls.incrementAndGet();
                step(random, held);
            }
        } catch (Throwable e) {
            failure.compareAndSet(null, new AssertionError(Thread.currentThread().getName() + " after "
                    + calls + " calls", e));
        } finally {
            for (Held h : held) {
                shared.remove(h.instance);
                try {
                    h.instance.close();
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }
        }
    }

    private void step(SplittableRandom random, List<Held> held) {
        int p = random.nextInt(POOLS);
        WarmPool pool = pools.get(p);
        int op = random.nextInt(100);
        try {
            if (op < 30) {
                acquire(random, pool, held);
            } else if (op < 45) {
                release(random, held);
            } else if (op < 55) {
                write(random, held);
            } else if (op < 62) {
                grow(random, held);
            } else if (op < 70) {
                poke(random);
            } else if (op < 72) {
                close(p, pool);
            } else if (op < 80) {
                setter(random, pool);
            } else if (op < 88) {
                pool.snapshot();
            } else if (op < 90) {
                pool.residentBytes(SlotKind.values()[random.nextInt(3)]);
            } else if (op < 92) {
                pool.idleResidentBytes(SlotKind.MEMORY);
            } else if (op < 95) {
                pool.profile().snapshot();
                pool.scanMode();
            } else {
                pool.flushDecommits();
            }
        } catch (IllegalStateException e) {
            String m = String.valueOf(e.getMessage());
            if (!m.contains("closed") && !m.contains("still out") && !m.contains("released") && !m.startsWith("hostile")) {
                throw e;
            }
        } catch (PoolExhaustedException | IllegalArgumentException | IndexOutOfBoundsException expected) {
            // a full pool, or a number out of range: refused, nothing changed
        }
    }

    private void acquire(SplittableRandom random, WarmPool pool, List<Held> held) throws IllegalStateException {
        if (held.size() >= 3) {
            release(random, held);
            return;
        }
        Object key = switch (random.nextInt(8)) {
            case 0 -> null;
            case 1 -> new HostileKey(random.nextInt(3));
            default -> "k" + random.nextInt(6);
        };
        InstanceRequest.Builder request = InstanceRequest.builder().affinityKey(key);
        int memories = 1 + random.nextInt(2);
        for (int i = 0; i < memories; i++) {
            request.memory(random.nextInt(20) == 0 ? MAX + PAGE : random.nextLong(MAX + 1));
        }
        request.tables(random.nextInt(2)).stack(random.nextBoolean());
        Instance instance;
        try {
            instance = random.nextBoolean() ? pool.acquire(request.build())
                    : pool.acquire(request.build(), Duration.ofMillis(random.nextInt(3)));
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        acquires.incrementAndGet();
        assertClean(instance, "a fresh instance");
        if (key instanceof HostileKey hostile && hostile.mode == 1) {
            hostile.throwing = true;
        }
        Held h = new Held(instance);
        held.add(h);
        shared.add(instance);
        mark(random, h);
    }

    /** Fails naming the slot and offset when any accessible byte of any slot of {@code instance} is not zero. */
    private static void assertClean(Instance instance, String when) {
        List<PoolSlot> slots = new ArrayList<>(instance.memories());
        slots.addAll(instance.tables());
        instance.stack().ifPresent(slots::add);
        for (PoolSlot slot : slots) {
            long first = NativeMemory.firstNonZero(slot.address(), slot.accessibleBytes());
            if (first >= 0) {
                throw new AssertionError(when + ": " + slot + " reads " + NativeMemory.getByte(slot.address() + first)
                        + " at byte " + first + " of " + slot.accessibleBytes() + ": a previous tenant's byte");
            }
        }
    }

    /** Writes a few marks in each slot: the first, the last and a random byte of what is accessible. */
    private static void mark(SplittableRandom random, Held h) {
        List<PoolSlot> slots = new ArrayList<>(h.instance.memories());
        slots.addAll(h.instance.tables());
        h.instance.stack().ifPresent(slots::add);
        for (PoolSlot slot : slots) {
            long bytes = slot.accessibleBytes();
            if (bytes == 0) {
                continue;
            }
            for (long offset : new long[]{0, bytes - 1, random.nextLong(bytes)}) {
                byte value = (byte) (1 + random.nextInt(255));
                NativeMemory.putByte(slot.address() + offset, value);
                h.marks.removeIf(m -> m[0] == slot.address() + offset);
                h.marks.add(new long[]{slot.address() + offset, value});
            }
        }
    }

    private void release(SplittableRandom random, List<Held> held) {
        if (held.isEmpty()) {
            return;
        }
        Held h = held.remove(random.nextInt(held.size()));
        for (long[] m : h.marks) {
            byte now = NativeMemory.getByte(m[0]);
            if (now != (byte) m[1]) {
                throw new AssertionError(h.instance + ": the byte at 0x" + Long.toHexString(m[0]) + " the tenant wrote as "
                        + (byte) m[1] + " reads " + now + ": another call changed a live tenant's memory");
            }
        }
        shared.remove(h.instance);
        h.instance.close();
        if (random.nextInt(10) == 0) {
            h.instance.close(); // a second release: IllegalStateException, never a second reset
        }
    }

    private static void write(SplittableRandom random, List<Held> held) {
        if (held.isEmpty()) {
            return;
        }
        Held h = held.get(random.nextInt(held.size()));
        MemorySlot memory = h.instance.memory(random.nextInt(h.instance.memories().size()));
        long bytes = memory.accessibleBytes();
        if (bytes == 0) {
            return;
        }
        long offset = random.nextLong(bytes);
        int length = (int) Math.min(bytes - offset, 1 + random.nextInt((int) PAGE));
        ByteBuffer view = memory.buffer(offset, length);
        long from = memory.address() + offset;
        h.marks.removeIf(m -> m[0] >= from && m[0] < from + length); // overwritten below
        for (int i = 0; i < length; i += 61) {
            view.put(i, (byte) 0x6b);
        }
        mark(random, h);
    }

    private static void grow(SplittableRandom random, List<Held> held) {
        if (held.isEmpty()) {
            return;
        }
        Held h = held.get(random.nextInt(held.size()));
        MemorySlot memory = h.instance.memory(0);
        try {
            memory.grow(hostileSize(random, MAX));
        } catch (NativeCallException e) {
            throw new AssertionError("a grow's mprotect failed on the real kernel", e);
        }
        mark(random, h);
    }

    /** Grows, buffers and sizes of an instance another thread holds, and may release meanwhile. */
    private void poke(SplittableRandom random) {
        Instance other = shared.peek();
        if (other == null) {
            return;
        }
        try {
            MemorySlot memory = other.memory(0);
            switch (random.nextInt(4)) {
                case 0 -> memory.grow(hostileSize(random, MAX));
                case 1 -> memory.buffer(hostileSize(random, MAX), (int) hostileSize(random, Integer.MAX_VALUE));
                case 2 -> memory.accessibleBytes();
                default -> other.tables();
            }
        } catch (IllegalStateException | IllegalArgumentException | IndexOutOfBoundsException expected) {
            // released meanwhile, or a size out of range
        }
    }

    /** A size in range mostly; else one that overflows a sum, or a negative one. */
    private static long hostileSize(SplittableRandom random, long max) {
        return switch (random.nextInt(10)) {
            case 0 -> Long.MAX_VALUE;
            case 1 -> Long.MIN_VALUE;
            case 2 -> -random.nextLong(1, PAGE);
            case 3 -> Integer.MAX_VALUE;
            default -> random.nextLong(Math.min(max, 8 * PAGE));
        };
    }

    private void close(int p, WarmPool pool) {
        pool.close(); // refused while instances are out; if it closed, another pool takes its place
        WarmPool fresh = newPool(p);
        if (pools.compareAndSet(p, pool, fresh)) {
            closes.incrementAndGet();
        } else {
            fresh.close(); // another thread replaced it first: an unused pool would hold its descriptors to the end
        }
    }

    private static void setter(SplittableRandom random, WarmPool pool) {
        switch (random.nextInt(4)) {
            case 0 -> pool.setMaxUnusedWarmSlots(random.nextInt(12) == 0 ? Integer.MIN_VALUE : random.nextInt(5));
            case 1 -> pool.setKeepResidentBytes(SlotKind.values()[random.nextInt(3)],
                    random.nextInt(8) == 0 ? hostileSize(random, MAX) : random.nextInt(3) * PAGE);
            case 2 -> pool.setResetStrategy(ResetStrategy.values()[random.nextInt(ResetStrategy.values().length)]);
            default -> pool.flushDecommits();
        }
    }
}
