package io.warmpool.bench;

import io.warmpool.natives.NativeMemory;
import io.warmpool.pool.ImageSegment;
import io.warmpool.pool.Instance;
import io.warmpool.pool.InstanceRequest;
import io.warmpool.pool.MemoryImage;
import io.warmpool.pool.WarmPool;
import io.warmpool.pool.config.PoolConfig;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.LongFunction;

/**
 * The contenders of {@code warmpool bench --image-bytes SIZE}: a tenant whose memory starts from a
 * module's initial bytes (a memory image of SIZE bytes, random, from the seed), four ways.
 *
 * <pre>
 *  image                 the pool with the image: the same module every cycle, so the slot already
 *                        maps it (no system call); the reset restores the written image pages
 *  image-copy            the pool without an image: each acquire copies the image into the slot
 *                        (what a host does without images); the reset zeroes what the copy wrote
 *  allocate-direct-copy  ByteBuffer.allocateDirect of the slot's size + the copy, freed at release
 *  image-change          the pool with two images of the size, alternating: every acquire remaps
 *                        the slot (no affinity), and the tenant's writes fault the image in
 * </pre>
 *
 * <p>Resident memory ({@code pss}), a phase of its own after the cycles: from a baseline of the
 * process's {@code Pss} ({@code /proc/self/smaps_rollup}), a fresh pool of 64 slots (for
 * allocate-direct-copy: 64 buffers) takes 64 instances at once, each gets the image and the
 * cycle's writes, and all are released: 64 idle warm slots (allocate-direct-copy has no idle
 * state: its 64 buffers are made, written and freed one after another). {@code pss} is the growth of {@code Pss}
 * plus the image's own bytes once (the image's memfd is page cache that {@code Pss} counts only
 * where it is mapped; the copying contenders' source copy likewise), so that neither side hides
 * memory the other pays for. image-change measures no {@code pss} (its slots hold two images).
 */
public final class ImageContenders {
    /** Idle instances the {@code pss} phase makes. */
    static final int IDLE_SLOTS = 64;

    private ImageContenders() {
    }

    private static final Map<String, LongFunction<Contender>> ALL = new LinkedHashMap<>();

    static {
        ALL.put("image", bytes -> new PoolImage(bytes, false));
        ALL.put("image-copy", CopyIntoSlot::new);
        ALL.put("allocate-direct-copy", DirectCopy::new);
        ALL.put("image-change", bytes -> new PoolImage(bytes, true));
    }

    /** Every name, in table order. */
    public static List<String> names() {
        return List.copyOf(ALL.keySet());
    }

    /**
     * The image contenders named ({@code "all"}: every one), for an image of {@code imageBytes}.
     *
     * @throws IllegalArgumentException naming an unknown name and the known ones
     */
    public static List<Contender> named(List<String> names, long imageBytes) {
        List<Contender> out = new ArrayList<>();
        for (Map.Entry<String, LongFunction<Contender>> e : ALL.entrySet()) {
            if (names.stream().anyMatch(n -> n.trim().equals("all") || n.trim().equals(e.getKey()))) {
                out.add(e.getValue().apply(imageBytes));
            }
        }
        for (String n : names) {
            if (!n.trim().equals("all") && !ALL.containsKey(n.trim())) {
                throw new IllegalArgumentException("unknown image contender '" + n.trim() + "'; expected all or some of "
                        + String.join(", ", ALL.keySet()));
            }
        }
        return out;
    }

