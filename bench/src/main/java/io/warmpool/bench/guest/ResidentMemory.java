package io.warmpool.bench.guest;

import io.warmpool.bench.ProcessMemory;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

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
        return new Reading(memory.getHeapMemoryUsage().getUsed(), ProcessMemory.pssBytes());
    }
}
