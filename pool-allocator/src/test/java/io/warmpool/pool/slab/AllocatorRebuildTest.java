package io.warmpool.pool.slab;

import io.warmpool.pool.event.AcquireKind;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link SlotIndexAllocator#forChild()}: the allocator a forked child rebuilds from its parent's slot
 * states (the fork itself is exercised in the integration tests' *ForkTest classes).
 */
class AllocatorRebuildTest {
    @Test
    void rebuiltAllocatorKeepsFreeAndQuarantinedSlotsAndLeavesTakenOnesTaken() {
        SlotIndexAllocator parent = new SlotIndexAllocator(8, 2, 8);
        int[] slot = new int[8];
        for (int i = 0; i < slot.length; i++) {
            slot[i] = SlotIndexAllocator.slotOf(parent.acquire(null));
        }
        parent.release(slot[0], "a");
        parent.release(slot[1], "b");
        parent.release(slot[5], "a");
        parent.makeCold(slot[2]);
        parent.quarantine(slot[3]);
        // slot[4], slot[6] and slot[7] stay taken: held, or in flight when the process forked

        SlotIndexAllocator child = parent.forChild();
        assertEquals(3, child.warm());
        assertEquals(1, child.cold());
        assertEquals(1, child.quarantined());
        for (int i : new int[] {4, 6, 7}) {
            assertTrue(child.isTaken(slot[i]), "slot " + slot[i] + " stays taken");
        }
        for (int i : new int[] {0, 1, 2, 3, 5}) {
            assertFalse(child.isTaken(slot[i]), "slot " + slot[i] + " is free or quarantined");
        }
        long b = child.acquire("b");
        assertEquals(AcquireKind.AFFINITY, SlotIndexAllocator.kindOf(b), "the warm slots keep their keys");
        assertEquals(slot[1], SlotIndexAllocator.slotOf(b));
        List<Integer> ofA = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            long a = child.acquire("a");
            assertEquals(AcquireKind.AFFINITY, SlotIndexAllocator.kindOf(a), "both of a's warm slots");
            ofA.add(SlotIndexAllocator.slotOf(a));
        }
        assertTrue(ofA.contains(slot[0]) && ofA.contains(slot[5]), ofA.toString());
        assertEquals(slot[2], SlotIndexAllocator.slotOf(child.acquire(null)), "then the cold one");
        assertEquals(SlotIndexAllocator.NONE, SlotIndexAllocator.slotOf(child.acquire(null)));

        // A slot the child reclaims (after a fresh mapping) is handed out again.
        child.makeCold(slot[6]);
        assertEquals(slot[6], SlotIndexAllocator.slotOf(child.acquire(null)));
    }
}
