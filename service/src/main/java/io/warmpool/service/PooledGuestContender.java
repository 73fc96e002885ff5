package io.warmpool.service;

import io.warmpool.bench.guest.GuestContender;
import io.warmpool.wasm.GuestModule;

/**
 * A guest's requests on pooled memory, through the wasm host: {@link GuestModule#withInstance}
 * acquires a slot with the module as affinity key, instantiates on it, runs the body, releases.
 *
 * <pre>
 *  t0 ─ withInstance( ─ acquire, instantiate ─ t1: body { call } t2 ─ ) release, reset ─ t3
 * </pre>
 *
 * Idle warm instances: {@code count} instances held at once (nested bodies), each having run the call,
 * then released together, so that {@code count} slots are left warm with the module's pages as the
 * reset left them.
 */
final class PooledGuestContender implements GuestContender {
    private final String name;
    private final String description;
    private final GuestModule module;
    private final long sharedBytes;

    PooledGuestContender(String name, String description, GuestModule module, long sharedBytes) {
        this.name = name;
        this.description = description;
        this.module = module;
        this.sharedBytes = sharedBytes;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public long[] request(String export, long[] args, long[] phaseNanos) {
        long[] t = new long[3];
        long t0 = System.nanoTime();
        long[] results = module.withInstance(guest -> {
            t[0] = System.nanoTime();
            long[] r = guest.call(export, args);
            t[1] = System.nanoTime();
            return r;
        });
        long t3 = System.nanoTime();
        phaseNanos[0] = t[0] - t0;
        phaseNanos[1] = t[1] - t[0];
        phaseNanos[2] = t3 - t[1];
        return results;
    }

    @Override
    public AutoCloseable keepIdle(int count, String export, long[] args) {
        hold(count, export, args);
        return () -> { };
    }

    /** Holds {@code left} instances at once, each having called the export, then releases them. */
    private void hold(int left, String export, long[] args) {
        if (left == 0) {
            return;
        }
        module.withInstance(guest -> {
            guest.call(export, args);
            hold(left - 1, export, args);
            return null;
        });
    }

    @Override
    public boolean memoryOnHeap() {
        return false;
    }

    @Override
    public long sharedBytes() {
        return sharedBytes;
    }

    @Override
    public void close() {
        // the module's slots go with the pool, which WasmGuests closes
    }
}
