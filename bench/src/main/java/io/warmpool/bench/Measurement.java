package io.warmpool.bench;

/**
 * How long each contender is measured on a workload.
 *
 * @param iterations      measured cycles
 * @param warmup          cycles run first and not measured (the JIT compiles the paths meanwhile)
 * @param warmupNanos     and the warmup lasts at least this long (the JIT needs time more than cycles)
 * @param timeLimitNanos  a contender stops early once its measured cycles took this long and it has
 *                        at least {@link #MIN_SAMPLES} samples; 0 for no limit
 * @param seed            the seed of the pages each cycle writes (the same for every contender)
 */
public record Measurement(int iterations, int warmup, long warmupNanos, long timeLimitNanos, long seed) {
    /** A contender stopped by the time limit still reports at least this many samples. */
    public static final int MIN_SAMPLES = 10;

    public Measurement {
        if (iterations < 1) {
            throw new IllegalArgumentException("iterations = " + iterations + ": must be at least 1");
        }
        if (warmup < 0) {
            throw new IllegalArgumentException("warmup = " + warmup + ": must not be negative");
        }
        if (warmupNanos < 0) {
            throw new IllegalArgumentException("warmup time = " + warmupNanos + " ns: must not be negative");
        }
        if (timeLimitNanos < 0) {
            throw new IllegalArgumentException("time limit = " + timeLimitNanos + " ns: must not be negative");
        }
    }

    /** Whether the warmup is over after {@code cycles} cycles that took {@code nanos}. */
    public boolean warmedUp(long cycles, long nanos) {
        return cycles >= warmup && nanos >= warmupNanos;
    }

    /** Whether a contender that took {@code measuredNanos} for {@code samples} cycles stops now. */
    public boolean timeIsUp(int samples, long measuredNanos) {
        return timeLimitNanos > 0 && samples >= MIN_SAMPLES && measuredNanos > timeLimitNanos;
    }
}
