package io.warmpool.pool.image;

import io.warmpool.natives.Mman;
import io.warmpool.natives.Syscalls;
import io.warmpool.pool.event.PoolListener;

/**
 * Which memory image each memory slot maps, and how a slot changes image.
 *
 * <pre>
 *  slotBase          + image.byteSize               + accessible                 + slotBytes
 *  |<--- image range ------->|<--- anonymous ------->|<--- anonymous, PROT_NONE --->|<- guard ->|
 *  | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS (the    | (an image larger than the    |
 *  | of the image's memfd:   | slab's own mapping):  |  accessible size is PROT_NONE |
 *  | untouched pages are the | reads zero            |  above it too, until a grow)  |
 *  | page cache, shared; a   |                       |                               |
 *  | written page is a       |                       |                               |
 *  | private copy            |                       |                               |
 *  every part MADV_NOHUGEPAGE; the anonymous parts MADV_WIPEONFORK when the pool asks for it
 *  (the kernel refuses it on a file mapping: see the fork rule below)
 *
 *  change(slot, new), the slot clean (its old image's bytes, zero elsewhere):
 *    old larger than new ──► mmap(anonymous, PROT_NONE, MAP_FIXED) over [new.size, old.size), advised
 *    new not empty       ──► mmap(new memfd, PROT_NONE, MAP_PRIVATE | MAP_FIXED) over [0, new.size), advised
 *    mprotect(PROT_READ | PROT_WRITE) over [0, min(max(old.size, new.size), accessible))
 *    the slot now reads the new image's bytes, and zero beyond them
 *  a free slot that already maps the image the acquire wants: nothing at all (an image hit)
 * </pre>
 *
 * <p>A failed step leaves the slot half-changed: the caller replaces the whole slot by a fresh
 * anonymous mapping ({@link #forget} then drops the image the slot mapped) or quarantines it, and
 * never hands it out. The reset restores an image slot's written pages from {@link ImageFile#source()}
 * (see {@link io.warmpool.pool.reset.SlotResetter}); {@code MADV_DONTNEED} over the image range drops
 * the private copies, and the next read sees the image again.
 *
 * <p>The fork rule: {@code MADV_WIPEONFORK} applies to anonymous mappings only, so a forked child
 * inherits the image ranges as they were. Idle slots are clean (they read the image); slots in flight
 * at the fork are replaced by fresh mappings; slots an instance holds across the fork get their image
 * range dropped ({@link #wipeAfterFork}) where the pool wipes on fork, as the kernel wipes the rest.
 *
 * <p>Each slot's entry is written by the one thread that holds the slot (an acquire, a release, a
 * recovery) and read by it; the allocator's stripe lock orders one holder after the next.
 */
public final class ImageSlots {
    private final Syscalls os;
    private final boolean wipeOnFork;
    private final PoolListener listener;
    private final ImageFile[] mapped;

    /** No slot maps an image yet. */
    public ImageSlots(Syscalls os, int slots, boolean wipeOnFork, PoolListener listener) {
        this.os = os;
        this.wipeOnFork = wipeOnFork;
        this.listener = listener;
        this.mapped = new ImageFile[slots];
    }

    /** The image the slot maps, or null. */
    public ImageFile mapped(int slot) {
        return mapped[slot];
    }

    /** The bytes of the slot's image range (0 without an image). */
    public long imageBytes(int slot) {
        ImageFile image = mapped[slot];
        return image == null ? 0 : image.byteSize();
    }

    /**
     * Makes the slot map {@code image} (or none) instead of its current image, as the class comment
     * draws it. Takes over one {@link ImageFile#retain() reference} to {@code image}, and drops the
     * old image's once the change is done; on failure it drops the new one and throws, and the slot
     * is half-changed: the caller must remap it ({@link #forget}) or quarantine it.
     *
     * @param accessible the slot's accessible bytes now, whose protection the change keeps
     */
    public void change(int slot, long slotBase, long accessible, ImageFile image) {
        ImageFile old = mapped[slot];
        long oldBytes = old == null ? 0 : old.byteSize();
        long newBytes = image == null ? 0 : image.byteSize();
        try {
            if (oldBytes > newBytes) {
                long from = slotBase + newBytes;
                os.mmap(from, oldBytes - newBytes, Mman.PROT_NONE,
                        Mman.MAP_FIXED | Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS | Mman.MAP_NORESERVE, -1, 0);
                os.madvise(from, oldBytes - newBytes, Mman.MADV_NOHUGEPAGE);
                if (wipeOnFork) {
                    os.madvise(from, oldBytes - newBytes, Mman.MADV_WIPEONFORK);
                }
            }
            if (newBytes > 0) {
                os.mmap(slotBase, newBytes, Mman.PROT_NONE, Mman.MAP_FIXED | Mman.MAP_PRIVATE, image.fd(), 0);
                os.madvise(slotBase, newBytes, Mman.MADV_NOHUGEPAGE);
            }
            long open = Math.min(Math.max(oldBytes, newBytes), accessible);
            if (open > 0) {
                os.mprotect(slotBase, open, Mman.PROT_READ | Mman.PROT_WRITE);
            }
        } catch (RuntimeException e) {
            if (image != null) {
                image.release();
            }
            throw e;
        }
        mapped[slot] = image;
        if (oldBytes > 0 || newBytes > 0) {
            listener.imageRemapped(oldBytes, newBytes);
        }
        if (old != null) {
            old.release();
        }
    }

    /** The slot was replaced by a fresh anonymous mapping: it maps no image any more. */
    public void forget(int slot) {
        ImageFile old = mapped[slot];
        if (old != null) {
            mapped[slot] = null;
            old.release();
        }
    }

    /**
     * In a forked child, for a slot an instance holds across the fork: drops its image range's
     * private pages, so that it reads the image again as its anonymous pages read zero after
     * {@code MADV_WIPEONFORK}. Does nothing where the pool does not wipe on fork.
     */
    public void wipeAfterFork(int slot, long slotBase) {
        long bytes = imageBytes(slot);
        if (wipeOnFork && bytes > 0) {
            os.madvise(slotBase, bytes, Mman.MADV_DONTNEED);
        }
    }

    /** How many slots map an image (of any size) now. */
    public int slotsMapping() {
        int n = 0;
        for (ImageFile image : mapped) {
            if (image != null) {
                n++;
            }
        }
        return n;
    }

    /** The slab is unmapped: no slot maps anything. */
    public void closeAll() {
        for (int slot = 0; slot < mapped.length; slot++) {
            forget(slot);
        }
    }
}
