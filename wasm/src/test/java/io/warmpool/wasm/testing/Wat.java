package io.warmpool.wasm.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Assembles test guests from the WebAssembly text format with {@code wat2wasm} (Debian package wabt). */
public final class Wat {
    private Wat() {
    }

    /** The binary module of {@code wat}. */
    public static byte[] assemble(String wat) {
        try {
            Path dir = Files.createTempDirectory("warmpool-wat-");
            Path in = dir.resolve("guest.wat");
            Path out = dir.resolve("guest.wasm");
            Files.writeString(in, wat);
            Process p = new ProcessBuilder("wat2wasm", in.toString(), "-o", out.toString()).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("wat2wasm failed: " + output);
            }
            byte[] wasm = Files.readAllBytes(out);
            Files.delete(in);
            Files.delete(out);
            Files.delete(dir);
            return wasm;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run wat2wasm (Debian package wabt)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
