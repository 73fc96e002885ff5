package io.warmpool.wasm.wast;

/**
 * Whether a trap is the one a script expects: Chicory's message starts with the spec's text or
 * contains it ({@code "out of bounds memory access: attempted to access address: ..."} for the
 * spec's {@code "out of bounds memory access"}).
 */
final class Traps {
    private Traps() {
    }

    static boolean matches(String expected, Throwable trap) {
        String message = trap.getMessage();
        if (expected == null || expected.isEmpty()) {
            return true;
        }
        return message != null && message.contains(expected);
    }
}
