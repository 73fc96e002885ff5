package io.warmpool.service;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The jar under a low {@code RLIMIT_AS} ({@code ulimit -v 16777216}, 16 GiB, as {@code prlimit}
 * sets it): {@code --help} works, a pool that fits starts and serves, and one that does not stops
 * with one line that names the limit and the settings that shrink it.
 */
class AddressSpaceLimitJarIT {
    private static final long LIMIT = 16L << 30;

    private static Result run(String... args) throws Exception {
        Path jar = Path.of(System.getProperty("warmpool.jar", "target/warmpool.jar"));
        assertTrue(Files.exists(jar), jar + " was built by the package phase");
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of("prlimit", "--as=" + LIMIT, java, "-Xmx64m", "-jar", jar.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the command ended: " + command);
        return new Result(p.exitValue(), output);
    }

    private record Result(int status, String output) {
    }

    @Test
    void helpWorksUnderTheLimit() throws Exception {
        Result help = run("serve", "--help");
        assertEquals(0, help.status(), help.output());
        assertTrue(help.output().contains("--pool.memory-keep-resident"), help.output());
    }

    @Test
    void aPoolThatFitsStartsAndOneThatDoesNotIsRefusedInOneLine() throws Exception {
        Result fits = run("serve", "--pool.memories", "4", "--pool.memory-max", "64MiB", "--metrics.port", "0",
                "--duration", "1s", "--summary-interval", "1s");
        assertEquals(0, fits.status(), fits.output());
        assertTrue(fits.output().contains("warmpool serve: serving"), fits.output());

        Result tooLarge = run("serve", "--metrics.port", "0", "--duration", "1s");
        assertEquals(2, tooLarge.status(), tooLarge.output());
        List<String> errors = tooLarge.output().lines().filter(l -> l.startsWith("warmpool serve: the pool would reserve"))
                .toList();
        assertEquals(1, errors.size(), tooLarge.output());
        assertTrue(errors.get(0).contains("but RLIMIT_AS (ulimit -v) is 16 GiB")
                && errors.get(0).contains("shrink pool.memories, pool.memory-max, pool.memory-guard"), errors.get(0));
        assertTrue(!tooLarge.output().contains("Exception"), "no stack trace: " + tooLarge.output());
    }
}
