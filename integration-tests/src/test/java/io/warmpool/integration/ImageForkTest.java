package io.warmpool.integration;

import io.warmpool.fork.testing.ForkedChild;
import io.warmpool.natives.NativeMemory;
import io.warmpool.pool.ImageSegment;
import io.warmpool.pool.Instance;
import io.warmpool.pool.InstanceRequest;
import io.warmpool.pool.MemoryImage;
import io.warmpool.pool.MemorySlot;
import io.warmpool.pool.PoolExhaustedException;
import io.warmpool.pool.WarmPool;
import io.warmpool.pool.config.ResetStrategy;
import io.warmpool.pool.config.SlotKind;
import io.warmpool.pool.event.Fallback;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.warmpool.integration.ChildChecks.OS;
import static io.warmpool.integration.ChildChecks.PAGE;
import static io.warmpool.integration.ChildChecks.TENANT_BYTE;
import static io.warmpool.integration.ChildChecks.memories;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Memory images across {@code fork()}: {@code MADV_WIPEONFORK} does not apply to an image range (a
 * file mapping), so the pool must see to it that a forked child never reads a parent tenant's bytes
 * through an image slot: a slot in flight at the fork is remapped, one held across it reads the image
 * again where the pool wipes on fork and is remapped when the child releases it, idle ones are clean.
 */
class ImageForkTest {
    private static final int SLOTS = 4;
    private static final int IMAGE_PAGES = 4;
    private static final int PAGES = 6;
    private static final byte[] IMAGE = image();
    /**
     * How long a parent waits for a child: longer than {@link ChildChecks#DEADLINE}, since these
     * children compare whole slots interpreted (-Xint), and on a loaded machine that took over 15 s.
     */
    private static final java.time.Duration DEADLINE = java.time.Duration.ofSeconds(60);
    /** The image as the longs a slot reads, page-rounded: a child compares 8 bytes a call (it runs interpreted). */
    private static final long[] IMAGE_LONGS = longs(IMAGE);
    private static final long TENANT_LONG = 0x5A5A5A5A5A5A5A5AL;

