package io.warmpool.pool.event;

import java.util.Locale;

/** How one acquire of a whole instance ended: counted once, after it succeeded or failed as a whole. */
public enum AcquireOutcome {
    /** It got every slot it asked for (perhaps after waiting). */
    ACQUIRED,
    /** A try-once acquire found a kind without a free slot, and took nothing. */
    EXHAUSTED,
    /** A waiting acquire's timeout passed before every kind it asked for had a free slot. */
    TIMED_OUT;

    /** The lower-case name used in metrics tags, such as {@code "timed_out"}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
