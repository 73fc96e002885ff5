package io.warmpool.pool.concurrent;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StripedCounterTest {

    @Test
    void threadsThatStartTogetherCountInDifferentCells() throws Exception {
        StripedCounter counter = new StripedCounter(4);
        int[] cells = new int[2];
        Thread first = new Thread(() -> cells[0] = counter.cellOfThisThread());
        Thread second = new Thread(() -> cells[1] = counter.cellOfThisThread());
        first.start();
        first.join();
        second.start();
        second.join();
        assertNotEquals(cells[0], cells[1]);
    }

    @Test
    void theSumOfManyThreadsIsExactOnceTheyAreDone() throws Exception {
        StripedCounter counter = new StripedCounter(2);
        Thread[] threads = new Thread[6];
        for (int t = 0; t < threads.length; t++) {
            int adds = 1000 * (t + 1);
            threads[t] = new Thread(() -> {
                for (int i = 0; i < adds; i++) {
                    counter.add(3);
                    counter.add(-1);
                }
            });
            threads[t].start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertEquals(2 * 1000 * (1 + 2 + 3 + 4 + 5 + 6), counter.sum());
        counter.clear();
        assertEquals(0, counter.sum());
    }

    @Test
    void aThreadAloneSeesTheExactSumOnEveryCall() {
        StripedCounter counter = new StripedCounter(4);
        int cell = counter.cellOfThisThread();
        for (int i = 1; i <= 3 * StripedCounter.REFRESH_EVERY; i++) {
            counter.add(cell, 1);
            assertEquals(i, counter.sumSeenFrom(cell), "call " + i);
        }
    }

    @Test
    void othersCountsReachASumSeenFromACellWithinTheRefreshPeriod() throws Exception {
        StripedCounter counter = new StripedCounter(4);
        Thread other = new Thread(() -> counter.add(5));
        other.start();
        other.join();
        int cell = counter.cellOfThisThread();
        long seen = 0;
        for (int i = 0; i < StripedCounter.REFRESH_EVERY; i++) {
            seen = Math.max(seen, counter.sumSeenFrom(cell));
        }
        assertEquals(5, seen);
    }

    /**
     * What close() relies on: while one count stays up, a sum never reads zero, whatever other
     * threads add and take away meanwhile, as long as each takes away in the cell it added to.
     */
    @Test
    void aSumNeverMissesACountHeldThroughoutWhileOthersComeAndGoAcrossThreads() throws Exception {
        StripedCounter counter = new StripedCounter(8);
        counter.add(1); // held by this thread throughout
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong handedOver = new AtomicLong(-1);
        CountDownLatch started = new CountDownLatch(2);
        Thread acquirer = new Thread(() -> {
            started.countDown();
            while (!stop.get()) {
                int cell = counter.cellOfThisThread();
                counter.add(cell, 1);
                while (!handedOver.compareAndSet(-1, cell) && !stop.get()) {
                    Thread.onSpinWait();
                }
            }
        });
        Thread releaser = new Thread(() -> {
            started.countDown();
            while (!stop.get()) {
                long cell = handedOver.get();
                if (cell >= 0 && handedOver.compareAndSet(cell, -1)) {
                    counter.add((int) cell, -1); // released on another thread, in the acquirer's cell
                }
            }
        });
        acquirer.start();
        releaser.start();
        started.await();
        try {
            for (int i = 0; i < 200_000; i++) {
                long sum = counter.sum();
                assertTrue(sum >= 1, "read " + sum + " while one count was held, at read " + i);
            }
        } finally {
            stop.set(true);
            acquirer.join();
            releaser.join();
        }
    }
}
