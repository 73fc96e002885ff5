package io.warmpool.service;

import java.util.Map;

/**
 * What an operator reads and changes of a running pool over JMX, as
 * {@code io.warmpool:type=WarmPool,name=serve} (jconsole, VisualVM, or any JMX client). Changes
 * apply to the resets and acquires from then on. A bad value is refused with an exception that
 * names it; nothing changes.
 */
public interface PoolControlMXBean {
    /** Bytes a warm memory slot keeps resident (zeroed). */
    long getMemoryKeepResident();

    /** Page-aligned, at most the memory's maximum size. */
    void setMemoryKeepResident(long bytes);

    /** Bytes a warm table slot keeps resident. */
    long getTableKeepResident();

    /** Page-aligned, at most the table's size. */
    void setTableKeepResident(long bytes);

    /** Bytes a warm stack slot keeps resident (its top-most). */
    long getStackKeepResident();

    /** Page-aligned, at most the stack's size. */
    void setStackKeepResident(long bytes);

    /** The most unused warm slots each kind keeps. */
    int getMaxUnusedWarmSlots();

    /** 0 or more; warm slots above a lowered bound go cold at once. */
    void setMaxUnusedWarmSlots(int bound);

    /** The reset strategy: madvise-all, memset-keep-resident, pagemap-guided, written-tracked, pagemap-shed-every-n or auto. */
    String getResetStrategy();

    /** One of madvise-all, memset-keep-resident, pagemap-guided, written-tracked, pagemap-shed-every-n, auto. */
    void setResetStrategy(String strategy);

    /** How dirty pages are found: pagemap-scan, pagemap-read or none. */
    String getScanMode();

    /** Instances acquired and not yet released. */
    int getOutstandingInstances();

    /** Slots by kind and state, keyed {@code memory.in_use}, {@code memory.warm}, ... */
    Map<String, Integer> getSlots();

    /** Resident bytes of each kind's slab, scanned now, keyed by kind. */
    Map<String, Long> getResidentBytes();

    /** The most bytes each kind's idle slots may keep resident, keyed by kind. */
    Map<String, Long> getResidentBudgetBytes();

    /** Resets so far, every kind and strategy. */
    long getResets();

    /** Reset latency percentiles so far in seconds, keyed {@code p50}, {@code p90}, {@code p99}. */
    Map<String, Double> getResetSeconds();

    /** Bytes resets zeroed in place so far. */
    long getZeroedBytes();

    /** Bytes resets gave back to the kernel so far. */
    long getDecommittedBytes();

    /** Acquires so far by result: affinity, warm, cold, exhausted. */
    Map<String, Long> getAcquires();

    /** Fallbacks so far by reason. */
    Map<String, Long> getFallbacks();
}
