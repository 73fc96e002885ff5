package io.warmpool.wasm.wast;

/** wast2json is missing, or could not convert a script. */
public class WastConverterException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    WastConverterException(String message, Throwable cause) {
        super(message, cause);
    }
}
