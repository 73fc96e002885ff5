package io.warmpool.pool.event;

import io.warmpool.pool.config.SlotKind;

/**
 * What a pool tells as it works: each acquire, each reset, each fallback. The pool calls these
 * synchronously, on the thread that acquired or released, so implementations must be quick and
 * must not call back into the pool. Every method has an empty default.
 *
 * <p>What a callback throws stops at the pool: it is counted ({@link PoolSnapshot#listenerFailures()}),
 * the first one is logged with its stack trace, and the pool goes on as if the call had returned
 * (the acquire still hands out its instance, the release still frees its slots).
 */
public interface PoolListener {
    /** A listener that ignores everything. */
    PoolListener NONE = new PoolListener() {
    };

    /**
     * One slot of {@code kind} went to an instance whose acquire succeeded ({@code result} says how
     * it was found), or {@link AcquireKind#EXHAUSTED}: the kind had no free slot and the acquire
     * failed. Told once per slot of a whole acquire, after it ended: slots an acquire took and gave
     * back untouched while it waited for another kind are not told.
     */
    default void acquired(SlotKind kind, AcquireKind result) {
    }

    /**
     * An acquire of a whole instance ended: how, and how long it waited in line for slots to be
     * released ({@code 0} when it did not wait).
     */
    default void instanceAcquired(AcquireOutcome outcome, long waitNanos) {
    }

    /** One slot was reset; {@code record} is valid only during the call. */
    default void reset(ResetRecord record) {
    }

    /**
     * A memory of an instance whose acquire succeeded starts from a memory image: {@code hit} when
     * its slot already mapped that image (no system call), else the slot was remapped for it. Told
     * once per memory with an image, after the acquire ended, as {@link #acquired}.
     */
    default void imageAcquired(boolean hit) {
    }

    /**
     * A memory slot changed image: its image range of {@code unmappedBytes} (0: it mapped none) was
     * replaced by anonymous memory and {@code mappedBytes} of another image (0: none) were mapped.
     * Told when it happens, also for a slot taken by an acquire that then failed for another kind.
     */
    default void imageRemapped(long unmappedBytes, long mappedBytes) {
    }

    /** The pool fell back from the configured path; {@code detail} says why, naming calls and errnos. */
    default void fallback(SlotKind kind, Fallback reason, String detail) {
    }
}
