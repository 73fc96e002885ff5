package io.warmpool.wasm;

/**
 * A guest's call ended abnormally: a WebAssembly trap (out-of-bounds access, unreachable, division by
 * zero, call stack exhausted...) or a module that could not be instantiated. The cause is Chicory's
 * exception; its message is the trap's. The instance and its slot are released all the same.
 */
public class GuestTrapException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    GuestTrapException(String what, Throwable cause) {
        super(what + ": " + cause.getMessage(), cause);
    }
}
