package io.warmpool.bench;

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
}
