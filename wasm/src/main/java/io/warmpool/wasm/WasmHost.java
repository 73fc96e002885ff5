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
 */
public final class WasmHost {
    private final WarmPool pool;
    private final Engine engine;

    private WasmHost(WarmPool pool, Engine engine) {
        this.pool = Objects.requireNonNull(pool, "pool");
        this.engine = Objects.requireNonNull(engine, "engine");
    }

    /** A host on {@code pool} with the interpreter. */
    public static WasmHost on(WarmPool pool) {
        return new WasmHost(pool, Engine.INTERPRETER);
    }

    /** A host on {@code pool} with {@code engine}. */
    public static WasmHost on(WarmPool pool, Engine engine) {
        return new WasmHost(pool, engine);
    }

    /** The pool under every instance. */
    public WarmPool pool() {
        return pool;
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
