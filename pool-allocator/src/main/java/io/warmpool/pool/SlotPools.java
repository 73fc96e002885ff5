package io.warmpool.pool;

import io.warmpool.pool.config.PoolSetting;
import io.warmpool.pool.config.SlotKind;
import io.warmpool.pool.slab.SlotPool;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** A pool's {@link SlotPool} of each kind it has slots of, by kind. */
final class SlotPools {
    private final SlotPool[] byKind = new SlotPool[SlotKind.values().length];
    private final List<SlotPool> present = new ArrayList<>(byKind.length);

    void add(SlotPool pool) {
        byKind[pool.kind().ordinal()] = pool;
        present.add(pool);
    }

    /**
     * The slots of {@code kind}.
     *
     * @throws IllegalStateException when the pool has none
     */
    SlotPool of(SlotKind kind) {
        SlotPool pool = byKind[kind.ordinal()];
        if (pool == null) {
            throw new IllegalStateException("the pool has no " + kind.label() + " slots ("
                    + PoolSetting.count(kind).key() + " is 0)");
        }
        return pool;
    }

    /** The slots of {@code kind}, or null when the pool has none. */
    SlotPool orNull(SlotKind kind) {
        return byKind[kind.ordinal()];
    }

    /** Every kind the pool has slots of, in kind order. */
    List<SlotPool> all() {
        return Collections.unmodifiableList(present);
    }
}
