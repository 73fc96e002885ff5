package io.warmpool.service;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntFunction;

/**
 * The worker threads of serve's tenants: the life of the workers, whatever a request of their
 * workload does ({@link WasmWorkload}: a WebAssembly guest, a fresh instance per request;
 * {@link SyntheticWorkload}: page writes that play instances). Serve starts them once the pool is up
 * and stops them at drain, before the pool is unmapped.
 *
 * <pre>
 *  start:  worker i's request is made (in worker order) and its daemon thread NAME-i created, for
 *          every i first; then all begin together, so that a thousand of them start in milliseconds,
 *          not one by one against the ones already running
 *  each:   until stopping: request.run(); the request tallies served() or exhausted()
 *            interrupted            -> the worker ends (interrupt status kept)
 *            RuntimeException/Error -> stopping for all; the first one kept as failure(), and
 *                                      onFailure runs once, on the failing worker
 *  stop:   stopping; every worker interrupted (a wait for slots ends at once, a hold ends early and
 *          its instance is released); then each is joined
 * </pre>
 */
final class TenantThreads {
    /** One request of a worker, run over and over until the workers stop. */
    @FunctionalInterface
    interface Request {
        void run() throws InterruptedException;
    }

    private final String name;
    private final int count;
    private final IntFunction<Request> requests;
    private final Runnable onFailure;
    private final List<Thread> workers = new ArrayList<>();
    private final LongAdder instances = new LongAdder();
    private final LongAdder exhausted = new LongAdder();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean stopping;

    /**
     * @param name      the threads' names: {@code name-0}, {@code name-1}, ...
     * @param count     how many workers
     * @param requests  worker i's request, asked for once per worker at start, in worker order
     * @param onFailure runs once, on the failing worker, when a worker meets an unexpected failure
     */
    TenantThreads(String name, int count, IntFunction<Request> requests, Runnable onFailure) {
        this.name = name;
        this.count = count;
        this.requests = requests;
        this.onFailure = onFailure;
    }

    /** Starts the workers (daemon threads), which begin together once all exist. */
    void start() {
        CountDownLatch begin = new CountDownLatch(1);
        for (int i = 0; i < count; i++) {
            Request request = requests.apply(i);
            Thread worker = new Thread(() -> work(begin, request), name + "-" + i);
            worker.setDaemon(true);
            workers.add(worker);
            worker.start();
        }
        begin.countDown();
    }

    private void work(CountDownLatch begin, Request request) {
        try {
            begin.await();
            while (!stopping) {
                request.run();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error t) {
            stopping = true;
            if (failure.compareAndSet(null, t)) {
                onFailure.run();
            }
        }
    }

    /** Whether the workers are stopping: a stop was asked for, or a worker failed. */
    boolean stopping() {
        return stopping;
    }

    /** Tallies an instance acquired, used and released. */
    void served() {
        instances.increment();
    }

    /** Tallies an acquire that found no free slot within its wait. */
    void exhausted() {
        exhausted.increment();
    }

    /** Stops the workers and waits for every one of them. */
    void stopAndJoin() throws InterruptedException {
        stopping = true;
        for (Thread worker : workers) {
            worker.interrupt();
        }
        for (Thread worker : workers) {
            worker.join();
        }
    }

    /** Instances acquired, used and released so far. */
    long instances() {
        return instances.sum();
    }

    /** Acquires that found no free slot within their wait. */
    long exhaustedWaits() {
        return exhausted.sum();
    }

    /** The first unexpected failure of a worker, which stopped them all, or null. */
    Throwable failure() {
        return failure.get();
    }
}
