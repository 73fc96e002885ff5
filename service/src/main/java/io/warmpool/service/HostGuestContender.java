package io.warmpool.service;

import io.warmpool.bench.guest.GuestContender;
import io.warmpool.wasm.GuestModule;

/**
 * A guest's requests through the wasm host: {@link GuestModule#withInstance} acquires a slot with the
 * module as affinity key, instantiates on it, runs the body, releases (or, on a host with Chicory's
 * own memory, instantiates with a fresh heap memory and drops it).
 *
 * <pre>
 *  t0 ─ withInstance( ─ acquire, instantiate ─ t1: body { call } t2 ─ ) release, reset ─ t3
 * </pre>
 *
 * Idle warm instances: {@code count} instances held at once (nested bodies), each having run the call;
 * for Chicory's own memory they are weighed while held (alive, as a server caching instances keeps
 * them), for pooled memory after their release together ({@code count} warm slots, the module's pages
 * as the reset left them).
 */
final class HostGuestContender implements GuestContender {
    private final String name;
    private final String description;
    private final GuestModule module;
    private final long sharedBytes;
    private final boolean onHeap;

    /**
     * @param onHeap whether the module's host gives instances Chicory's own (heap) memory: then an idle
     *               instance is one kept alive, else a released warm slot
     */
    HostGuestContender(String name, String description, GuestModule module, long sharedBytes, boolean onHeap) {
        this.onHeap = onHeap;
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
    public void keepIdle(int count, String export, long[] args, Runnable whileIdle) {
        hold(count, export, args, onHeap ? whileIdle : () -> { });
        if (!onHeap) {
            whileIdle.run(); // every instance released: its slot idle and warm
        }
    }

    /**
     * Holds {@code left} instances at once (nested bodies), each having called the export; runs
     * {@code innermost} while all are held, then releases them.
     */
    private void hold(int left, String export, long[] args, Runnable innermost) {
        if (left == 0) {
            innermost.run();
            return;
        }
        module.withInstance(guest -> {
            guest.call(export, args);
            hold(left - 1, export, args, innermost);
            return null;
        });
    }

    @Override
    public boolean memoryOnHeap() {
        return onHeap;
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
