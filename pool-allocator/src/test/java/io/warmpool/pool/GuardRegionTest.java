package io.warmpool.pool;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Invariant 3: a write one byte past a memory's accessible size faults and kills the process; it
 * never reaches the neighbouring slot.
 *
 * <p>The write runs in a child JVM ({@link StrayWriteChild}). Before it, this test reads the
 * child's {@code /proc/PID/maps} and {@code /proc/PID/mem}: the stray address lies in an
 * inaccessible ({@code ---p}) mapping, the neighbour in another, readable one, holding its pattern.
 * After it, the child is dead by the JVM's crash path (it reports a fatal signal and aborts: exit
 * status 128 + SIGABRT = 134 on this JDK), and its crash report says SIGSEGV, a protection fault
 * ({@code SEGV_ACCERR}), at exactly the stray address: the store trapped and wrote nothing.
 */
class GuardRegionTest {
    private static final int SIGABRT_EXIT = 128 + 6;

    @ParameterizedTest(name = "memory {0}")
    @ValueSource(strings = {"ungrown", "grown"})
    @Timeout(120)
    void aWriteOneBytePastTheAccessibleSizeKillsTheJvmAndLeavesTheNeighbourAlone(String mode) throws Exception {
        try (ChildJvm child = ChildJvm.start(List.of(), StrayWriteChild.class, mode)) {
            Map<String, String> ready = fields(child.awaitLine("READY"));
            long stray = Long.parseUnsignedLong(ready.get("stray"), 16);
            long upper = Long.parseUnsignedLong(ready.get("upper"), 16);
            long upperBytes = Long.parseLong(ready.get("upperBytes"));
            if (mode.equals("grown")) {
                assertEquals(upper - StrayWriteChild.GUARD_BYTES, stray,
                        "grown to its maximum, the byte past it is the first of the guard before the neighbour");
            } else {
                assertEquals(upper - StrayWriteChild.GUARD_BYTES - (StrayWriteChild.MAX_BYTES - StrayWriteChild.INITIAL_BYTES),
                        stray, "ungrown, the byte past it lies in the slot's own inaccessible rest");
            }

            List<String> maps = Files.readAllLines(Path.of("/proc/" + child.pid() + "/maps"));
            String strayMapping = mappingOf(maps, stray);
            String upperMapping = mappingOf(maps, upper);
            assertTrue(strayMapping.split(" +")[1].equals("---p"), "the stray byte is in " + strayMapping);
            assertTrue(upperMapping.split(" +")[1].startsWith("rw"), "the neighbour is in " + upperMapping);
            assertFalse(strayMapping.equals(upperMapping), "one mapping holds both: " + strayMapping);
            assertNeighbourHoldsPattern(child.pid(), upper, upperBytes);

            child.send("go");
            int status = child.awaitExit(90);
            String output = child.output();
            assertFalse(output.contains("SURVIVED"), output);
            assertEquals(SIGABRT_EXIT, status, "exit status; output:\n" + output);
            List<Path> reports = child.crashReports();
            assertEquals(1, reports.size(), "crash reports: " + reports + "; output:\n" + output);
            String report = Files.readString(reports.get(0));
            String siginfo = report.lines().filter(l -> l.startsWith("siginfo:")).findFirst().orElse("(no siginfo line)");
            assertTrue(siginfo.contains("SIGSEGV") && siginfo.contains("SEGV_ACCERR"), siginfo);
            assertTrue(siginfo.endsWith(String.format(Locale.ROOT, "si_addr: 0x%016x", stray)),
                    siginfo + " should name the stray address " + Long.toHexString(stray));
        }
    }

    private static Map<String, String> fields(String line) {
        Map<String, String> out = new HashMap<>();
        for (String word : line.split(" ")) {
            int eq = word.indexOf('=');
            if (eq > 0) {
                out.put(word.substring(0, eq), word.substring(eq + 1));
            }
        }
        return out;
    }

    /** The line of {@code /proc/PID/maps} whose range holds {@code address}. */
    private static String mappingOf(List<String> maps, long address) {
        for (String line : maps) {
            String[] range = line.substring(0, line.indexOf(' ')).split("-");
            long start = Long.parseUnsignedLong(range[0], 16);
            long end = Long.parseUnsignedLong(range[1], 16);
            if (Long.compareUnsigned(address, start) >= 0 && Long.compareUnsigned(address, end) < 0) {
                return line;
            }
        }
        throw new AssertionError("no mapping holds 0x" + Long.toHexString(address));
    }

    private static void assertNeighbourHoldsPattern(long pid, long address, long bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate((int) bytes);
        try (FileChannel mem = FileChannel.open(Path.of("/proc/" + pid + "/mem"), StandardOpenOption.READ)) {
            while (buffer.hasRemaining()) {
                if (mem.read(buffer, address + buffer.position()) <= 0) {
                    throw new AssertionError("short read of the child's memory at 0x" + Long.toHexString(address));
                }
            }
        }
        for (int i = 0; i < bytes; i++) {
            assertEquals(StrayWriteChild.PATTERN, buffer.get(i), "neighbour byte " + i);
        }
    }
}
