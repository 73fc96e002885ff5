package io.warmpool.pool.concurrent;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small number for each thread that uses a pool, handed out in the order of first use (0, 1, 2,
 * ...), for picking the cells of {@link StripedCounter} and the reset contexts a thread tries first
 * ({@link Striping}).
 * Threads that start using pools together get consecutive numbers, so {@code index & (n - 1)} puts
 * up to {@code n} of them in different cells; thread ids would not (other threads take ids between
 * them), and a hash of them puts two threads in one cell one time in {@code n}.
 *
 * <p>No lambda: a forked child may be the first to use this class, and must not bootstrap an
 * invokedynamic call site there.
 */
public final class ThreadIndex {
    private static final AtomicInteger NEXT = new AtomicInteger();
    private static final ThreadLocal<Integer> INDEX = new ThreadLocal<>() {
        @Override
        protected Integer initialValue() {
            return NEXT.getAndIncrement() & Integer.MAX_VALUE;
        }
    };

    private ThreadIndex() {
    }

    /** The calling thread's number, at least 0. */
    public static int current() {
        return INDEX.get();
    }
}
