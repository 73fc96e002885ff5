package io.warmpool.wasm;

import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import io.warmpool.pool.WarmPool;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Runs WebAssembly guests on a pool: {@link #load} a module once, then call its exports through the
 * {@link GuestModule}; every call is a fresh instance on a pooled memory slot. The host does not own
 * the pool (close the pool yourself, after the calls). Thread-safe.
 *
 * <p>Three kinds of memory, for comparing them ({@code bench --module}):
 * <pre>
 *  WasmHost.on(pool)                      pooled memory; the module's data segments as the pool's
 *                                         memory image where they can be (the default)
 *  WasmHost.on(pool).withImages(false)    pooled memory; every data segment written at instantiation
 *  WasmHost.withChicoryMemory(engine)     Chicory's own heap memory, allocated and filled per instance
 * </pre>
 */
public final class WasmHost {
    private final WarmPool pool;
    private final Engine engine;
    private final boolean images;

    private WasmHost(WarmPool pool, Engine engine, boolean images) {
        this.pool = pool;
        this.engine = Objects.requireNonNull(engine, "engine");
        this.images = images && pool != null;
    }

    /** A host on {@code pool} with the interpreter. */
    public static WasmHost on(WarmPool pool) {
        return new WasmHost(Objects.requireNonNull(pool, "pool"), Engine.INTERPRETER, true);
    }

    /** A host on {@code pool} with {@code engine}. */
    public static WasmHost on(WarmPool pool, Engine engine) {
        return new WasmHost(Objects.requireNonNull(pool, "pool"), engine, true);
    }

    /**
     * A host without a pool: every instance gets Chicory's own memory (a heap buffer allocated and
     * filled with the data segments at each instantiation), the reference pooled memory is measured
     * against.
     */
    public static WasmHost withChicoryMemory(Engine engine) {
        return new WasmHost(null, engine, false);
    }

    /**
     * The same host, with or without memory images. With them (the default), a module whose active
     * data segments all have constant offsets inside its initial memory gets slots that already hold
     * them, and its instantiation writes none; without, every segment is written at instantiation.
     * Until the pool has memory images, both write them.
     */
    public WasmHost withImages(boolean on) {
        return new WasmHost(pool, engine, on);
    }

    /** The pool under every instance, or null for Chicory's own memory. */
    public WarmPool pool() {
        return pool;
    }

    /** Whether modules loaded from now on get memory images (never without a pool). */
    public boolean images() {
        return images;
    }

    /** How guests' code runs. */
    public Engine engine() {
        return engine;
    }

    /**
     * Parses and validates a module (binary format) that imports nothing, and prepares its instances.
     *
     * @throws GuestTrapException when the bytes are not a valid module (malformed or invalid)
     */
    public GuestModule load(byte[] wasm) {
        return load(wasm, ImportValues.empty());
    }

    /** As {@link #load(byte[])}, reading the module from a file. */
    public GuestModule load(Path file) {
        try {
            return load(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the module " + file, e);
        }
    }

    /**
     * Parses and validates a module, and prepares its instances with {@code imports} (Chicory's host
     * functions, globals, tables; a module that imports its memory gets no pooled memory).
     *
     * @throws GuestTrapException when the bytes are not a valid module (malformed or invalid)
     */
    public GuestModule load(byte[] wasm, ImportValues imports) {
        Objects.requireNonNull(wasm, "wasm");
        Objects.requireNonNull(imports, "imports");
        WasmModule module;
        try {
            module = Parser.parse(wasm);
        } catch (ChicoryException e) {
            throw new GuestTrapException("cannot load the module", e);
        }
        return new GuestModule(this, module, imports);
    }
}
