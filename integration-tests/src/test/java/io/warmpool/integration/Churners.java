package io.warmpool.integration;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Threads of the parent that run one cycle after another against a pool, so that a fork lands in the
 * middle of their work: they count their cycles, keep the first failure and stop on it, and stop
 * and are joined on {@link #close}.
 */
final class Churners implements AutoCloseable {
    /** One cycle of churner {@code thread}, its {@code i}-th; throws to fail the test. */
    interface Cycle {
        void run(int thread, long i) throws Exception;
    }

    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicLong cycles = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final List<Thread> threads = new ArrayList<>();

    private Churners() {
    }

    /** Starts {@code count} threads, named {@code churn-0} and on, each running {@code cycle}. */
    static Churners start(int count, Cycle cycle) {
        Churners churners = new Churners();
        for (int t = 0; t < count; t++) {
            int thread = t;
            Thread churner = new Thread(() -> churners.run(thread, cycle), "churn-" + t);
            churners.threads.add(churner);
            churner.start();
        }
        return churners;
    }

    private void run(int thread, Cycle cycle) {
        try {
            for (long i = 0; !stop.get(); i++) {
                cycle.run(thread, i);
                cycles.incrementAndGet();
            }
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
        }
    }

    /**
     * Waits until the churners have done {@code more} more cycles between them; returns at once when
     * one of them failed.
     *
     * @throws AssertionError when they made no progress for ten seconds
     */
    void awaitMore(long more) {
        long before = cycles.get();
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (cycles.get() < before + more && failure.get() == null) {
            if (System.nanoTime() - giveUp > 0) {
                throw new AssertionError("the churners stopped churning");
            }
            Thread.onSpinWait(); // the churners are at work
        }
    }

    /** Cycles done so far, every churner. */
    long cycles() {
        return cycles.get();
    }

    /** The first failure of a churner, or null. */
    Throwable failure() {
        return failure.get();
    }

    /** Stops the churners and waits for each to finish its cycle. */
    @Override
    public void close() throws InterruptedException {
        stop.set(true);
        for (Thread thread : threads) {
            thread.join();
        }
    }
}
