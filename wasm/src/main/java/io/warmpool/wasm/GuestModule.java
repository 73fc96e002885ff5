package io.warmpool.wasm;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import io.warmpool.pool.ImageSegment;
import io.warmpool.pool.InstanceRequest;
import io.warmpool.pool.MemoryImage;
import io.warmpool.pool.MemorySlot;
import io.warmpool.pool.WarmPool;
import io.warmpool.wasm.memory.AccessGate;
import io.warmpool.wasm.memory.DataImage;
import io.warmpool.wasm.memory.PooledMemory;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * A module loaded once by a {@link WasmHost}; every {@link #call} or {@link #withInstance} runs one
 * fresh instance of it on a pooled memory slot:
 * <pre>
 *  acquire (affinity key: this module, so its last slots come back warm; its memory image mapped)
 *    → instantiate with the slot as linear memory (data segments: already there, through the image)
 *    → call the export(s)
 *    → detach the memory, release the slot (the pool's reset restores it)
 * </pre>
 * Thread-safe: calls on many threads each get their own instance. An instance is never reachable after
 * its release: its memory throws {@link IllegalStateException} from then on, and the release waits
 * for calls still running on it ({@link GuestInstance}).
 */
public final class GuestModule implements AutoCloseable {
    private final WasmHost host;
    private final WasmModule module;
    private final ImportValues imports;
    private final Function<Instance, Machine> machine;
    /** The memory the module defines, or null when it defines none (it may import one). */
    private final MemoryLimits memoryLimits;
    /** The pool request of one instance; null for Chicory's own memory or a module without memory. */
    private final InstanceRequest request;
    private final long initialBytes;
    private final int imageSegments;
    /** The pool's image of the module's data segments, or null (no pool, images off, no constant segments). */
    private final MemoryImage image;
    private volatile boolean closed;

    GuestModule(WasmHost host, WasmModule module, ImportValues imports) {
        this.host = host;
        this.module = module;
        this.imports = imports;
        this.machine = host.engine() == Engine.COMPILER ? MachineFactoryCompiler.compile(module) : null;
        this.memoryLimits = module.memorySection().filter(s -> s.memoryCount() > 0)
                .map(s -> s.getMemory(0).limits()).orElse(null);
        long initialBytes = memoryLimits == null ? 0 : (long) memoryLimits.initialPages() * com.dylibso.chicory.runtime.Memory.PAGE_SIZE;
        List<ImageSegment> segments = DataImage.of(module);
        this.imageSegments = segments.size();
        this.image = segments.isEmpty() || !host.images() ? null : host.pool().createImage(segments);
        this.request = memoryLimits == null || host.pool() == null ? null
                : InstanceRequest.builder().affinityKey(this).memory(initialBytes, image).build();
        this.initialBytes = initialBytes;
    }

    /** The host that loaded it. */
    public WasmHost host() {
        return host;
    }

    /** Whether the module defines a linear memory (which then lives on a pool slot per instance, with a pool). */
    public boolean hasMemory() {
        return memoryLimits != null;
    }

    /** The bytes of its memory when an instance starts (its initial pages × 64 KiB); 0 without memory. */
    public long initialMemoryBytes() {
        return initialBytes;
    }

    /** How many active data segments make its memory image (0: none, or not all constant). */
    public int imageSegmentCount() {
        return imageSegments;
    }

    /**
     * The bytes of its memory image (page-rounded; the slots map them copy-on-write, so instantiation
     * writes no data segment); 0 without an image.
     */
    public long imageBytes() {
        return image == null ? 0 : image.byteSize();
    }

    /**
     * Frees the module's memory image (slots that map it keep it until they change image); later calls
     * throw {@link IllegalStateException}. Idempotent. Closing the pool frees it too.
     */
    @Override
    public void close() {
        closed = true;
        if (image != null) {
            image.close();
        }
    }

    /** The names of its exported functions. */
    public List<String> exportedFunctions() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < module.exportSection().exportCount(); i++) {
            if (module.exportSection().getExport(i).exportType() == ExternalType.FUNCTION) {
                names.add(module.exportSection().getExport(i).name());
            }
        }
        return names;
    }

    /**
     * Runs one instance: calls {@code export} with {@code args} (i32 and i64 as longs, f32/f64 as their
     * raw bits) and returns its results, then releases the instance.
     *
     * @throws GuestTrapException when the guest traps or cannot be instantiated
     * @throws io.warmpool.pool.PoolExhaustedException when no memory slot is free
     */
    public long[] call(String export, long... args) {
        Objects.requireNonNull(export, "export");
        return withInstance(guest -> guest.call(export, args));
    }

    /**
     * Runs one instance for {@code body}, which may call exports and read and write the memory, then
     * releases it, also when {@code body} throws. The {@link GuestInstance} is usable only inside
     * {@code body}.
     *
     * @throws GuestTrapException when the guest cannot be instantiated (traps inside {@code body}
     *                            surface from {@link GuestInstance#call})
     * @throws io.warmpool.pool.PoolExhaustedException when no memory slot is free
     */
    public <T> T withInstance(Function<GuestInstance, T> body) {
        Objects.requireNonNull(body, "body");
        if (closed) {
            throw new IllegalStateException(this + " was closed");
        }
        if (request == null) {
            GuestInstance guest = new GuestInstance(this, instantiate(null), null, null);
            try {
                return body.apply(guest);
            } finally {
                guest.invalidate();
            }
        }
        WarmPool pool = host.pool();
        io.warmpool.pool.Instance lease = pool.acquire(request);
        PooledMemory[] memory = new PooledMemory[1];
        try {
            MemorySlot slot = lease.memory(0);
            boolean mapsImage = image != null && slot.image().orElse(null) == image;
            AccessGate gate = new AccessGate();
            Instance instance = instantiate(limits -> memory[0] = PooledMemory.on(slot, limits, mapsImage, gate));
            GuestInstance guest = new GuestInstance(this, instance, memory[0], gate);
            try {
                return body.apply(guest);
            } finally {
                guest.invalidate();
            }
        } finally {
            if (memory[0] != null) {
                memory[0].close(); // waits until nothing of this instance can reach the slot
            }
            lease.close();
        }
    }

    private Instance instantiate(Function<MemoryLimits, com.dylibso.chicory.runtime.Memory> memory) {
        Instance.Builder b = Instance.builder(module).withImportValues(imports);
        if (memory != null) {
            b.withMemoryFactory(memory);
        }
        if (machine != null) {
            b.withMachineFactory(machine);
        }
        try {
            return b.build();
        } catch (ChicoryException e) {
            throw new GuestTrapException("cannot instantiate the module", e);
        }
    }

    /** Chicory's parsed module (for hosts that need its types). */
    public WasmModule module() {
        return module;
    }

    @Override
    public String toString() {
        return "GuestModule[memory=" + (memoryLimits == null ? "none" : memoryLimits.toString()) + ", image segments="
                + imageSegments + ", engine=" + host.engine() + "]";
    }
}
