package io.warmpool.pool;

import io.warmpool.natives.NativeMemory;
import io.warmpool.pagemap.ScanMode;
import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.config.ResetStrategy;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static io.warmpool.pool.TestPools.PAGE;
import static io.warmpool.pool.TestPools.assertReadsImage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Invariant 1 with memory images, by brute force: whatever a tenant wrote, inside its image or
 * beyond it, and however it grew, the next tenant of the slot reads its own image's bytes and zero
 * beyond them, in every accessible byte, for every strategy, scan mode and budget; slots change
 * image at random (several images, of no bytes, one page, unaligned segments, more pages than the
 * keep-resident budget, more than the initial accessible size, and no image at all).
 *
 * <p>It prints its seed; replay a failure with
 * {@code mvn -B -o test -pl pool-allocator -am -Dsurefire.failIfNoSpecifiedTests=false -Dtest=ImageIsolationTest -Dwarmpool.seed=SEED}.
 */
class ImageIsolationTest {
    private static final long MAX_PAGES = 48;
    private static final long[] KEEP_PAGES = {1, 8, 20};
    private static final ScanMode[] SCAN_MODES = {ScanMode.PAGEMAP_SCAN, ScanMode.PAGEMAP_READ, ScanMode.NONE};
    private static final int CYCLES_PER_COMBO = 100;

    @Test
    void everyAccessibleByteOfTheNextTenantReadsItsImageOrZero() {
        long seed = Long.getLong("warmpool.seed", System.nanoTime());
        System.out.println("ImageIsolationTest seed=" + seed + " (replay with -Dwarmpool.seed=" + seed + ")");
        SplittableRandom random = new SplittableRandom(seed);
        int cycles = 0;
        for (ResetStrategy strategy : ResetStrategy.values()) {
            for (ScanMode scanMode : SCAN_MODES) {
                long keep = KEEP_PAGES[random.nextInt(KEEP_PAGES.length)] * PAGE;
                cycles += run(random, strategy, keep, scanMode, seed);
            }
        }
        assertTrue(cycles >= ResetStrategy.values().length * SCAN_MODES.length * CYCLES_PER_COMBO, cycles + " cycles");
    }

    /** The images of one pool: each segment list, its image, and the bytes a slot must read. */
    private static List<List<ImageSegment>> segmentLists(SplittableRandom random) {
        List<List<ImageSegment>> lists = new ArrayList<>();
        lists.add(List.of());                                                           // no bytes
        lists.add(List.of(new ImageSegment(0, bytes(random, (int) PAGE))));              // one page
        lists.add(List.of(new ImageSegment(100, bytes(random, 5000)),                     // unaligned, overlapping
                new ImageSegment(3 * PAGE + 77, bytes(random, 300)), new ImageSegment(4000, bytes(random, 10))));
        lists.add(List.of(new ImageSegment(0, bytes(random, (int) (30 * PAGE)))));        // more than the budget
        lists.add(List.of(new ImageSegment(PAGE + 1, bytes(random, 100)),                  // past most initial sizes
                new ImageSegment(40 * PAGE - 3, bytes(random, 3))));
        return lists;
    }

    private static byte[] bytes(SplittableRandom random, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (random.nextInt(255) + 1);
        }
        return b;
    }

    private int run(SplittableRandom random, ResetStrategy strategy, long keep, ScanMode scanMode, long seed) {
        PoolConfig config = TestPools.memories(4, MAX_PAGES * PAGE, keep)
                .maxUnusedWarmSlots(random.nextInt(4)).decommitBatch(1 + random.nextInt(3))
                .resetStrategy(strategy).scanMode(scanMode).build();
        TestPools.Recorder recorder = new TestPools.Recorder();
        String where = "seed " + seed + ", " + strategy + ", keep " + keep + ", scan " + scanMode;
        List<Instance> live = new ArrayList<>();
        int released = 0;
        try (WarmPool pool = WarmPool.create(config, recorder)) {
            List<MemoryImage> images = new ArrayList<>();
            Map<MemoryImage, byte[]> expected = new IdentityHashMap<>();
            for (List<ImageSegment> segments : segmentLists(random)) {
                MemoryImage image = pool.createImage(segments);
                images.add(image);
                expected.put(image, TestPools.imageBytes(segments));
                assertEquals(expected.get(image).length, image.byteSize());
            }
            images.add(null);
            while (released < CYCLES_PER_COMBO) {
                if (live.isEmpty() || (live.size() < 2 && random.nextBoolean())) {
                    live.add(acquireAndDirty(pool, random, images, expected, where + ", cycle " + released));
                } else {
                    live.remove(random.nextInt(live.size())).close();
                    released++;
                }
            }
            live.forEach(Instance::close);
            assertEquals(List.of(), recorder.fallbacks.stream().filter(f -> !f.contains("no_scanner")).toList(), where);
        }
        return released;
    }

    private static Instance acquireAndDirty(WarmPool pool, SplittableRandom random, List<MemoryImage> images,
                                            Map<MemoryImage, byte[]> expected, String where) {
        InstanceRequest.Builder request = InstanceRequest.builder();
        if (random.nextBoolean()) {
            request.affinityKey(random.nextBoolean() ? "module-a" : "module-b");
        }
        int memories = 1 + random.nextInt(2);
        for (int m = 0; m < memories; m++) {
            long initial = random.nextInt(5) == 0 ? 0 : (1 + random.nextLong(MAX_PAGES)) * PAGE - random.nextInt(2);
            request.memory(initial, images.get(random.nextInt(images.size())));
        }
        Instance instance = pool.acquire(request.build());
        for (MemorySlot memory : instance.memories()) {
            byte[] image = memory.image().map(expected::get).orElse(new byte[0]);
            assertReadsImage(memory, image, where + ", on acquire");
            if (random.nextInt(3) == 0 && memory.accessibleBytes() < MAX_PAGES * PAGE) {
                long room = MAX_PAGES * PAGE - memory.accessibleBytes();
                memory.grow(PAGE * (1 + random.nextLong(room / PAGE)));
                assertReadsImage(memory, image, where + ", after grow");
            }
            dirty(memory, random, image.length);
        }
        return instance;
    }

    /** Writes inside the image, beyond it, on every page, or nothing. */
    private static void dirty(MemorySlot slot, SplittableRandom random, long imageBytes) {
        long base = slot.address();
        long bytes = slot.accessibleBytes();
        if (bytes == 0) {
            return;
        }
        byte value = (byte) random.nextInt(256);
        switch (random.nextInt(5)) {
            case 0 -> NativeMemory.putByte(base + random.nextLong(Math.max(1, Math.min(bytes, imageBytes))), value);
            case 1 -> NativeMemory.putByte(base + Math.min(bytes - 1, imageBytes + random.nextLong(bytes)), value);
            case 2 -> {
                for (long page = 0; page < bytes; page += PAGE) {
                    NativeMemory.putLong(base + page + 8 * random.nextInt((int) (PAGE / 8)), random.nextLong());
                }
            }
            case 3 -> {
                for (int i = random.nextInt(12); i >= 0; i--) {
                    NativeMemory.putByte(base + random.nextLong(bytes), value);
                }
            }
            default -> {
            }
        }
    }
}
