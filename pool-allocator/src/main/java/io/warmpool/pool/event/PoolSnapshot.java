package io.warmpool.pool.event;

import io.warmpool.pool.config.SlotKind;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * The state of a pool's slots at one moment, per kind. The counts are read stripe by stripe while
 * the pool runs, so under load their sum may differ from the capacity by the slots in flight.
 *
 * @param kinds            the snapshot of each kind the pool has slots of
 * @param listenerFailures how many times the pool's {@link PoolListener} threw from a callback so far
 *                         (the pool counts each, logs the first, and goes on)
 */
public record PoolSnapshot(Map<SlotKind, KindSnapshot> kinds, long listenerFailures) {

    public PoolSnapshot {
        kinds = Collections.unmodifiableMap(new EnumMap<>(kinds));
    }

    /** A snapshot of {@code kinds} with no listener failure. */
    public PoolSnapshot(Map<SlotKind, KindSnapshot> kinds) {
        this(kinds, 0);
    }

    /** The snapshot of one kind; a kind without slots reads as all zeros. */
    public KindSnapshot kind(SlotKind kind) {
        KindSnapshot snapshot = kinds.get(kind);
        return snapshot != null ? snapshot : new KindSnapshot(kind, 0, 0, 0, 0, 0, 0, 0, 0);
    }

    /**
     * One kind's slots.
     *
     * @param capacity          slots in the slab
     * @param inUse             slots held by instances
     * @param warm              free slots that may hold resident (zeroed) pages
     * @param cold              free slots with nothing resident
     * @param resetting         released slots being reset or waiting for a batched decommit
     * @param quarantined       slots out of service for good after a failed reset and remap
     * @param keepResidentBytes the keep-resident bytes per warm slot now
     * @param reservedBytes     the virtual bytes the slab reserves
     */
    public record KindSnapshot(SlotKind kind, int capacity, int inUse, int warm, int cold, int resetting,
                               int quarantined, long keepResidentBytes, long reservedBytes) {

        /** The most bytes idle slots may keep resident: warm slots times keep-resident bytes. */
        public long residentBudgetBytes() {
            return warm * keepResidentBytes;
        }
    }
}
