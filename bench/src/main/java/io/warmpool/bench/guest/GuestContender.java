package io.warmpool.bench.guest;

/**
 * One way of running a loaded guest: the phases of one request, and idle warm instances to weigh.
 * Implementations are single-threaded here: the bench calls them from one thread.
 */
public interface GuestContender extends AutoCloseable {
    /** The name in the table: {@code chicory-memory}, {@code pooled}, {@code pooled-image}. */
    String name();

    /** What the name means, for the report's legend. */
    String description();

    /**
     * One request: a fresh instance (pooled: acquire a slot, instantiate on its memory; Chicory's own
     * memory: instantiate, which allocates the memory and copies the data in), the call of
     * {@code export}, the release (pooled: the pool resets the slot). Stores the nanoseconds of the three
     * phases in {@code phaseNanos[0..2]}.
     *
     * @return the call's results
     */
    long[] request(String export, long[] args, long[] phaseNanos) throws Exception;

    /**
     * Leaves {@code count} instances idle and warm as a server would between requests, each having run
     * the call {@code args} once, and runs {@code whileIdle} while they are: Chicory instances kept
     * alive (a server caching instances would keep them), pooled slots released warm (the next request
     * of the module finds its slot ready). Afterwards the instances are dropped.
     */
    void keepIdle(int count, String export, long[] args, Runnable whileIdle) throws Exception;

    /** Whether an instance's linear memory is on the Java heap (Chicory's own memories are). */
    boolean memoryOnHeap();

    /** Bytes every idle instance shares and nothing above counts per instance (a memory image), or 0. */
    long sharedBytes();

    @Override
    void close();
}
