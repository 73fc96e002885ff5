package io.warmpool.service;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ./warmpool launcher (the image runs it too): its JVM defaults, and WARMPOOL_JAVA_OPTS over them. */
class LauncherIT {
    private static final Path LAUNCHER = Path.of("..", "warmpool").toAbsolutePath().normalize();

    /** Runs {@code launcher --version} with {@code opts} and the JVM printing its flags; what it printed. */
    private static String flags(Path launcher, String opts) throws Exception {
        String output = flags(launcher, opts, "--version");
        assertTrue(output.contains("warmpool " + BuildInfo.current().version()), output);
        return output;
    }

    /** Runs {@code launcher command...} with {@code opts} and the JVM printing its flags; what it printed. */
    private static String flags(Path launcher, String opts, String... command) throws Exception {
        java.util.List<String> line = new java.util.ArrayList<>(java.util.List.of(launcher.toString()));
        line.addAll(java.util.List.of(command));
        ProcessBuilder builder = new ProcessBuilder(line).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.put("WARMPOOL_JAVA_OPTS", "-XX:+PrintCommandLineFlags " + opts);
        env.remove("JAVA_TOOL_OPTIONS");
        // The launcher runs `java` from the PATH: the one running this test.
        env.put("PATH", Path.of(ProcessHandle.current().info().command().orElseThrow()).getParent() + ":" + env.get("PATH"));
        Process p = builder.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), output);
        assertEquals(0, p.exitValue(), output);
        return output;
    }

    @Test
    void theDefaultsBoundTheHeapMetaspaceCodeAndDirectMemoryWithTheSerialCollector() throws Exception {
        String flags = flags(LAUNCHER, "");
        for (String flag : new String[] {"-XX:+UseSerialGC", "-XX:MaxHeapSize=67108864", "-XX:InitialHeapSize=67108864",
                "-XX:MaxMetaspaceSize=67108864", "-XX:ReservedCodeCacheSize=67108864", "-XX:MaxDirectMemorySize=33554432",
                "-XX:+ExitOnOutOfMemoryError"}) {
            assertTrue(flags.contains(flag), flag + " in " + flags);
        }
    }

    @Test
    void benchTuneAndWastKeepTheJvmsOwnBoundsForWhatTheyHoldOnTheHeapOrInDirectBuffers() throws Exception {
        for (String command : new String[] {"bench", "tune", "wast"}) {
            String flags = flags(LAUNCHER, "", command, "--help");
            assertFalse(flags.contains("-XX:MaxDirectMemorySize=33554432") || flags.contains("-XX:MaxHeapSize=67108864 "),
                    command + ": " + flags);
        }
        assertTrue(flags(LAUNCHER, "", "probe", "--help").contains("-XX:MaxDirectMemorySize=33554432"));
    }

    @Test
    void yourCollectorAndHeapReplaceTheDefaultsInsteadOfConflicting() throws Exception {
        String g1 = flags(LAUNCHER, "-XX:+UseG1GC -XX:MaxRAMPercentage=40");
        assertTrue(g1.contains("-XX:+UseG1GC") && g1.contains("-XX:MaxRAMPercentage=40"), g1);
        assertFalse(g1.contains("UseSerialGC") || g1.contains("-XX:MaxHeapSize=67108864"), g1);
        String small = flags(LAUNCHER, "-Xmx32m");
        assertTrue(small.contains("-XX:MaxHeapSize=33554432") && small.contains("-XX:+UseSerialGC"), small);
        String metaspace = flags(LAUNCHER, "-XX:MaxMetaspaceSize=128m");
        assertTrue(metaspace.contains("-XX:MaxMetaspaceSize=134217728"), "the last one wins: " + metaspace);
    }

    @Test
    void inTheImagesLayoutItRunsTheJarBesideIt(@TempDir Path dir) throws Exception {
        Path jar = Path.of(System.getProperty("warmpool.jar", "target/warmpool.jar"));
        Path launcher = Files.copy(LAUNCHER, dir.resolve("warmpool"), StandardCopyOption.COPY_ATTRIBUTES);
        Files.copy(jar, dir.resolve("warmpool.jar"));
        assertTrue(flags(launcher, "").contains("-XX:+UseSerialGC"));
        Files.delete(dir.resolve("warmpool.jar"));
        Process missing = new ProcessBuilder(launcher.toString(), "--version").redirectErrorStream(true).start();
        String output = new String(missing.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(missing.waitFor(60, TimeUnit.SECONDS));
        assertEquals(1, missing.exitValue(), output);
        assertTrue(output.contains("build it first: mvn -B -q -DskipTests package"), output);
    }

    /** A source checkout's layout in {@code dir}: the launcher, the root pom, the prerequisites script and the built jar. */
    private static Path checkout(Path dir) throws Exception {
        Path root = LAUNCHER.getParent();
        Path launcher = Files.copy(LAUNCHER, dir.resolve("warmpool"), StandardCopyOption.COPY_ATTRIBUTES);
        Files.copy(root.resolve("pom.xml"), dir.resolve("pom.xml"));
        Files.createDirectories(dir.resolve("scripts"));
        Files.copy(root.resolve("scripts/prerequisites.sh"), dir.resolve("scripts/prerequisites.sh"),
                StandardCopyOption.COPY_ATTRIBUTES);
        Files.createDirectories(dir.resolve("service/target"));
        Path jar = Files.copy(Path.of(System.getProperty("warmpool.jar", "target/warmpool.jar")),
                dir.resolve("service/target/warmpool.jar"));
        Files.setLastModifiedTime(dir.resolve("pom.xml"), java.nio.file.attribute.FileTime.fromMillis(0));
        Files.setLastModifiedTime(jar, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis()));
        return launcher;
    }

    @Test
    void inASourceCheckoutAJarNewerThanEverySourceRunsWithoutABuild(@TempDir Path dir) throws Exception {
        String output = flags(checkout(dir), "");
        assertFalse(output.contains("building"), output);
    }

    @Test
    void inASourceCheckoutASourceNewerThanTheJarRebuildsItFirst(@TempDir Path dir) throws Exception {
        Path launcher = checkout(dir);
        Path source = dir.resolve("service/src/main/java/io/warmpool/service/Main.java");
        Files.createDirectories(source.getParent());
        Files.writeString(source, "class Main {}\n");
        Files.setLastModifiedTime(source, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 60_000));
        Process p = new ProcessBuilder(launcher.toString(), "--version").redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), output);
        assertTrue(output.contains("warmpool: service/src/main/java/io/warmpool/service/Main.java is newer than the jar:"
                + " building it (mvn -B -q -DskipTests package)"), output);
        // this copy holds the root pom but none of its modules: Maven fails, and so does the launcher
        assertTrue(p.exitValue() != 0, output);
        assertFalse(output.contains("warmpool " + BuildInfo.current().version()), "the stale jar did not run:\n" + output);
    }
}
