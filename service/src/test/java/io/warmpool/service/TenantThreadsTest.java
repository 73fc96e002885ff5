package io.warmpool.service;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TenantThreadsTest {
    private static final long WAIT_SECONDS = 60;

    @Test
    void stopInterruptsAndJoinsEveryWorkerEvenOneBlockedInItsRequest() throws InterruptedException {
        int count = 4;
        Set<Thread> seen = ConcurrentHashMap.newKeySet();
        CountDownLatch allBlocked = new CountDownLatch(count);
        TenantThreads threads = new TenantThreads("test-worker", count, i -> () -> {
            seen.add(Thread.currentThread());
            allBlocked.countDown();
            new CountDownLatch(1).await(); // only an interrupt ends this request
        }, () -> { });
        threads.start();
        assertTrue(allBlocked.await(WAIT_SECONDS, TimeUnit.SECONDS), "every worker is in its request");

        threads.stopAndJoin();

        assertEquals(count, seen.size());
        for (Thread worker : seen) {
            assertFalse(worker.isAlive(), worker.getName() + " still runs after stopAndJoin");
            assertTrue(worker.isDaemon(), worker.getName());
            assertTrue(worker.getName().matches("test-worker-[0-3]"), worker.getName());
        }
        assertTrue(threads.stopping());
        assertNull(threads.failure(), "an interrupt at stop is no failure");
    }

    @Test
    void aWorkerThatThrowsIsReportedOnceAndStopsEveryOther() throws InterruptedException {
        int count = 3;
        List<Thread> seen = new CopyOnWriteArrayList<>();
        CountDownLatch allBegun = new CountDownLatch(count);
        AtomicInteger onFailure = new AtomicInteger();
        CountDownLatch failed = new CountDownLatch(1);
        IllegalStateException[] thrown = {new IllegalStateException("worker 0 failed"),
                new IllegalStateException("worker 1 failed")};
        TenantThreads threads = new TenantThreads("test-worker", count, i -> () -> {
            if (!seen.contains(Thread.currentThread())) {
                seen.add(Thread.currentThread());
                allBegun.countDown();
            }
            if (i < thrown.length) {
                allBegun.await(); // every worker runs before the failures
                throw thrown[i];
            }
            Thread.sleep(1); // the others go on until the failure stops them
        }, () -> {
            onFailure.incrementAndGet();
            failed.countDown();
        });
        threads.start();
        assertTrue(failed.await(WAIT_SECONDS, TimeUnit.SECONDS), "the failure was reported");

        for (Thread worker : seen) { // no stopAndJoin: the failure alone stops them
            worker.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
            assertFalse(worker.isAlive(), worker.getName() + " runs on after another worker failed");
        }
        assertEquals(count, seen.size());
        assertTrue(threads.stopping());
        assertTrue(threads.failure() == thrown[0] || threads.failure() == thrown[1], String.valueOf(threads.failure()));
        assertEquals(1, onFailure.get(), "onFailure runs once, for the first failure only");
        threads.stopAndJoin();
        assertEquals(1, onFailure.get());
    }

    @Test
    void workersBeginOnlyOnceEveryWorkerExistsAndTallyWhatTheyDid() throws InterruptedException {
        int count = 5;
        AtomicInteger made = new AtomicInteger();
        List<Integer> madeWhenBegun = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(count);
        TenantThreads[] holder = new TenantThreads[1];
        TenantThreads threads = new TenantThreads("test-worker", count, i -> {
            made.incrementAndGet();
            int[] turns = {0};
            return () -> {
                if (turns[0]++ == 0) {
                    madeWhenBegun.add(made.get());
                    holder[0].served();
                    holder[0].served();
                    holder[0].exhausted();
                    done.countDown();
                }
                Thread.sleep(1);
            };
        }, () -> { });
        holder[0] = threads;
        threads.start();
        assertTrue(done.await(WAIT_SECONDS, TimeUnit.SECONDS));
        threads.stopAndJoin();

        assertEquals(count, made.get(), "one request made per worker");
        assertEquals(List.of(5, 5, 5, 5, 5), madeWhenBegun, "no worker began before every worker was made");
        assertEquals(2L * count, threads.instances());
        assertEquals(count, threads.exhaustedWaits());
        assertNull(threads.failure());
    }
}
