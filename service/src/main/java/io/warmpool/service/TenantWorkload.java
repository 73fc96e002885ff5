package io.warmpool.service;

/**
 * What serve's tenants run: {@link WasmWorkload} (a WebAssembly guest, a fresh instance per request)
 * or {@link SyntheticWorkload} (page writes that play instances). Serve starts it once the pool is
 * up and stops it at drain, before the pool is unmapped. A workload says what one request of its kind
 * does; its {@link TenantThreads} run the requests.
 */
interface TenantWorkload {
    /** The worker threads that run this workload's requests. */
    TenantThreads threads();

    /** Starts the workers (daemon threads), which begin together once all exist. */
    default void start() {
        threads().start();
    }

    /** Stops the workers and waits for them; an instance in use is released first. */
    default void stopAndJoin() throws InterruptedException {
        threads().stopAndJoin();
    }

    /** Instances acquired, used and released so far. */
    default long instances() {
        return threads().instances();
    }

    /** The first unexpected failure of a worker, which stopped the workload, or null. */
    default Throwable failure() {
        return threads().failure();
    }
}
