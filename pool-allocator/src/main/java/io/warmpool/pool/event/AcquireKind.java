package io.warmpool.pool.event;

/** How an acquire of one slot was served. */
public enum AcquireKind {
    /** A free slot that was last used with the same affinity key: warm, and likely its pages too. */
    AFFINITY,
    /** The least recently used warm slot of another key. */
    WARM,
    /** A slot with nothing resident. */
    COLD,
    /** No slot was free. */
    EXHAUSTED;

    /** The lower-case name used in metrics tags, such as {@code "affinity"}. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
