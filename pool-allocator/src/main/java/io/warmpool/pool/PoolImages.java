package io.warmpool.pool;

import io.warmpool.natives.Syscalls;
import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.config.PoolSetting;
import io.warmpool.pool.image.ImageFile;

import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The memory images a {@link WarmPool} made and has not seen freed: made inside its gate, so that a
 * close waits for one being made, and closed with the pool, after its slabs (no slot maps one then).
 */
final class PoolImages {
    private final PoolConfig config;
    private final Syscalls os;
    private final PoolGate gate;
    private final Set<MemoryImage> images = ConcurrentHashMap.newKeySet();

    PoolImages(PoolConfig config, Syscalls os, PoolGate gate) {
        this.config = config;
        this.os = os;
        this.gate = gate;
    }

    /** {@link WarmPool#createImage}: checked, then made inside the gate. */
    MemoryImage create(List<ImageSegment> segments) {
        Objects.requireNonNull(segments, "segments");
        gate.checkOpen(); // refused before any work; enter() below holds close() off while the memfd is made
        long end = 0;
        long[] offsets = new long[segments.size()];
        byte[][] bytes = new byte[segments.size()][];
        for (int i = 0; i < offsets.length; i++) {
            ImageSegment segment = Objects.requireNonNull(segments.get(i), "segment " + i);
            offsets[i] = segment.offset();
            bytes[i] = segment.bytesUnshared();
            if (segment.length() > 0) {
                end = Math.max(end, segment.end());
            }
        }
        long max = config.memories().slotBytes();
        if (end > max) {
            throw new IllegalArgumentException("a memory image of " + end + " bytes does not fit a memory slot of "
                    + max + " bytes (" + PoolSetting.MEMORY_MAX.key() + ")");
        }
        int cell = gate.enter(); // close() waits for it, and then closes the image with the others
        try {
            MemoryImage image = new MemoryImage(ImageFile.create(os, PoolConfig.roundUp(end, config.pageSize()), offsets, bytes));
            images.add(image);
            return image;
        } finally {
            gate.exit(cell);
        }
    }

    /** The images that are alive: open, or closed and still mapped by a slot; the others are forgotten. */
    int alive() {
        int alive = 0;
        for (Iterator<MemoryImage> it = images.iterator(); it.hasNext(); ) {
            if (it.next().file().isAlive()) {
                alive++;
            } else {
                it.remove();
            }
        }
        return alive;
    }

    /** Closes every image, once the slabs are closed. */
    void closeAll() {
        for (MemoryImage image : images) {
            image.close();
        }
        images.clear();
    }
}
