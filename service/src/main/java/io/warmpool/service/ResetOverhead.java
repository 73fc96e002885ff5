package io.warmpool.service;

import io.warmpool.bench.Samples;
import io.warmpool.pool.Instance;
import io.warmpool.pool.InstanceRequest;
import io.warmpool.pool.WarmPool;
import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.config.ResetStrategy;

/**
 * What a release costs the pool beyond the system calls and zeroing of its reset: the bookkeeping,
 * the listener, the slot allocator's lock, the timing of the reset record and the native-call
 * overhead. Measured on the spot with a pool of one one-page memory that memset-keep-resident
 * resets (one 4 KiB memset, no system call):
 *
 * <pre>
 *  WARMUP acquire + release (the JIT compiles the path), then ROUNDS releases timed one by one
 *  overhead = median release - one page of zeroing (HostCosts)
 * </pre>
 */
final class ResetOverhead {
    static final int WARMUP = 20_000;
    static final int ROUNDS = 2_001;

    private ResetOverhead() {
    }

    /** The fixed nanoseconds of one release, zeroing of {@code zeroNanosPerPage} excluded. */
    static double measure(double zeroNanosPerPage) {
        PoolConfig config = PoolConfig.builder().memories(1).memoryMax(4096).memoryGuard(4096)
                .memoryKeepResident(4096).tables(0).stacks(0)
                .resetStrategy(ResetStrategy.MEMSET_KEEP_RESIDENT).build();
        Samples t = new Samples(ROUNDS);
        try (WarmPool pool = WarmPool.create(config)) {
            InstanceRequest request = InstanceRequest.memory("tune", 4096);
            for (int i = -WARMUP; i < ROUNDS; i++) {
                Instance instance = pool.acquire(request);
                long t0 = System.nanoTime();
                instance.close();
                if (i >= 0) {
                    t.add(System.nanoTime() - t0);
                }
            }
        }
        return Math.max(0, t.quantile(0.5) - zeroNanosPerPage);
    }
}
