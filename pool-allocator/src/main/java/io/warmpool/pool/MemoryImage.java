package io.warmpool.pool;

import io.warmpool.pool.image.ImageFile;

/**
 * The initial bytes of a memory: segments at their offsets, zero elsewhere, made once by {@link
 * WarmPool#createImage} and held in a sealed memfd. An instance request names it for a memory
 * ({@link InstanceRequest.Builder#memory(long, MemoryImage)}); the slot handed out then maps it
 * copy-on-write, so every accessible byte reads the image's byte, or zero beyond the image. Slots
 * that get the same image again keep it mapped (no system call), untouched image pages are shared
 * page cache, and a release restores the pages the tenant wrote.
 *
 * <p>An image is an affinity key of its own (identity): a request that names one and no affinity
 * key uses the image. Closing it stops new requests from naming it; its memfd lives on while a slot
 * maps it. Thread-safe.
 */
public final class MemoryImage implements AutoCloseable {
    private final ImageFile file;

    MemoryImage(ImageFile file) {
        this.file = file;
    }

    /**
     * The image's size: from 0 to the end of the page that holds the last byte of a segment (0 for an
     * image without bytes). A request's memory must allow at least this many bytes.
     */
    public long byteSize() {
        return file.byteSize();
    }

    /** Whether {@link #close()} ran (or the pool that made it was closed). */
    public boolean isClosed() {
        return file.isClosed();
    }

    /** No new request may name the image; the slots that map it keep it until they change image. Idempotent. */
    @Override
    public void close() {
        file.close();
    }

    ImageFile file() {
        return file;
    }

    @Override
    public String toString() {
        return file.toString();
    }
}
