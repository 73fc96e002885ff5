package io.warmpool.wasm.memory;

import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.ActiveDataSegment;
import com.dylibso.chicory.wasm.types.DataSegment;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import io.warmpool.pool.ImageSegment;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalLong;

/**
 * A module's memory image: the bytes its active data segments put into its memory at instantiation,
 * known before any instance exists when each segment's offset is a constant. A pool turns them into a
 * {@link io.warmpool.pool.MemoryImage} that slots map copy-on-write, so that instantiation writes
 * nothing ({@link PooledMemory#on(io.warmpool.pool.MemorySlot, MemoryLimits, boolean)}).
 */
public final class DataImage {
    private DataImage() {
    }

    /**
     * The image segments of {@code module}, in order (later ones over earlier ones, as instantiation
     * writes them): every active data segment, when the module defines its memory, each offset is a
     * constant and each segment lies inside the initial memory. Empty when one of those fails (the
     * segments are then written at each instantiation, which also traps as the spec says) or when
     * there are no active segments.
     */
    public static List<ImageSegment> of(WasmModule module) {
        MemoryLimits limits = module.memorySection().filter(s -> s.memoryCount() > 0)
                .map(s -> s.getMemory(0).limits()).orElse(null);
        if (limits == null) {
            return List.of();
        }
        long initialBytes = (long) limits.initialPages() * Memory.PAGE_SIZE;
        List<ImageSegment> out = new ArrayList<>();
        for (DataSegment segment : module.dataSection().dataSegments()) {
            if (!(segment instanceof ActiveDataSegment)) {
                continue;
            }
            ActiveDataSegment active = (ActiveDataSegment) segment;
            OptionalLong offset;
            try {
                offset = ConstantOffset.ofModule(active.offsetInstructions());
            } catch (ChicoryException e) {
                return List.of();
            }
            if (offset.isEmpty() || active.index() != 0 || offset.getAsLong() + active.data().length > initialBytes) {
                return List.of();
            }
            out.add(new ImageSegment(offset.getAsLong(), active.data()));
        }
        return Collections.unmodifiableList(out);
    }
}
