package io.warmpool.integration;

import io.warmpool.fork.testing.ForkedChild;
import io.warmpool.natives.NativeMemory;
import io.warmpool.pool.Instance;
import io.warmpool.pool.InstanceRequest;
import io.warmpool.pool.MemorySlot;
import io.warmpool.pool.WarmPool;
import io.warmpool.pool.config.SlotKind;
import io.warmpool.pool.event.Fallback;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.warmpool.integration.ChildChecks.DEADLINE;
import static io.warmpool.integration.ChildChecks.OS;
import static io.warmpool.integration.ChildChecks.TENANT_BYTE;
import static io.warmpool.integration.ChildChecks.cycle;
import static io.warmpool.integration.ChildChecks.drain;
import static io.warmpool.integration.ChildChecks.memories;
import static io.warmpool.integration.ChildChecks.memoryRequest;
import static io.warmpool.integration.ChildChecks.readsZero;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a forked child finds in the slots, with and without {@code MADV_WIPEONFORK} on the slabs:
 * with it, every slot arrives zeroed and with nothing resident; without it, the child sees the
 * parent's bytes, and the pool must never hand those out.
 */
class WipeOnForkForkTest {
    private static final int SLOTS = 4;
    private static final int PAGES = 16;
    private static final long TENANT_LONG = 0x5A5A5A5A5A5A5A5AL;

    @Test
    void tenantBytesWrittenInTheParentReadZeroInTheChild() throws Exception {
        ChildChecks.Events events = new ChildChecks.Events();
        try (WarmPool pool = WarmPool.create(memories(SLOTS).wipeOnFork(true).build(), events);
             OtherThread other = new OtherThread(pool, memoryRequest("theirs", PAGES))) {
            InstanceRequest request = memoryRequest("mine", PAGES);
            warmUp(pool, request);
            Instance mine = pool.acquire(request);
            MemorySlot memory = mine.memory(0);
            NativeMemory.fill(memory.address(), memory.accessibleBytes(), TENANT_BYTE);
            Instance[] room = new Instance[SLOTS + 1];
            ForkedChild.Result result = ForkedChild.run(OS,
                    () -> childOfAWipedPool(pool, request, mine, other.held.memory(0).index(), room), DEADLINE);
            assertTrue(result.exitedWith(0), result.toString());
            assertEquals(-1, firstNotTenantByte(memory), "the parent keeps its tenant's bytes");
            mine.close();
        }
    }

    /** In the child of a pool with wipe-on-fork: 0, or the number of the first check that failed. */
    private static int childOfAWipedPool(WarmPool pool, InstanceRequest request, Instance mine, int theirs,
                                         Instance[] room) {
        if (pool.residentBytes(SlotKind.MEMORY) != 0) {
            return 1; // "empty": nothing of any slot is resident in the child
        }
        MemorySlot memory = mine.memory(0);
        if (memory.accessibleBytes() != PAGES * ChildChecks.PAGE || !readsZero(mine)) {
            return 2; // zeroed, and as large as it was: the tenant may still use it
        }
        NativeMemory.putByte(memory.address() + memory.accessibleBytes() - 1, TENANT_BYTE);
        int free = drain(pool, request, room, theirs);
        if (free != SLOTS - 2) {
            return free < 0 ? 10 - free : 3; // all but mine and theirs, each zero, never theirs
        }
        mine.close(); // held across the fork: remapped, not trusted to a reset
        if (cycle(pool, request, 20) != 0) {
            return 4;
        }
        return drain(pool, request, room, theirs) == SLOTS - 1 ? 0 : 5;
    }

    @Test
    void withoutWipeOnForkASlotHeldByAnotherThreadIsNeverHandedOutDirty() throws Exception {
        ChildChecks.Events events = new ChildChecks.Events();
        try (WarmPool pool = WarmPool.create(memories(SLOTS).wipeOnFork(false).build(), events);
             OtherThread other = new OtherThread(pool, memoryRequest("theirs", PAGES))) {
            InstanceRequest request = memoryRequest("mine", PAGES);
            warmUp(pool, request);
            Instance[] room = new Instance[SLOTS + 1];
            long remappedBefore = events.count(Fallback.REMAPPED);
            ForkedChild.Result result = ForkedChild.run(OS,
                    () -> childOfAnUnwipedPool(pool, request, other.held, room, events, remappedBefore), DEADLINE);
            assertTrue(result.exitedWith(0), result.toString());
            assertEquals(-1, firstNotTenantByte(other.held.memory(0)), "the other thread's tenant is untouched");
        }
    }

    /** In the child of a pool without wipe-on-fork: 0, or the number of the first check that failed. */
    private static int childOfAnUnwipedPool(WarmPool pool, InstanceRequest request, Instance theirs, Instance[] room,
                                            ChildChecks.Events events, long remappedBefore) {
        int theirSlot = theirs.memory(0).index();
        if (firstNotTenantByte(theirs.memory(0)) != -1) {
            return 1; // the control: the other thread's slot is dirty here
        }
        int free = drain(pool, request, room, theirSlot);
        if (free != SLOTS - 1) {
            return free < 0 ? 10 - free : 2; // every other slot, each zero; never theirs
        }
        theirs.close(); // the child may release it: remapped, since its tenant was the parent's
        if (events.count(Fallback.REMAPPED) != remappedBefore + 1) {
            return 3;
        }
        return drain(pool, request, room, -1) == SLOTS ? 0 : 4;
    }

    /** Runs in the parent whatever the child runs, so that the child loads no class. */
    private static void warmUp(WarmPool pool, InstanceRequest request) {
        assertEquals(0, cycle(pool, request, 0));
        assertEquals(SLOTS - 1, drain(pool, request, new Instance[SLOTS + 1], -1));
        assertTrue(pool.residentBytes(SlotKind.MEMORY) > 0);
    }

    /** The offset of the first 8 bytes of the memory that are not all the tenant byte, or -1. */
    private static long firstNotTenantByte(MemorySlot memory) {
        ByteBuffer bytes = memory.buffer();
        for (int i = 0; i + Long.BYTES <= bytes.capacity(); i += Long.BYTES) {
            if (bytes.getLong(i) != TENANT_LONG) {
                return i;
            }
        }
        return -1;
    }

    /** A thread that acquires an instance, fills it with the tenant byte and holds it until closed. */
    private static final class OtherThread implements AutoCloseable {
        final Instance held;
        private final CountDownLatch done = new CountDownLatch(1);
        private final Thread thread;

        OtherThread(WarmPool pool, InstanceRequest request) throws InterruptedException {
            Instance[] out = new Instance[1];
            CountDownLatch holding = new CountDownLatch(1);
            thread = new Thread(() -> {
                try (Instance instance = pool.acquire(request)) {
                    MemorySlot memory = instance.memory(0);
                    NativeMemory.fill(memory.address(), memory.accessibleBytes(), TENANT_BYTE);
                    out[0] = instance;
                    holding.countDown();
                    done.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "other-tenant");
            thread.start();
            if (!holding.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the other thread did not acquire its instance");
            }
            held = out[0];
        }

        /** Lets the thread release its instance, and waits for it. */
        @Override
        public void close() {
            done.countDown();
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while the other thread released its instance", e);
            }
        }
    }
}
