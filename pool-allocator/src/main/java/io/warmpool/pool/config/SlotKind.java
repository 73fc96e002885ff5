package io.warmpool.pool.config;

import java.util.Locale;

/** The three kinds of slot a pool hands out, each from a slab of its own. */
public enum SlotKind {
    /** Linear memories: large, growable, a guard region after each. */
    MEMORY,
    /** Tables of 8-byte elements. */
    TABLE,
    /** Execution stacks: they grow down, with a guard page at their low end. */
    STACK;

    /** The lower-case name used in metrics tags and configuration, such as {@code "memory"}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
