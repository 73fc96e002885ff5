package io.warmpool.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The resident anonymous memory of this process, from {@code /proc/self/status}. */
final class ProcessMemory {
    private static final Path STATUS = Path.of("/proc/self/status");

    private ProcessMemory() {
    }

    /** {@code RssAnon} in bytes. */
    static long rssAnonBytes() {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("RssAnon:")) {
                    return parseKiB(line);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + STATUS, e);
        }
        throw new IllegalStateException(STATUS + " has no RssAnon line");
    }

    /**
     * How much {@code Pss} grew since {@code before} (a {@link #pssBytes()} reading), never below zero:
     * what a phase keeps cannot be negative, and a fall means only that memory of earlier phases (freed
     * buffers, a trimmed heap) left meanwhile.
     */
    static long pssGrowthSince(long before) {
        return Math.max(0, pssBytes() - before);
    }

    /** {@code Pss} of {@code /proc/self/smaps_rollup} in bytes: the process's proportional set size. */
    static long pssBytes() {
        Path rollup = Path.of("/proc/self/smaps_rollup");
        try {
            for (String line : Files.readAllLines(rollup)) {
                if (line.startsWith("Pss:")) {
                    return parseKiB(line);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + rollup, e);
        }
        throw new IllegalStateException(rollup + " has no Pss line");
    }

    /** The bytes of a status line such as {@code "RssAnon:\t  1234 kB"}. */
    static long parseKiB(String line) {
        String digits = line.replaceAll("[^0-9]", "");
        if (digits.isEmpty()) {
            throw new IllegalArgumentException("no number in '" + line + "'");
        }
        return Long.parseLong(digits) * 1024;
    }
}
