package io.warmpool.pool;

import io.warmpool.natives.NativeMemory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Small pools and the checks the pool tests share. */
final class TestPools {
    static final long PAGE = 4096;

    private TestPools() {
    }

    /** A pool of {@code memories} memory slots of {@code maxBytes}, no tables or stacks. */
    static PoolConfig.Builder memories(int memories, long maxBytes, long keepResident) {
        return PoolConfig.builder().totalMemories(memories).maxMemoryBytes(maxBytes).memoryGuardBytes(64 * PAGE)
                .memoryKeepResidentBytes(keepResident).totalTables(0).totalStacks(0);
    }

    /** Fails naming the slot and the offset when any accessible byte of {@code slot} is not zero. */
    static void assertReadsZero(PoolSlot slot, String context) {
        long first = NativeMemory.firstNonZero(slot.address(), slot.accessibleBytes());
        assertEquals(-1, first, () -> context + ": " + slot + " has byte " + first + " (of "
                + slot.accessibleBytes() + ") = " + NativeMemory.getByte(slot.address() + first));
    }

    /** The permissions ({@code "rw-p"}, {@code "---p"}, ...) of the mapping at {@code address}, from /proc/self/maps. */
    static String protectionAt(long address) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
                int dash = line.indexOf('-');
                int space = line.indexOf(' ');
                long start = Long.parseUnsignedLong(line.substring(0, dash), 16);
                long end = Long.parseUnsignedLong(line.substring(dash + 1, space), 16);
                if (Long.compareUnsigned(address, start) >= 0 && Long.compareUnsigned(address, end) < 0) {
                    return line.substring(space + 1, space + 5);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new AssertionError("nothing is mapped at 0x" + Long.toHexString(address));
    }

    /** A listener that keeps everything, for assertions; thread-safe. */
    static final class Recorder implements PoolListener {
        final List<String> acquires = Collections.synchronizedList(new ArrayList<>());
        final List<String> resets = Collections.synchronizedList(new ArrayList<>());
        final List<String> fallbacks = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void acquired(SlotKind kind, AcquireKind result) {
            acquires.add(kind.label() + ":" + result.label());
        }

        @Override
        public void reset(ResetRecord record) {
            resets.add(record.kind().label() + ":" + record.strategy().configName());
        }

        @Override
        public void fallback(SlotKind kind, Fallback reason, String detail) {
            fallbacks.add(kind.label() + ":" + reason.label() + ": " + detail);
        }

        long count(List<String> events, String prefix) {
            synchronized (events) {
                return events.stream().filter(e -> e.startsWith(prefix)).count();
            }
        }
    }
}
