package io.warmpool.metrics;

import io.micrometer.core.instrument.Clock;

import java.util.concurrent.TimeUnit;

/**
 * A Micrometer {@link Clock} whose wall time is a field that one daemon thread refreshes every
 * {@value #TICK_MILLIS} ms, so that reading it costs a volatile load instead of a clock call.
 *
 * <p>Why: every {@code Timer.record} and {@code DistributionSummary.record} reads the wall time
 * twice (its windowed maximum and its histogram check whether to rotate), and on the development
 * VM a clock call costs 35 to 50 ns, most of what recording a histogram costs. The windows rotate
 * every tens of seconds, so a time that is up to {@value #TICK_MILLIS} ms old changes nothing
 * that is exported. {@link #monotonicTime()} is {@link System#nanoTime()}, exact, for code that
 * times intervals with the registry's clock. In a forked child the refreshing thread is gone and
 * the wall time stands still: the child's windows stop rotating, nothing else.
 */
public final class CoarseClock implements Clock {
    /** How often the wall time is refreshed. */
    public static final long TICK_MILLIS = 10;

    private static final CoarseClock INSTANCE = new CoarseClock();

    private volatile long wallTime = System.currentTimeMillis();

    private CoarseClock() {
        Thread ticker = new Thread(this::tick, "warmpool-coarse-clock");
        ticker.setDaemon(true);
        ticker.start();
    }

    /** The one clock (and its one thread) of this JVM. */
    public static CoarseClock get() {
        return INSTANCE;
    }

    private void tick() {
        while (true) {
            try {
                TimeUnit.MILLISECONDS.sleep(TICK_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            wallTime = System.currentTimeMillis();
        }
    }

    @Override
    public long wallTime() {
        return wallTime;
    }

    @Override
    public long monotonicTime() {
        return System.nanoTime();
    }
}
