package io.warmpool.wasm;

/**
 * How a guest's code runs. The memory is the same pooled slot either way: the engines differ only in
 * how the instructions execute.
 */
public enum Engine {
    /**
     * Chicory's interpreter: nothing to prepare at load, each instruction decoded and dispatched per
     * execution. The default.
     */
    INTERPRETER("interpreter"),
    /**
     * Chicory's ahead-of-time compiler: at load, the module's functions become JVM bytecode (one set of
     * classes per module, reused by every instance), which the JIT then compiles like any Java code.
     * Costs time and metaspace at load; calls that run many instructions run much faster. Loads and
     * stores still go through the same pooled memory, with the same bounds checks and traps.
     */
    COMPILER("compiler");

    private final String configName;

    Engine(String configName) {
        this.configName = configName;
    }

    /** The name on the command line: {@code interpreter} or {@code compiler}. */
    public String configName() {
        return configName;
    }

    /**
     * The engine with this name.
     *
     * @throws IllegalArgumentException naming the value and the accepted ones
     */
    public static Engine fromConfigName(String name) {
        for (Engine e : values()) {
            if (e.configName.equalsIgnoreCase(name.trim())) {
                return e;
            }
        }
        throw new IllegalArgumentException("unknown engine '" + name + "'; expected interpreter or compiler");
    }

    @Override
    public String toString() {
        return configName;
    }
}
