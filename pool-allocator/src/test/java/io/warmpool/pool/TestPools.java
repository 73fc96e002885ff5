package io.warmpool.pool;

import io.warmpool.natives.NativeMemory;
import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.config.SlotKind;
import io.warmpool.pool.event.AcquireKind;
import io.warmpool.pool.event.Fallback;
import io.warmpool.pool.event.PoolListener;
import io.warmpool.pool.event.ResetRecord;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Small pools and the checks the pool tests share. */
public final class TestPools {
    public static final long PAGE = 4096;

    private TestPools() {
    }

    /** A pool of {@code memories} memory slots of {@code maxBytes}, no tables or stacks. */
    public static PoolConfig.Builder memories(int memories, long maxBytes, long keepResident) {
        return PoolConfig.builder().memories(memories).memoryMax(maxBytes).memoryGuard(64 * PAGE)
                .memoryKeepResident(keepResident).tables(0).stacks(0);
    }

    /** Fails naming the slot and the offset when any accessible byte of {@code slot} is not zero. */
    public static void assertReadsZero(PoolSlot slot, String context) {
        long first = NativeMemory.firstNonZero(slot.address(), slot.accessibleBytes());
        assertEquals(-1, first, () -> context + ": " + slot + " has byte " + first + " (of "
                + slot.accessibleBytes() + ") = " + NativeMemory.getByte(slot.address() + first));
    }

    /** The permissions ({@code "rw-p"}, {@code "---p"}, ...) of the mapping at {@code address}, from /proc/self/maps. */
    public static String protectionAt(long address) {
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
    public static final class Recorder implements PoolListener {
        public final List<String> acquires = Collections.synchronizedList(new ArrayList<>());
        public final List<String> resets = Collections.synchronizedList(new ArrayList<>());
        public final List<String> fallbacks = Collections.synchronizedList(new ArrayList<>());

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

        public long count(List<String> events, String prefix) {
            synchronized (events) {
                return events.stream().filter(e -> e.startsWith(prefix)).count();
            }
        }
    }
}
