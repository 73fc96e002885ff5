package io.warmpool.pool.slab;

import io.warmpool.pool.config.KindConfig;
import io.warmpool.pool.config.PoolConfigException;
import io.warmpool.pool.config.PoolSetting;
import io.warmpool.pool.config.ResetStrategy;

import java.util.Objects;

/**
 * The settings of one kind's slots that can change while the pool runs, owned by its
 * {@link SlotPool}: the keep-resident bytes per slot and the reset strategy. Every reset reads them
 * once, at its start, and takes them as inputs; nothing else keeps a copy. Thread-safe.
 */
public final class KindSettings {
    private final KindConfig kind;
    private final long pageSize;
    private volatile long keepResidentBytes;
    private volatile ResetStrategy strategy;

    KindSettings(KindConfig kind, long pageSize, ResetStrategy strategy) {
        this.kind = kind;
        this.pageSize = pageSize;
        this.keepResidentBytes = kind.keepResidentBytes();
        this.strategy = strategy;
    }

    /** The keep-resident bytes per warm slot now. */
    public long keepResidentBytes() {
        return keepResidentBytes;
    }

    /**
     * Sets the keep-resident bytes for the resets from now on.
     *
     * @return the bytes it replaced
     * @throws PoolConfigException when not page-aligned, negative or above the slot size
     */
    public long keepResidentBytes(long bytes) {
        if (bytes < 0 || bytes % pageSize != 0 || bytes > kind.slotBytes()) {
            throw new PoolConfigException(PoolSetting.keepResident(kind.kind()), Long.toString(bytes),
                    "must be a multiple of " + pageSize + " from 0 to the slot's " + kind.slotBytes() + " bytes");
        }
        synchronized (this) {
            long was = keepResidentBytes;
            keepResidentBytes = bytes;
            return was;
        }
    }

    /** The reset strategy now. */
    public ResetStrategy strategy() {
        return strategy;
    }

    /** Sets the reset strategy for the resets from now on. */
    public void strategy(ResetStrategy value) {
        strategy = Objects.requireNonNull(value, "strategy");
    }
}
