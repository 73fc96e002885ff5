package io.warmpool.pool;

import java.util.Arrays;

/**
 * What one instance needs from the pool: an affinity key (instances of the same module should pass
 * the same key: its last slots are then reused, warm), the initial sizes of its memories, how many
 * tables, and whether it needs a stack.
 */
public final class InstanceRequest {
    private final Object affinityKey;
    private final long[] memoryBytes;
    private final int tables;
    private final boolean stack;

    private InstanceRequest(Builder b) {
        this.affinityKey = b.affinityKey;
        this.memoryBytes = Arrays.copyOf(b.memoryBytes, b.memories);
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

    /** The affinity key, or null. */
    public Object affinityKey() {
        return affinityKey;
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
        return "InstanceRequest[key=" + affinityKey + ", memories=" + Arrays.toString(memoryBytes) + ", tables="
                + tables + ", stack=" + stack + "]";
    }

    /** Collects what an instance needs. */
    public static final class Builder {
        private Object affinityKey;
        private long[] memoryBytes = new long[2];
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
            if (initialBytes < 0) {
                throw new IllegalArgumentException("initial memory bytes = " + initialBytes + ": must not be negative");
            }
            if (memories == memoryBytes.length) {
                memoryBytes = Arrays.copyOf(memoryBytes, memories * 2);
            }
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
