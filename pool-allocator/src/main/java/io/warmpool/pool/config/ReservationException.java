package io.warmpool.pool.config;

import java.util.List;

/**
 * The pool's slabs, taken together, do not fit where they must: in 63 bits, in half the user
 * address space (checked when the configuration is built), or under the process's
 * {@code RLIMIT_AS} beside what it maps already (checked when the pool is created, since the limit
 * belongs to the process, not to the configuration). Names the settings that shrink the pool.
 */
public final class ReservationException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final List<PoolSetting> shrinkWith;

    /**
     * @param message    one line: what would be reserved, and the limit it passes
     * @param shrinkWith the settings that make the reservation smaller
     */
    public ReservationException(String message, List<PoolSetting> shrinkWith) {
        super(message);
        this.shrinkWith = List.copyOf(shrinkWith);
    }

    /** The settings that make the reservation smaller, largest slab first. */
    public List<PoolSetting> shrinkWith() {
        return shrinkWith;
    }
}
