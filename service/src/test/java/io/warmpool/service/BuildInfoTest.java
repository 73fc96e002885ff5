package io.warmpool.service;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What --version and warmpool_build_info say, and the build step that writes it from git or without. */
class BuildInfoTest {
    private static final Path SCRIPT = Path.of("src/build/build-info.sh").toAbsolutePath();
    private static final Path PROJECT = Path.of("..").toAbsolutePath().normalize();

    /** Runs {@code command} in {@code dir}; its output, and fails unless it exits 0. */
    private static String run(Path dir, Map<String, String> env, String... command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        builder.environment().remove("WARMPOOL_BUILD_REVISION");
        builder.environment().putAll(env);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), String.join(" ", command));
        assertEquals(0, process.exitValue(), String.join(" ", command) + ":\n" + output);
        return output.strip();
    }

    private static Properties buildInfo(Path root, Map<String, String> env, Path dir) throws Exception {
        Path out = dir.resolve("out/build-info.properties");
        run(dir, env, "sh", SCRIPT.toString(), out.toString(), "9.9.9", root.toString());
        Properties p = new Properties();
        try (var in = Files.newInputStream(out)) {
            p.load(in);
        }
        assertEquals("9.9.9", p.getProperty("version"));
        return p;
    }

    @Test
    void theJarsBuildInfoNamesThisProjectsVersionAndTheRevisionGitHasForIt() throws Exception {
        BuildInfo build = BuildInfo.current();
        assertTrue(build.version().matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?"), build.version());
        // In a clone (as CI builds) the revision is HEAD's; a build from a tarball says unknown.
        boolean inGit = Files.exists(PROJECT.resolve(".git"));
        if (inGit) {
            String head = run(PROJECT, Map.of(), "git", "rev-parse", "HEAD");
            assertTrue(build.revision().equals(head) || build.revision().equals(head + "-dirty"), build.revision() + " vs " + head);
        } else {
            assertEquals("unknown", build.revision());
        }
    }

    @Test
    void aTreeWithoutGitIsUnknownAndAGivenRevisionWins(@TempDir Path dir) throws Exception {
        Path tarball = Files.createDirectories(dir.resolve("warmpool-0.1.0"));
        assertEquals("unknown", buildInfo(tarball, Map.of(), dir).getProperty("revision"));
        assertEquals("abc123", buildInfo(tarball, Map.of("WARMPOOL_BUILD_REVISION", "abc123"), dir).getProperty("revision"));
    }

    @Test
    void aTreeInsideAnotherProjectsRepositoryIsUnknownButItsOwnRepositoryCounts(@TempDir Path dir) throws Exception {
        Map<String, String> identity = Map.of("GIT_AUTHOR_NAME", "t", "GIT_AUTHOR_EMAIL", "t@example.org",
                "GIT_COMMITTER_NAME", "t", "GIT_COMMITTER_EMAIL", "t@example.org");
        Path outer = Files.createDirectories(dir.resolve("monorepo"));
        Path vendored = Files.createDirectories(outer.resolve("third_party/warmpool"));
        Files.writeString(vendored.resolve("pom.xml"), "<project/>\n");
        run(outer, identity, "git", "init", "-q");
        run(outer, identity, "git", "add", "-A");
        run(outer, identity, "git", "commit", "-q", "-m", "vendored");
        assertEquals("unknown", buildInfo(vendored, Map.of(), dir).getProperty("revision"), "the monorepo's HEAD is not warmpool's");

        String head = run(outer, Map.of(), "git", "rev-parse", "HEAD");
        assertEquals(head, buildInfo(outer, Map.of(), dir).getProperty("revision"));
        Files.writeString(vendored.resolve("pom.xml"), "<project>changed</project>\n");
        assertEquals(head + "-dirty", buildInfo(outer, Map.of(), dir).getProperty("revision"));
    }

    @Test
    void versionPrintsTheBuildAndTheJava() {
        MainRun cli = new MainRun();
        assertEquals(0, cli.run("--version"));
        BuildInfo build = BuildInfo.current();
        String line = cli.out().strip();
        assertTrue(line.startsWith("warmpool " + build.version() + " (revision " + build.revision() + "), Java "
                + System.getProperty("java.runtime.version")), line);
    }
}
