package io.warmpool.benchmarks;

import io.warmpool.pool.Instance;
import io.warmpool.pool.InstanceRequest;
import io.warmpool.pool.WarmPool;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.nio.ByteBuffer;

/**
 * The release of one memory (which resets it) after its tenant wrote every other page from the
 * start, {@code writtenPages} of them: the acquire and the writes happen in a per-invocation setup,
 * outside the measurement (a reset costs hundreds of nanoseconds or more, well above the setup's
 * timer noise). A subclass builds the pool, the request and the number of pages in its own setup.
 */
@State(Scope.Thread)
public abstract class DirtiedRelease {
    static final long PAGE = 4096;

    WarmPool pool;
    InstanceRequest request;
    int writtenPages;
    private Instance instance;
    private long cycle;

    @Setup(Level.Invocation)
    public void dirty() {
        instance = pool.acquire(request);
        ByteBuffer memory = instance.memory(0).buffer(0, (int) ((2 * writtenPages - 1) * PAGE));
        cycle++;
        for (int p = 0; p < writtenPages; p++) {
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
        closed();
    }

    /** After the pool is closed: what else the subclass must close. */
    void closed() {
    }
}
