package io.warmpool.benchmarks;

import io.warmpool.pool.InstanceRequest;
import io.warmpool.pool.WarmPool;
import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.config.ResetStrategy;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Acquire plus release of a one-page memory whose reset is a 4 KiB memset (keep-resident covers it,
 * so no system call): what is left is the pool's bookkeeping and the slot index allocator's locks.
 * Issue 3 asks to measure that the striped allocator does not serialize two threads: compare the
 * throughput of {@code twoThreads} with {@code oneThread}, with one stripe ({@code stripes=1}, a
 * single lock) and with the default striping ({@code stripes=0}). Each thread uses its own affinity
 * key, as instances of different modules do.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class AcquireReleaseBenchmark {
    @Param({"1", "0"})
    public int stripes;

    private WarmPool pool;
    private final AtomicInteger threads = new AtomicInteger();

    /** Each thread's request, with a key of its own. */
    @State(Scope.Thread)
    public static class Tenant {
        InstanceRequest request;

        @Setup
        public void key(AcquireReleaseBenchmark bench) {
            request = InstanceRequest.memory("module-" + bench.threads.incrementAndGet(), 4096);
        }
    }

    @Setup
    public void pool() {
        pool = WarmPool.create(PoolConfig.builder().memories(16).memoryMax(64 << 10)
                .memoryGuard(64 << 10).memoryKeepResident(4096).tables(0).stacks(0)
                .resetStrategy(ResetStrategy.MEMSET_KEEP_RESIDENT).stripes(stripes).build());
    }

    @Benchmark
    @Threads(1)
    public void oneThread(Tenant tenant) {
        pool.acquire(tenant.request).close();
    }

    @Benchmark
    @Threads(2)
    public void twoThreads(Tenant tenant) {
        pool.acquire(tenant.request).close();
    }

    @TearDown
    public void close() {
        pool.close();
    }
}
