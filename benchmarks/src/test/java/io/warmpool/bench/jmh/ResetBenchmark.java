package io.warmpool.bench.jmh;

import io.warmpool.pool.InstanceRequest;
import io.warmpool.pool.PoolConfig;
import io.warmpool.pool.ResetStrategy;
import io.warmpool.pool.WarmPool;
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
        pool = WarmPool.create(PoolConfig.builder().totalMemories(1).maxMemoryBytes(SLOT)
                .memoryKeepResidentBytes(1L << 20).totalTables(0).totalStacks(0)
                .resetStrategy(ResetStrategy.fromConfigName(strategy)).build());
        request = InstanceRequest.memory("jmh", SLOT);
        writtenPages = dirtyPages;
    }
}
