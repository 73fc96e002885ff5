package io.warmpool.pool.slab;

import io.warmpool.pool.event.AcquireKind;
import org.junit.jupiter.api.Test;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The allocator keeps a key's emptied slot list for the key's next release, but not forever: a
 * stream of keys that come once does not grow its memory (it lets the keys go), and affinity still
 * works after the empty lists are dropped.
 */
class AffinityKeyMemoryTest {
    private static final int SLOTS = 4;

    @Test
    void keysThatComeOnceAreLetGoAndAffinityStillHolds() throws InterruptedException {
        SlotIndexAllocator allocator = new SlotIndexAllocator(SLOTS, 1, SLOTS);
        int bound = 2 * SLOTS + 16;
        List<WeakReference<Object>> early = new ArrayList<>();
        for (int i = 0; i < 10 * bound; i++) {
            Object key = new String("once-" + i); // a key object of its own, that only the allocator may keep alive
            if (i < bound) {
                early.add(new WeakReference<>(key));
            }
            int slot = SlotIndexAllocator.slotOf(allocator.acquire(key));
            allocator.release(slot, key);
            int again = SlotIndexAllocator.slotOf(allocator.acquire(key)); // empties the key's list
            assertEquals(slot, again, "key " + key + " gets its slot back");
            allocator.release(again, key);
        }
        for (int gc = 0; gc < 10 && early.stream().anyMatch(r -> r.get() != null); gc++) {
            System.gc();
            Thread.sleep(10);
        }
        assertEquals(0, early.stream().filter(r -> r.get() != null).count(),
                "the allocator still holds keys that came once, " + 9 * bound + " keys ago");
        long taken = allocator.acquire("once-3");
        assertEquals(AcquireKind.WARM, SlotIndexAllocator.kindOf(taken), "a key long gone has no affinity left");
    }

    @Test
    void aKeyWhoseListEmptiedGetsItsNextReleasedSlotBackByAffinity() {
        SlotIndexAllocator allocator = new SlotIndexAllocator(SLOTS, 1, SLOTS);
        int slot = SlotIndexAllocator.slotOf(allocator.acquire("k"));
        allocator.release(slot, "k");
        long taken = allocator.acquire("k");
        assertEquals(AcquireKind.AFFINITY, SlotIndexAllocator.kindOf(taken));
        allocator.release(SlotIndexAllocator.slotOf(taken), "k");
        taken = allocator.acquire("k");
        assertEquals(AcquireKind.AFFINITY, SlotIndexAllocator.kindOf(taken), "the emptied list served again");
        assertEquals(slot, SlotIndexAllocator.slotOf(taken));
    }
}
