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

    /**
     * Fails naming the slot and the offset when an accessible byte of {@code slot} differs from
     * {@code image} (the image's bytes, page-rounded) inside it, or is not zero beyond it.
     */
    public static void assertReadsImage(MemorySlot slot, byte[] image, String context) {
        long bytes = slot.accessibleBytes();
        int inImage = (int) Math.min(bytes, image.length);
        if (inImage > 0) {
            byte[] read = new byte[inImage];
            NativeMemory.view(slot.address(), inImage).get(read);
            int at = java.util.Arrays.mismatch(read, 0, inImage, image, 0, inImage);
            assertEquals(-1, at, () -> context + ": " + slot + " reads " + read[at] + " at offset " + at
                    + " of its image, which holds " + image[at]);
        }
        long first = NativeMemory.firstNonZero(slot.address() + inImage, bytes - inImage);
        assertEquals(-1, first, () -> context + ": " + slot + " has byte " + (inImage + first) + " (of " + bytes
                + ", the image has " + image.length + ") = " + NativeMemory.getByte(slot.address() + inImage + first));
    }

    /** The bytes of an image made of {@code segments}, page-rounded, as a slot must read them. */
    public static byte[] imageBytes(List<ImageSegment> segments) {
        long end = 0;
        for (ImageSegment segment : segments) {
            if (segment.length() > 0) {
                end = Math.max(end, segment.end());
            }
        }
        byte[] out = new byte[(int) ((end + PAGE - 1) / PAGE * PAGE)];
        for (ImageSegment segment : segments) {
            System.arraycopy(segment.bytes(), 0, out, (int) segment.offset(), segment.length());
        }
        return out;
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
