package io.warmpool.bench.guest;

import io.warmpool.bench.Measurement;
import io.warmpool.bench.Samples;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.LongFunction;
import java.util.function.LongPredicate;

/**
 * Measures a guest's requests on each contender, one contender after the other, on this thread:
 *
 * <pre>
 *  per contender:
 *    warmup: cycles until both `warmup` cycles and `warmupNanos` have passed (the JIT compiles)
 *    measure up to `iterations` cycles (or until `timeLimitNanos`, with Measurement.MIN_SAMPLES), each
 *      request(export, args of request n), timed by the contender in three phases:
 *        open   acquire + instantiate (Chicory: allocate the memory, copy the data in)
 *        call   the export; its first result must pass the check
 *        close  release (pooled: the reset runs here, on this thread)
 *    instances/s = measured cycles / the sum of their three phases
 *  then, per contender, the idle footprint:
 *    before = ResidentMemory.read();  keepIdle(N, while idle: after = ResidentMemory.read())
 *    per instance = (after - before) / N, heap and Pss, + the shared bytes / N
 * </pre>
 */
public final class GuestBench {
    /**
     * What to run.
     *
     * @param export         the export each request calls
     * @param arguments      the arguments of request number n
     * @param check          what each call's first result must satisfy
     * @param checkText      what the check means, for its failure's message
     * @param iterations     measured cycles per contender
     * @param warmup         cycles first, not measured
     * @param warmupNanos    and the warmup lasts at least this long
     * @param timeLimitNanos a contender stops measuring after this long once it has 10 cycles; 0: never
     * @param idleInstances  idle warm instances weighed per contender; 0: none
     */
    public record Settings(String export, LongFunction<long[]> arguments, LongPredicate check, String checkText,
                           int iterations, int warmup, long warmupNanos, long timeLimitNanos, int idleInstances) {
        public Settings {
            Objects.requireNonNull(export, "export");
            Objects.requireNonNull(arguments, "arguments");
            Objects.requireNonNull(check, "check");
            if (iterations < 1 || warmup < 0 || warmupNanos < 0 || timeLimitNanos < 0 || idleInstances < 0) {
                throw new IllegalArgumentException("iterations must be at least 1, and warmup, times and idle instances"
                        + " not negative");
            }
        }

        /** The warmup and the limits of the measured cycles, as every bench counts them (the time: the cycles' own). */
        Measurement measurement() {
            return new Measurement(iterations, warmup, warmupNanos, timeLimitNanos, 0);
        }
    }

    /**
     * What an idle warm instance keeps resident.
     *
     * @param count        instances weighed
     * @param heapBytes    live heap growth per instance
     * @param pssBytes     Pss growth per instance (native memory: pooled slots)
     * @param sharedBytes  what every instance shares (the image's memfd), counted once over all
     * @param onHeap       whether the instances' memories are on the Java heap (Chicory's own): then the
     *                     heap growth is their cost, and the Pss growth (heap pages the JVM touched for
     *                     the first time, or not) would count the same bytes twice
     */
    public record Idle(int count, long heapBytes, long pssBytes, long sharedBytes, boolean onHeap) {
        /**
         * Per instance, all told: the heap growth, and for native memories the Pss growth too (each at
         * least 0: collecting the warmup's garbage can shrink either a little), and the shared bytes
         * split over the instances.
         */
        public long perInstance() {
            return Math.max(0, heapBytes) + (onHeap ? 0 : Math.max(0, pssBytes)) + (count == 0 ? 0 : sharedBytes / count);
        }
    }

    /**
     * One contender's figures.
     *
     * @param contender          its name
     * @param description        what it is
     * @param open               acquire + instantiate, ns
     * @param call               the export's call, ns
     * @param close              release (the reset), ns
     * @param cycle              the three, ns
     * @param instancesPerSecond measured cycles per second of their own time, one thread
     * @param idle               the idle footprint, or null when none was weighed
     */
    public record Result(String contender, String description, Samples.Summary open, Samples.Summary call,
                         Samples.Summary close, Samples.Summary cycle, double instancesPerSecond, Idle idle) {
    }

    private final Settings settings;

    public GuestBench(Settings settings) {
        this.settings = settings;
    }

    /** Runs every contender in order; the results in the same order. */
    public List<Result> run(List<? extends GuestContender> contenders) throws Exception {
        List<Result> results = new ArrayList<>();
        for (GuestContender contender : contenders) {
            results.add(run(contender));
        }
        return results;
    }

    /** Measures one contender, then weighs its idle instances. */
    public Result run(GuestContender contender) throws Exception {
        Measurement m = settings.measurement();
        long request = 0;
        long warmupStart = System.nanoTime();
        for (long i = 0; !m.warmedUp(i, System.nanoTime() - warmupStart); i++) {
            cycle(contender, request++, null);
        }
        Samples open = new Samples(settings.iterations());
        Samples call = new Samples(settings.iterations());
        Samples close = new Samples(settings.iterations());
        Samples cycle = new Samples(settings.iterations());
        long measured = 0;
        for (int i = 0; i < settings.iterations(); i++) {
            long[] phases = new long[3];
            cycle(contender, request++, phases);
            open.add(phases[0]);
            call.add(phases[1]);
            close.add(phases[2]);
            long total = phases[0] + phases[1] + phases[2];
            cycle.add(total);
            measured += total;
            if (m.timeIsUp(cycle.size(), measured)) {
                break;
            }
        }
        Idle idle = settings.idleInstances() == 0 ? null : idle(contender, request);
        return new Result(contender.name(), contender.description(), open.summary(), call.summary(), close.summary(),
                cycle.summary(), cycle.size() * 1e9 / Math.max(1, measured), idle);
    }

    private void cycle(GuestContender contender, long request, long[] phases) throws Exception {
        long[] args = settings.arguments().apply(request);
        long[] results = contender.request(settings.export(), args, phases == null ? new long[3] : phases);
        long first = results == null || results.length == 0 ? 0 : results[0];
        if (!settings.check().test(first)) {
            throw new IllegalStateException(contender.name() + ": " + settings.export() + " of request " + request
                    + " returned " + first + ": " + settings.checkText());
        }
    }

    private Idle idle(GuestContender contender, long request) throws Exception {
        int n = settings.idleInstances();
        ResidentMemory.Reading before = ResidentMemory.read();
        ResidentMemory.Reading[] during = new ResidentMemory.Reading[1];
        contender.keepIdle(n, settings.export(), settings.arguments().apply(request), () -> during[0] = ResidentMemory.read());
        if (during[0] == null) {
            throw new IllegalStateException(contender.name() + " did not run the measurement while its instances were idle");
        }
        ResidentMemory.Reading growth = during[0].minus(before);
        return new Idle(n, growth.heapBytes() / n, growth.pssBytes() / n, contender.sharedBytes(), contender.memoryOnHeap());
    }
}
