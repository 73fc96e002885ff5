package io.warmpool.pool.slab;

/**
 * A tenant's affinity key as the pool keeps it: the key and its hash, taken once, when the tenant
 * acquires. The allocator's lists and hints, a release, an eviction and other tenants' acquires
 * then never call the key's own {@code hashCode}, and its {@code equals} only where two keys of one
 * hash meet, guarded. So a key whose {@code hashCode} throws fails the acquire that passed it (before
 * any slot is taken), and a key whose {@code equals} throws, or whose hash changes after its
 * acquire, costs its tenant affinity at most: never a slot, never another tenant's call.
 */
public final class AffinityKey {
    private final Object key;
    private final int hash;

    private AffinityKey(Object key, int hash) {
        this.key = key;
        this.hash = hash;
    }

    /**
     * The key as the pool keeps it, or null for no affinity. Calls {@code key.hashCode()} once:
     * whatever that throws reaches the caller.
     */
    public static AffinityKey of(Object key) {
        return key == null ? null : new AffinityKey(key, key.hashCode());
    }

    /** The caller's key. */
    public Object key() {
        return key;
    }

    @Override
    public int hashCode() {
        return hash;
    }

    /** Equal when the hashes are and the keys are the same object or {@code equals}; false if {@code equals} throws. */
    @Override
    public boolean equals(Object o) {
        if (o == this) {
            return true;
        }
        if (!(o instanceof AffinityKey other) || other.hash != hash) {
            return false;
        }
        if (other.key == key) {
            return true;
        }
        try {
            return key.equals(other.key);
        } catch (RuntimeException | StackOverflowError hostile) {
            return false;
        }
    }

    /** The key's own text, or its class and identity when its {@code toString} throws. */
    @Override
    public String toString() {
        try {
            return String.valueOf(key);
        } catch (RuntimeException | StackOverflowError hostile) {
            return key.getClass().getName() + "@" + Integer.toHexString(System.identityHashCode(key));
        }
    }
}
