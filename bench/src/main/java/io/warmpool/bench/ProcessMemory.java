package io.warmpool.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The memory of this process as the kernel counts it: {@code RssAnon} of {@code /proc/self/status},
 * {@code Pss} of {@code /proc/self/smaps_rollup}.
 */
public final class ProcessMemory {
    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path SMAPS_ROLLUP = Path.of("/proc/self/smaps_rollup");

    private ProcessMemory() {
    }

    /** {@code RssAnon} in bytes: the resident anonymous memory. */
    static long rssAnonBytes() {
        return kibField(STATUS, "RssAnon:");
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
    public static long pssBytes() {
        return kibField(SMAPS_ROLLUP, "Pss:");
    }

    /** The bytes of the first line of {@code file} that starts with {@code field}, a figure in kB. */
    private static long kibField(Path file, String field) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(field)) {
                    return parseKiB(line);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        throw new IllegalStateException(file + " has no " + field.substring(0, field.length() - 1) + " line");
    }

    /** The bytes of a line such as {@code "RssAnon:\t  1234 kB"}. */
    static long parseKiB(String line) {
        String digits = line.replaceAll("[^0-9]", "");
        if (digits.isEmpty()) {
            throw new IllegalArgumentException("no number in '" + line + "'");
        }
        return Long.parseLong(digits) * 1024;
    }
}
