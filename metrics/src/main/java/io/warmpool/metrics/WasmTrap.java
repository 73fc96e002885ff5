package io.warmpool.metrics;

/**
 * Why a guest's call trapped, as the {@code trap} label of {@code warmpool_wasm_traps_total} says it.
 * A small fixed set, so that every series exists from registration and a dashboard needs no
 * {@code absent()}.
 */
public enum WasmTrap {
    /** The guest ran {@code unreachable}. */
    UNREACHABLE("unreachable"),
    /** A load, store, bulk-memory or table access outside its bounds, or an out-of-bounds call. */
    OUT_OF_BOUNDS("out_of_bounds"),
    /** Integer division by zero, overflow, or a float-to-integer conversion out of range. */
    ARITHMETIC("arithmetic"),
    /** The call stack ran out (deep recursion). */
    STACK_EXHAUSTED("stack_exhausted"),
    /** An indirect call to a function of the wrong type, or a null reference. */
    INDIRECT_CALL("indirect_call"),
    /** Anything else a call threw: instantiation failed, a host error. */
    OTHER("other");

    private final String label;

    WasmTrap(String label) {
        this.label = label;
    }

    /** The label value. */
    public String label() {
        return label;
    }

    /**
     * The trap a runtime's message describes; {@link #OTHER} when it names none of them. The messages
     * are the spec's ("unreachable", "out of bounds memory access", "integer divide by zero", "call
     * stack exhausted", "indirect call type mismatch"), which Chicory gives too.
     */
    public static WasmTrap ofMessage(String message) {
        if (message == null) {
            return OTHER;
        }
        String m = message.toLowerCase(java.util.Locale.ROOT);
        if (m.contains("unreachable")) {
            return UNREACHABLE;
        }
        if (m.contains("out of bounds") || m.contains("out-of-bounds")) {
            return OUT_OF_BOUNDS;
        }
        if (m.contains("divide by zero") || m.contains("integer overflow") || m.contains("invalid conversion")) {
            return ARITHMETIC;
        }
        if (m.contains("stack exhausted") || m.contains("stack overflow")) {
            return STACK_EXHAUSTED;
        }
        if (m.contains("indirect call") || m.contains("null") || m.contains("uninitialized element")) {
            return INDIRECT_CALL;
        }
        return OTHER;
    }
}
