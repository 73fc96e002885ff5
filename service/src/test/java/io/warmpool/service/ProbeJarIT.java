package io.warmpool.service;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shaded jar runs on its own, as the README's command runs it, with JNA and jffi inside. */
class ProbeJarIT {

    static Process java(String... args) throws Exception {
        return javaWith(List.of(), args);
    }

    static Process javaWith(List<String> jvmOptions, String... args) throws Exception {
        Path jar = Path.of(System.getProperty("warmpool.jar", "target/warmpool.jar"));
        assertTrue(Files.exists(jar), jar + " was built by the package phase");
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new java.util.ArrayList<>(List.of(java));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    @Test
    void probeFromTheJarExitsZeroAndReportsTheKernel() throws Exception {
        Process p = java("probe");
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), output);
        assertTrue(output.contains("PAGEMAP_SCAN      yes"), output);
        assertTrue(output.contains("page fault"), output);
        assertTrue(output.contains("reset calls       jni"), "the jar finds its JNI library:\n" + output);
        assertTrue(output.contains("WP fault"), output);
    }

    @Test
    void withoutItsJniLibraryTheJarFallsBackToJnaAndSaysWhy() throws Exception {
        Process p = javaWith(List.of("-Dwarmpool.jni.library=/nonexistent/libwarmpoolcalls.so"), "probe", "--json");
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), output);
        assertTrue(output.contains("\"reset_calls\":{\"binding\":\"jna\",\"fallback_reason\":\"cannot load the JNI library"),
                output);
        assertTrue(output.contains("/nonexistent/libwarmpoolcalls.so"), output);
    }
}