    /** The image's bytes: random, never zero, from the seed. */
    static byte[] imageBytes(long size, long seed) {
        byte[] bytes = new byte[Math.toIntExact(size)];
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (1 + random.nextInt(255));
        }
        return bytes;
    }

    /** Why a workload cannot start from an image of {@code imageBytes}, or empty when it can. */
    static Optional<String> imageUnsupported(long imageBytes, Workload workload) {
        if (imageBytes > workload.maxBytes()) {
            return Optional.of("the image (" + imageBytes + " bytes) does not fit max-bytes");
        }
        if (imageBytes > Integer.MAX_VALUE - 8) {
            return Optional.of("the bench makes images of less than 2 GiB");
        }
        return Optional.empty();
    }

    /** One cycle's writes into {@code memory}, as the measured cycle makes them. */
    static void write(ByteBuffer memory, PageChooser chooser, Workload workload, long pageSize) {
        int pages = chooser.next(workload.dirtyPages());
        for (int p = 0; p < pages; p++) {
            memory.putLong((int) (chooser.page(p) * pageSize), 0x5A5A5A5A5A5A5A5BL);
        }
    }

    /**
     * What the pooled image contenders share: the pool of one slot, and the {@code pss} phase on a
     * fresh pool of {@link #IDLE_SLOTS}, each instance {@link #prepare prepared} as a cycle's is.
     */
    private abstract static class PooledImageContender extends PooledContender {
        final long imageBytes;

        PooledImageContender(long imageBytes) {
            this.imageBytes = imageBytes;
        }

        @Override
        public Optional<String> unsupported(Workload workload) {
            return imageUnsupported(imageBytes, workload);
        }

        @Override
        PoolConfig config(Workload workload) {
            return config(workload, 1);
        }

        PoolConfig config(Workload workload, int slots) {
            return PoolConfig.builder().memories(slots).memoryMax(workload.maxBytes())
                    .memoryKeepResident(workload.keepResidentBytes()).maxUnusedWarmSlots(slots).tables(0).stacks(0)
                    .build();
        }

        /** What a fresh instance gets before the tenant writes (the image copied in, say); nothing here. */
        void prepare(Instance instance) {
        }

        /**
         * The {@code pss} phase: the first of the requests of a fresh pool of {@link #IDLE_SLOTS} slots,
         * taken that many times at once, each prepared and written, then all released; the growth of
         * Pss plus the image's own bytes once (its memfd where the request has one, else the source
         * copy's).
         */
        @Override
        protected long idlePss(Workload workload, PageChooser chooser) {
            long before = ProcessMemory.pssBytes();
            try (WarmPool idle = WarmPool.create(config(workload, IDLE_SLOTS))) {
                InstanceRequest request = requests(idle, workload).get(0);
                List<Instance> held = new ArrayList<>();
                for (int i = 0; i < IDLE_SLOTS; i++) {
                    Instance in = idle.acquire(request);
                    held.add(in);
                    prepare(in);
                    write(in.memory(0).buffer(0, (int) workload.spreadBytes()), chooser, workload, pageSize);
                }
                held.forEach(Instance::close);
                idle.flushDecommits();
                MemoryImage image = request.memoryImage(0);
                return ProcessMemory.pssGrowthSince(before) + (image != null ? image.byteSize() : imageBytes);
            }
        }
    }

    /** The pool with the image; or, {@code changing}, with two images taken in turn. */
    private static final class PoolImage extends PooledImageContender {
        private final boolean changing;

        PoolImage(long imageBytes, boolean changing) {
            super(imageBytes);
            this.changing = changing;
        }

        @Override
        public String name() {
            return changing ? "image-change" : "image";
        }

        @Override
        List<InstanceRequest> requests(WarmPool pool, Workload workload) {
            List<InstanceRequest> requests = new ArrayList<>();
            for (int i = 0; i < (changing ? 2 : 1); i++) {
                MemoryImage image = pool.createImage(List.of(new ImageSegment(0, imageBytes(imageBytes, 17 + i))));
                requests.add(InstanceRequest.builder().memory(workload.slotBytes(), image).build());
            }
            return requests;
        }

        @Override
        String residentHow() {
            return "PAGEMAP_SCAN of the slab (the image's page cache, shared, not counted)";
        }

        @Override
        protected long idlePss(Workload workload, PageChooser chooser) {
            return changing ? -1 : super.idlePss(workload, chooser);
        }
    }

    /** The pool without an image: each acquire copies the image into the slot. */
    private static final class CopyIntoSlot extends PooledImageContender {
        private long source;

        CopyIntoSlot(long imageBytes) {
            super(imageBytes);
        }

        @Override
        public String name() {
            return "image-copy";
        }

        @Override
        protected void setUp(Workload workload) {
            super.setUp(workload);
            source = nativeImage(imageBytes);
        }

        @Override
        List<InstanceRequest> requests(WarmPool pool, Workload workload) {
            return List.of(InstanceRequest.memory("bench", workload.slotBytes()));
        }

        @Override
        protected ByteBuffer acquire(Workload workload) {
            ByteBuffer spread = super.acquire(workload);
            prepare(instance());
            return spread;
        }

        @Override
        void prepare(Instance instance) {
            NativeMemory.copy(source, instance.memory(0).address(), imageBytes);
        }

        @Override
        protected void tearDown() {
            super.tearDown();
            if (source != 0) {
                NativeMemory.free(source);
                source = 0;
            }
        }
    }

    /** The image's bytes in native memory, where a host would keep them to copy from. */
    static long nativeImage(long imageBytes) {
        byte[] bytes = imageBytes(imageBytes, 17);
        long address = NativeMemory.allocate(Math.max(1, imageBytes));
        NativeMemory.view(address, bytes.length).put(bytes);
        return address;
    }

    /** {@code allocateDirect} of the slot's size, the image copied in; freed at release. */
    private static final class DirectCopy extends InProcessContender {
        private final long imageBytes;
        private ByteBuffer buffer;
        private long source;

        DirectCopy(long imageBytes) {
            this.imageBytes = imageBytes;
        }

        @Override
        public String name() {
            return "allocate-direct-copy";
        }

        @Override
        public Optional<String> unsupported(Workload workload) {
            return DirectBufferContender.directUnsupported(workload).or(() -> imageUnsupported(imageBytes, workload));
        }

        @Override
        protected void setUp(Workload workload) {
            source = nativeImage(imageBytes);
        }

        @Override
        protected ByteBuffer acquire(Workload workload) {
            buffer = ByteBuffer.allocateDirect((int) workload.slotBytes());
            NativeMemory.copy(source, NativeMemory.addressOf(buffer), imageBytes);
            return buffer;
        }

        @Override
        protected void release() {
            free(buffer);
            buffer = null;
        }

        private static void free(ByteBuffer direct) {
            DirectBufferContender.free(direct);
        }

        @Override
        protected Resident resident() {
            return new Resident(0, "freed at release");
        }

        @Override
        protected long idlePss(Workload workload, PageChooser chooser) {
            // an idle instance of this contender is a freed buffer: what malloc keeps of 64 of them
            long before = ProcessMemory.pssBytes();
            for (int i = 0; i < IDLE_SLOTS; i++) {
                ByteBuffer b = ByteBuffer.allocateDirect((int) workload.slotBytes());
                NativeMemory.copy(source, NativeMemory.addressOf(b), imageBytes);
                write(b, chooser, workload, pageSize);
                free(b);
            }
            return ProcessMemory.pssGrowthSince(before) + imageBytes;
        }

        @Override
        protected void tearDown() {
            if (buffer != null) {
                release();
            }
            if (source != 0) {
                NativeMemory.free(source);
                source = 0;
            }
        }
    }
}
