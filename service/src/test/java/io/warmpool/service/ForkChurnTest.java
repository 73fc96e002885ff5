package io.warmpool.service;

import io.warmpool.pool.WarmPool;
import io.warmpool.pool.config.PoolConfig;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ForkChurnTest {
    private final PoolConfig config = PoolConfig.builder().memories(2).memoryMax(1 << 20).memoryGuard(64 << 10)
            .tables(0).stacks(0).build();

    @Test
    void everyRoundStartsAChildWhileHoldingAnInstanceAndGivesItBack() throws Exception {
        try (WarmPool pool = WarmPool.create(config)) {
            ForkChurn churn = new ForkChurn(Duration.ofMillis(1), pool, () -> { });
            for (int i = 0; i < 3; i++) {
                churn.forkOnce();
            }
            assertEquals(3, churn.forks());
            assertEquals(0, pool.outstanding());
        }
    }

    @Test
    void theThreadForksEveryIntervalUntilStopped() throws Exception {
        try (WarmPool pool = WarmPool.create(config)) {
            ForkChurn churn = new ForkChurn(Duration.ofMillis(10), pool, () -> { });
            churn.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (churn.forks() < 3 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            churn.stopAndJoin();
            assertTrue(churn.forks() >= 3, "forks: " + churn.forks());
            assertNull(churn.failure());
            assertEquals(0, pool.outstanding());
        }
    }

    @Test
    void aChildThatExitsNonZeroStopsTheChurnAndSaysSoAndKeepsNoSlot() throws Exception {
        try (WarmPool pool = WarmPool.create(config)) {
            CountDownLatch failed = new CountDownLatch(1);
            ForkChurn churn = new ForkChurn(Duration.ofMillis(1), pool, List.of("/bin/false"), failed::countDown);
            churn.start();
            assertTrue(failed.await(60, TimeUnit.SECONDS));
            churn.stopAndJoin();
            IOException e = assertInstanceOf(IOException.class, churn.failure());
            assertTrue(e.getMessage().contains("[/bin/false]") && e.getMessage().contains("exited 1"), e.getMessage());
            assertEquals(0, churn.forks());
            assertEquals(0, pool.outstanding());
        }
    }

    @Test
    void aNonPositiveIntervalIsRefused() {
        try (WarmPool pool = WarmPool.create(config)) {
            assertThrows(IllegalArgumentException.class, () -> new ForkChurn(Duration.ZERO, pool, () -> { }));
        }
    }
}
