package io.warmpool.pool;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The allocator keeps a key's emptied slot list for the key's next release, but not forever: a
 * stream of keys that come once does not grow its memory, and affinity still works after the
 * empty lists are dropped.
 */
class AffinityKeyMemoryTest {
    private static final int SLOTS = 4;

    @Test
    void keysThatComeOnceAreForgottenWithinABoundAndAffinityStillHolds() {
        SlotIndexAllocator allocator = new SlotIndexAllocator(SLOTS, 1, SLOTS);
        int bound = 2 * SLOTS + 16;
        for (int i = 0; i < 10 * bound; i++) {
            String key = "once-" + i;
            int slot = SlotIndexAllocator.slotOf(allocator.acquire(key));
            allocator.release(slot, key);
            int again = SlotIndexAllocator.slotOf(allocator.acquire(key)); // empties the key's list
            assertEquals(slot, again, "key " + key + " gets its slot back");
            allocator.release(again, key);
            assertTrue(allocator.keysRemembered() <= bound + 1,
                    allocator.keysRemembered() + " keys remembered after " + (i + 1));
        }
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
        assertEquals(1, allocator.keysRemembered());
    }
}
