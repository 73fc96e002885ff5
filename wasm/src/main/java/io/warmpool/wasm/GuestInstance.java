package io.warmpool.wasm;

import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.ChicoryException;
import io.warmpool.wasm.memory.AccessGate;
import io.warmpool.wasm.memory.PooledMemory;

import java.util.Objects;

/**
 * One instance of a {@link GuestModule}, usable inside {@link GuestModule#withInstance} only: calls
 * its exports, reads and writes its linear memory. Afterwards every method throws
 * {@link IllegalStateException}.
 *
 * <p>WebAssembly instances are single-threaded: calls on one instance from several threads at once
 * may see each other's globals and memory. But whatever runs on it, from any thread, never reaches a
 * pool slot it no longer holds. Its release (the end of {@code withInstance}) waits until no call or
 * memory access that began before it can touch the slot: a call still running on another thread
 * fails at its next memory access (with {@link IllegalStateException}, "released"), and the release
 * goes on when that call has left. A call that starts once the release began fails with the same
 * error. A guest that computes without touching its memory holds the release until it returns.
 * Chicory's own memory (a host without a pool) is the instance's alone: its release waits for nothing.
 */
public final class GuestInstance {
    private final GuestModule module;
    private final Instance instance;
    private final PooledMemory memory;
    /** The calls into a pooled memory, which its release waits for; null for Chicory's own memory. */
    private final AccessGate gate;
    private volatile boolean valid = true;

    GuestInstance(GuestModule module, Instance instance, PooledMemory memory, AccessGate gate) {
        this.module = module;
        this.instance = instance;
        this.memory = memory;
        this.gate = gate;
    }

    void invalidate() {
        valid = false;
    }

    private void checkValid() {
        if (!valid) {
            throw released();
        }
    }

    private IllegalStateException released() {
        return new IllegalStateException("this instance of " + module + " was released");
    }

    /**
     * Calls the exported function {@code export} (i32 and i64 arguments and results as longs, f32 and
     * f64 as their raw bits).
     *
     * @throws GuestTrapException       when the guest traps
     * @throws IllegalArgumentException when there is no such exported function
     * @throws IllegalStateException    when the instance was released, before or during the call
     */
    public long[] call(String export, long... args) {
        Objects.requireNonNull(export, "export");
        if (gate != null && !gate.enter()) {
            throw released();
        }
        try {
            checkValid();
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
        } finally {
            if (gate != null) {
                gate.exit();
            }
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
