package io.warmpool.ffm;

import io.warmpool.pool.Instance;
import io.warmpool.pool.InstanceRequest;
import io.warmpool.pool.WarmPool;
import io.warmpool.pool.config.PoolConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RevocableInstanceTest {
    private static final long PAGE = 4096;
    private static final long SECRET = 0x5ec7e7_5ec7e7L;
    private static final long NEXT = 0x0e47_0e47_0e47L;

    /** One memory, table and stack: the next tenant gets the same slots. */
    private final WarmPool pool = WarmPool.create(PoolConfig.builder().memories(1).memoryMax(1 << 20)
            .memoryGuard(64 << 10).tables(1).tableElements(512).tableKeepResident(4096).stacks(1).stackSize(64 << 10).build());

    private static InstanceRequest everything() {
        return InstanceRequest.builder().affinityKey("tenant").memory(4 * PAGE).tables(1).stack(true).build();
    }

    @AfterEach
    void closePool() {
        pool.close();
    }

    @Test
    void aSegmentKeptPastTheReleaseThrowsWhereAKeptBufferReadsTheNextTenant() {
        RevocableInstance first = RevocableInstance.acquire(pool, everything());
        MemorySegment memory = first.memory(0);
        MemorySegment table = first.table(0);
        MemorySegment stack = first.stack().orElseThrow();
        ByteBuffer buffer = first.instance().memory(0).buffer(); // the unrevocable view, for contrast
        memory.set(ValueLayout.JAVA_LONG, 0, SECRET);
        first.close();

        try (RevocableInstance next = RevocableInstance.acquire(pool, everything())) {
            assertEquals(0, next.memory(0).get(ValueLayout.JAVA_LONG, 0), "the reset zeroed the first tenant's byte");
            next.memory(0).set(ValueLayout.JAVA_LONG, 0, NEXT);
            next.table(0).set(ValueLayout.JAVA_LONG, 0, NEXT);
            next.stack().orElseThrow().set(ValueLayout.JAVA_LONG, 0, NEXT);

            assertEquals(NEXT, buffer.getLong(0), "a kept ByteBuffer reads the next tenant: the documented rule");
            for (MemorySegment kept : new MemorySegment[] {memory, table, stack}) {
                assertThrows(IllegalStateException.class, () -> kept.get(ValueLayout.JAVA_LONG, 0));
                assertThrows(IllegalStateException.class, () -> kept.set(ValueLayout.JAVA_LONG, 0, 1L));
                assertFalse(kept.scope().isAlive());
            }
            assertEquals(NEXT, next.memory(0).get(ValueLayout.JAVA_LONG, 0), "the kept segment wrote nothing");
        }
    }

    @Test
    void aThreadReadingAKeptSegmentFailsAtTheReleaseAndNeverSeesTheNextTenant() throws Exception {
        RevocableInstance first = RevocableInstance.acquire(pool, everything());
        MemorySegment memory = first.memory(0);
        CountDownLatch reading = new CountDownLatch(1);
        AtomicLong seen = new AtomicLong();
        AtomicReference<Throwable> ended = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            try {
                reading.countDown();
                while (true) {
                    long v = memory.get(ValueLayout.JAVA_LONG, 0);
                    if (v != 0) {
                        seen.set(v);
                    }
                }
            } catch (Throwable t) {
                ended.set(t);
            }
        }, "kept-segment-reader");
        reader.start();
        assertTrue(reading.await(30, TimeUnit.SECONDS));
        first.close();
        try (RevocableInstance next = RevocableInstance.acquire(pool, everything())) {
            next.memory(0).set(ValueLayout.JAVA_LONG, 0, NEXT);
            reader.join(TimeUnit.SECONDS.toMillis(60));
            assertFalse(reader.isAlive(), "the reader stopped");
            assertInstanceOf(IllegalStateException.class, ended.get());
            assertNotEquals(NEXT, seen.get(), "the reader never saw the next tenant's value");
        }
    }

    @Test
    void aSegmentCoversTheBytesAccessibleWhenItWasMadeAndGrowthGivesALongerOne() {
        try (RevocableInstance instance = RevocableInstance.acquire(pool, everything())) {
            MemorySegment before = instance.memory(0);
            assertEquals(4 * PAGE, before.byteSize());
            assertEquals(instance.instance().memory(0).address(), before.address());
            assertThrows(IndexOutOfBoundsException.class, () -> before.get(ValueLayout.JAVA_BYTE, 4 * PAGE));
            MemorySegment after = instance.grow(0, 2 * PAGE);
            assertEquals(6 * PAGE, after.byteSize());
            assertEquals(0, after.get(ValueLayout.JAVA_LONG, 5 * PAGE));
            assertEquals(4 * PAGE, before.byteSize());
            assertEquals(512 * 8, instance.table(0).byteSize());
            assertEquals(64 << 10, instance.stack().orElseThrow().byteSize());
        }
    }

    @Test
    void closeIsIdempotentAndTheInstanceIsReleasedOnceAndAfterwardsNothingIsHandedOut() {
        RevocableInstance instance = RevocableInstance.acquire(pool, everything());
        assertEquals(1, pool.outstanding());
        instance.close();
        instance.close();
        assertTrue(instance.isClosed());
        assertTrue(instance.instance().isReleased());
        assertEquals(0, pool.outstanding());
        assertThrows(IllegalStateException.class, () -> instance.memory(0));
        assertThrows(IllegalStateException.class, () -> instance.table(0));
    }

    @Test
    void anInstanceAcquiredAlreadyCanBeTakenOverButNotAReleasedOne() {
        Instance plain = pool.acquire(everything());
        RevocableInstance taken = RevocableInstance.of(plain);
        MemorySegment memory = taken.memory(0);
        taken.close();
        assertTrue(plain.isReleased());
        assertThrows(IllegalStateException.class, () -> memory.get(ValueLayout.JAVA_BYTE, 0));
        assertThrows(IllegalStateException.class, () -> RevocableInstance.of(plain));
    }

    @Test
    void aConfinedInstanceIsRevokedAtItsReleaseAndOnlyItsThreadMayUseOrReleaseIt() throws Exception {
        RevocableInstance confined = RevocableInstance.acquireConfined(pool, everything());
        MemorySegment memory = confined.memory(0);
        memory.set(ValueLayout.JAVA_LONG, 0, SECRET);
        AtomicReference<Throwable> read = new AtomicReference<>();
        AtomicReference<Throwable> close = new AtomicReference<>();
        Thread other = new Thread(() -> {
            try {
                memory.get(ValueLayout.JAVA_LONG, 0);
            } catch (Throwable t) {
                read.set(t);
            }
            try {
                confined.close();
            } catch (Throwable t) {
                close.set(t);
            }
        });
        other.start();
        other.join();
        assertInstanceOf(WrongThreadException.class, read.get());
        assertInstanceOf(WrongThreadException.class, close.get());
        assertEquals(1, pool.outstanding(), "a close from another thread released nothing");
        confined.close();
        assertEquals(0, pool.outstanding());
        assertThrows(IllegalStateException.class, () -> memory.get(ValueLayout.JAVA_LONG, 0));
        try (RevocableInstance next = RevocableInstance.acquire(pool, everything())) {
            assertEquals(0, next.memory(0).get(ValueLayout.JAVA_LONG, 0));
        }
    }

    @Test
    void anInstanceWithoutAStackHasNoStackSegment() {
        try (RevocableInstance instance = RevocableInstance.acquire(pool, InstanceRequest.memory(null, PAGE))) {
            assertTrue(instance.stack().isEmpty());
            assertEquals(PAGE, instance.memory(0).byteSize());
        }
    }
}
