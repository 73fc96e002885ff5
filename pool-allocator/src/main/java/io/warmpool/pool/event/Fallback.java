package io.warmpool.pool.event;

import java.util.Locale;

/** Why the pool took a slower or safer path than the one configured; each is counted by reason. */
public enum Fallback {
    /** The {@code PAGEMAP_SCAN} ioctl is unusable; scans read {@code /proc/self/pagemap} instead. */
    PAGEMAP_READ,
    /** No scanner at all: pagemap-guided resets ran as memset-keep-resident. */
    NO_SCANNER,
    /** {@code process_madvise} failed; the batch was decommitted with {@code madvise}, range by range. */
    MADVISE,
    /** A reset failed; the slot was replaced by a fresh mapping and went cold. */
    REMAPPED,
    /** A reset failed and so did the fresh mapping; the slot is out of service for good. */
    QUARANTINED,
    /**
     * A forked child found slots that its parent had in flight at the fork (being acquired, reset,
     * decommitted or evicted by threads the child does not have); they were replaced by fresh mappings.
     */
    FORKED,
    /**
     * Written-page tracking is unavailable (userfaultfd refused, as under Docker's default seccomp
     * profile; a forked child, which cannot use its parent's userfaultfd; a slot whose window could
     * not be registered): written-tracked resets scanned for present pages instead.
     */
    UNTRACKED;

    /** The lower-case name used in metrics tags, such as {@code "remapped"}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
