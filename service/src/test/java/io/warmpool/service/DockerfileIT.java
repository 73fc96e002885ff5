package io.warmpool.service;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the Dockerfile checks while it builds, checked against the jar this build made. */
class DockerfileIT {

    @Test
    void theImagesJavaRuntimeHasEveryModuleTheJarNeeds() throws Exception {
        Path jar = Path.of(System.getProperty("warmpool.jar", "target/warmpool.jar"));
        Path java = Path.of(ProcessHandle.current().info().command().orElseThrow());
        Path jdeps = java.resolveSibling("jdeps");
        assertTrue(Files.isExecutable(jdeps), jdeps + " (the JDK that runs the tests)");
        // The same command as the Dockerfile's build stage.
        Process p = new ProcessBuilder(jdeps.toString(), "--print-module-deps", "--ignore-missing-deps", "--multi-release", "17",
                jar.toString()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "jdeps finishes");
        assertEquals(0, p.exitValue(), output);
        Set<String> needed = new TreeSet<>(Arrays.asList(output.lines().reduce((a, b) -> b).orElseThrow().split(",")));
        Set<String> linked = new TreeSet<>(List.of(Dockerfile.read().argDefault("JLINK_MODULES").split(",")));
        Set<String> missing = new TreeSet<>(needed);
        missing.removeAll(linked);
        assertEquals(Set.of(), missing, "modules the jar needs and JLINK_MODULES lacks (jdeps: " + needed + ")");
    }
}
