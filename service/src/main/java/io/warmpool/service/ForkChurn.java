package io.warmpool.service;

import io.warmpool.natives.NativeMemory;
import io.warmpool.pool.Instance;
import io.warmpool.pool.InstanceRequest;
import io.warmpool.pool.MemorySlot;
import io.warmpool.pool.PoolExhaustedException;
import io.warmpool.pool.WarmPool;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Child processes for {@code warmpool serve} ({@code workload.fork-interval}): a service that runs
 * tenants also starts processes now and then, and every start forks the JVM while tenants hold
 * slots. The soak ({@code deploy/soak/soak.sh}) uses it to show that forking leaks nothing in the
 * parent (descriptors, mappings, threads, zombies).
 *
 * <pre>
 *  every fork-interval, on one thread "warmpool-forks":
 *    acquire a 1-page memory (waits up to 100 ms; none free: skip this round, counted)
 *    write its first page                      the child gets a copy, or nothing under wipe-on-fork
 *    start CHILD (ProcessBuilder), wait for it, expect exit status 0
 *    release the instance
 * </pre>
 *
 * How the JVM starts the child is its launch mechanism: {@code posix_spawn} by default, which does
 * not run {@code pthread_atfork} handlers; with {@code -Djdk.lang.Process.launchMechanism=FORK}
 * (what the soak sets) every start is a real {@code fork()} that runs warmpool's handlers in the
 * child before its {@code exec}. A child that cannot be started or exits non-zero is a failure:
 * it stops the churn and serve, like a failed tenant.
 */
final class ForkChurn {
    /** The child: exits 0 at once. */
    static final List<String> CHILD = List.of("/bin/true");
    private static final Duration ACQUIRE_WAIT = Duration.ofMillis(100);
    private static final long CHILD_WAIT_SECONDS = 30;

    private final Duration interval;
    private final WarmPool pool;
    private final List<String> child;
    private final Runnable onFailure;
    private final LongAdder forks = new LongAdder();
    private final LongAdder skipped = new LongAdder();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean stopping;
    private Thread thread;

    /**
     * @param interval  the time between child starts; positive
     * @param onFailure runs once, on the churn's thread, when a child cannot be started or fails
     */
    ForkChurn(Duration interval, WarmPool pool, Runnable onFailure) {
        this(interval, pool, CHILD, onFailure);
    }

    /** As above, starting {@code child} (a command line) instead of {@link #CHILD}. */
    ForkChurn(Duration interval, WarmPool pool, List<String> child, Runnable onFailure) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("fork interval must be positive: " + interval);
        }
        this.interval = interval;
        this.pool = pool;
        this.child = List.copyOf(child);
        this.onFailure = onFailure;
    }

    /** Starts the churn's daemon thread. */
    void start() {
        thread = new Thread(this::run, "warmpool-forks");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        long next = System.nanoTime() + interval.toNanos();
        try {
            while (!stopping) {
                for (long left = next - System.nanoTime(); left > 0 && !stopping; left = next - System.nanoTime()) {
                    LockSupport.parkNanos(left);
                    if (Thread.interrupted()) {
                        return;
                    }
                }
                if (stopping) {
                    return;
                }
                next = System.nanoTime() + interval.toNanos();
                forkOnce();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException | Error e) {
            if (failure.compareAndSet(null, e)) {
                onFailure.run();
            }
        }
    }

    /** One round: a child started and waited for while this thread holds an instance. */
    void forkOnce() throws IOException, InterruptedException {
        Instance instance;
        try {
            instance = pool.acquire(InstanceRequest.builder().memory(pool.config().pageSize()).build(), ACQUIRE_WAIT);
        } catch (PoolExhaustedException e) {
            skipped.increment();
            return;
        }
        try (instance) {
            MemorySlot memory = instance.memory(0);
            NativeMemory.putLong(memory.address(), 0x666f726bL); // "fork"
            Process process = new ProcessBuilder(child).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!process.waitFor(CHILD_WAIT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                throw new IOException("child " + child + " (pid " + process.pid() + ") did not exit within "
                        + CHILD_WAIT_SECONDS + " s");
            }
            if (process.exitValue() != 0) {
                throw new IOException("child " + child + " (pid " + process.pid() + ") exited " + process.exitValue());
            }
        }
        forks.increment();
    }

    /** Stops the churn and waits for its thread (a child being waited for is waited for to its end). */
    void stopAndJoin() throws InterruptedException {
        stopping = true;
        if (thread != null) {
            LockSupport.unpark(thread);
            thread.join();
        }
    }

    /** Children started and exited 0 so far. */
    long forks() {
        return forks.sum();
    }

    /** Rounds skipped because no memory slot was free within the wait. */
    long skipped() {
        return skipped.sum();
    }

    /** The failure that stopped the churn, or null. */
    Throwable failure() {
        return failure.get();
    }
}
