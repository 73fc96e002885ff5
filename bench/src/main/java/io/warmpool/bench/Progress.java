package io.warmpool.bench;

/** What a bench run tells as it goes; the command draws a progress bar from it on a terminal. */
public interface Progress {
    /** Tells nothing. */
    Progress NONE = new Progress() {
    };

    /** A contender starts on a workload; it will run at most {@code cycles} measured cycles. */
    default void started(String contender, Workload workload, int cycles) {
    }

    /** {@code cycles} more measured cycles are done. */
    default void advanced(int cycles) {
    }

    /** The contender is done, after {@code samples} of the cycles it was given. */
    default void finished(String contender, int samples) {
    }
}
