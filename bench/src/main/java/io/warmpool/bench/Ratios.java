package io.warmpool.bench;

import io.warmpool.pool.config.ResetStrategy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.ToLongFunction;

/**
 * The ratios of medians that the targets are stated in, for the contenders of one workload
 * that ran: each is {@code numerator / denominator} of a phase's median, or absent when a contender
 * it needs did not run.
 *
 * <pre>
 *  memset-keep-resident / pagemap-guided          reset   how much the scan saves
 *  auto / better of pagemap-guided, memset-...    reset   how close auto's choice comes
 *  pagemap-guided / c-pagemap-guided              reset   the cost of Java and JNA
 *  memset-keep-resident / c-memset-keep-resident  reset
 *  auto / best fixed pool strategy                cycle   auto against every strategy it could be
 *  best of pagemap-guided, memset-keep-resident, madvise-all / written-tracked
 *                                                 cycle   what tracking saves (x cheaper); auto is
 *                                                         left out, as it may choose tracking
 *  c-madvise-all / c-written-tracked              cycle   the same in C: the most tracking could save
 *                                                         here, what the kernel charges each
 *  allocate-direct / best pool strategy           cycle   what the pool saves a Java user
 *  mmap-munmap / best pool strategy               cycle
 *  image-copy / image (and the other image ratios) cycle, pss   what memory images save (--image-bytes)
 * </pre>
 */
public final class Ratios {
    private Ratios() {
    }

    /**
     * One ratio.
     *
     * @param label what is divided by what, and in which phase
     * @param value the ratio of the medians
     */
    public record Ratio(String label, double value) {
    }

    /** The ratios that the contenders in {@code results} allow. */
    public static List<Ratio> of(List<ContenderResult> results) {
        List<Ratio> out = new ArrayList<>();
        ToLongFunction<ContenderResult> reset = r -> r.reset().median();
        ToLongFunction<ContenderResult> cycle = r -> r.cycle().median();
        Optional<ContenderResult> guided = find(results, "pagemap-guided");
        Optional<ContenderResult> memset = find(results, "memset-keep-resident");
        Optional<ContenderResult> auto = find(results, "auto");
        ratio(out, "memset-keep-resident / pagemap-guided, median reset", memset, guided, reset);
        if (guided.isPresent() && memset.isPresent()) {
            ContenderResult better = reset.applyAsLong(guided.get()) <= reset.applyAsLong(memset.get())
                    ? guided.get() : memset.get();
            ratio(out, "auto / " + better.contender() + " (the better of the two), median reset", auto,
                    Optional.of(better), reset);
        }
        ratio(out, "pagemap-guided / c-pagemap-guided, median reset", guided, find(results, "c-pagemap-guided"), reset);
        ratio(out, "memset-keep-resident / c-memset-keep-resident, median reset", memset,
                find(results, "c-memset-keep-resident"), reset);
        Optional<ContenderResult> bestFixed = results.stream()
                .filter(r -> isPoolStrategy(r.contender()) && !r.contender().equals("auto"))
                .min((a, b) -> Long.compare(cycle.applyAsLong(a), cycle.applyAsLong(b)));
        bestFixed.ifPresent(best -> ratio(out, "auto / " + best.contender()
                + " (the best fixed pool strategy), median cycle", auto, bestFixed, cycle));
        Optional<ContenderResult> tracked = find(results, "written-tracked");
        Optional<ContenderResult> bestUntracked = results.stream()
                .filter(r -> isPoolStrategy(r.contender()) && !r.contender().equals("written-tracked")
                        && !r.contender().equals("pagemap-shed-every-n") && !r.contender().equals("auto"))
                .min((a, b) -> Long.compare(cycle.applyAsLong(a), cycle.applyAsLong(b)));
        bestUntracked.ifPresent(best -> ratio(out, best.contender() + " (the best of the others) / written-tracked,"
                + " median cycle", bestUntracked, tracked, cycle));
        ratio(out, "c-madvise-all / c-written-tracked (what the kernel charges each), median cycle",
                find(results, "c-madvise-all"), find(results, "c-written-tracked"), cycle);
        Optional<ContenderResult> bestPool = results.stream()
                .filter(r -> isPoolStrategy(r.contender()))
                .min((a, b) -> Long.compare(cycle.applyAsLong(a), cycle.applyAsLong(b)));
        bestPool.ifPresent(best -> {
            ratio(out, "allocate-direct / " + best.contender() + " (the best pool strategy), median cycle",
                    find(results, "allocate-direct"), bestPool, cycle);
            ratio(out, "mmap-munmap / " + best.contender() + " (the best pool strategy), median cycle",
                    find(results, "mmap-munmap"), bestPool, cycle);
        });
        Optional<ContenderResult> image = find(results, "image");
        Optional<ContenderResult> copy = find(results, "image-copy");
        ratio(out, "image-copy / image, median cycle", copy, image, cycle);
        ratio(out, "allocate-direct-copy / image, median cycle", find(results, "allocate-direct-copy"), image, cycle);
        ratio(out, "image-copy / image-change, median cycle", copy, find(results, "image-change"), cycle);
        ratio(out, "image-change / image, median cycle", find(results, "image-change"), image, cycle);
        if (image.isPresent() && copy.isPresent() && image.get().pssBytes() > 0 && copy.get().pssBytes() > 0) {
            out.add(new Ratio("image / image-copy, pss of " + ImageContenders.IDLE_SLOTS + " idle warm slots",
                    (double) image.get().pssBytes() / copy.get().pssBytes()));
        }
        return out;
    }

    private static boolean isPoolStrategy(String name) {
        for (ResetStrategy strategy : ResetStrategy.values()) {
            if (strategy.configName().equals(name)) {
                return true;
            }
        }
        return false;
    }

    private static Optional<ContenderResult> find(List<ContenderResult> results, String name) {
        return results.stream().filter(r -> r.contender().equals(name)).findFirst();
    }

    private static void ratio(List<Ratio> out, String label, Optional<ContenderResult> numerator,
                              Optional<ContenderResult> denominator, ToLongFunction<ContenderResult> phase) {
        if (numerator.isPresent() && denominator.isPresent()) {
            long d = phase.applyAsLong(denominator.get());
            out.add(new Ratio(label, d == 0 ? Double.NaN : (double) phase.applyAsLong(numerator.get()) / d));
        }
    }
}
