package io.warmpool.pool;

import io.warmpool.natives.NativeMemory;
import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.config.SlotKind;
import io.warmpool.pool.event.PoolSnapshot;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.warmpool.pool.TestPools.PAGE;
import static io.warmpool.pool.TestPools.assertReadsZero;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Bug 5 of issue 16: an affinity key whose {@code hashCode} or {@code equals} throws may fail its
 * own calls, never the pool: its instance's release still returns every slot, and other tenants'
 * acquires (which meet its slot on the warm lists, evict it, take it) are unaffected.
 */
class ThrowingAffinityKeyFailsOnlyItsOwnCallsTest {
    private static final int SLOTS = 4;

    /** A key that behaves until told to throw from {@code hashCode} and {@code equals}. */
    private static final class HostileKey {
        volatile boolean throwing;

        @Override
        public int hashCode() {
            if (throwing) {
                throw new IllegalStateException("hostile hashCode");
            }
            return 42;
        }

        @Override
        public boolean equals(Object o) {
            if (throwing) {
                throw new IllegalStateException("hostile equals");
            }
            return o == this;
        }

        @Override
        public String toString() {
            return "HostileKey";
        }
    }

    private static PoolConfig config() {
        return TestPools.memories(SLOTS, 16 * PAGE, 4 * PAGE).tables(2).tableElements(512).tableKeepResident(PAGE)
                .maxUnusedWarmSlots(2).build();
    }

    @Test
    void aKeyThatStartsThrowingAfterItsAcquireStillReleasesAndOthersAreUnaffected() {
        try (WarmPool pool = WarmPool.create(config())) {
            HostileKey bad = new HostileKey();
            Instance badTenant = pool.acquire(InstanceRequest.builder().affinityKey(bad).memory(4 * PAGE).memory(PAGE)
                    .tables(1).build());
            NativeMemory.fill(badTenant.memory(0).address(), 4 * PAGE, (byte) 9);
            assertSame(bad, badTenant.affinityKey());
            bad.throwing = true;
            try {
                badTenant.close(); // it may fail its own call, but its slots must come back
            } catch (RuntimeException ownFailure) {
                System.out.println("the bad key's release failed its own call: " + ownFailure);
            }
            assertIdle(pool, "after the bad key's release");

            int failures = 0;
            for (int i = 0; i < 100; i++) {
                try (Instance other = pool.acquire(InstanceRequest.builder().affinityKey("k" + i % 7)
                        .memory(4 * PAGE).memory(PAGE).tables(1).build())) {
                    assertReadsZero(other.memory(0), "tenant " + i);
                    NativeMemory.fill(other.memory(0).address(), 4 * PAGE, (byte) i);
                } catch (RuntimeException e) {
                    failures++;
                    if (failures == 1) {
                        e.printStackTrace();
                    }
                }
            }
            assertEquals(0, failures, "acquires with other keys that failed after the bad key's release");
            assertIdle(pool, "after 100 other tenants");
            assertEveryMemoryCanBeTakenAtOnce(pool);
        }
    }

    @Test
    void aKeyThatThrowsAtItsAcquireFailsThatAcquireAndTakesNothing() {
        try (WarmPool pool = WarmPool.create(config())) {
            try (Instance warm = pool.acquire(InstanceRequest.memory("warm", PAGE))) {
                NativeMemory.putByte(warm.memory(0).address(), (byte) 1);
            }
            HostileKey bad = new HostileKey();
            bad.throwing = true;
            assertThrows(IllegalStateException.class, () -> pool.acquire(InstanceRequest.builder().affinityKey(bad)
                    .memory(PAGE).memory(PAGE).tables(1).build()));
            assertIdle(pool, "after the refused acquire");
            try (Instance next = pool.acquire(InstanceRequest.memory("warm", PAGE))) {
                assertReadsZero(next.memory(0), "the warm key's next tenant");
            }
            assertEveryMemoryCanBeTakenAtOnce(pool);
        }
    }

    private static void assertIdle(WarmPool pool, String when) {
        assertEquals(0, pool.outstanding(), when);
        for (SlotKind kind : List.of(SlotKind.MEMORY, SlotKind.TABLE)) {
            PoolSnapshot.KindSnapshot s = pool.snapshot().kind(kind);
            assertEquals(0, s.inUse(), when + ": " + s);
            assertEquals(0, s.resetting(), when + ": " + s);
            assertEquals(s.capacity(), s.warm() + s.cold(), when + ": every slot free: " + s);
        }
    }

    private static void assertEveryMemoryCanBeTakenAtOnce(WarmPool pool) {
        List<Instance> all = new ArrayList<>();
        for (int i = 0; i < SLOTS; i++) {
            all.add(pool.acquire(InstanceRequest.memory(null, 16 * PAGE)));
        }
        all.forEach(instance -> assertReadsZero(instance.memory(0), "every slot, grown to its maximum"));
        all.forEach(Instance::close);
    }
}
