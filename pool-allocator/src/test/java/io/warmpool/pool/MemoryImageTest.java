package io.warmpool.pool;

import io.warmpool.natives.Call;
import io.warmpool.natives.Errno;
import io.warmpool.natives.NativeCallException;
import io.warmpool.natives.NativeMemory;
import io.warmpool.natives.Syscalls;
import io.warmpool.natives.testing.FaultInjectingSyscalls;
import io.warmpool.pagemap.ScanMode;
import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.config.ResetStrategy;
import io.warmpool.pool.config.SlotKind;
import io.warmpool.pool.event.PoolListener;
import io.warmpool.pool.event.ResetRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;

import static io.warmpool.pool.TestPools.PAGE;
import static io.warmpool.pool.TestPools.assertReadsImage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Memory images on the real kernel: mapping, hits, changes, the scan's view, closing, failures. */
class MemoryImageTest {
    private static final long MAX = 32 * PAGE;

    /** Records the image events and each reset's figures. */
    static final class ImageEvents implements PoolListener {
        final List<Boolean> hits = Collections.synchronizedList(new ArrayList<>());
        final List<long[]> remaps = Collections.synchronizedList(new ArrayList<>());
        final List<long[]> resets = Collections.synchronizedList(new ArrayList<>());
        final List<String> fallbacks = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void imageAcquired(boolean hit) {
            hits.add(hit);
        }

        @Override
        public void imageRemapped(long unmappedBytes, long mappedBytes) {
            remaps.add(new long[] {unmappedBytes, mappedBytes});
        }

        @Override
        public void reset(ResetRecord r) {
            resets.add(new long[] {r.dirtyPages(), r.restoredBytes(), r.imageDecommittedBytes(), r.zeroedBytes()});
        }

        @Override
        public void fallback(SlotKind kind, io.warmpool.pool.event.Fallback reason, String detail) {
            fallbacks.add(reason.label() + ": " + detail);
        }
    }

