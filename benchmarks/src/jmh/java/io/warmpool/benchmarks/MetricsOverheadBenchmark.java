package io.warmpool.benchmarks;

import io.warmpool.metrics.MetricsServer;
import io.warmpool.metrics.PoolMetrics;
import io.warmpool.pool.InstanceRequest;
import io.warmpool.pool.WarmPool;
import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.config.ResetStrategy;
import io.warmpool.pool.event.PoolListener;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.TimeUnit;

/**
 * What the metrics cost a release (issue 5: under 5% of a reset): the release of one memory with
 * {@link PoolListener#NONE} against the same release with {@link PoolMetrics} bound to the registry
 * that {@code serve} uses ({@link MetricsServer#newRegistry()}), which records the reset's latency,
 * scan latency and dirty pages in histograms and its bytes in counters. Two resets:
 *
 * <ul>
 *   <li>{@code pagemap-16}: the typical small reset, pagemap-guided, 16 dirty pages (every other page
 *       of the first 128 KiB) of a 64 MiB memory with 1 MiB kept resident, as {@code ResetBenchmark};
 *   <li>{@code memset-1}: the cheapest reset there is, where the metrics weigh the most: a one-page
 *       memory (of a 64 KiB slot), kept resident, dirtied and zeroed with a memset, no system call.
 * </ul>
 *
 * The acquire and the writes happen in a per-invocation setup, outside the measurement
 * ({@link DirtiedRelease}). The ratio {@code metrics / none} of the same reset is the figure to read.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class MetricsOverheadBenchmark extends DirtiedRelease {
    @Param({"none", "metrics"})
    public String listener;

    @Param({"pagemap-16", "memset-1"})
    public String reset;

    private PoolMetrics metrics;

    @Setup
    public void pool() {
        PoolConfig.Builder config = PoolConfig.builder().memories(1).tables(0).stacks(0);
        if (reset.equals("pagemap-16")) {
            config.memoryMax(64L << 20).memoryKeepResident(1L << 20).resetStrategy(ResetStrategy.PAGEMAP_GUIDED);
            request = InstanceRequest.memory("jmh", 64L << 20);
            writtenPages = 16;
        } else {
            config.memoryMax(64 << 10).memoryGuard(64 << 10).memoryKeepResident(PAGE)
                    .resetStrategy(ResetStrategy.MEMSET_KEEP_RESIDENT);
            request = InstanceRequest.memory("jmh", PAGE); // all of it kept: nothing to give back
            writtenPages = 1;
        }
        PoolConfig built = config.build();
        if (listener.equals("metrics")) {
            metrics = new PoolMetrics(built);
            metrics.bindTo(MetricsServer.newRegistry());
            pool = WarmPool.create(built, metrics);
            metrics.observe(pool);
        } else {
            pool = WarmPool.create(built, PoolListener.NONE);
        }
    }

    @Override
    void closed() {
        if (metrics != null) {
            metrics.close();
        }
    }
}
