package io.warmpool.service;

import java.time.Duration;

/**
 * One loaded WebAssembly module and export, called once per request on a fresh instance on a pooled
 * slot: what {@link WasmWorkload} needs of the wasm module's host. Thread-safe.
 */
interface GuestCalls extends AutoCloseable {
    /** The module's name, the {@code module} label of its meters: the file name without {@code .wasm}. */
    String moduleName();

    /** The export called. */
    String export();

    /** How many parameters the export takes. */
    int parameters();

    /**
     * One request: acquires a slot with the module as affinity key (waiting up to {@code wait}),
     * instantiates the module on it, calls the export with {@code args} and releases the slot, whatever
     * happened.
     *
     * @return the export's results
     * @throws io.warmpool.pool.PoolExhaustedException when no slot was free within {@code wait}
     * @throws io.warmpool.wasm.GuestTrapException when the guest trapped (its message says why)
     */
    long[] call(long[] args, Duration wait) throws InterruptedException;

    /** Drops the module (its memory image); later calls fail. */
    @Override
    void close();
}
