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
                if (profile == null && c instanceof PoolContender pool && scans(pool)) {
                    profile = pool.profile();
                }
            }
            out.add(new WorkloadResult(w, results, skipped, profile));
        }
        return out;
    }

    /** The strategies whose resets scan, and so fill the tenant profile. */
    private static boolean scans(PoolContender pool) {
        return pool.name().equals("pagemap-guided") || pool.name().equals("auto");
    }
}
