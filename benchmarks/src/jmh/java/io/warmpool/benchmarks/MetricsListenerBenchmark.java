package io.warmpool.benchmarks;

import io.warmpool.metrics.MetricsServer;
import io.warmpool.metrics.PoolMetrics;
import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.event.ResetRecord;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.TimeUnit;

/**
 * What {@link PoolMetrics} costs per reset, alone: its {@code reset} listener on the record of the
 * typical small reset ({@code pagemap}: pagemap-guided, 16 dirty pages of a 64 MiB memory, 4.5 µs)
 * and of the cheapest ({@code memset}: one page zeroed, no scan). {@code MetricsOverheadBenchmark}
 * measures the same through whole releases, where this cost is a few percent of a noisy figure; this
 * one says how many nanoseconds those percent are.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class MetricsListenerBenchmark {
    private static final long PAGE = 4096;
    private static final long BASE = 1L << 40;

    @Param({"pagemap", "memset"})
    public String reset;

    private PoolMetrics metrics;
    private ResetRecord record;

    @Setup
    public void bind() {
        metrics = new PoolMetrics(PoolConfig.builder().memories(1).memoryMax(64L << 20).tables(0)
                .stacks(0).build());
        metrics.bindTo(MetricsServer.newRegistry());
        record = reset.equals("pagemap") ? SampleResetRecord.pagemapGuided() : SampleResetRecord.memsetOnePage();
    }

    @Benchmark
    public void listenerReset() {
        metrics.reset(record);
    }

    @TearDown
    public void close() {
        metrics.close();
    }
}
