package io.warmpool.pool.config;

/**
 * The shape of one kind's slots in a {@link PoolConfig}: how many, how large, their guards, and how
 * much of each an idle warm slot keeps resident.
 *
 * @param kind              the kind
 * @param count             how many slots; 0 for none
 * @param slotBytes         the usable bytes of one slot (a memory's maximum, a table's elements
 *                          times 8 rounded up to a page, a stack's size)
 * @param guardBytes        the {@code PROT_NONE} bytes between slots and at both ends of the slab
 * @param keepResidentBytes the bytes an idle warm slot keeps resident (clean); a stack keeps its top
 */
public record KindConfig(SlotKind kind, int count, long slotBytes, long guardBytes, long keepResidentBytes) {

    /** Where the slots lie in their slab. */
    public SlabLayout layout() {
        return new SlabLayout(count, slotBytes, guardBytes);
    }

    /** The virtual bytes the kind's slab reserves; 0 without slots. */
    public long reservationBytes() {
        return layout().reservationBytes();
    }
}