    private static byte[] image() {
        byte[] bytes = new byte[IMAGE_PAGES * (int) PAGE - 100];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i % 7 + 1); // never the tenant byte, never zero
        }
        return bytes;
    }

    private static long[] longs(byte[] bytes) {
        java.nio.ByteBuffer page = java.nio.ByteBuffer.allocate(IMAGE_PAGES * (int) PAGE).order(java.nio.ByteOrder.nativeOrder());
        page.put(bytes);
        long[] out = new long[IMAGE_PAGES * (int) PAGE / Long.BYTES];
        page.flip().limit(page.capacity());
        page.asLongBuffer().get(out);
        return out;
    }

    @Test
    void aSlotInFlightAtTheForkAndOneHeldAcrossItNeverShowTheParentsTenantToTheChild() throws Exception {
        ChildChecks.Events events = new ChildChecks.Events();
        // no wipe on fork, a decommit batch that holds released slots in flight, and madvise-all: the worst case
        try (WarmPool pool = WarmPool.create(memories(SLOTS).wipeOnFork(false).decommitBatch(SLOTS)
                .resetStrategy(ResetStrategy.MADVISE_ALL).build(), events)) {
            MemoryImage image = pool.createImage(List.of(new ImageSegment(0, IMAGE)));
            InstanceRequest request = InstanceRequest.builder().memory(PAGES * PAGE, image).build();
            Instance[] room = new Instance[SLOTS + 1];
            assertEquals(SLOTS, drain(pool, request, room, -1), "the parent runs what the child will");
            pool.flushDecommits();
            Instance inFlight = pool.acquire(request);
            Instance held = pool.acquire(request);
            fillWithTenant(inFlight.memory(0));
            fillWithTenant(held.memory(0));
            int heldSlot = held.memory(0).index();
            inFlight.close(); // queued for its batch's decommit: in flight, its tenant's bytes still there
            assertEquals(1, pool.snapshot().kind(SlotKind.MEMORY).resetting());
            long forkedBefore = events.count(Fallback.FORKED);
            long remappedBefore = events.count(Fallback.REMAPPED);
            ForkedChild.Result result = ForkedChild.run(OS,
                    () -> childOfAnUnwipedPool(pool, request, held, heldSlot, room, events, forkedBefore, remappedBefore),
                    DEADLINE);
            assertTrue(result.exitedWith(0), result + " (" + events.lastFallback + ")");
            assertTrue(isTenant(held.memory(0)), "the parent keeps its tenant's bytes");
            held.close();
        }
    }

    /** In the child: 0, or the number of the first check that failed. */
    private static int childOfAnUnwipedPool(WarmPool pool, InstanceRequest request, Instance held, int heldSlot,
                                            Instance[] room, ChildChecks.Events events, long forkedBefore,
                                            long remappedBefore) {
        if (!isTenant(held.memory(0))) {
            return 1; // the control: without wipe-on-fork the held slot shows its tenant here
        }
        int free = drain(pool, request, room, heldSlot);
        if (free != SLOTS - 1) {
            return free < 0 ? 10 - free : 2; // every other slot, the in-flight one too, reads the image
        }
        if (events.count(Fallback.FORKED) != forkedBefore + 1) {
            return 3; // the in-flight slot was remapped
        }
        held.close(); // its tenant was the parent's: remapped, not trusted to a reset
        if (events.count(Fallback.REMAPPED) != remappedBefore + 1) {
            return 4;
        }
        return drain(pool, request, room, -1) == SLOTS ? 0 : 5;
    }

    @Test
    void withWipeOnForkAnImageSlotHeldAcrossTheForkReadsTheImageInTheChild() throws Exception {
        ChildChecks.Events events = new ChildChecks.Events();
        try (WarmPool pool = WarmPool.create(memories(SLOTS).wipeOnFork(true).build(), events)) {
            MemoryImage image = pool.createImage(List.of(new ImageSegment(0, IMAGE)));
            InstanceRequest request = InstanceRequest.builder().memory(PAGES * PAGE, image).build();
            Instance[] room = new Instance[SLOTS + 1];
            assertEquals(SLOTS, drain(pool, request, room, -1));
            Instance held = pool.acquire(request);
            fillWithTenant(held.memory(0));
            pool.snapshot(); // what the child runs first, run here once
            ForkedChild.Result result = ForkedChild.run(OS, () -> {
                pool.snapshot(); // the child's first pool operation renews it: held image ranges are wiped then
                if (!readsImage(held.memory(0))) {
                    return 1; // wiped: the image range reads the image, the rest zero
                }
                fillWithTenant(held.memory(0));
                held.close();
                return drain(pool, request, room, -1) == SLOTS ? 0 : 2;
            }, DEADLINE);
            assertTrue(result.exitedWith(0), result + " (" + events.lastFallback + ")");
            assertTrue(isTenant(held.memory(0)), "the parent keeps its tenant's bytes");
            held.close();
        }
    }

    private static void fillWithTenant(MemorySlot memory) {
        NativeMemory.fill(memory.address(), memory.accessibleBytes(), TENANT_BYTE);
    }

    private static boolean isTenant(MemorySlot memory) {
        for (long i = 0; i < memory.accessibleBytes(); i += Long.BYTES) {
            if (NativeMemory.getLong(memory.address() + i) != TENANT_LONG) {
                return false;
            }
        }
        return true;
    }

    /** Whether the memory reads the image's bytes and zero beyond them. */
    private static boolean readsImage(MemorySlot memory) {
        long bytes = memory.accessibleBytes();
        long inImage = Math.min(bytes, (long) IMAGE_LONGS.length * Long.BYTES);
        for (int i = 0; (long) i * Long.BYTES < inImage; i++) {
            if (NativeMemory.getLong(memory.address() + (long) i * Long.BYTES) != IMAGE_LONGS[i]) {
                return false;
            }
        }
        return NativeMemory.firstNonZero(memory.address() + inImage, bytes - inImage) == -1;
    }

    /**
     * As {@link ChildChecks#drain}, checking that each instance reads the image: how many it got,
     * or -1 one did not read the image, -2 one was the forbidden slot, -3 the room was too small.
     */
    private static int drain(WarmPool pool, InstanceRequest request, Instance[] room, int forbiddenSlot) {
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
                MemorySlot memory = room[got - 1].memory(0);
                if (!readsImage(memory)) {
                    failure = -1;
                    break;
                }
                if (memory.index() == forbiddenSlot) {
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
}
