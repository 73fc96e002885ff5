package io.warmpool.benchmarks;

import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.event.ResetRecord;
import io.warmpool.pool.profile.TenantProfile;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

import java.util.concurrent.TimeUnit;

/**
 * What the tenant profile adds to every reset and every acquire, alone: {@link TenantProfile#reset}
 * of the record of the typical small reset (a 64 MiB memory, 16 dirty pages in 16 regions, every
 * other page of the first 128 KiB, as {@code ResetBenchmark} dirties them) and
 * {@link TenantProfile#acquiring}, on one thread and on two at once.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TenantProfileBenchmark {
    private static final long SLOT = 64L << 20;
    private static final long PAGE = 4096;
    private static final long BASE = 1L << 40;

    private TenantProfile profile;

    /** Each thread's reset record, reused as the pool reuses a reset context's. */
    @State(Scope.Thread)
    public static class Record {
        final ResetRecord record = SampleResetRecord.pagemapGuided();
    }

    @Setup
    public void profile() {
        PoolConfig config = PoolConfig.builder().memories(64).memoryMax(SLOT).memoryKeepResident(1L << 20)
                .tables(64).stacks(64).build();
        profile = new TenantProfile(config);
    }

    @Benchmark
    @Threads(1)
    public void resetOneThread(Record r) {
        profile.reset(r.record);
    }

    @Benchmark
    @Threads(2)
    public void resetTwoThreads(Record r) {
        profile.reset(r.record);
    }

    @Benchmark
    @Threads(1)
    public void acquiringOneThread() {
        profile.acquiring(3);
    }

    @Benchmark
    @Threads(2)
    public void acquiringTwoThreads() {
        profile.acquiring(3);
    }
}
