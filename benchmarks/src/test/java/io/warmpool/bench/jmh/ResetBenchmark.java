package io.warmpool.bench.jmh;

import io.warmpool.pool.Instance;
import io.warmpool.pool.InstanceRequest;
import io.warmpool.pool.PoolConfig;
import io.warmpool.pool.ResetStrategy;
import io.warmpool.pool.WarmPool;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * The release of one memory, which resets it, by each strategy, after its tenant dirtied some pages
 * of a 64 MiB slot with 1 MiB kept resident. The acquire and the writes happen in a per-invocation
 * setup, outside the measurement (a reset costs microseconds, well above the setup's timer noise).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ResetBenchmark {
    private static final long SLOT = 64L << 20;
    private static final long PAGE = 4096;

    @Param({"pagemap-guided", "memset-keep-resident", "madvise-all", "auto"})
    public String strategy;

    @Param({"16", "256"})
    public int dirtyPages;

    private WarmPool pool;
    private InstanceRequest request;
    private Instance instance;
    private long cycle;

    @Setup
    public void pool() {
        pool = WarmPool.create(PoolConfig.builder().totalMemories(1).maxMemoryBytes(SLOT)
                .memoryKeepResidentBytes(1L << 20).totalTables(0).totalStacks(0)
                .resetStrategy(ResetStrategy.fromConfigName(strategy)).build());
        request = InstanceRequest.memory("jmh", SLOT);
    }

    @Setup(Level.Invocation)
    public void dirty() {
        instance = pool.acquire(request);
        ByteBuffer memory = instance.memory(0).buffer(0, (int) (dirtyPages * PAGE * 2));
        cycle++;
        for (int p = 0; p < dirtyPages; p++) {
            memory.putLong((int) (2 * p * PAGE), cycle);
        }
    }

    @Benchmark
    public void release() {
        instance.close();
    }

    @TearDown
    public void close() {
        if (instance != null && !instance.isReleased()) {
            instance.close();
        }
        pool.close();
    }
}
