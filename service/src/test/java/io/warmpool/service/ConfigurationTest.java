package io.warmpool.service;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ConfigurationTest {
    private static final ConfigKey<Integer> THREADS = ConfigKey.integer("workload.threads", 2, 0, 64, "threads");
    private static final ConfigKey<Long> KEEP = ConfigKey.bytes("pool.memory-keep-resident", 1 << 20, "keep");
    private static final ConfigKey<Duration> HOLD = ConfigKey.duration("workload.hold", "1ms", "hold");
    private static final ConfigKey<Boolean> STACK = ConfigKey.bool("workload.stack", true, "stack");
    private static final List<ConfigKey<?>> KEYS = List.of(THREADS, KEEP, HOLD, STACK);

    @TempDir
    Path dir;

    private Path file(String... lines) throws IOException {
        return Files.write(dir.resolve("warmpool.conf"), List.of(lines));
    }

    @Test
    void flagsBeatTheEnvironmentWhichBeatsTheFileWhichBeatsTheDefault() throws IOException {
        Path file = file("# the file", "workload.threads = 3", "pool.memory-keep-resident = 64KiB", "", "workload.hold=5ms");
        Configuration c = Configuration.load("serve", KEYS, file,
                Map.of("WARMPOOL_WORKLOAD_THREADS", "4", "WARMPOOL_WORKLOAD_HOLD", "7ms", "PATH", "/bin"),
                Map.of("workload.threads", "5"));
        assertEquals(5, c.get(THREADS));
        assertEquals("flag --workload.threads", c.origin(THREADS));
        assertEquals(Duration.ofMillis(7), c.get(HOLD));
        assertEquals("environment variable WARMPOOL_WORKLOAD_HOLD", c.origin(HOLD));
        assertEquals(64 << 10, c.get(KEEP));
        assertEquals(file + ":3", c.origin(KEEP));
        assertEquals(true, c.get(STACK));
        assertEquals("default", c.origin(STACK));
        assertEquals(List.of("workload.threads = 5 (flag --workload.threads)", "pool.memory-keep-resident = 64KiB ("
                + file + ":3)", "workload.hold = 7ms (environment variable WARMPOOL_WORKLOAD_HOLD)"), c.changedFromDefaults());
    }

    @Test
    void theFileCanBeNamedByTheEnvironment() throws IOException {
        Path file = file("workload.threads = 9");
        Configuration c = Configuration.load("serve", KEYS, null, Map.of("WARMPOOL_CONFIG", file.toString()), Map.of());
        assertEquals(9, c.get(THREADS));
    }

    @Test
    void anUnknownKeyInTheFileIsNamedWithItsLineAndTheNearestKey() throws IOException {
        Path file = file("workload.threads = 1", "workload.thread = 3");
        UsageException e = assertThrows(UsageException.class, () -> Configuration.load("serve", KEYS, file, Map.of(), Map.of()));
        assertEquals("serve: " + file + ":2: unknown key workload.thread (did you mean workload.threads?)"
                + " (see warmpool serve --help)", e.getMessage());
    }

    @Test
    void anUnknownWarmpoolVariableIsNamedButTheLaunchersAreNot() {
        UsageException e = assertThrows(UsageException.class, () -> Configuration.load("serve", KEYS, null,
                Map.of("WARMPOOL_JAVA_OPTS", "-Xmx1g", "WARMPOOL_WORKLOAD_THREDS", "2"), Map.of()));
        assertEquals("serve: unknown environment variable WARMPOOL_WORKLOAD_THREDS (did you mean WARMPOOL_WORKLOAD_THREADS?)"
                + " (see warmpool serve --help)", e.getMessage());
    }

    @Test
    void aBadValueIsNamedWithItsTextAndWhereItCameFrom() throws IOException {
        Configuration env = Configuration.load("serve", KEYS, null, Map.of("WARMPOOL_WORKLOAD_THREADS", "two"), Map.of());
        assertEquals("serve: workload.threads = 'two' (environment variable WARMPOOL_WORKLOAD_THREADS): not a whole number",
                assertThrows(UsageException.class, () -> env.get(THREADS)).getMessage());
        Configuration flag = Configuration.load("serve", KEYS, null, Map.of(), Map.of("workload.threads", "65"));
        assertEquals("serve: workload.threads = '65' (flag --workload.threads): must be between 0 and 64",
                assertThrows(UsageException.class, () -> flag.get(THREADS)).getMessage());
        Path file = file("pool.memory-keep-resident = lots", "workload.hold = soon", "workload.stack = yes");
        Configuration c = Configuration.load("serve", KEYS, file, Map.of(), Map.of());
        assertEquals("serve: pool.memory-keep-resident = 'lots' (" + file + ":1): 'lots' is not a byte size (examples: 4096,"
                + " 64KiB, 16MiB, 4GiB)", assertThrows(UsageException.class, () -> c.get(KEEP)).getMessage());
        assertEquals("serve: workload.hold = 'soon' (" + file + ":2): not a duration (examples: 500ms, 30s, 2m, 1h)",
                assertThrows(UsageException.class, () -> c.get(HOLD)).getMessage());
        assertEquals("serve: workload.stack = 'yes' (" + file + ":3): expected true or false",
                assertThrows(UsageException.class, () -> c.get(STACK)).getMessage());
    }

    @Test
    void aMissingFileOrALineWithoutEqualsIsNamed() throws IOException {
        Path missing = dir.resolve("nope.conf");
        assertEquals("serve: configuration file " + missing + " (from --config) does not exist",
                assertThrows(UsageException.class, () -> Configuration.load("serve", KEYS, missing, Map.of(), Map.of()))
                        .getMessage());
        Path file = file("workload.threads 3");
        assertEquals("serve: " + file + ":1: expected 'key = value', found 'workload.threads 3'",
                assertThrows(UsageException.class, () -> Configuration.load("serve", KEYS, file, Map.of(), Map.of()))
                        .getMessage());
    }

    @Test
    void loadSomePassesOverTheKeysOfOtherCommands() throws IOException {
        Path file = file("pool.memories = 8", "workload.threads = 3");
        Configuration c = Configuration.loadSome("health", List.of(THREADS), file,
                Map.of("WARMPOOL_POOL_TABLES", "0"), Map.of());
        assertEquals(3, c.get(THREADS));
    }

    /** The launcher's WARMPOOL_NO_BUILD=1 (skip the jar's rebuild) is the launcher's, not an unknown key of serve's. */
    @Test
    void theLaunchersVariablesAreNotKeys() {
        Configuration c = Configuration.load("serve", List.of(HOLD), null,
                Map.of("WARMPOOL_NO_BUILD", "1", "WARMPOOL_JAVA_OPTS", "-Xmx1g"), Map.of());
        assertEquals(Duration.ofMillis(1), c.get(HOLD));
    }

    @Test
    void durationsAndSizesReadAsOperatorsWriteThem() {
        assertEquals(Duration.ofMillis(500), ConfigKey.parseDuration("500ms"));
        assertEquals(Duration.ofSeconds(30), ConfigKey.parseDuration("30"));
        assertEquals(Duration.ofMinutes(2), ConfigKey.parseDuration("2m"));
        assertEquals(Duration.ofHours(1), ConfigKey.parseDuration(" 1h "));
        assertEquals("1h", ConfigKey.formatDuration(Duration.ofHours(1)));
        assertEquals("90s", ConfigKey.formatDuration(Duration.ofSeconds(90)));
        assertEquals("1500ms", ConfigKey.formatDuration(Duration.ofMillis(1500)));
        // Found by ConfigurationFuzzTest: 9223372036854775807h escaped as an ArithmeticException.
        assertEquals(Duration.ofHours(2562047), ConfigKey.parseDuration("2562047h"));
        for (String tooLong : new String[] {"2562048h", "9223372036854775807h", "153722868m", "9223372037s",
                "9223372036855ms"}) {
            assertEquals("duration too long (at most 2562047h)",
                    assertThrows(IllegalArgumentException.class, () -> ConfigKey.parseDuration(tooLong)).getMessage(), tooLong);
        }
        assertEquals("1MiB", KEEP.defaultText());
        assertEquals("WARMPOOL_POOL_MEMORY_KEEP_RESIDENT", KEEP.envName());
    }
}
