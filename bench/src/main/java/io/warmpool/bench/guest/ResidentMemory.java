package io.warmpool.bench.guest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What an idle instance keeps resident, read two ways, since the two contenders keep it in different
 * places:
 *
 * <pre>
 *  heap   live Java heap after a full collection (MemoryMXBean): where Chicory's own memories live
 *         (a heap ByteBuffer each, every byte written when it was allocated and filled); written live
 *         bytes are resident bytes, so this is what they cost at least
 *  pss    the process's proportional set size (/proc/self/smaps_rollup): where pooled slots live
 *         (native mappings); a page mapped at several addresses (the image's pages, in every slot
 *         that maps it) counts once in all, split between its mappings
 * </pre>
 *
 * The Pss of the heap itself is not what to read for Chicory: the heap's pages stay resident after
 * garbage is collected, so the process's Pss rises with the garbage of earlier cycles, not with the
 * instances kept.
 */
public final class ResidentMemory {
    private static final Path SMAPS_ROLLUP = Path.of("/proc/self/smaps_rollup");

    /**
     * One reading.
     *
     * @param heapBytes live heap bytes after a full collection
     * @param pssBytes  the process's Pss
     */
    public record Reading(long heapBytes, long pssBytes) {
        /** The growth from {@code before} to this reading. */
        public Reading minus(Reading before) {
            return new Reading(heapBytes - before.heapBytes, pssBytes - before.pssBytes);
        }
    }

    private ResidentMemory() {
    }

    /** Collects garbage (a full collection under the serial and G1 collectors) and reads both. */
    public static Reading read() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return new Reading(memory.getHeapMemoryUsage().getUsed(), pssBytes());
    }

    /** The process's Pss from {@code /proc/self/smaps_rollup}. */
    public static long pssBytes() {
        try {
            for (String line : Files.readAllLines(SMAPS_ROLLUP)) {
                if (line.startsWith("Pss:")) {
                    return kib(line);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + SMAPS_ROLLUP, e);
        }
        throw new IllegalStateException(SMAPS_ROLLUP + " has no Pss line");
    }

    /** The bytes of a line such as {@code "Pss:    1234 kB"}. */
    static long kib(String line) {
        String digits = line.replaceAll("[^0-9]", "");
        if (digits.isEmpty()) {
            throw new IllegalArgumentException("no number in '" + line + "'");
        }
        return Long.parseLong(digits) * 1024;
    }
}
