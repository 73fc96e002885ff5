package io.warmpool.wasm;

import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.ChicoryException;
import io.warmpool.wasm.memory.PooledMemory;

import java.util.Objects;

/**
 * One instance of a {@link GuestModule}, usable inside {@link GuestModule#withInstance} only: calls
 * its exports, reads and writes its linear memory. Afterwards every method throws
 * {@link IllegalStateException}. Not thread-safe (WebAssembly instances are single-threaded).
 */
public final class GuestInstance {
    private final GuestModule module;
    private final Instance instance;
    private final PooledMemory memory;
    private volatile boolean valid = true;

    GuestInstance(GuestModule module, Instance instance, PooledMemory memory) {
        this.module = module;
        this.instance = instance;
        this.memory = memory;
    }

    void invalidate() {
        valid = false;
    }

    private void checkValid() {
        if (!valid) {
            throw new IllegalStateException("this instance of " + module + " was released");
        }
    }

    /**
     * Calls the exported function {@code export} (i32 and i64 arguments and results as longs, f32 and
     * f64 as their raw bits).
     *
     * @throws GuestTrapException       when the guest traps
     * @throws IllegalArgumentException when there is no such exported function
     */
    public long[] call(String export, long... args) {
        checkValid();
        Objects.requireNonNull(export, "export");
        ExportFunction f;
        try {
            f = instance.export(export);
        } catch (ChicoryException e) {
            throw new IllegalArgumentException("the module exports no function '" + export + "'", e);
        }
        try {
            long[] results = f.apply(args == null ? new long[0] : args);
            return results == null ? new long[0] : results;
        } catch (ChicoryException e) {
            throw new GuestTrapException(export, e);
        } catch (StackOverflowError e) {
            throw new GuestTrapException(export, new ChicoryException("call stack exhausted"));
        }
    }

    /** The linear memory (pooled when the module defines it); null when the module has none. */
    public Memory memory() {
        checkValid();
        return memory != null ? memory : instance.memory();
    }

    private Memory requireMemory() {
        Memory m = memory();
        if (m == null) {
            throw new IllegalStateException(module + " has no memory");
        }
        return m;
    }

    /** The memory's size in 64 KiB pages. */
    public int memoryPages() {
        return requireMemory().pages();
    }

    /** {@code length} bytes of the memory from {@code address}; traps (GuestTrapException) out of bounds. */
    public byte[] read(int address, int length) {
        try {
            return requireMemory().readBytes(address, length);
        } catch (ChicoryException e) {
            throw new GuestTrapException("read", e);
        }
    }

    /** Writes {@code bytes} into the memory at {@code address}; traps (GuestTrapException) out of bounds. */
    public void write(int address, byte[] bytes) {
        try {
            requireMemory().write(address, bytes);
        } catch (ChicoryException e) {
            throw new GuestTrapException("write", e);
        }
    }

    /** The little-endian i32 at {@code address}. */
    public int readInt(int address) {
        try {
            return requireMemory().readInt(address);
        } catch (ChicoryException e) {
            throw new GuestTrapException("read", e);
        }
    }

    /** Stores the little-endian i32 {@code value} at {@code address}. */
    public void writeInt(int address, int value) {
        try {
            requireMemory().writeI32(address, value);
        } catch (ChicoryException e) {
            throw new GuestTrapException("write", e);
        }
    }

    /** Chicory's instance, for what this class does not offer; it too is unusable after the release. */
    public Instance chicory() {
        checkValid();
        return instance;
    }
}
