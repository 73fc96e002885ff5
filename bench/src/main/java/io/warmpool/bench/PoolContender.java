package io.warmpool.bench;

import io.warmpool.metrics.ProfileExposition;
import io.warmpool.pool.InstanceRequest;
import io.warmpool.pool.WarmPool;
import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.config.ResetStrategy;

import java.util.List;

/**
 * The pool with one reset strategy: a pool of one memory slot whose maximum is the workload's
 * {@code maxBytes}; every cycle acquires it with the same affinity key and the workload's size (so
 * it comes back warm, with no {@code mprotect}) and releases it, which resets it.
 */
final class PoolContender extends PooledContender {
    private static final Object AFFINITY = "bench";

    private final ResetStrategy strategy;
    private String profile;

    PoolContender(ResetStrategy strategy) {
        this.strategy = strategy;
    }

    @Override
    public String name() {
        return strategy.configName();
    }

    @Override
    PoolConfig config(Workload workload) {
        return PoolConfig.builder().memories(1).memoryMax(workload.maxBytes())
                .memoryKeepResident(workload.keepResidentBytes()).tables(0).stacks(0)
                .resetStrategy(strategy).build();
    }

    @Override
    List<InstanceRequest> requests(WarmPool pool, Workload workload) {
        return List.of(InstanceRequest.memory(AFFINITY, workload.slotBytes()));
    }

    @Override
    protected void setUp(Workload workload) {
        super.setUp(workload);
        profile = null;
    }

    @Override
    protected Resident resident() {
        profile = ProfileExposition.write(pool().profile().snapshot());
        return super.resident();
    }

    /** The tenant profile the pool recorded during the last run, in its text form; null before a run. */
    String profile() {
        return profile;
    }
}
