package io.warmpool.service;

/**
 * What serve's tenants run: {@link WasmWorkload} (a WebAssembly guest, a fresh instance per request)
 * or {@link SyntheticWorkload} (page writes that play instances). Serve starts it once the pool is
 * up and stops it at drain, before the pool is unmapped.
 */
interface TenantWorkload {
    /** Starts the workers (daemon threads), which begin together once all exist. */
    void start();

    /** Stops the workers and waits for them; an instance in use is released first. */
    void stopAndJoin() throws InterruptedException;

    /** Instances acquired, used and released so far. */
    long instances();

    /** The first unexpected failure of a worker, which stopped the workload, or null. */
    Throwable failure();
}
