package io.warmpool.service;

import io.warmpool.metrics.WasmMeters;
import io.warmpool.metrics.WasmTrap;
import io.warmpool.pool.PoolExhaustedException;
import io.warmpool.wasm.GuestTrapException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongPredicate;

/**
 * Tenants that run a WebAssembly guest: every request a fresh instance on a pooled slot.
 *
 * <pre>
 *  each worker ({@link TenantThreads}), until stopped:
 *    n = the next request number (one counter for the process)
 *    t0; guest.call(arguments of n, wait up to 100 ms):  acquire (the module is the affinity key),
 *        instantiate on the slot's memory, call the export, release (the pool resets the slot)
 *    returned   -> warmpool_wasm_instances_total, warmpool_wasm_call_seconds += now - t0;
 *                  the result check (bundled guests: foreign bytes found) fails -> the workload stops
 *    trapped    -> the same, and warmpool_wasm_traps_total{trap}; the first trap of each kind logged
 *    no slot    -> counted as an exhausted wait, tried again after 1 ms
 *    any other exception (a fault of the host, not of the guest) -> the workload stops, serve exits 1
 * </pre>
 *
 * A guest that traps is the guest's business: serve counts it and goes on. A result check that fails
 * is a tenant that read another tenant's bytes, which is the pool's business: serve stops and exits 1.
 */
final class WasmWorkload {
    private static final Logger LOG = LoggerFactory.getLogger(WasmWorkload.class);
    private static final Duration ACQUIRE_WAIT = Duration.ofMillis(100);
    /** How long a worker pauses when every slot was taken (the host's acquire does not wait). */
    private static final long EXHAUSTED_PAUSE_NANOS = 1_000_000;

    /**
     * What the workload does.
     *
     * @param threads   worker threads
     * @param arguments the export's arguments per request
     * @param check     what a call's first result must satisfy (true: anything), with its description
     */
    record Settings(int threads, GuestArguments arguments, ResultCheck check) {
    }

    /** A test of a call's first result, and what a failure means. */
    record ResultCheck(String description, LongPredicate ok) {
        static final ResultCheck NONE = new ResultCheck("none", r -> true);
    }

    private final Settings settings;
    private final GuestCalls guest;
    private final WasmMeters.Module meters;
    private final TenantThreads threads;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicReferenceArray<Boolean> trapLogged = new AtomicReferenceArray<>(WasmTrap.values().length);

    /** @param onFailure runs once, on the failing worker, when a worker meets an unexpected failure */
    WasmWorkload(Settings settings, GuestCalls guest, WasmMeters meters, Runnable onFailure) {
        this.settings = settings;
        this.guest = guest;
        this.meters = meters.module(guest.moduleName());
        this.threads = new TenantThreads("warmpool-guest", settings.threads(), i -> this::request, onFailure);
    }

    /** The worker threads that run this workload's requests. */
    TenantThreads threads() {
        return threads;
    }

    /** One request: a fresh instance called and released, or a wait that found no free slot. */
    private void request() throws InterruptedException {
        long n = requests.getAndIncrement();
        long[] args = settings.arguments().of(n);
        long start = System.nanoTime();
        long[] results;
        try {
            results = guest.call(args, ACQUIRE_WAIT);
        } catch (PoolExhaustedException e) {
            threads.exhausted();
            LockSupport.parkNanos(EXHAUSTED_PAUSE_NANOS);
            return;
        } catch (GuestTrapException trap) {
            if (threads.stopping()) { // the stop interrupted the call: the instance ran and was released all the same
                meters.completed(System.nanoTime() - start);
                threads.served();
                return;
            }
            trapped(trap, System.nanoTime() - start);
            return;
        }
        meters.completed(System.nanoTime() - start);
        threads.served();
        long first = results == null || results.length == 0 ? 0 : results[0];
        if (!settings.check().ok().test(first)) {
            throw new IllegalStateException(guest.moduleName() + "." + guest.export() + " of request " + n
                    + " returned " + first + ": " + settings.check().description());
        }
    }

    private void trapped(RuntimeException trap, long nanos) {
        WasmTrap kind = WasmTrap.ofMessage(trap.getMessage());
        meters.trapped(kind, nanos);
        threads.served();
        if (trapLogged.compareAndSet(kind.ordinal(), null, Boolean.TRUE)) {
            LOG.warn("{}.{} trapped ({}; further traps of this kind are counted in warmpool_wasm_traps_total,"
                    + " not logged): {}", guest.moduleName(), guest.export(), kind.label(), trap.toString());
        }
    }
}
