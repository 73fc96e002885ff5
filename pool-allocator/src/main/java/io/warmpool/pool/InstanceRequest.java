package io.warmpool.pool;

import java.util.Arrays;

/**
 * What one instance needs from the pool: an affinity key (instances of the same module should pass
 * the same key: its last slots are then reused, warm), the initial sizes of its memories and the
 * memory image each starts from, how many tables, and whether it needs a stack.
 */
public final class InstanceRequest {
    private final Object affinityKey;
    private final long[] memoryBytes;
    private final MemoryImage[] memoryImages;
    private final int tables;
    private final boolean stack;

    private InstanceRequest(Builder b) {
        this.memoryBytes = Arrays.copyOf(b.memoryBytes, b.memories);
        this.memoryImages = Arrays.copyOf(b.memoryImages, b.memories);
        this.affinityKey = b.affinityKey != null ? b.affinityKey : firstImage(memoryImages);
        this.tables = b.tables;
        this.stack = b.stack;
    }

    /** A request for nothing yet, without affinity. */
    public static Builder builder() {
        return new Builder();
    }

    /** A request for one memory of {@code initialBytes} with {@code affinityKey}. */
    public static InstanceRequest memory(Object affinityKey, long initialBytes) {
        return builder().affinityKey(affinityKey).memory(initialBytes).build();
    }

    private static MemoryImage firstImage(MemoryImage[] images) {
        for (MemoryImage image : images) {
            if (image != null) {
                return image;
            }
        }
        return null;
    }

    /** The affinity key, or null; without one, the first memory image the request names. */
    public Object affinityKey() {
        return affinityKey;
    }

    /** The memory image memory {@code i} starts from, or null (it starts from zeros). */
    public MemoryImage memoryImage(int i) {
        return memoryImages[i];
    }

    /** How many memories. */
    public int memories() {
        return memoryBytes.length;
    }

    /** The initial accessible bytes of memory {@code i}. */
    public long memoryBytes(int i) {
        return memoryBytes[i];
    }

    /** How many tables. */
    public int tables() {
        return tables;
    }

    /** Whether a stack. */
    public boolean stack() {
        return stack;
    }

    @Override
    public String toString() {
        return "InstanceRequest[key=" + affinityKey + ", memories=" + Arrays.toString(memoryBytes)
                + (firstImage(memoryImages) == null ? "" : ", images=" + Arrays.toString(memoryImages)) + ", tables="
                + tables + ", stack=" + stack + "]";
    }

    /** Collects what an instance needs. */
    public static final class Builder {
        private Object affinityKey;
        private long[] memoryBytes = new long[2];
        private MemoryImage[] memoryImages = new MemoryImage[2];
        private int memories;
        private int tables;
        private boolean stack;

        private Builder() {
        }

        /**
         * Instances with equal keys ({@code equals}) reuse each other's slots first. Null: no
         * affinity. The pool takes the key's {@code hashCode} once, when the instance is acquired: a
         * key whose {@code hashCode} throws fails that acquire (nothing taken); one whose hash or
         * {@code equals} misbehaves later loses affinity, never a slot or another tenant's call.
         */
        public Builder affinityKey(Object key) {
            affinityKey = key;
            return this;
        }

        /** Adds a memory whose first {@code initialBytes} (rounded up to a page) are accessible. */
        public Builder memory(long initialBytes) {
            return memory(initialBytes, null);
        }

        /**
         * Adds a memory whose first {@code initialBytes} (rounded up to a page) are accessible and
         * read {@code image}'s bytes, zero beyond them; the image may be larger than the initial
         * size (its rest becomes accessible as the memory grows). Null: no image.
         */
        public Builder memory(long initialBytes, MemoryImage image) {
            if (initialBytes < 0) {
                throw new IllegalArgumentException("initial memory bytes = " + initialBytes + ": must not be negative");
            }
            if (memories == memoryBytes.length) {
                memoryBytes = Arrays.copyOf(memoryBytes, memories * 2);
                memoryImages = Arrays.copyOf(memoryImages, memories * 2);
            }
            memoryImages[memories] = image;
            memoryBytes[memories++] = initialBytes;
            return this;
        }

        /** Asks for {@code count} tables. */
        public Builder tables(int count) {
            if (count < 0) {
                throw new IllegalArgumentException("tables = " + count + ": must not be negative");
            }
            tables = count;
            return this;
        }

        /** Asks for a stack, or not. */
        public Builder stack(boolean wanted) {
            stack = wanted;
            return this;
        }

        public InstanceRequest build() {
            return new InstanceRequest(this);
        }
    }
}
