package io.warmpool.integration;

import io.warmpool.natives.NativeMemory;
import io.warmpool.natives.Syscalls;
import io.warmpool.pagemap.ScanMode;
import io.warmpool.pool.Instance;
import io.warmpool.pool.InstanceRequest;
import io.warmpool.pool.PoolExhaustedException;
import io.warmpool.pool.PoolSlot;
import io.warmpool.pool.WarmPool;
import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.config.ResetStrategy;
import io.warmpool.pool.config.SlotKind;
import io.warmpool.pool.event.Fallback;
import io.warmpool.pool.event.PoolListener;
import io.warmpool.pool.event.ResetRecord;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Pools for the fork tests, and the checks a forked child runs on them. A check returns 0 when
 * everything held, or the code of the first thing that did not (the child's exit status), so that
 * a child needs no assertion library, no lambda of its own and little allocation. Every method a
 * child calls must have run once in the parent first: a child must not load classes.
 */
final class ChildChecks {
    static final Syscalls OS = Syscalls.linux();
    static final long PAGE = OS.pageSize();
    /** How long a parent waits for a child before it kills it; children take milliseconds. */
    static final Duration DEADLINE = Duration.ofSeconds(15);
    static final byte TENANT_BYTE = 0x5A;

    private ChildChecks() {
    }

    /** Memory slots of 16 pages, all kept resident and reset by the pagemap scan alone. */
    static PoolConfig.Builder memories(int slots) {
        return PoolConfig.builder().memories(slots).memoryMax(16 * PAGE).memoryGuard(4 * PAGE)
                .memoryKeepResident(16 * PAGE).tables(0).stacks(0)
                .resetStrategy(ResetStrategy.PAGEMAP_GUIDED).scanMode(ScanMode.PAGEMAP_SCAN);
    }

    /** {@code slots} of every kind, with batched decommits and two stripes: every lock the pool has. */
    static PoolConfig.Builder everyKind(int slots) {
        return memories(slots).memoryKeepResident(4 * PAGE).tables(slots).tableElements(2048)
                .tableKeepResident(PAGE).stacks(slots).stackSize(8 * PAGE).stackKeepResident(2 * PAGE)
                .decommitBatch(2).stripes(2).maxUnusedWarmSlots(slots / 2);
    }

    /** One memory of eight pages, one table and a stack, for {@code key}. */
    static InstanceRequest everyKindRequest(Object key) {
        return InstanceRequest.builder().affinityKey(key).memory(8 * PAGE).tables(1).stack(true).build();
    }

    /** One memory of {@code pages} pages for {@code key}. */
    static InstanceRequest memoryRequest(Object key, int pages) {
        return InstanceRequest.memory(key, pages * PAGE);
    }

    /** Whether every byte the instance can reach reads zero. */
    static boolean readsZero(Instance instance) {
        for (PoolSlot slot : instance.memories()) {
            if (!readsZero(slot)) {
                return false;
            }
        }
        for (PoolSlot slot : instance.tables()) {
            if (!readsZero(slot)) {
                return false;
            }
        }
        return instance.stack().isEmpty() || readsZero(instance.stack().get());
    }

    static boolean readsZero(PoolSlot slot) {
        return NativeMemory.firstNonZero(slot.address(), slot.accessibleBytes()) == -1;
    }

    /** Writes the tenant byte over a page in the middle of every slot of the instance. */
    static void dirty(Instance instance) {
        for (PoolSlot slot : instance.memories()) {
            dirty(slot);
        }
        for (PoolSlot slot : instance.tables()) {
            dirty(slot);
        }
        if (instance.stack().isPresent()) {
            dirty(instance.stack().get());
        }
    }

    private static void dirty(PoolSlot slot) {
        long pages = slot.accessibleBytes() / PAGE;
        NativeMemory.fill(slot.address() + pages / 2 * PAGE, PAGE, TENANT_BYTE);
        NativeMemory.putByte(slot.address(), TENANT_BYTE);
    }

    /**
     * Acquire, check zero, dirty, release, twice (the second time the reset must have cleaned what the
     * first tenant wrote): 0, or {@code base + 1} (the first acquire read non-zero) or {@code base + 2}
     * (the second did).
     */
    static int cycle(WarmPool pool, InstanceRequest request, int base) {
        for (int round = 1; round <= 2; round++) {
            Instance instance = pool.acquire(request);
            boolean clean = readsZero(instance);
            dirty(instance);
            instance.close();
            if (!clean) {
                return base + round;
            }
        }
        return 0;
    }

    /**
     * Acquires instances until the pool is exhausted (into {@code room}, allocated by the parent),
     * checks each reads zero and is not memory slot {@code forbiddenSlot} (-1: any may be), then
     * releases them all. Returns how many it got, or {@code -code}: -1 one read non-zero, -2 one was
     * the forbidden slot, -3 the room was too small.
     */
    static int drain(WarmPool pool, InstanceRequest request, Instance[] room, int forbiddenSlot) {
        int got = 0;
        int failure = 0;
        try {
            while (true) {
                if (got == room.length) {
                    failure = -3;
                    break;
                }
                room[got] = pool.acquire(request);
                got++;
                Instance instance = room[got - 1];
                if (!readsZero(instance)) {
                    failure = -1;
                    break;
                }
                if (instance.memory(0).index() == forbiddenSlot) {
                    failure = -2;
                    break;
                }
            }
        } catch (PoolExhaustedException expected) {
            // every free slot is out
        } finally {
            for (int i = 0; i < got; i++) {
                room[i].close();
                room[i] = null;
            }
        }
        return failure != 0 ? failure : got;
    }

    /** What a pool told, counted without a lock (a child must not wait on a lock a parent thread held). */
    static final class Events implements PoolListener {
        private final AtomicLongArray fallbacks = new AtomicLongArray(Fallback.values().length);
        final AtomicLong resets = new AtomicLong();
        /** Resets whose scan reported the page at {@link #watchedOffset} of the slot dirty. */
        final AtomicLong watchedDirty = new AtomicLong();
        volatile long watchedOffset = -1;
        volatile String lastFallback = "";

        @Override
        public void reset(ResetRecord record) {
            resets.incrementAndGet();
            long watched = watchedOffset;
            for (int i = 0; i < record.dirtyRegionCount(); i++) {
                long offset = record.dirtyRegionOffset(i);
                if (watched >= offset && watched < offset + record.dirtyRegionBytes(i)) {
                    watchedDirty.incrementAndGet();
                }
            }
        }

        @Override
        public void fallback(SlotKind kind, Fallback reason, String detail) {
            fallbacks.incrementAndGet(reason.ordinal());
            lastFallback = reason.label() + ": " + detail;
        }

        long count(Fallback reason) {
            return fallbacks.get(reason.ordinal());
        }
    }
}
