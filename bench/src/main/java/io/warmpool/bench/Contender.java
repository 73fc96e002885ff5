package io.warmpool.bench;

import java.util.Optional;

/** One way of giving a short-lived tenant clean memory, measured by the bench cycle. */
public interface Contender {
    /** The name on the command line and in the table, such as {@code "pagemap-guided"}. */
    String name();

    /** Why this contender cannot run {@code workload}, or empty when it can. */
    default Optional<String> unsupported(Workload workload) {
        return Optional.empty();
    }

    /**
     * Runs {@code measurement.warmup()} cycles, then measures up to {@code measurement.iterations()}.
     *
     * @throws Exception when a call fails; the message names it
     */
    ContenderResult run(Workload workload, Measurement measurement, Progress progress) throws Exception;
}
