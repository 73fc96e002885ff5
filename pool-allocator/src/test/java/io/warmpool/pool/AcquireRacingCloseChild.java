package io.warmpool.pool;

import io.warmpool.natives.NativeMemory;
import io.warmpool.pool.config.PoolConfig;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The child JVM of {@link AcquireRacingCloseTest}: round after round, a pool of one memory slot,
 * three threads that acquire it (with and without a timeout, so that two wait in line), write all
 * of it and release it, and the main thread closing the pool at a random moment, again while
 * instances are out. An instance handed out over memory the pool no longer maps kills this JVM at
 * its first write (SIGSEGV). Prints {@code DONE} and counts when every round passed.
 *
 * <p>Arguments: the rounds, and the seed of the random delays.
 */
public final class AcquireRacingCloseChild {
    static final long BYTES = 8 * TestPools.PAGE;

    private AcquireRacingCloseChild() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = Integer.parseInt(args[0]);
        SplittableRandom random = new SplittableRandom(Long.parseLong(args[1]));
        PoolConfig config = TestPools.memories(1, 16 * TestPools.PAGE, TestPools.PAGE).build();
        AtomicLong acquires = new AtomicLong();
        AtomicLong refusedClosed = new AtomicLong();
        long closeRefused = 0;
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int round = 0; round < rounds && failure.get() == null; round++) {
            WarmPool pool = WarmPool.create(config);
            Thread[] acquirers = new Thread[3];
            for (int t = 0; t < acquirers.length; t++) {
                boolean timed = t > 0;
                acquirers[t] = new Thread(() -> {
                    try {
                        while (true) {
                            Instance instance;
                            try {
                                InstanceRequest request = InstanceRequest.memory("k", BYTES);
                                instance = timed ? pool.acquire(request, Duration.ofSeconds(5)) : pool.acquire(request);
                            } catch (PoolExhaustedException busy) {
                                Thread.onSpinWait();
                                continue;
                            } catch (IllegalStateException closed) {
                                if (!closed.getMessage().contains("closed")) {
                                    throw closed;
                                }
                                refusedClosed.incrementAndGet();
                                return;
                            }
                            acquires.incrementAndGet();
                            MemorySlot memory = instance.memory(0);
                            NativeMemory.fill(memory.address(), memory.accessibleBytes(), (byte) 0x33); // SIGSEGV if unmapped
                            instance.close();
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }, "acquirer-" + t);
                acquirers[t].start();
            }
            long spin = random.nextLong(200_000);
            for (long start = System.nanoTime(); System.nanoTime() - start < spin; ) {
                Thread.onSpinWait();
            }
            while (true) {
                try {
                    pool.close();
                    break;
                } catch (IllegalStateException out) {
                    closeRefused++;
                    Thread.onSpinWait();
                }
            }
            for (Thread acquirer : acquirers) {
                acquirer.join(30_000);
                if (acquirer.isAlive()) {
                    failure.compareAndSet(null, new AssertionError(acquirer.getName() + " still runs 30 s after close"));
                }
            }
        }
        if (failure.get() != null) {
            System.out.println("FAILED " + failure.get());
            failure.get().printStackTrace(System.out);
            System.exit(1);
        }
        System.out.println("DONE rounds=" + rounds + " acquires=" + acquires + " refusedClosed=" + refusedClosed
                + " closeRefused=" + closeRefused);
        System.exit(0);
    }
}
