package io.warmpool.pool;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bug 2 of issue 16: an acquire in flight when {@code close()} runs either fails with
 * "the pool is closed" or hands out an instance that keeps the pool open until its release (close
 * then refuses, naming the instances out). Never an instance over unmapped memory: in a child JVM
 * ({@link AcquireRacingCloseChild}), since such an instance's first write kills the JVM.
 */
class AcquireRacingCloseTest {

    @Test
    void anAcquireInFlightAtCloseFailsOrKeepsThePoolOpenNeverHandsOutUnmappedMemory() throws Exception {
        long seed = Long.getLong("warmpool.stress.seed", System.nanoTime());
        try (ChildJvm child = ChildJvm.start(List.of(), AcquireRacingCloseChild.class, "400", Long.toString(seed))) {
            int status = child.awaitExit(300);
            String context = "seed " + seed + ", exit status " + status + ", crash reports " + child.crashReports()
                    + ", output:\n" + child.output();
            assertEquals(0, status, context);
            assertTrue(child.output().contains("DONE"), context);
            assertTrue(child.crashReports().isEmpty(), context);
            System.out.println(child.output().lines().filter(l -> l.startsWith("DONE")).findFirst().orElseThrow());
        }
    }
}
