package io.warmpool.ffm;

import io.warmpool.pool.Instance;
import io.warmpool.pool.InstanceRequest;
import io.warmpool.pool.WarmPool;
import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.config.ResetStrategy;
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

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * What revocation costs a tenant's life: acquire, one write to the memory's first page, release.
 * {@code plain} does it with an {@link Instance} and a {@code ByteBuffer} view; {@code revocable} with a
 * {@link RevocableInstance} and a segment, whose release first closes a shared arena (a handshake
 * with every thread of the JVM); {@code revocableConfined} with a confined arena (no handshake). {@code idleThreads} parked threads stand for the rest of a service:
 * the handshake visits them too.
 *
 * <pre>
 *  JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 mvn -B -o -Pjmh -DskipTests package -pl pool-ffm -am \
 *      -Djmh.args="-f 1 -wi 3 -w 1s -i 5 -r 1s RevocableReleaseBenchmark"
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RevocableReleaseBenchmark {
    @Param({"0", "64"})
    public int idleThreads;

    private WarmPool pool;
    private InstanceRequest request;
    private Thread[] idle;
    private volatile boolean stopping;

    @Setup(Level.Trial)
    public void setUp() {
        pool = WarmPool.create(PoolConfig.builder().memories(1).memoryMax(1 << 20).memoryGuard(64 << 10)
                .memoryKeepResident(64 << 10).tables(0).stacks(0).resetStrategy(ResetStrategy.MEMSET_KEEP_RESIDENT).build());
        request = InstanceRequest.builder().affinityKey("tenant").memory(64 << 10).build();
        idle = new Thread[idleThreads];
        for (int i = 0; i < idle.length; i++) {
            idle[i] = new Thread(() -> {
                while (!stopping) {
                    LockSupport.park();
                }
            }, "idle-" + i);
            idle[i].setDaemon(true);
            idle[i].start();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        stopping = true;
        for (Thread t : idle) {
            LockSupport.unpark(t);
            t.join();
        }
        pool.close();
    }

    @Benchmark
    public long plain() {
        try (Instance instance = pool.acquire(request)) {
            instance.memory(0).buffer().putLong(0, 1L);
            return instance.memory(0).address();
        }
    }

    @Benchmark
    public long revocableConfined() {
        try (RevocableInstance instance = RevocableInstance.acquireConfined(pool, request)) {
            MemorySegment memory = instance.memory(0);
            memory.set(ValueLayout.JAVA_LONG, 0, 1L);
            return memory.address();
        }
    }

    @Benchmark
    public long revocable() {
        try (RevocableInstance instance = RevocableInstance.acquire(pool, request)) {
            MemorySegment memory = instance.memory(0);
            memory.set(ValueLayout.JAVA_LONG, 0, 1L);
            return memory.address();
        }
    }
}
