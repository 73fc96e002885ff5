package io.warmpool.pool;

import io.warmpool.pool.config.SlotKind;
import io.warmpool.pool.event.PoolSnapshot;

/** No slot of a kind was free for an acquire (within its timeout, if it had one). */
public class PoolExhaustedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final SlotKind kind;
    private final int capacity;

    PoolExhaustedException(PoolSnapshot.KindSnapshot snapshot, String when) {
        super("no free " + snapshot.kind().label() + " slot" + when + ": capacity " + snapshot.capacity() + " ("
                + snapshot.inUse() + " in use, " + snapshot.resetting() + " resetting, " + snapshot.quarantined()
                + " quarantined)");
        this.kind = snapshot.kind();
        this.capacity = snapshot.capacity();
    }

    /** The kind of slot that ran out. */
    public SlotKind kind() {
        return kind;
    }

    /** How many slots of that kind the pool has. */
    public int capacity() {
        return capacity;
    }
}
