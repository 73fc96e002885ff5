package io.warmpool.pool.slab;

import io.warmpool.natives.Mman;
import io.warmpool.natives.Syscalls;
import io.warmpool.pool.config.ByteSize;
import io.warmpool.pool.config.KindConfig;
import io.warmpool.pool.config.SlabLayout;
import io.warmpool.pool.config.SlotKind;

/**
 * One reservation of virtual memory for all slots of a kind, laid out as its {@link SlabLayout} says.
 *
 * <pre>
 *  base                                                                          base + reservation
 *  |<- guard ->|<-------- slot 0 -------->|<- guard ->|<-------- slot 1 -------->|<- guard ->| ...
 *  | PROT_NONE | RW prefix  |  PROT_NONE  | PROT_NONE | RW prefix  |  PROT_NONE  | PROT_NONE |
 *              ^slotBase(0) ^+accessible  ^+slotBytes ^           ^slotBase(1) = slotBase(0) + stride
 *
 *  stride = slotBytes + guardBytes          reservation = guardBytes + slots * stride  (SlabLayout)
 * </pre>
 *
 * <ul>
 *   <li>The whole reservation is one {@code mmap(PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE)}:
 *       it costs address space, not memory, until a slot's pages are touched.</li>
 *   <li>A slot's tenant reaches only its accessible prefix ({@code PROT_READ | PROT_WRITE}); the rest of
 *       the slot and the guard after it are {@code PROT_NONE}, so a stray access faults before it can
 *       reach the next slot (invariant 3). The guard before slot 0 protects it from below.</li>
 *   <li>A stack is a slot too: the guard below it is its guard page, and it grows down from
 *       {@code slotBase + slotBytes}.</li>
 *   <li>{@code MADV_NOHUGEPAGE} on everything, since one write into a huge page dirties 2 MiB; and, by
 *       default, {@code MADV_WIPEONFORK}, so a forked child sees every slot zeroed.</li>
 * </ul>
 */
public final class Slab implements AutoCloseable {
    private final Syscalls os;
    private final SlotKind kind;
    private final SlabLayout layout;
    private final int slots;
    private final long slotBytes;
    private final long reservation;
    private final boolean wipeOnFork;
    private final long base;
    private volatile boolean closed;

    /** Reserves the slab of {@code config}'s kind ({@code mmap}, then {@code madvise}). */
    public Slab(Syscalls os, KindConfig config, boolean wipeOnFork) {
        this.os = os;
        this.kind = config.kind();
        this.layout = config.layout();
        this.slots = layout.slots();
        this.slotBytes = layout.slotBytes();
        this.reservation = layout.reservationBytes();
        this.wipeOnFork = wipeOnFork;
        this.base = os.mmap(0, reservation, Mman.PROT_NONE,
                Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS | Mman.MAP_NORESERVE, -1, 0);
        try {
            advise(base, reservation);
        } catch (RuntimeException e) {
            os.munmap(base, reservation);
            throw e;
        }
    }

    private void advise(long address, long length) {
        os.madvise(address, length, Mman.MADV_NOHUGEPAGE);
        if (wipeOnFork) {
            os.madvise(address, length, Mman.MADV_WIPEONFORK);
        }
    }

    public SlotKind kind() {
        return kind;
    }

    public int slots() {
        return slots;
    }

    public long slotBytes() {
        return slotBytes;
    }

    public long base() {
        return base;
    }

    public long reservation() {
        return reservation;
    }

    /** The first byte of slot {@code index}. */
    public long slotBase(int index) {
        return base + layout.slotOffset(index);
    }

    /** The byte after slot {@code index}: a stack's top. */
    public long slotEnd(int index) {
        return slotBase(index) + slotBytes;
    }

    /** Makes {@code [from, to)} of slot {@code index} readable and writable. */
    public void open(int index, long from, long to) {
        if (to > from) {
            os.mprotect(slotBase(index) + from, to - from, Mman.PROT_READ | Mman.PROT_WRITE);
        }
    }

    /**
     * Gives {@code [from, to)} of slot {@code index} back to the kernel and makes it inaccessible. A
     * warm slot may keep zeroed pages resident anywhere in its last tenant's accessible bytes; those
     * above the new tenant's size would otherwise stay resident, out of every later reset's reach.
     */
    public void seal(int index, long from, long to) {
        if (to > from) {
            os.madvise(slotBase(index) + from, to - from, Mman.MADV_DONTNEED);
            os.mprotect(slotBase(index) + from, to - from, Mman.PROT_NONE);
        }
    }

    /**
     * Replaces slot {@code index} with a fresh mapping: every page gone, everything {@code PROT_NONE},
     * the advice of the slab applied again. The slow, sure reset, for a slot whose reset failed.
     */
    public void remapFresh(int index) {
        long address = slotBase(index);
        os.mmap(address, slotBytes, Mman.PROT_NONE,
                Mman.MAP_FIXED | Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS | Mman.MAP_NORESERVE, -1, 0);
        advise(address, slotBytes);
    }

    /** Unmaps the reservation. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            os.munmap(base, reservation);
        }
    }

    @Override
    public String toString() {
        return kind.label() + " slab at 0x" + Long.toHexString(base) + ": " + slots + " slots of "
                + ByteSize.format(slotBytes) + ", " + ByteSize.format(layout.guardBytes()) + " guards, "
                + ByteSize.format(reservation) + " reserved";
    }
}
