package io.warmpool.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs every contender on every workload, one after another in this thread, and keeps the results
 * in order. A contender that cannot run a workload is skipped with its reason.
 *
 * <pre>
 *  rounds = 1:   A(n) B(n) C(n)                       each contender once, all its cycles
 *  rounds = R:   A(n/R) B(n/R) C(n/R)  A(n/R) ...     R times in turn, each with its own warmup; a
 *                                                     phase's median is the median of the rounds'
 *                                                     medians (its p99 likewise)
 * </pre>
 * A machine whose load drifts over a run (other work, a VM neighbour) then weighs on every
 * contender alike, and the ratios of one run compare like with like.
 */
public final class BenchRun {
    private final List<Workload> workloads;
    private final List<Contender> contenders;
    private final Measurement measurement;
    private final int rounds;

    /** The results of one workload: a result per contender that ran, and the ones skipped. */
    public record WorkloadResult(Workload workload, List<ContenderResult> results, List<String> skipped,
                                 String profile) {
    }

    public BenchRun(List<Workload> workloads, List<Contender> contenders, Measurement measurement) {
        this(workloads, contenders, measurement, 1);
    }

    /**
     * A run whose contenders take turns {@code rounds} times per workload, each round with a
     * {@code rounds}-th of the iterations and of the time limit (at least {@link Measurement#MIN_SAMPLES}
     * cycles).
     *
     * @throws IllegalArgumentException for fewer than one round
     */
    public BenchRun(List<Workload> workloads, List<Contender> contenders, Measurement measurement, int rounds) {
        if (rounds < 1) {
            throw new IllegalArgumentException("rounds must be at least 1, not " + rounds);
        }
        this.workloads = List.copyOf(workloads);
        this.contenders = List.copyOf(contenders);
        this.measurement = measurement;
        this.rounds = rounds;
    }

    /** The cycles the run measures at most, for a progress bar. */
    public long plannedCycles() {
        long sum = 0;
        for (Workload w : workloads) {
            for (Contender c : contenders) {
                if (c.unsupported(w).isEmpty()) {
                    sum += rounds == 1 ? measurement.iterations()
                            : (long) rounds * Math.max(Measurement.MIN_SAMPLES, measurement.iterations() / rounds);
                }
            }
        }
        return sum;
    }

    /**
     * Runs it.
     *
     * @throws Exception the first failure, naming the contender and the workload
     */
    public List<WorkloadResult> run(Progress progress) throws Exception {
        Measurement round = rounds == 1 ? measurement : new Measurement(
                Math.max(Measurement.MIN_SAMPLES, measurement.iterations() / rounds), measurement.warmup(),
                measurement.warmupNanos(), measurement.timeLimitNanos() / rounds, measurement.seed());
        List<WorkloadResult> out = new ArrayList<>();
        for (Workload w : workloads) {
            List<Contender> running = new ArrayList<>();
            List<String> skipped = new ArrayList<>();
            for (Contender c : contenders) {
                var reason = c.unsupported(w);
                if (reason.isPresent()) {
                    skipped.add(c.name() + ": " + reason.get());
                } else {
                    running.add(c);
                }
            }
            List<List<ContenderResult>> byContender = new ArrayList<>();
            running.forEach(c -> byContender.add(new ArrayList<>()));
            String profile = null;
            int profileRank = Integer.MAX_VALUE;
            for (int r = 0; r < rounds; r++) {
                for (int i = 0; i < running.size(); i++) {
                    Contender c = running.get(i);
                    try {
                        byContender.get(i).add(c.run(w, round, progress));
                    } catch (Exception e) {
                        throw new IllegalStateException(c.name() + " failed on " + w.describe() + ": " + e.getMessage(), e);
                    }
                    if (r == rounds - 1 && c instanceof PoolContender pool && profileRank(pool) < profileRank) {
                        profile = pool.profile();
                        profileRank = profileRank(pool);
                    }
                }
            }
            List<ContenderResult> results = new ArrayList<>();
            byContender.forEach(each -> results.add(ContenderResult.ofRounds(each)));
            out.add(new WorkloadResult(w, results, skipped, profile));
        }
        return out;
    }

    /**
     * Which run's tenant profile to keep, lowest first; {@link Integer#MAX_VALUE} for a strategy whose
     * resets do not scan, and so record no dirty pages. written-tracked's scans count the pages the
     * tenant wrote; pagemap-guided's (and auto's) count every present page, which includes the pages
     * earlier resets zeroed and kept resident: with scattered writes, several times what was written.
     */
    private static int profileRank(PoolContender pool) {
        return switch (pool.name()) {
            case "written-tracked" -> 0;
            case "pagemap-guided" -> 1;
            case "auto" -> 2;
            default -> Integer.MAX_VALUE;
        };
    }
}
