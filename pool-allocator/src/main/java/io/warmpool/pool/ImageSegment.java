package io.warmpool.pool;

import java.util.Objects;

/**
 * Bytes of a memory image at an offset from the memory's first byte, as a WebAssembly data segment
 * puts them. The offset need not be page-aligned. The bytes are copied: changing the array after
 * this record is made changes nothing.
 *
 * @param offset where the first byte goes, at least 0
 * @param bytes  the bytes (copied)
 */
public record ImageSegment(long offset, byte[] bytes) {
    public ImageSegment {
        Objects.requireNonNull(bytes, "bytes");
        if (offset < 0) {
            throw new IllegalArgumentException("image segment offset " + offset + ": must not be negative");
        }
        if (offset > Long.MAX_VALUE - bytes.length) {
            throw new IllegalArgumentException("image segment of " + bytes.length + " bytes at " + offset
                    + " ends past the largest offset");
        }
        bytes = bytes.clone();
    }

    /** A copy of the bytes. */
    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    /** The offset after the last byte. */
    public long end() {
        return offset + bytes.length;
    }

    /** How many bytes. */
    public int length() {
        return bytes.length;
    }

    /** The bytes themselves, not copied: for this package, which only reads them. */
    byte[] bytesUnshared() {
        return bytes;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ImageSegment s && s.offset == offset && java.util.Arrays.equals(s.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(offset) * 31 + java.util.Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "ImageSegment[offset=" + offset + ", " + bytes.length + " bytes]";
    }
}
