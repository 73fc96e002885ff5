package io.warmpool.benchmarks;

import io.warmpool.pool.InstanceRequest;
import io.warmpool.pool.WarmPool;
import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.config.ResetStrategy;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.TimeUnit;

/**
 * The release of one memory, which resets it, by each strategy, after its tenant dirtied some pages
 * (every other one from the start) of a 64 MiB slot with 1 MiB kept resident.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ResetBenchmark extends DirtiedRelease {
    private static final long SLOT = 64L << 20;

    @Param({"pagemap-guided", "memset-keep-resident", "madvise-all", "auto"})
    public String strategy;

    @Param({"16", "256"})
    public int dirtyPages;

    @Setup
    public void pool() {
        pool = WarmPool.create(PoolConfig.builder().memories(1).memoryMax(SLOT)
                .memoryKeepResident(1L << 20).tables(0).stacks(0)
                .resetStrategy(ResetStrategy.fromConfigName(strategy)).build());
        request = InstanceRequest.memory("jmh", SLOT);
        writtenPages = dirtyPages;
    }
}
