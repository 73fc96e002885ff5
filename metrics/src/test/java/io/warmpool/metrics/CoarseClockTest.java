package io.warmpool.metrics;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CoarseClockTest {

    @Test
    void theWallTimeFollowsTheSystemClockFromBehindAndAdvances() throws InterruptedException {
        CoarseClock clock = CoarseClock.get();
        long first = clock.wallTime();
        assertTrue(first <= System.currentTimeMillis(), "never ahead of the system clock");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (clock.wallTime() == first) {
            assertTrue(System.nanoTime() < deadline, "the wall time never advanced from " + first);
            Thread.sleep(1);
        }
        assertTrue(clock.wallTime() > first);
        long before = System.nanoTime();
        long monotonic = clock.monotonicTime();
        assertTrue(monotonic >= before && monotonic <= System.nanoTime(), "the monotonic time is exact");
    }

    @Test
    void theServedRegistryUsesIt() {
        assertSame(CoarseClock.get(), MetricsServer.newRegistry().config().clock());
    }
}
