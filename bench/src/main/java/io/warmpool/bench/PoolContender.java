package io.warmpool.bench;

import io.warmpool.metrics.ProfileExposition;
import io.warmpool.pool.Instance;
import io.warmpool.pool.InstanceRequest;
import io.warmpool.pool.WarmPool;
import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.config.ResetStrategy;
import io.warmpool.pool.config.SlotKind;

import java.nio.ByteBuffer;

/**
 * The pool with one reset strategy: a pool of one memory slot whose maximum is the workload's
 * {@code maxBytes}; every cycle acquires it with the same affinity key and the workload's size (so
 * it comes back warm, with no {@code mprotect}) and releases it, which resets it.
 */
final class PoolContender extends InProcessContender {
    private static final Object AFFINITY = "bench";

    private final ResetStrategy strategy;
    private WarmPool pool;
    private InstanceRequest request;
    private Instance instance;
    private String profile;

    PoolContender(ResetStrategy strategy) {
        this.strategy = strategy;
    }

    @Override
    public String name() {
        return strategy.configName();
    }

    /** The pool's configuration for a workload. */
    PoolConfig config(Workload workload) {
        return PoolConfig.builder().memories(1).memoryMax(workload.maxBytes())
                .memoryKeepResident(workload.keepResidentBytes()).tables(0).stacks(0)
                .resetStrategy(strategy).build();
    }

    @Override
    protected void setUp(Workload workload) {
        pool = WarmPool.create(config(workload));
        request = InstanceRequest.memory(AFFINITY, workload.slotBytes());
        profile = null;
    }

    @Override
    protected ByteBuffer acquire(Workload workload) {
        instance = pool.acquire(request);
        return instance.memory(0).buffer(0, (int) workload.spreadBytes());
    }

    @Override
    protected void release() {
        instance.close();
        instance = null;
    }

    @Override
    protected Resident resident() {
        profile = ProfileExposition.write(pool.profile().snapshot());
        return new Resident(pool.residentBytes(SlotKind.MEMORY), "PAGEMAP_SCAN of the slab");
    }

    /** The tenant profile the pool recorded during the last run, in its text form; null before a run. */
    String profile() {
        return profile;
    }

    @Override
    protected void tearDown() {
        if (instance != null) {
            instance.close();
            instance = null;
        }
        if (pool != null) {
            pool.close();
            pool = null;
        }
    }
}