    private static byte[] pattern(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + seed | 1);
        }
        return b;
    }

    private static InstanceRequest request(long bytes, MemoryImage image) {
        return InstanceRequest.builder().memory(bytes, image).build();
    }

    @Test
    void anImageHitMapsNothingAndItsSlotReadsTheImageAgainAfterATenantWroteIt() {
        FaultInjectingSyscalls os = new FaultInjectingSyscalls(Syscalls.linux());
        ImageEvents events = new ImageEvents();
        PoolConfig config = TestPools.memories(2, MAX, 4 * PAGE).resetStrategy(ResetStrategy.PAGEMAP_GUIDED).build();
        try (WarmPool pool = WarmPool.create(config, events, os)) {
            List<ImageSegment> segments = List.of(new ImageSegment(10, pattern(3 * (int) PAGE, 7)));
            byte[] expected = TestPools.imageBytes(segments);
            MemoryImage image = pool.createImage(segments);
            assertEquals(4 * PAGE, image.byteSize());
            int slot;
            try (Instance first = pool.acquire(request(8 * PAGE, image))) {
                slot = first.memory(0).index();
                assertReadsImage(first.memory(0), expected, "first tenant");
                assertEquals(image, first.memory(0).image().orElseThrow());
                assertEquals(image, first.affinityKey(), "an image without a key is the key");
                first.memory(0).buffer().put(0, (byte) 0).put((int) (5 * PAGE), (byte) 9);
            }
            long mmaps = os.invocations(Call.MMAP);
            long mprotects = os.invocations(Call.MPROTECT);
            long madvises = os.invocations(Call.MADVISE);
            try (Instance second = pool.acquire(request(8 * PAGE, image))) {
                assertEquals(slot, second.memory(0).index());
                assertReadsImage(second.memory(0), expected, "second tenant");
            }
            assertEquals(0, os.invocations(Call.MMAP) - mmaps, "an image hit maps nothing");
            assertEquals(0, os.invocations(Call.MPROTECT) - mprotects, "nor protects");
            assertEquals(List.of(false, true), events.hits);
            assertEquals(1, events.remaps.size());
            assertEquals(0, os.invocations(Call.MADVISE) - madvises, "the second reset decommitted nothing: all in budget");
        }
    }

    @Test
    void anAcquirePrefersASlotMappingItsImageThenAWarmSlotOfItsKeyThenAnyFreeSlot() {
        ImageEvents events = new ImageEvents();
        try (WarmPool pool = WarmPool.create(TestPools.memories(3, MAX, 4 * PAGE).maxUnusedWarmSlots(3).build(), events)) {
            MemoryImage a = pool.createImage(List.of(new ImageSegment(0, pattern(100, 1))));
            MemoryImage b = pool.createImage(List.of(new ImageSegment(0, pattern(100, 2))));
            int slotOfA;
            int slotOfK;
            try (Instance withA = pool.acquire(InstanceRequest.builder().affinityKey("k").memory(PAGE, a).build());
                 Instance plainK = pool.acquire(InstanceRequest.builder().affinityKey("k").memory(PAGE).build())) {
                slotOfA = withA.memory(0).index();
                slotOfK = plainK.memory(0).index();
                assertEquals("k", withA.affinityKey(), "an explicit key stays the key");
            }
            try (Instance otherKeyA = pool.acquire(InstanceRequest.builder().affinityKey("other").memory(PAGE, a).build());
                 Instance kWithB = pool.acquire(InstanceRequest.builder().affinityKey("k").memory(PAGE, b).build());
                 Instance anyB = pool.acquire(InstanceRequest.builder().memory(PAGE, b).build())) {
                assertEquals(slotOfA, otherKeyA.memory(0).index(), "first: the free slot that maps the image, whatever the key");
                assertEquals(slotOfK, kWithB.memory(0).index(), "then: the warm slot of the key");
                assertTrue(anyB.memory(0).index() != slotOfA && anyB.memory(0).index() != slotOfK, "then any free slot");
                assertReadsImage(kWithB.memory(0), TestPools.imageBytes(List.of(new ImageSegment(0, pattern(100, 2)))), "b");
            }
            assertEquals(List.of(false, true, false, false), events.hits);
        }
    }

    @ParameterizedTest
    @EnumSource(value = ScanMode.class, names = {"PAGEMAP_SCAN", "PAGEMAP_READ"})
    void untouchedImagePagesAreFilePagesTheScanSkipsAndRestoredPagesStayPrivate(ScanMode mode) {
        ImageEvents events = new ImageEvents();
        PoolConfig config = TestPools.memories(1, MAX, 16 * PAGE).resetStrategy(ResetStrategy.PAGEMAP_GUIDED)
                .scanMode(mode).build();
        try (WarmPool pool = WarmPool.create(config, events)) {
            MemoryImage image = pool.createImage(List.of(new ImageSegment(0, pattern(8 * (int) PAGE, 3))));
            byte[] expected = pattern(8 * (int) PAGE, 3);
            try (Instance reader = pool.acquire(request(12 * PAGE, image))) {
                long sum = 0;
                for (long p = 0; p < 8 * PAGE; p += PAGE) {
                    sum += NativeMemory.getByte(reader.memory(0).address() + p); // read every image page, write none
                }
                assertTrue(sum != 0);
            }
            assertEquals(0, events.resets.get(0)[0], "image pages only read are file pages: not dirty");
            try (Instance writer = pool.acquire(request(12 * PAGE, image))) {
                long base = writer.memory(0).address();
                for (long p : new long[] {0, 2, 7, 8, 11}) {    // three image pages, two beyond
                    NativeMemory.putByte(base + p * PAGE + 5, (byte) 0x55);
                }
            }
            long[] written = events.resets.get(1);
            assertEquals(5, written[0], "the written pages, image and anonymous ones");
            assertEquals(3 * PAGE, written[1], "image pages restored by copy");
            assertEquals(5 * PAGE, written[3], "restored and zeroed, in place");
            try (Instance next = pool.acquire(request(12 * PAGE, image))) {
                assertReadsImage(next.memory(0), expected, mode + ": after the restore");
            }
            // pread of pagemap cannot tell the zero page: pages 9 and 10, only read by the check, count there
            long zeroPageReads = mode == ScanMode.PAGEMAP_READ ? 2 : 0;
            assertEquals(5 + zeroPageReads, events.resets.get(2)[0],
                    "a restored page is private: the next scan sees it, like a zeroed one");
        }
    }

    @Test
    void aSlotThatChangesImageReadsTheNewOneThenZeroAndKeepsItsAdviceAndGuards() throws IOException {
        ImageEvents events = new ImageEvents();
        PoolConfig config = TestPools.memories(1, MAX, 4 * PAGE).build();
        try (WarmPool pool = WarmPool.create(config, events)) {
            MemoryImage large = pool.createImage(List.of(new ImageSegment(0, pattern(20 * (int) PAGE, 1))));
            MemoryImage small = pool.createImage(List.of(new ImageSegment(PAGE + 3, pattern(100, 2))));
            byte[] smallBytes = TestPools.imageBytes(List.of(new ImageSegment(PAGE + 3, pattern(100, 2))));
            long base;
            try (Instance a = pool.acquire(request(24 * PAGE, large))) {
                base = a.memory(0).address();
                assertReadsImage(a.memory(0), pattern(20 * (int) PAGE, 1), "large");
            }
            try (Instance b = pool.acquire(request(24 * PAGE, small))) {
                assertEquals(base, b.memory(0).address(), "the one slot changed image");
                assertReadsImage(b.memory(0), smallBytes, "small over large");
                b.memory(0).grow(8 * PAGE);
                assertReadsImage(b.memory(0), smallBytes, "grown");
            }
            try (Instance none = pool.acquire(request(32 * PAGE, null))) {
                TestPools.assertReadsZero(none.memory(0), "no image over an image");
            }
            assertEquals(List.of(false, false), events.hits);
            assertEquals(List.of("0:81920", "81920:8192", "8192:0"),
                    events.remaps.stream().map(r -> r[0] + ":" + r[1]).toList());
            try (Instance c = pool.acquire(request(2 * PAGE, large))) {
                assertEquals("rw-p", TestPools.protectionAt(base));
                assertEquals("---p", TestPools.protectionAt(base + 2 * PAGE), "an image above the accessible size is PROT_NONE");
                assertEquals("---p", TestPools.protectionAt(base + MAX), "the guard");
                for (long at : new long[] {base, base + 19 * PAGE, base + 21 * PAGE}) {
                    assertTrue(vmFlags(at).contains(" nh"), "MADV_NOHUGEPAGE at +" + (at - base) + ": " + vmFlags(at));
                }
                assertTrue(vmFlags(base + 21 * PAGE).contains(" wf"), "the anonymous rest wipes on fork");
            }
        }
    }

    /** The VmFlags line of the mapping that holds {@code address}, from /proc/self/smaps. */
    static String vmFlags(long address) throws IOException {
        List<String> lines = Files.readAllLines(Path.of("/proc/self/smaps"));
        boolean inside = false;
        for (String line : lines) {
            int dash = line.indexOf('-');
            int space = line.indexOf(' ');
            if (dash > 0 && space > dash && line.substring(0, dash).matches("[0-9a-f]+")) {
                long start = Long.parseUnsignedLong(line.substring(0, dash), 16);
                long end = Long.parseUnsignedLong(line.substring(dash + 1, space), 16);
                inside = address >= start && address < end;
            } else if (inside && line.startsWith("VmFlags:")) {
                return line;
            }
        }
        throw new AssertionError("no mapping at 0x" + Long.toHexString(address));
    }

    @Test
    void aClosedImageIsRefusedToNewRequestsAndLivesWhileASlotMapsIt() {
        PoolConfig config = TestPools.memories(1, MAX, 4 * PAGE).build();
        try (WarmPool pool = WarmPool.create(config)) {
            byte[] bytes = pattern(2 * (int) PAGE, 5);
            MemoryImage image = pool.createImage(List.of(new ImageSegment(0, bytes)));
            try (Instance held = pool.acquire(request(4 * PAGE, image))) {
                image.close();
                assertTrue(image.isClosed());
                assertEquals(1, pool.imagesAlive(), "mapped by a held slot");
                assertReadsImage(held.memory(0), bytes, "closed while held");
                NativeMemory.putByte(held.memory(0).address(), (byte) 0);
            }
            assertEquals(1, pool.imagesAlive(), "still mapped by the free slot");
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                    () -> pool.acquire(request(4 * PAGE, image)));
            assertTrue(refused.getMessage().contains("closed memory image"), refused.getMessage());
            try (Instance other = pool.acquire(request(4 * PAGE, null))) {
                TestPools.assertReadsZero(other.memory(0), "the slot left the closed image");
            }
            assertEquals(0, pool.imagesAlive(), "its memfd went with the last slot that mapped it");
            MemoryImage open = pool.createImage(List.of(new ImageSegment(0, bytes)));
            assertEquals(1, pool.imagesAlive());
            pool.close();
            assertTrue(open.isClosed(), "closed with the pool");
        }
    }

    @Test
    void anImageLargerThanAMemorySlotIsRefusedClearly() {
        try (WarmPool pool = WarmPool.create(TestPools.memories(1, MAX, 0).build())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> pool.createImage(List.of(new ImageSegment(MAX, new byte[1]))));
            assertTrue(e.getMessage().contains("does not fit") && e.getMessage().contains("pool.memory-max"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> new ImageSegment(-1, new byte[1]));
            MemoryImage empty = pool.createImage(List.of());
            assertEquals(0, empty.byteSize());
            try (Instance i = pool.acquire(request(PAGE, empty))) {
                TestPools.assertReadsZero(i.memory(0), "an empty image reads zero");
            }
        }
    }

    private static long openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    @Test
    void imageCreationFailuresNameTheCallAndLeaveNoDescriptorOpen() throws IOException {
        FaultInjectingSyscalls os = new FaultInjectingSyscalls(Syscalls.linux());
        try (WarmPool pool = WarmPool.create(TestPools.memories(1, MAX, 0).build(), PoolListener.NONE, os)) {
            List<ImageSegment> segments = List.of(new ImageSegment(0, new byte[] {1, 2, 3}));
            long before = openDescriptors();
            os.failNth(Call.MEMFD_CREATE, 1, Errno.EMFILE);
            NativeCallException memfd = assertThrows(NativeCallException.class, () -> pool.createImage(segments));
            assertTrue(memfd.getMessage().startsWith("memfd_create(") && memfd.is(Errno.EMFILE), memfd.getMessage());
            os.failNth(Call.FCNTL_ADD_SEALS, 1, Errno.EBUSY);
            NativeCallException seal = assertThrows(NativeCallException.class, () -> pool.createImage(segments));
            assertTrue(seal.getMessage().contains("F_ADD_SEALS") && seal.is(Errno.EBUSY), seal.getMessage());
            os.failNth(Call.MMAP, 1, Errno.ENOMEM);
            NativeCallException map = assertThrows(NativeCallException.class, () -> pool.createImage(segments));
            assertTrue(map.getMessage().startsWith("mmap(") && map.getMessage().contains("length=0x1000"), map.getMessage());
            assertEquals(before, openDescriptors(), "every memfd of a failed image is closed");
            assertEquals(0, pool.imagesAlive());
        }
    }

    @Test
    void aFailedImageMappingRemapsTheSlotAndTheAcquireTakesAnother() {
        FaultInjectingSyscalls os = new FaultInjectingSyscalls(Syscalls.linux());
        ImageEvents events = new ImageEvents();
        try (WarmPool pool = WarmPool.create(TestPools.memories(2, MAX, 4 * PAGE).build(), events, os)) {
            byte[] bytes = pattern(3 * (int) PAGE, 9);
            MemoryImage image = pool.createImage(List.of(new ImageSegment(0, bytes)));
            os.failNth(Call.MMAP, 1, Errno.ENOMEM);
            try (Instance instance = pool.acquire(request(4 * PAGE, image))) {
                assertReadsImage(instance.memory(0), bytes, "after a failed mapping");
            }
            assertEquals(1, events.fallbacks.size(), events.fallbacks.toString());
            assertTrue(events.fallbacks.get(0).startsWith("remapped: ") && events.fallbacks.get(0).contains("mmap("),
                    events.fallbacks.get(0));
            os.failNth(Call.MADVISE, 1, Errno.EINVAL); // the image's MADV_NOHUGEPAGE, on the other slot
            try (Instance a = pool.acquire(request(4 * PAGE, image)); Instance b = pool.acquire(request(4 * PAGE, image))) {
                assertReadsImage(a.memory(0), bytes, "a");
                assertReadsImage(b.memory(0), bytes, "b");
            }
            assertEquals(2, pool.snapshot().kind(SlotKind.MEMORY).capacity());
        }
    }

    @Test
    void anImageThatCannotBeMappedAnywhereIsAClearErrorAndNoSlotIsHandedOutHalfMapped() {
        FaultInjectingSyscalls os = new FaultInjectingSyscalls(Syscalls.linux());
        ImageEvents events = new ImageEvents();
        try (WarmPool pool = WarmPool.create(TestPools.memories(2, MAX, 4 * PAGE).build(), events, os)) {
            MemoryImage image = pool.createImage(List.of(new ImageSegment(0, pattern(2 * (int) PAGE, 4))));
            os.failAlways(Call.MMAP, Errno.ENOMEM);
            NativeCallException e = assertThrows(NativeCallException.class, () -> pool.acquire(request(4 * PAGE, image)));
            assertTrue(e.getMessage().startsWith("mmap(address=0x") && e.getMessage().contains("ENOMEM"), e.getMessage());
            os.clear();
            assertEquals(2, pool.snapshot().kind(SlotKind.MEMORY).quarantined(), "their fresh mappings failed too");
            assertThrows(PoolExhaustedException.class, () -> pool.acquire(request(4 * PAGE, image)));
            assertFalse(events.fallbacks.isEmpty());
        }
    }
}
