package io.warmpool.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs every contender on every workload, one after another in this thread, and keeps the results
 * in order. A contender that cannot run a workload is skipped with its reason.
 */
public final class BenchRun {
    private final List<Workload> workloads;
    private final List<Contender> contenders;
    private final Measurement measurement;

    /** The results of one workload: a result per contender that ran, and the ones skipped. */
    public record WorkloadResult(Workload workload, List<ContenderResult> results, List<String> skipped,
                                 String profile) {
    }

    public BenchRun(List<Workload> workloads, List<Contender> contenders, Measurement measurement) {
        this.workloads = List.copyOf(workloads);
        this.contenders = List.copyOf(contenders);
        this.measurement = measurement;
    }

    /** The cycles the run measures at most, for a progress bar. */
    public long plannedCycles() {
        long sum = 0;
        for (Workload w : workloads) {
            for (Contender c : contenders) {
                if (c.unsupported(w).isEmpty()) {
                    sum += measurement.iterations();
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
        List<WorkloadResult> out = new ArrayList<>();
        for (Workload w : workloads) {
            List<ContenderResult> results = new ArrayList<>();
            List<String> skipped = new ArrayList<>();
            String profile = null;
            int profileRank = Integer.MAX_VALUE;
            for (Contender c : contenders) {
                var reason = c.unsupported(w);
                if (reason.isPresent()) {
                    skipped.add(c.name() + ": " + reason.get());
                    continue;
                }
                try {
                    results.add(c.run(w, measurement, progress));
                } catch (Exception e) {
                    throw new IllegalStateException(c.name() + " failed on " + w.describe() + ": " + e.getMessage(), e);
                }
                if (c instanceof PoolContender pool && profileRank(pool) < profileRank) {
                    profile = pool.profile();
                    profileRank = profileRank(pool);
                }
            }
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
