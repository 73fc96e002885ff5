package io.warmpool.pool.slab;

import io.warmpool.natives.NativeCallException;
import io.warmpool.pool.config.SlotKind;
import io.warmpool.pool.event.AcquireKind;
import io.warmpool.pool.image.ImageFile;
import io.warmpool.pool.image.ImageSlots;
import io.warmpool.pool.reset.DecommitQueue;
import io.warmpool.pool.reset.WrittenTracking;

/**
 * How an acquire takes a free slot of one kind and readies it for its tenant: the slot it takes,
 * the image it maps, the bytes it opens.
 *
 * <pre>
 *  image.retain()                     refused for a closed image, before any slot is taken
 *  queued decommits that waited too long for their batch run
 *  take:  1. with an image: the most recent warm slot filed under the image         AFFINITY
 *            (it maps the image: nothing to map)
 *         2. what the allocator gives the instance's key: its most recent warm     (SlotIndexAllocator)
 *            slot, else a cold or another key's warm slot
 *         none, and decommits are queued ──► run them, take again; none still ──► NONE (exhausted)
 *  the slot maps what was asked (the image, or none) ──► nothing to map               IMAGE_HIT
 *  it maps something else ──► remap it (ImageSlots.change) to the image asked for,     IMAGE_MISS
 *                             or to anonymous memory       (without an image: neither, 0)
 *  resize to the tenant's initial bytes (tables and stacks: all of the slot)
 *  the remap or the resize fails ──► the slot is recovered (SlotRecovery) and another slot taken,
 *                                    up to ATTEMPTS slots; then the failure reaches the caller
 * </pre>
 *
 * The image's reference: the retain at the start is handed to the slot on a remap ({@link
 * ImageSlots#change} owns it then, also when it fails), and released on a hit (the slot holds its
 * own) or when no slot was taken. A free slot that maps an image is filed under the image, not under
 * the key of the instance that released it: step 1 finds it by the image.
 */
final class SlotAcquirer {
    /** Slots an acquire tries when readying them for the new tenant fails. */
    static final int ATTEMPTS = 3;

    private final SlotKind kind;
    private final Slab slab;
    private final SlotRecords records;
    private final ImageSlots images;
    private final WrittenTracking tracking;
    private final SlotRecovery recovery;

    SlotAcquirer(SlotKind kind, Slab slab, SlotRecords records, ImageSlots images, WrittenTracking tracking,
                 SlotRecovery recovery) {
        this.kind = kind;
        this.slab = slab;
        this.records = records;
        this.images = images;
        this.tracking = tracking;
        this.recovery = recovery;
    }

    /**
     * Takes a slot from {@code allocator} for {@code key}, maps {@code image} (null: none) and
     * opens {@code initialBytes} of it, as the class comment draws it.
     *
     * @return the slot, how it was found and whether it mapped the image, packed ({@link Taken});
     *         the slot is {@link Taken#NONE} when every slot is taken
     * @throws IllegalStateException when the image is closed; no slot is taken then
     */
    long acquire(SlotIndexAllocator allocator, DecommitQueue queue, Object key, ImageFile image, long initialBytes) {
        NativeCallException failed = null;
        for (int attempt = 1; ; attempt++) {
            try {
                long taken = acquireOnce(allocator, queue, key, image, initialBytes);
                if (failed != null && Taken.slot(taken) == Taken.NONE) {
                    throw failed; // the failures took the last slots: they, not exhaustion, are the reason
                }
                return taken;
            } catch (NativeCallException resizeFailed) { // that slot is remapped or quarantined already
                if (attempt == ATTEMPTS) {
                    throw resizeFailed;
                }
                failed = resizeFailed;
            }
        }
    }

    private static long take(SlotIndexAllocator allocator, Object key, ImageFile image) {
        if (image != null) {
            int slot = allocator.acquireAffinity(image);
            if (slot != Taken.NONE) {
                return Taken.pack(slot, AcquireKind.AFFINITY);
            }
        }
        return allocator.acquire(key);
    }

    private long acquireOnce(SlotIndexAllocator allocator, DecommitQueue queue, Object key, ImageFile image,
                             long initialBytes) {
        if (image != null) {
            image.retain(); // refused for a closed image, before any slot is taken
        }
        boolean imageTaken = false;
        try {
            queue.flushIfWaited();
            long taken = take(allocator, key, image);
            if (Taken.slot(taken) == Taken.NONE && queue.pending() > 0) {
                queue.flush();
                taken = take(allocator, key, image);
            }
            int slot = Taken.slot(taken);
            if (slot == Taken.NONE) {
                return taken;
            }
            boolean hit = images.mapped(slot) == image;
            try {
                if (!hit) {
                    imageTaken = true; // change() owns the reference now, also when it fails
                    tracking.remapped(slot); // the new mapping drops the window's write-protect registration
                    images.change(slot, slab.slotBase(slot), records.accessible(slot), image);
                }
                records.resize(slot, kind == SlotKind.MEMORY ? initialBytes : slab.slotBytes());
            } catch (RuntimeException e) {
                recovery.recover(allocator, slot, hit ? "resizing it for the next tenant failed"
                        : "mapping " + (image == null ? "anonymous memory over its image" : "the " + image) + " failed", e);
                throw e;
            }
            return image == null ? taken : Taken.withImage(taken, hit ? Taken.IMAGE_HIT : Taken.IMAGE_MISS);
        } finally {
            if (image != null && !imageTaken) {
                image.release(); // a hit (the slot holds its own reference), or nothing taken
            }
        }
    }
}
