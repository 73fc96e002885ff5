package io.warmpool.pool;

import io.warmpool.pool.config.PoolSetting;
import io.warmpool.pool.config.ResetStrategy;
import io.warmpool.pool.config.SlotKind;
import io.warmpool.pool.event.PoolSnapshot;
import io.warmpool.pool.slab.SlotPool;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A pool's {@link SlotPool} of each kind it has slots of, by kind; and what the pool does to every
 * kind at once, in kind order.
 */
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

    /**
     * The state of every kind's slots now (each runs its decommits that waited too long first), and
     * then the listener's failures.
     */
    PoolSnapshot snapshot(GuardedListener listener) {
        Map<SlotKind, PoolSnapshot.KindSnapshot> out = new EnumMap<>(SlotKind.class);
        for (SlotPool pool : present) {
            out.put(pool.kind(), pool.snapshot());
        }
        return new PoolSnapshot(out, listener.failures());
    }

    /** Sets every kind's bound on unused warm slots; the warm slots beyond it go cold now. */
    void setMaxUnusedWarm(int bound) {
        for (SlotPool pool : present) {
            pool.setMaxUnusedWarm(bound);
        }
    }

    /** Sets every kind's reset strategy for the resets from now on. */
    void setStrategy(ResetStrategy strategy) {
        for (SlotPool pool : present) {
            pool.settings().strategy(strategy);
        }
    }

    /** Runs every kind's queued decommits now. */
    void flush() {
        for (SlotPool pool : present) {
            pool.flush();
        }
    }

    /** Closes every kind: its queued decommits run, its slab is unmapped. */
    void closeAll() {
        for (SlotPool pool : present) {
            pool.close();
        }
    }
}
