package io.warmpool.bench;

import java.util.List;
import java.util.function.Function;

/**
 * What one contender measured on one workload.
 *
 * @param contender     the contender's name
 * @param samples       measured cycles (fewer than asked when the time limit stopped it)
 * @param write         the write phase: the tenant's stores, page faults included
 * @param reset         the reset: the release of the memory, whatever that costs the contender
 * @param cycle         acquire, write and reset
 * @param residentBytes the bytes the contender kept resident after the run
 * @param residentHow   how {@code residentBytes} was found, for the reader
 * @param pssBytes      the proportional set size of 64 idle instances of the workload's memory image
 *                      (image bench only, see {@link ImageContenders}); -1 when not measured
 */
public record ContenderResult(String contender, int samples, Samples.Summary write, Samples.Summary reset,
                              Samples.Summary cycle, long residentBytes, String residentHow, long pssBytes) {

    /** A result without a Pss measurement. */
    public ContenderResult(String contender, int samples, Samples.Summary write, Samples.Summary reset,
                           Samples.Summary cycle, long residentBytes, String residentHow) {
        this(contender, samples, write, reset, cycle, residentBytes, residentHow, -1);
    }

    /**
     * One result of the rounds a contender ran in turn with the others: their samples added up, each
     * phase's median and p99 the median of the rounds' (the lower middle one of an even count), what
     * it kept resident and its Pss as the last round left them.
     *
     * @throws IllegalArgumentException for no rounds, or rounds of different contenders
     */
    public static ContenderResult ofRounds(List<ContenderResult> rounds) {
        if (rounds.isEmpty()) {
            throw new IllegalArgumentException("no rounds");
        }
        ContenderResult last = rounds.get(rounds.size() - 1);
        if (rounds.size() == 1) {
            return last;
        }
        int samples = 0;
        for (ContenderResult r : rounds) {
            if (!r.contender().equals(last.contender())) {
                throw new IllegalArgumentException("rounds of " + r.contender() + " and " + last.contender());
            }
            samples += r.samples();
        }
        return new ContenderResult(last.contender(), samples, middle(rounds, ContenderResult::write),
                middle(rounds, ContenderResult::reset), middle(rounds, ContenderResult::cycle), last.residentBytes(),
                last.residentHow(), last.pssBytes());
    }

    private static Samples.Summary middle(List<ContenderResult> rounds, Function<ContenderResult, Samples.Summary> phase) {
        long[] medians = rounds.stream().mapToLong(r -> phase.apply(r).median()).sorted().toArray();
        long[] p99s = rounds.stream().mapToLong(r -> phase.apply(r).p99()).sorted().toArray();
        return new Samples.Summary(medians[(medians.length - 1) / 2], p99s[(p99s.length - 1) / 2]);
    }
}
