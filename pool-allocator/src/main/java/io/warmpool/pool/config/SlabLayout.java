package io.warmpool.pool.config;

/**
 * Where the slots of one kind lie in their slab, and how much virtual memory the slab reserves: the
 * one computation that {@link PoolConfig} checks and the slab maps.
 *
 * <pre>
 *   offset 0                                                                reservationBytes
 *   │ guard │ slot 0 │ guard │ slot 1 │ guard │ ... │ slot n-1 │ guard │
 *           └─ stride ──────┘
 *   slotOffset(i) = guardBytes + i * stride        stride = slotBytes + guardBytes
 *   reservationBytes = guardBytes + n * stride     (0 without slots: no slab at all)
 * </pre>
 *
 * Every slot has a guard on both sides, so a stack (which grows down) has its guard page below it
 * and a memory its guard region above. The constructor refuses a layout whose reservation does not
 * fit in 63 bits, so no other computation here can overflow.
 *
 * @param slots      how many slots
 * @param slotBytes  the usable bytes of a slot, page-aligned
 * @param guardBytes the {@code PROT_NONE} bytes between slots and at both ends, page-aligned
 */
public record SlabLayout(int slots, long slotBytes, long guardBytes) {

    /** @throws ArithmeticException when the reservation does not fit in 63 bits */
    public SlabLayout {
        if (slots < 0 || slotBytes < 0 || guardBytes < 0) {
            throw new IllegalArgumentException("a layout of " + slots + " slots of " + slotBytes + " bytes with "
                    + guardBytes + " guard bytes");
        }
        if (slots > 0) {
            Math.addExact(guardBytes, Math.multiplyExact(slots, Math.addExact(slotBytes, guardBytes)));
        }
    }

    /** The distance from one slot's first byte to the next one's. */
    public long stride() {
        return slotBytes + guardBytes;
    }

    /** The offset of slot {@code index}'s first byte from the slab's base. */
    public long slotOffset(int index) {
        return guardBytes + index * stride();
    }

    /** The virtual bytes the slab reserves; 0 without slots. */
    public long reservationBytes() {
        return slots == 0 ? 0 : guardBytes + slots * stride();
    }
}
