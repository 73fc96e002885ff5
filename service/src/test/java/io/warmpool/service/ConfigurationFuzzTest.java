package io.warmpool.service;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.warmpool.pool.config.PoolConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code warmpool serve}'s configuration from any command line, file and environment: it reads as
 * a configuration whose every value is usable (sizes not negative, durations that fit in the
 * nanosecond clock serve counts them with, a pool config that builds, a workload that fits), or
 * it is refused with a {@link UsageException} that says why; nothing else escapes.
 *
 * <pre>
 *  input -> a file's text (key = value lines)
 *        -> up to 4 environment variables, up to 4 flags; names and values half the time from the
 *           keys and from values operators write, half the time anything
 *        -> Options.parse(args) -> Configuration.load -> every key's value -> ServeSettings.pool, .workload
 * </pre>
 *
 * Inputs: {@code src/test/resources/io/warmpool/service/ConfigurationFuzzTestInputs/}; docs/FUZZING.md.
 */
class ConfigurationFuzzTest {
    private static final String[] VALUES = {"0", "1", "-1", "4096", "64KiB", "16MiB", "1GiB", "1 TiB", "8EiB", "10s",
            "500ms", "2m", "1h", "9223372036854775807", "9223372036854775807h", "true", "false", "auto", "madvise-all",
            "pagemap-scan", "none", "json", "text", "debug", "", " ", "0.0.0.0", "127.0.0.1", "65536", "4097"};
    private static Path dir;

    @BeforeAll
    static void makeDirectory() throws IOException {
        dir = Files.createTempDirectory("config-fuzz");
    }

    @AfterAll
    static void removeDirectory() throws IOException {
        Files.deleteIfExists(dir.resolve("serve.conf"));
        Files.deleteIfExists(dir);
    }

    @FuzzTest
    void anyConfigurationIsUsableOrRefusedByName(FuzzedDataProvider data) throws IOException {
        Path file = dir.resolve("serve.conf");
        Files.write(file, data.consumeBytes(data.consumeInt(0, 2048)));
        Map<String, String> env = new LinkedHashMap<>();
        for (int i = data.consumeInt(0, 4); i > 0; i--) {
            env.put(data.consumeBoolean() ? data.pickValue(ServeSettings.KEYS).envName() : "WARMPOOL_" + data.consumeString(24),
                    value(data));
        }
        List<String> args = new ArrayList<>();
        for (int i = data.consumeInt(0, 4); i > 0; i--) {
            args.add(data.consumeBoolean() ? "--" + data.pickValue(ServeSettings.KEYS).name() : data.consumeString(24));
            args.add(value(data));
        }
        try {
            read(file, env, args);
        } catch (UsageException refused) {
            assertTrue(refused.getMessage() != null && refused.getMessage().startsWith("serve: "), refused.getMessage());
        }
    }

    private static String value(FuzzedDataProvider data) {
        return data.consumeBoolean() ? data.pickValue(VALUES) : data.consumeString(32);
    }

    /** As {@code warmpool serve} reads its configuration, then every value. */
    private static void read(Path file, Map<String, String> env, List<String> args) {
        Set<String> valued = new HashSet<>(List.of("config"));
        ServeSettings.KEYS.forEach(key -> valued.add(key.name()));
        Options options = Options.parse("serve", args, valued, Set.of());
        Map<String, String> flags = new LinkedHashMap<>(options.all());
        flags.remove("config");
        Configuration config = Configuration.load("serve", ServeSettings.KEYS, file, env, flags);
        for (ConfigKey<?> key : ServeSettings.KEYS) {
            Object value = config.get(key);
            assertTrue(value != null, key.name());
            if (value instanceof Duration d) {
                assertFalse(d.isNegative(), key.name() + " = " + d);
                d.toNanos(); // serve counts durations in nanoseconds: one that does not fit is nonsense
            }
            if (value instanceof Long n && !key.name().equals(ServeSettings.SEED.name())) {
                assertTrue(n >= 0, key.name() + " = " + n);
            }
            assertTrue(config.origin(key) != null, key.name());
        }
        PoolConfig pool = ServeSettings.pool(config);
        SyntheticWorkload.Settings workload = ServeSettings.workload(config, pool);
        assertTrue(workload.memoryMax() <= pool.memories().slotBytes(), workload + " in " + pool);
    }
}
