package io.warmpool.integration;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rule of {@code io.warmpool.pool}'s package comment, held against every module's sources: the
 * API of pool-allocator is {@code io.warmpool.pool} and its {@code .config}, {@code .event} and
 * {@code .profile} packages; its internal packages ({@code .slab}, {@code .image}, {@code .reset},
 * {@code .concurrent}) are imported by pool-allocator itself and by the JMH benchmarks, by no one else.
 */
class ApiBoundaryTest {
    private static final Pattern INTERNAL = Pattern.compile(
            "^import (static )?io\\.warmpool\\.pool\\.(slab|image|reset|concurrent)\\.", Pattern.MULTILINE);
    private static final List<String> ALLOWED = List.of("pool-allocator", "benchmarks");

    /** The project's root: the parent of this module's directory, where Maven runs its tests. */
    private static Path projectRoot() {
        Path here = Path.of("").toAbsolutePath();
        Path root = here.getParent();
        assertTrue(Files.exists(root.resolve("pom.xml")) && Files.isDirectory(root.resolve("pool-allocator")),
                "the tests run in integration-tests/, under the project's root; here is " + here);
        return root;
    }

    @Test
    void noModuleButPoolAllocatorAndTheBenchmarksImportsItsInternalPackages() throws IOException {
        Path root = projectRoot();
        List<String> reaching = new ArrayList<>();
        int files = 0;
        try (Stream<Path> sources = Files.walk(root)) {
            for (Path file : (Iterable<Path>) sources.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> !p.toString().contains("/target/"))::iterator) {
                String module = root.relativize(file).getName(0).toString();
                if (ALLOWED.contains(module)) {
                    continue;
                }
                files++;
                Matcher m = INTERNAL.matcher(Files.readString(file));
                while (m.find()) {
                    reaching.add(root.relativize(file) + ": " + m.group().trim());
                }
            }
        }
        assertTrue(files > 50, "found only " + files + " sources outside pool-allocator and benchmarks under " + root);
        assertEquals(List.of(), reaching, "pool-allocator's internal packages are imported from outside it");
    }
}
