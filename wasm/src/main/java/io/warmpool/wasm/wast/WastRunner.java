package io.warmpool.wasm.wast;

import io.warmpool.pool.WarmPool;
import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.config.ResetStrategy;
import io.warmpool.wasm.Engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs WebAssembly spec-test scripts ({@code .wast}) against Chicory: each script is converted with
 * {@code wast2json} (Debian package {@code wabt}) into a temporary directory, then every module,
 * action and assertion runs in order ({@link ScriptRun}). With {@link WastMemory#POOLED} every module
 * that defines a memory gets a slot of the runner's pool as its linear memory.
 * A runner may run scripts one after another from one thread; run scripts in parallel with one
 * runner per thread.
 */
public final class WastRunner {
    /** The converter, on the PATH. */
    public static final String WAST2JSON = "wast2json";

    private final WastMemory memory;
    private final WarmPool pool;
    private final Engine engine;
    private final String wast2json;
    private final boolean images;

    private WastRunner(WastMemory memory, WarmPool pool, Engine engine, String wast2json, boolean images) {
        this.images = images;
        this.memory = memory;
        this.pool = pool;
        this.engine = Objects.requireNonNull(engine, "engine");
        this.wast2json = wast2json;
    }

    /**
     * A pool for the scripts: a few memory slots (a script holds its current module, its named and
     * registered ones and spectest's memory at once) of 2 GiB each, Chicory's largest memory (32767
     * pages), so that every grow Chicory allows the pool allows too; no tables or stacks.
     */
    public static PoolConfig scriptPoolConfig(ResetStrategy strategy) {
        return PoolConfig.builder().memories(8).memoryMax(2L << 30).memoryGuard(64L << 20)
                .memoryKeepResident(256L << 10).tables(0).stacks(0).maxUnusedWarmSlots(8)
                .resetStrategy(strategy).build();
    }

    /** A runner whose modules get Chicory's own memory. */
    public static WastRunner withChicoryMemory(Engine engine) {
        return new WastRunner(WastMemory.CHICORY, null, engine, WAST2JSON, false);
    }

    /**
     * A runner whose modules get memories on slots of {@code pool} (which the caller closes), with
     * their data segments as memory images where they can ({@link #withImages}).
     */
    public static WastRunner withPooledMemory(WarmPool pool, Engine engine) {
        return new WastRunner(WastMemory.POOLED, Objects.requireNonNull(pool, "pool"), engine, WAST2JSON, true);
    }

    /** The same runner with another converter command (a path, or a name on the PATH). */
    public WastRunner withConverter(String command) {
        return new WastRunner(memory, pool, engine, Objects.requireNonNull(command, "command"), images);
    }

    /**
     * The same runner with or without memory images: with them (the default for pooled memories), a
     * module whose active data segments all have constant offsets gets a slot that maps them, and
     * instantiation writes none; without, every segment is written at instantiation.
     */
    public WastRunner withImages(boolean on) {
        return new WastRunner(memory, pool, engine, wast2json, on && memory == WastMemory.POOLED);
    }

    /** Whether pooled memories map their modules' data segments as memory images. */
    public boolean images() {
        return images;
    }

    /** Which memory its modules get. */
    public WastMemory memory() {
        return memory;
    }

    /**
     * Converts and runs one script.
     *
     * @throws WastConverterException when wast2json is missing or rejects the script
     * @throws UncheckedIOException   when the script or the temporary files cannot be read or written
     */
    public WastResult run(Path script) {
        Path dir;
        try {
            dir = Files.createTempDirectory("warmpool-wast-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory for " + script, e);
        }
        try {
            Path json = convert(script, dir);
            return runConverted(script, json);
        } finally {
            deleteTree(dir);
        }
    }

    /** Runs a script that {@code wast2json} already converted to {@code json} (its modules beside it). */
    @SuppressWarnings("unchecked")
    public WastResult runConverted(Path script, Path json) {
        Map<String, Object> root;
        try {
            root = (Map<String, Object>) Json.parse(Files.readString(json, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + json, e);
        }
        List<Map<String, Object>> commands = (List<Map<String, Object>>) root.get("commands");
        try (ScriptRun run = new ScriptRun(script, json.getParent(), memory, pool, engine, images)) {
            for (Map<String, Object> command : commands) {
                run.execute(command);
            }
            return run.result();
        }
    }

    /**
     * Converts {@code script} with wast2json into {@code dir}; returns the JSON file.
     *
     * @throws WastConverterException when wast2json is missing, fails, or times out
     */
    public Path convert(Path script, Path dir) {
        if (!Files.isRegularFile(script)) {
            throw new UncheckedIOException(new IOException("no such script: " + script));
        }
        String base = script.getFileName().toString().replaceFirst("\\.wast$", "");
        Path json = dir.resolve(base + ".json");
        ProcessBuilder pb = new ProcessBuilder(wast2json, script.toAbsolutePath().toString(), "-o", json.toString())
                .redirectErrorStream(true);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new WastConverterException(wast2json + " is not installed (or not on the PATH): it converts .wast "
                    + "scripts; install the Debian package 'wabt' (apt-get install wabt)", e);
        }
        try {
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new WastConverterException(wast2json + " " + script + " did not finish within 60 s", null);
            }
            if (p.exitValue() != 0) {
                throw new WastConverterException(wast2json + " " + script + " exited with " + p.exitValue() + ": "
                        + output.strip(), null);
            }
        } catch (IOException e) {
            throw new WastConverterException("reading " + wast2json + "'s output failed", e);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new WastConverterException("interrupted while " + wast2json + " converted " + script, e);
        }
        return json;
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the temporary directory " + dir, e);
        }
    }
}
