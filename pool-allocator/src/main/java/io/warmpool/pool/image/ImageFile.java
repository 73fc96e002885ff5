package io.warmpool.pool.image;

import io.warmpool.natives.Fcntl;
import io.warmpool.natives.Mman;
import io.warmpool.natives.NativeMemory;
import io.warmpool.natives.Syscalls;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bytes of one memory image in a sealed memfd, and a read-only shared mapping of them that
 * resets copy from. Made once, never changed.
 *
 * <pre>
 *  memfd_create("warmpool-image", MFD_CLOEXEC | MFD_ALLOW_SEALING)
 *  ftruncate(byteSize)                         byteSize = the pages that hold the segments
 *  pwrite each segment at its offset           (the rest of the file reads zero)
 *  fcntl(F_ADD_SEALS, WRITE | GROW | SHRINK | SEAL)      immutable from here on
 *  source = mmap(byteSize, PROT_READ, MAP_SHARED, fd)    the page cache itself: no copy
 * </pre>
 *
 * <p>Its life is counted: one reference for the open handle ({@link #close()} drops it) and one per
 * slot that maps it ({@link #retain()}, {@link #release()}); the memfd and the source mapping go when
 * the last one does. A slot's mapping keeps the file's pages alive on its own, so only new mappings
 * and restores need the descriptor and the source. An image of no bytes has neither: it maps nothing
 * and restores nothing, and is still an affinity key.
 *
 * <p>After {@code fork()} the child shares the descriptor and the source with the parent. That is
 * safe where a pagemap descriptor is not (invariant 5 is about descriptors that describe a process):
 * a sealed memfd is the same immutable file in both.
 */
public final class ImageFile {
    private final Syscalls os;
    private final long byteSize;
    private final int fd;
    private final long source;
    /** References: the open handle and each slot mapping it; 0: freed, never retained again. */
    private final AtomicInteger references = new AtomicInteger(1);
    private volatile boolean closed;

    private ImageFile(Syscalls os, long byteSize, int fd, long source) {
        this.os = os;
        this.byteSize = byteSize;
        this.fd = fd;
        this.source = source;
    }

    /**
     * Makes an image of {@code byteSize} bytes (page-aligned, 0 for none) holding {@code bytes[i]}
     * at {@code offsets[i]}, later segments over earlier ones.
     *
     * @throws io.warmpool.natives.NativeCallException when a call fails (call, arguments, errno);
     *                                                 nothing is left open then
     */
    public static ImageFile create(Syscalls os, long byteSize, long[] offsets, byte[][] bytes) {
        if (byteSize == 0) {
            return new ImageFile(os, 0, -1, 0);
        }
        int fd = os.memfdCreate("warmpool-image", Fcntl.MFD_CLOEXEC | Fcntl.MFD_ALLOW_SEALING);
        long source = 0;
        try {
            os.ftruncate(fd, byteSize);
            for (int i = 0; i < offsets.length; i++) {
                write(os, fd, offsets[i], bytes[i]);
            }
            os.addSeals(fd, Fcntl.F_SEALS_IMMUTABLE);
            source = os.mmap(0, byteSize, Mman.PROT_READ, Mman.MAP_SHARED, fd, 0);
            return new ImageFile(os, byteSize, fd, source);
        } catch (RuntimeException e) {
            try {
                os.close(fd);
            } catch (RuntimeException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    /** Writes one segment through a native buffer, however short the kernel's writes. */
    private static void write(Syscalls os, int fd, long offset, byte[] bytes) {
        if (bytes.length == 0) {
            return;
        }
        long buffer = NativeMemory.allocate(bytes.length);
        try {
            NativeMemory.view(buffer, bytes.length).put(bytes);
            long done = 0;
            while (done < bytes.length) {
                long wrote = os.pwrite(fd, buffer + done, bytes.length - done, offset + done);
                if (wrote <= 0) {
                    throw new IllegalStateException("pwrite(fd=" + fd + ", count=" + (bytes.length - done)
                            + ", offset=" + (offset + done) + ") of a memory image wrote " + wrote + " bytes");
                }
                done += wrote;
            }
        } finally {
            NativeMemory.free(buffer);
        }
    }

    /** The image's bytes, page-rounded. */
    public long byteSize() {
        return byteSize;
    }

    /** The memfd, or -1 for an image of no bytes. */
    int fd() {
        return fd;
    }

    /** Where a read-only shared mapping of the image's bytes starts: what resets copy from. */
    public long source() {
        return source;
    }

    /** Whether {@link #close()} ran: no new slot may map it. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * A slot is about to map the image: one more reference.
     *
     * @throws IllegalStateException when the image is closed
     */
    public void retain() {
        while (true) {
            int now = references.get();
            if (now == 0 || closed) {
                throw new IllegalStateException("the memory image (" + byteSize + " bytes) is closed");
            }
            if (references.compareAndSet(now, now + 1)) {
                return;
            }
        }
    }

    /** A slot no longer maps the image (or a {@link #retain()} was not used): one reference fewer. */
    public void release() {
        if (references.decrementAndGet() == 0) {
            free();
        }
    }

    /** How many slots map the image now. */
    public int mappedBy() {
        return Math.max(0, references.get() - (closed ? 0 : 1));
    }

    /** Whether its memfd and source are still there: open, or mapped by a slot. */
    public boolean isAlive() {
        return references.get() > 0;
    }

    /** No new slot may map the image; its memfd lives on while a slot maps it. Idempotent. */
    public synchronized void close() {
        if (!closed) {
            closed = true;
            release();
        }
    }

    private void free() {
        if (fd < 0) {
            return;
        }
        RuntimeException first = null;
        try {
            os.munmap(source, byteSize);
        } catch (RuntimeException e) {
            first = e;
        }
        try {
            os.close(fd);
        } catch (RuntimeException e) {
            if (first == null) {
                first = e;
            } else {
                first.addSuppressed(e);
            }
        }
        if (first != null) {
            throw first;
        }
    }

    @Override
    public String toString() {
        return "memory image of " + byteSize + " bytes" + (fd < 0 ? "" : " (memfd " + fd + ")") + (closed ? ", closed" : "");
    }
}
