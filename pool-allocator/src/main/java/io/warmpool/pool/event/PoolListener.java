package io.warmpool.pool.event;

import io.warmpool.pool.config.SlotKind;

/**
 * What a pool tells as it works: each acquire, each reset, each fallback. The pool calls these
 * synchronously, on the thread that acquired or released, so implementations must be quick and
 * must not call back into the pool. Every method has an empty default.
 */
public interface PoolListener {
    /** A listener that ignores everything. */
    PoolListener NONE = new PoolListener() {
    };

    /** One slot of {@code kind} was acquired, or could not be. */
    default void acquired(SlotKind kind, AcquireKind result) {
    }

    /** One slot was reset; {@code record} is valid only during the call. */
    default void reset(ResetRecord record) {
    }

    /** The pool fell back from the configured path; {@code detail} says why, naming calls and errnos. */
    default void fallback(SlotKind kind, Fallback reason, String detail) {
    }
}
