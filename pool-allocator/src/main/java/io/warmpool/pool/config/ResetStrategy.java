package io.warmpool.pool.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How a slot is made clean on release. Every strategy leaves every byte the next tenant can reach
 * reading zero; they differ in what they cost and in what stays resident.
 */
public enum ResetStrategy {
    /** Give every accessible byte back to the kernel ({@code MADV_DONTNEED}): no RSS kept, a fault on every first touch. */
    MADVISE_ALL("madvise-all"),
    /** Zero the first keep-resident bytes in place, give the rest back: Wasmtime's default without PAGEMAP_SCAN. */
    MEMSET_KEEP_RESIDENT("memset-keep-resident"),
    /** Scan for dirty pages; zero them in place while the keep-resident budget lasts, give back the rest. */
    PAGEMAP_GUIDED("pagemap-guided"),
    /**
     * Register each slot's keep-resident window for userfaultfd write-protect tracking (async mode);
     * a reset zeroes only the pages written there since the last reset and protects them again, and
     * gives back every dirty page beyond the window: it costs what the tenant wrote, not what earlier
     * tenants left resident, for a write-protect fault on the tenant's first write to each kept page.
     * Where userfaultfd is refused (Docker's default seccomp profile), in a forked child, or without
     * the PAGEMAP_SCAN ioctl, it runs as {@link #PAGEMAP_GUIDED}, counted as a fallback.
     */
    WRITTEN_TRACKED("written-tracked"),
    /**
     * {@link #PAGEMAP_GUIDED}, but every N resets a slot gives back everything accessible
     * ({@code MADV_DONTNEED}) instead, N per slot from what piles up: once zeroing the pages earlier
     * tenants left resident has cost as much as faulting the tenant's pages in again. No tracking.
     */
    PAGEMAP_SHED_EVERY_N("pagemap-shed-every-n"),
    /**
     * Per slot, from what its recent resets found and cost: scan while the dirty pages are a small
     * share of the keep-resident budget, zero the budget outright when they fill most of it or when
     * a trial shows that zeroing it costs less than the scan, and probe again now and then. Without a
     * working scanner it is {@link #MEMSET_KEEP_RESIDENT}.
     */
    AUTO("auto");

    private final String configName;

    ResetStrategy(String configName) {
        this.configName = configName;
    }

    /** The name in configuration, metrics and on the command line, such as {@code "pagemap-guided"}. */
    public String configName() {
        return configName;
    }

    /**
     * The strategy with this configuration name.
     *
     * @throws IllegalArgumentException naming the value and the accepted ones
     */
    public static ResetStrategy fromConfigName(String name) {
        for (ResetStrategy strategy : values()) {
            if (strategy.configName.equals(name.trim().toLowerCase(Locale.ROOT))) {
                return strategy;
            }
        }
        throw new IllegalArgumentException("unknown reset strategy '" + name + "'; expected " + names());
    }

    /** Every strategy's configuration name, as a list for a message: {@code "a, b or c"}. */
    public static String names() {
        String all = Arrays.stream(values()).map(ResetStrategy::configName).collect(Collectors.joining(", "));
        int last = all.lastIndexOf(", ");
        return last < 0 ? all : all.substring(0, last) + " or " + all.substring(last + 2);
    }

    @Override
    public String toString() {
        return configName;
    }
}
