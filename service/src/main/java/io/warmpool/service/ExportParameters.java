package io.warmpool.service;

import java.util.OptionalInt;

/**
 * How many parameters an exported function of a WebAssembly binary takes, read from the binary's
 * sections (serve needs the count to pass {@code n} to each, and the wasm host does not say it):
 *
 * <pre>
 *  module  = magic "\0asm", version 1, then sections: id (1 byte), size (u32 LEB128), contents
 *  type     (1): vec(0x60 vec(param valtype) vec(result valtype))
 *  import   (2): vec(module name, field name, kind, desc); kind 0 is a function: desc = type index
 *  function (3): vec(type index) of the functions the module defines, numbered after the imported ones
 *  export   (7): vec(name, kind, index); kind 0 is a function
 * </pre>
 *
 * Only what this count needs is read; the host validates the module in full when it loads it.
 */
final class ExportParameters {
    private final byte[] bytes;
    private int at;

    private ExportParameters(byte[] bytes) {
        this.bytes = bytes;
    }

    /**
     * The parameter count of the exported function {@code export}, or empty when the binary exports no
     * function of that name.
     *
     * @throws IllegalArgumentException when the binary is not one this reader understands
     */
    static OptionalInt of(byte[] wasm, String export) {
        try {
            return new ExportParameters(wasm).find(export);
        } catch (ArrayIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("not a WebAssembly module: it ends inside a section");
        }
    }

    private OptionalInt find(String export) {
        if (bytes.length < 8 || bytes[0] != 0 || bytes[1] != 'a' || bytes[2] != 's' || bytes[3] != 'm') {
            throw new IllegalArgumentException("not a WebAssembly module (no \\0asm magic)");
        }
        at = 8;
        int[] typeParams = new int[0];
        int[] importedTypes = new int[0];
        int[] definedTypes = new int[0];
        while (at < bytes.length) {
            int id = bytes[at++] & 0xff;
            int size = u32();
            int end = at + size;
            switch (id) {
                case 1 -> {
                    typeParams = new int[u32()];
                    for (int i = 0; i < typeParams.length; i++) {
                        if ((bytes[at++] & 0xff) != 0x60) {
                            throw new IllegalArgumentException("type " + i + " is not a function type");
                        }
                        typeParams[i] = u32();
                        at += typeParams[i];
                        int results = u32(); // one byte each (numeric and reference types)
                        at += results;
                    }
                }
                case 2 -> {
                    int n = u32();
                    int[] functions = new int[n];
                    int count = 0;
                    for (int i = 0; i < n; i++) {
                        skipName();
                        skipName();
                        int kind = bytes[at++] & 0xff;
                        switch (kind) {
                            case 0 -> functions[count++] = u32();
                            case 1 -> { // table: reftype, limits
                                at++;
                                skipLimits();
                            }
                            case 2 -> skipLimits(); // memory
                            case 3 -> at += 2; // global: valtype, mutability
                            default -> at = end; // a tag or a kind this reader does not know: no function
                        }
                    }
                    importedTypes = java.util.Arrays.copyOf(functions, count);
                }
                case 3 -> {
                    definedTypes = new int[u32()];
                    for (int i = 0; i < definedTypes.length; i++) {
                        definedTypes[i] = u32();
                    }
                }
                case 7 -> {
                    int n = u32();
                    for (int i = 0; i < n; i++) {
                        String name = name();
                        int kind = bytes[at++] & 0xff;
                        int index = u32();
                        if (kind == 0 && name.equals(export)) {
                            int type = index < importedTypes.length ? importedTypes[index]
                                    : definedTypes[index - importedTypes.length];
                            return OptionalInt.of(typeParams[type]);
                        }
                    }
                    return OptionalInt.empty();
                }
                default -> {
                }
            }
            at = end;
        }
        return OptionalInt.empty();
    }

    private void skipLimits() {
        int flags = bytes[at++] & 0xff;
        u32();
        if ((flags & 1) != 0) {
            u32();
        }
    }

    private void skipName() {
        int length = u32();
        at += length;
    }

    private String name() {
        int length = u32();
        String name = new String(bytes, at, length, java.nio.charset.StandardCharsets.UTF_8);
        at += length;
        return name;
    }

    /** An unsigned LEB128 of at most 32 bits. */
    private int u32() {
        int result = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            int b = bytes[at++] & 0xff;
            result |= (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return result;
            }
        }
        throw new IllegalArgumentException("a LEB128 number longer than 5 bytes at offset " + (at - 1));
    }
}
