package io.warmpool.wasm.wast;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.ByteBufferMemory;
import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.GlobalInstance;
import com.dylibso.chicory.runtime.ImportGlobal;
import com.dylibso.chicory.runtime.ImportMemory;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.Store;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.UninstantiableException;
import com.dylibso.chicory.wasm.UnlinkableException;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.wasm.types.Value;
import io.warmpool.pool.ImageSegment;
import io.warmpool.pool.InstanceRequest;
import io.warmpool.pool.MemoryImage;
import io.warmpool.pool.WarmPool;
import io.warmpool.wasm.Engine;
import io.warmpool.wasm.memory.DataImage;
import io.warmpool.wasm.memory.PooledMemory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One script's run: the commands of wast2json's JSON, in order, against one {@link Store} (the
 * {@code spectest} module and the registered ones). The current module is the last one defined;
 * named modules stay reachable by name. With pooled memories, a module's slot is released when no
 * command can reach the module any more (another unnamed, unregistered module replaced it), and all
 * slots at the end.
 *
 * <p>Outcomes are recorded per command ({@link WastResult#outcomes()}); a command that throws
 * something unexpected is a failure, never the end of the script.
 */
final class ScriptRun implements AutoCloseable {
    private static final int PAGE = Memory.PAGE_SIZE;

    private final Path script;
    private final Path dir;
    private final WastMemory memoryKind;
    private final WarmPool pool;
    private final Engine engine;
    /** Whether pooled memories map their module's data segments as a memory image. */
    private final boolean images;
    private final Store store = new Store();
    private final Map<String, Instance> named = new LinkedHashMap<>();
    private final Set<Instance> kept = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    /** The pooled memories and their leases, by instance; the spectest memory under null. */
    private final Map<Instance, Lease> leases = new IdentityHashMap<>();
    private final List<Lease> spare = new ArrayList<>();
    private final List<String> outcomes = new ArrayList<>();
    private Instance current;
    private int passed;
    private int failed;
    private int skipped;
    private int imageModules;

    /** A slot held for one module's memory, and the module's memory image (or null). */
    private record Lease(io.warmpool.pool.Instance slot, PooledMemory memory, MemoryImage image) {
        void release() {
            memory.close();
            try {
                if (!slot.isReleased()) {
                    slot.close();
                }
            } finally {
                if (image != null) {
                    image.close();
                }
            }
        }
    }

    ScriptRun(Path script, Path dir, WastMemory memoryKind, WarmPool pool, Engine engine, boolean images) {
        this.images = images;
        this.script = script;
        this.dir = dir;
        this.memoryKind = memoryKind;
        this.pool = pool;
        this.engine = engine;
        addSpectest();
    }

    /** The host module the scripts import from: a memory of 1 to 2 pages and the constant globals. */
    private void addSpectest() {
        MemoryLimits limits = new MemoryLimits(1, 2);
        Memory memory;
        if (memoryKind == WastMemory.POOLED) {
            Lease lease = lease("spectest", limits, List.of());
            spare.add(lease);
            memory = lease.memory();
        } else {
            memory = new ByteBufferMemory(limits);
        }
        store.addMemory(new ImportMemory("spectest", "memory", memory));
        store.addGlobal(new ImportGlobal("spectest", "global_i32", new GlobalInstance(Value.i32(666))));
        store.addGlobal(new ImportGlobal("spectest", "global_i64", new GlobalInstance(Value.i64(666))));
        store.addGlobal(new ImportGlobal("spectest", "global_f32",
                new GlobalInstance(Value.f32(Float.floatToRawIntBits(666.6f)))));
        store.addGlobal(new ImportGlobal("spectest", "global_f64",
                new GlobalInstance(Value.f64(Double.doubleToRawLongBits(666.6)))));
    }

    /**
     * A slot for a memory with {@code limits}; with {@code segments} (the module's image), the slot maps
     * them and the memory's initialize skips writing them.
     */
    private Lease lease(Object key, MemoryLimits limits, List<ImageSegment> segments) {
        long bytes = (long) limits.initialPages() * PAGE;
        if (bytes > pool.config().memories().slotBytes()) {
            throw new UninstantiableException("a memory of " + limits.initialPages() + " pages does not fit the "
                    + "pool's slots of " + pool.config().memories().slotBytes() + " bytes");
        }
        MemoryImage image = segments.isEmpty() ? null : pool.createImage(segments);
        io.warmpool.pool.Instance slot;
        try {
            slot = pool.acquire(InstanceRequest.builder().affinityKey(image == null ? key : null)
                    .memory(bytes, image).build());
        } catch (RuntimeException e) {
            if (image != null) {
                image.close();
            }
            throw e;
        }
        try {
            boolean mapsImage = image != null && slot.memory(0).image().orElse(null) == image;
            imageModules += mapsImage ? 1 : 0;
            return new Lease(slot, PooledMemory.on(slot.memory(0), limits, mapsImage), image);
        } catch (RuntimeException e) {
            slot.close();
            if (image != null) {
                image.close();
            }
            throw e;
        }
    }

    WastResult result() {
        return new WastResult(script, passed, failed, skipped, imageModules, outcomes);
    }

    // ---- commands -------------------------------------------------------------------------------

    @SuppressWarnings("unchecked")
    void execute(Map<String, Object> command) {
        String type = (String) command.get("type");
        long line = command.get("line") instanceof Long l ? l : -1;
        try {
            String failure = switch (type) {
                case "module" -> module(command);
                case "register" -> register(command);
                case "action" -> action((Map<String, Object>) command.get("action"), null);
                case "assert_return" -> action((Map<String, Object>) command.get("action"),
                        (List<Object>) command.get("expected"));
                case "assert_trap" -> command.containsKey("filename") ? uninstantiable(command) : trap(command);
                case "assert_exhaustion" -> exhaustion(command);
                case "assert_invalid", "assert_malformed" -> rejected(command);
                case "assert_uninstantiable" -> uninstantiable(command);
                case "assert_unlinkable" -> unlinkable(command);
                default -> "unknown command type '" + type + "'";
            };
            if (failure == null) {
                passed++;
                outcomes.add(line + " pass");
            } else if (failure.equals(SKIP)) {
                skipped++;
                outcomes.add(line + " skip");
            } else {
                failed++;
                outcomes.add(line + " fail: " + type + ": " + failure);
            }
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
            failed++;
            outcomes.add(line + " fail: " + type + ": unexpected " + e);
        }
    }

    private static final String SKIP = "\u0000skip";

    private WasmModule parse(Map<String, Object> command) {
        Path file = dir.resolve((String) command.get("filename"));
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the module " + file, e);
        }
        return Parser.parse(bytes);
    }

    /** Instantiates {@code module} with the store's imports and this run's memory; a pooled slot is held for it. */
    private Instance instantiate(WasmModule module, String key) {
        Lease[] taken = new Lease[1];
        Instance.Builder b = Instance.builder(module).withImportValues(store.toImportValues());
        if (engine == Engine.COMPILER) {
            b.withMachineFactory(MachineFactoryCompiler.compile(module));
        }
        if (memoryKind == WastMemory.POOLED) {
            List<ImageSegment> segments = images ? DataImage.of(module) : List.of();
            b.withMemoryFactory(limits -> {
                taken[0] = lease(key, limits, segments);
                return taken[0].memory();
            });
        }
        try {
            Instance instance = b.build();
            if (taken[0] != null) {
                leases.put(instance, taken[0]);
            }
            return instance;
        } catch (RuntimeException | StackOverflowError e) {
            if (taken[0] != null) {
                taken[0].release();
            }
            throw e;
        }
    }

    private String module(Map<String, Object> command) {
        WasmModule module;
        Instance instance;
        try {
            module = parse(command);
            instance = instantiate(module, (String) command.get("filename"));
        } catch (ChicoryException e) {
            return "the module did not load: " + e;
        }
        replaceCurrent(instance);
        Object name = command.get("name");
        if (name instanceof String n) {
            Instance before = named.put(n, instance);
            kept.add(instance);
            if (before != null && !named.containsValue(before)) {
                kept.remove(before);
            }
        }
        return null;
    }

    /** Makes {@code next} the current module; releases the previous one's slot if nothing reaches it. */
    private void replaceCurrent(Instance next) {
        Instance previous = current;
        current = next;
        if (previous != null && !kept.contains(previous)) {
            Lease lease = leases.remove(previous);
            if (lease != null) {
                lease.release();
            }
        }
    }

    private String register(Map<String, Object> command) {
        Object name = command.get("name");
        Instance instance = name instanceof String n ? named.get(n) : current;
        if (instance == null) {
            return "no module " + (name == null ? "defined" : "named " + name) + " to register";
        }
        store.register((String) command.get("as"), instance);
        kept.add(instance);
        return null;
    }

    private Instance target(Map<String, Object> action) {
        Object name = action.get("module");
        Instance instance = name instanceof String n ? named.get(n) : current;
        if (instance == null) {
            throw new IllegalStateException("no module " + (name == null ? "defined" : "named " + name));
        }
        return instance;
    }

    /** Runs an action; with {@code expected}, compares its results. */
    @SuppressWarnings("unchecked")
    private String action(Map<String, Object> action, List<Object> expected) {
        long[] results;
        try {
            results = perform(action);
        } catch (ChicoryException e) {
            return describe(action) + ": expected " + (expected == null ? "no trap" : SpecValues.describe(expected))
                    + ", got trap \"" + e.getMessage() + "\"";
        } catch (StackOverflowError e) {
            return describe(action) + ": expected " + (expected == null ? "no trap" : SpecValues.describe(expected))
                    + ", got stack overflow";
        }
        if (expected == null) {
            return null;
        }
        String mismatch = SpecValues.compare(expected, results);
        return mismatch == null ? null : describe(action) + ": " + mismatch;
    }

    @SuppressWarnings("unchecked")
    private long[] perform(Map<String, Object> action) {
        Instance instance = target(action);
        String field = (String) action.get("field");
        switch ((String) action.get("type")) {
            case "invoke": {
                ExportFunction f = instance.export(field);
                long[] args = SpecValues.arguments((List<Object>) action.get("args"));
                long[] out = f.apply(args);
                return out == null ? new long[0] : out;
            }
            case "get": {
                GlobalInstance g = instance.exports().global(field);
                return new long[] {g.getValue()};
            }
            default:
                throw new IllegalArgumentException("unknown action type '" + action.get("type") + "'");
        }
    }

    private static String describe(Map<String, Object> action) {
        return action.get("type") + " " + (action.get("module") == null ? "" : action.get("module") + ".")
                + action.get("field") + SpecValues.describeArgs(action.get("args"));
    }

    @SuppressWarnings("unchecked")
    private String trap(Map<String, Object> command) {
        Map<String, Object> action = (Map<String, Object>) command.get("action");
        String text = (String) command.get("text");
        long[] results;
        try {
            results = perform(action);
        } catch (ChicoryException e) {
            return Traps.matches(text, e) ? null
                    : describe(action) + ": expected trap \"" + text + "\", got trap \"" + e.getMessage() + "\"";
        } catch (StackOverflowError e) {
            return describe(action) + ": expected trap \"" + text + "\", got stack overflow";
        }
        return describe(action) + ": expected trap \"" + text + "\", got " + SpecValues.describeResults(results);
    }

    @SuppressWarnings("unchecked")
    private String exhaustion(Map<String, Object> command) {
        Map<String, Object> action = (Map<String, Object>) command.get("action");
        String text = (String) command.get("text");
        try {
            long[] results = perform(action);
            return describe(action) + ": expected \"" + text + "\", got " + SpecValues.describeResults(results);
        } catch (StackOverflowError e) {
            return null;
        } catch (ChicoryException e) {
            return Traps.matches(text, e) ? null
                    : describe(action) + ": expected \"" + text + "\", got trap \"" + e.getMessage() + "\"";
        }
    }

    /** assert_invalid, assert_malformed: the module must not load (parse, validate or link). */
    private String rejected(Map<String, Object> command) {
        if ("text".equals(command.get("module_type"))) {
            return SKIP;
        }
        String text = (String) command.get("text");
        try {
            WasmModule module = parse(command);
            Instance instance = instantiate(module, (String) command.get("filename"));
            Lease lease = leases.remove(instance);
            if (lease != null) {
                lease.release();
            }
        } catch (ChicoryException e) {
            return null;
        }
        return "module " + command.get("filename") + ": expected it to be rejected (\"" + text + "\"), but it loaded";
    }

    private String uninstantiable(Map<String, Object> command) {
        String text = (String) command.get("text");
        WasmModule module;
        try {
            module = parse(command);
        } catch (ChicoryException e) {
            return "module " + command.get("filename") + ": expected it to parse and trap at instantiation (\"" + text
                    + "\"), but it did not parse: " + e.getMessage();
        }
        try {
            Instance instance = instantiate(module, (String) command.get("filename"));
            Lease lease = leases.remove(instance);
            if (lease != null) {
                lease.release();
            }
        } catch (UnlinkableException e) {
            return "module " + command.get("filename") + ": expected a trap at instantiation (\"" + text
                    + "\"), got unlinkable: " + e.getMessage();
        } catch (ChicoryException e) {
            return Traps.matches(text, e) ? null : "module " + command.get("filename") + ": expected \"" + text
                    + "\" at instantiation, got \"" + e.getMessage() + "\"";
        }
        return "module " + command.get("filename") + ": expected a trap at instantiation (\"" + text
                + "\"), but it instantiated";
    }

    private String unlinkable(Map<String, Object> command) {
        String text = (String) command.get("text");
        try {
            WasmModule module = parse(command);
            Instance instance = instantiate(module, (String) command.get("filename"));
            Lease lease = leases.remove(instance);
            if (lease != null) {
                lease.release();
            }
        } catch (ChicoryException e) {
            return null;
        }
        return "module " + command.get("filename") + ": expected it not to link (\"" + text + "\"), but it did";
    }

    /** Releases every slot the run holds. */
    @Override
    public void close() {
        Set<Lease> all = new HashSet<>(leases.values());
        all.addAll(spare);
        leases.clear();
        spare.clear();
        RuntimeException first = null;
        for (Lease lease : all) {
            try {
                lease.release();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** For a message: which memories this run gives its modules. */
    @Override
    public String toString() {
        return "ScriptRun[" + script.getFileName() + ", " + memoryKind + ", " + engine + "]";
    }
}
