package io.warmpool.service;

import io.warmpool.metrics.BucketCounts;
import io.warmpool.metrics.PoolMetrics;
import io.warmpool.pool.WarmPool;
import io.warmpool.pool.config.ByteSize;
import io.warmpool.pool.config.PoolSetting;
import io.warmpool.pool.config.ResetStrategy;
import io.warmpool.pool.config.SlotKind;
import io.warmpool.pool.event.AcquireKind;
import io.warmpool.pool.event.Fallback;
import io.warmpool.pool.event.PoolSnapshot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import javax.management.InstanceAlreadyExistsException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * The {@link PoolControlMXBean} of one pool and its meters, registered on the platform MBean server.
 * Every change of a setting is logged with the setting's key, its old and its new value (and the
 * same as key-value pairs {@code setting}, {@code old}, {@code new} for JSON logs); a refused value
 * is logged with the reason, and the caller gets the exception.
 */
public final class PoolControl implements PoolControlMXBean, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PoolControl.class);
    private final WarmPool pool;
    private final PoolMetrics metrics;
    private final MBeanServer server;
    private final ObjectName name;

    private PoolControl(WarmPool pool, PoolMetrics metrics, MBeanServer server, ObjectName name) {
        this.pool = pool;
        this.metrics = metrics;
        this.server = server;
        this.name = name;
    }

    /**
     * Registers the control of {@code pool} as {@code io.warmpool:type=WarmPool,name=<name>}.
     *
     * @param name a word (letters, digits, '-', '_')
     * @throws IllegalStateException when a pool of that name is registered already
     */
    public static PoolControl register(WarmPool pool, PoolMetrics metrics, String name) {
        if (!name.matches("[A-Za-z0-9_-]+")) {
            throw new IllegalArgumentException("pool name '" + name + "': use letters, digits, '-' and '_'");
        }
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try {
            ObjectName objectName = new ObjectName("io.warmpool:type=WarmPool,name=" + name);
            PoolControl control = new PoolControl(pool, metrics, server, objectName);
            server.registerMBean(control, objectName);
            return control;
        } catch (InstanceAlreadyExistsException e) {
            throw new IllegalStateException("a pool named '" + name + "' is registered with JMX already", e);
        } catch (JMException e) {
            throw new IllegalStateException("cannot register the pool's MBean: " + e, e);
        }
    }

    /** The name it is registered under. */
    public ObjectName objectName() {
        return name;
    }

    @Override
    public long getMemoryKeepResident() {
        return pool.keepResidentBytes(SlotKind.MEMORY);
    }

    @Override
    public void setMemoryKeepResident(long bytes) {
        change(PoolSetting.MEMORY_KEEP_RESIDENT.jmxName(), ServeSettings.MEMORY_KEEP, () -> pool.keepResidentBytes(SlotKind.MEMORY),
                () -> pool.setKeepResidentBytes(SlotKind.MEMORY, bytes), bytes);
    }

    @Override
    public long getTableKeepResident() {
        return pool.keepResidentBytes(SlotKind.TABLE);
    }

    @Override
    public void setTableKeepResident(long bytes) {
        change(PoolSetting.TABLE_KEEP_RESIDENT.jmxName(), ServeSettings.TABLE_KEEP, () -> pool.keepResidentBytes(SlotKind.TABLE),
                () -> pool.setKeepResidentBytes(SlotKind.TABLE, bytes), bytes);
    }

    @Override
    public long getStackKeepResident() {
        return pool.keepResidentBytes(SlotKind.STACK);
    }

    @Override
    public void setStackKeepResident(long bytes) {
        change(PoolSetting.STACK_KEEP_RESIDENT.jmxName(), ServeSettings.STACK_KEEP, () -> pool.keepResidentBytes(SlotKind.STACK),
                () -> pool.setKeepResidentBytes(SlotKind.STACK, bytes), bytes);
    }

    @Override
    public int getMaxUnusedWarmSlots() {
        return pool.maxUnusedWarmSlots();
    }

    @Override
    public void setMaxUnusedWarmSlots(int bound) {
        change(PoolSetting.MAX_UNUSED_WARM_SLOTS.jmxName(), ServeSettings.MAX_UNUSED_WARM, pool::maxUnusedWarmSlots, () -> {
            if (bound < 0) {
                throw new IllegalArgumentException("max unused warm slots = " + bound + ": must be at least 0");
            }
            pool.setMaxUnusedWarmSlots(bound);
        }, bound);
    }

    @Override
    public String getResetStrategy() {
        return pool.resetStrategy().configName();
    }

    @Override
    public void setResetStrategy(String strategy) {
        change(PoolSetting.RESET_STRATEGY.jmxName(), ServeSettings.RESET_STRATEGY, () -> pool.resetStrategy().configName(),
                () -> pool.setResetStrategy(ResetStrategy.fromConfigName(strategy)), strategy);
    }

    /**
     * Applies a change of {@code attribute} (the setting {@code key}) and logs its value before and
     * after; logs a refusal, and rethrows it, when {@code apply} throws.
     */
    private void change(String attribute, ConfigKey<?> key, Supplier<Object> read, Runnable apply, Object asked) {
        Object before = read.get();
        try {
            apply.run();
        } catch (RuntimeException e) {
            LOG.atWarn().addKeyValue("setting", key.name()).addKeyValue("attribute", attribute)
                    .addKeyValue("refused", String.valueOf(asked))
                    .log("JMX: {} ({}) = {} refused: {}", attribute, key.name(), asked, e.getMessage());
            throw e;
        }
        Object after = read.get();
        LOG.atInfo().addKeyValue("setting", key.name()).addKeyValue("attribute", attribute)
                .addKeyValue("old", before).addKeyValue("new", after)
                .log("JMX: {} ({}) changed from {} to {}", attribute, key.name(), describe(before), describe(after));
    }

    /** A byte count as "1048576 (1 MiB)", anything else as itself. */
    private static String describe(Object value) {
        return value instanceof Long bytes && bytes >= 1024 ? bytes + " (" + ByteSize.format(bytes) + ")" : String.valueOf(value);
    }

    @Override
    public String getScanMode() {
        return pool.scanMode().configName();
    }

    @Override
    public int getOutstandingInstances() {
        return pool.outstanding();
    }

    @Override
    public Map<String, Integer> getSlots() {
        Map<String, Integer> out = new LinkedHashMap<>();
        PoolSnapshot snapshot = pool.snapshot();
        for (SlotKind kind : snapshot.kinds().keySet()) {
            PoolSnapshot.KindSnapshot k = snapshot.kind(kind);
            out.put(kind.label() + ".in_use", k.inUse());
            out.put(kind.label() + ".warm", k.warm());
            out.put(kind.label() + ".cold", k.cold());
            out.put(kind.label() + ".resetting", k.resetting());
            out.put(kind.label() + ".quarantined", k.quarantined());
        }
        return out;
    }

    @Override
    public Map<String, Long> getResidentBytes() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (SlotKind kind : pool.snapshot().kinds().keySet()) {
            out.put(kind.label(), pool.residentBytes(kind));
        }
        return out;
    }

    @Override
    public Map<String, Long> getResidentBudgetBytes() {
        Map<String, Long> out = new LinkedHashMap<>();
        PoolSnapshot snapshot = pool.snapshot();
        for (SlotKind kind : snapshot.kinds().keySet()) {
            out.put(kind.label(), snapshot.kind(kind).residentBudgetBytes());
        }
        return out;
    }

    @Override
    public long getResets() {
        return metrics.resets();
    }

    @Override
    public Map<String, Double> getResetSeconds() {
        BucketCounts latency = metrics.resetLatency();
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("p50", latency.quantile(0.5));
        out.put("p90", latency.quantile(0.9));
        out.put("p99", latency.quantile(0.99));
        return out;
    }

    @Override
    public long getZeroedBytes() {
        return metrics.zeroedBytes();
    }

    @Override
    public long getDecommittedBytes() {
        return metrics.decommittedBytes();
    }

    @Override
    public Map<String, Long> getAcquires() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (AcquireKind result : AcquireKind.values()) {
            out.put(result.label(), metrics.acquires(result));
        }
        return out;
    }

    @Override
    public Map<String, Long> getFallbacks() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Fallback reason : Fallback.values()) {
            out.put(reason.label(), metrics.fallbacks(reason));
        }
        return out;
    }

    /** Unregisters the MBean; idempotent. */
    @Override
    public void close() {
        try {
            if (server.isRegistered(name)) {
                server.unregisterMBean(name);
            }
        } catch (JMException e) {
            throw new IllegalStateException("cannot unregister " + name + ": " + e, e);
        }
    }
}
