package io.warmpool.service;

import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.warmpool.metrics.MetricsServer;
import io.warmpool.metrics.PoolMetrics;
import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.config.PoolSetting;
import io.warmpool.pool.config.ResetStrategy;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One vocabulary: every pool setting has the name {@link PoolSetting} gives it in serve's flags and
 * help, the configuration file's keys, the environment, JMX ({@link PoolSetting#jmxName()}), the
 * flags of bench and tune, and the metrics' label values; the reset strategies are named only as
 * {@link ResetStrategy} names them.
 */
class SettingNamesTest {
    /** The settings a running pool can change, and so JMX can set. */
    private static final Set<PoolSetting> CHANGEABLE = Set.of(PoolSetting.MEMORY_KEEP_RESIDENT,
            PoolSetting.TABLE_KEEP_RESIDENT, PoolSetting.STACK_KEEP_RESIDENT, PoolSetting.MAX_UNUSED_WARM_SLOTS,
            PoolSetting.RESET_STRATEGY);

    @Test
    void everyPoolSettingIsAConfigurationKeyOfTheSameNameAndEnvironmentVariable() {
        Map<String, ConfigKey<?>> keys = ServeSettings.KEYS.stream().collect(Collectors.toMap(ConfigKey::name, k -> k));
        for (PoolSetting setting : PoolSetting.values()) {
            ConfigKey<?> key = keys.get(setting.key());
            assertTrue(key != null, setting.key() + " is a key of serve's configuration (file, environment, flags)");
            assertEquals(setting.envName(), key.envName());
            assertEquals(setting.description(), key.description());
        }
    }

    @Test
    void serveHelpNamesEverySettingAsItsFlagAndItsEnvironmentVariable() {
        String help = new ServeCommand().help();
        for (PoolSetting setting : PoolSetting.values()) {
            Matcher line = Pattern.compile("(?m)^  --" + Pattern.quote(setting.key()) + " .* " + setting.envName() + "$")
                    .matcher(help);
            assertTrue(line.find(), "serve --help has a line for --" + setting.key() + " and " + setting.envName() + ":\n" + help);
        }
    }

    @Test
    void jmxAttributesAreTheSettingsJmxNames() {
        Set<String> getters = new HashSet<>();
        Set<String> setters = new HashSet<>();
        for (Method m : PoolControlMXBean.class.getMethods()) {
            if (m.getName().startsWith("get")) {
                getters.add(m.getName().substring(3));
            } else if (m.getName().startsWith("set")) {
                setters.add(m.getName().substring(3));
            }
        }
        assertEquals("MemoryKeepResident", PoolSetting.MEMORY_KEEP_RESIDENT.jmxName());
        for (PoolSetting setting : CHANGEABLE) {
            assertTrue(getters.contains(setting.jmxName()) && setters.contains(setting.jmxName()),
                    setting.key() + " is read and set over JMX as " + setting.jmxName() + ": " + getters);
        }
        assertTrue(getters.contains(PoolSetting.SCAN_MODE.jmxName()));
        for (String setter : setters) {
            assertTrue(CHANGEABLE.stream().anyMatch(s -> s.jmxName().equals(setter)),
                    "JMX sets " + setter + ", which is no pool setting's name");
        }
    }

    @Test
    void benchAndTuneNameThePoolSettingsTheirFlagsSet() {
        String bench = new BenchCommand().help();
        String tune = new TuneCommand().help();
        assertTrue(bench.contains("--" + PoolSetting.MEMORY_KEEP_RESIDENT.key() + " LIST"), bench);
        assertTrue(bench.contains("--" + PoolSetting.MEMORY_MAX.key() + " LIST"), bench);
        assertTrue(tune.contains("--" + PoolSetting.MEMORY_KEEP_RESIDENT.key() + " LIST"), tune);
        assertTrue(tune.contains("--" + PoolSetting.MAX_UNUSED_WARM_SLOTS.key() + " LIST"), tune);
        for (String old : List.of("--keep-resident-bytes", "--max-bytes", "--warm-slots")) {
            assertFalse(bench.contains(old) || tune.contains(old), old + " is no longer documented");
        }
        assertTrue(BenchCommand.VALUED.contains(PoolSetting.MEMORY_KEEP_RESIDENT.key()));
        assertTrue(TuneCommand.VALUED.contains(PoolSetting.MAX_UNUSED_WARM_SLOTS.key()));
    }

    @Test
    void sizesAndDurationsReadTheSameInServeBenchAndTune() {
        BenchCommand.Request bench = BenchCommand.parse(List.of("--pool.memory-keep-resident", "64KiB", "--slot-bytes", "1MiB",
                "--spread-bytes", "64KiB", "--warmup-seconds", "500ms", "--time-limit", "10s"), 4096);
        assertEquals(64L << 10, bench.workloads().get(0).keepResidentBytes());
        assertEquals(500_000_000L, bench.measurement().warmupNanos());
        assertEquals(10_000_000_000L, bench.measurement().timeLimitNanos());
        assertEquals(1_000_000_000L, BenchCommand.parse(List.of("--warmup-seconds", "1"), 4096).measurement().warmupNanos(),
                "a bare number is seconds, as everywhere");
        TuneCommand.Request tune = TuneCommand.parse(List.of("--profile", "p", "--pool.memory-keep-resident", "64KiB",
                "--timeout", "500ms"));
        assertEquals(List.of(64L << 10), tune.keepResident());
        assertEquals(500, tune.timeout().toMillis());
        assertEquals(64L << 10, ServeSettings.MEMORY_KEEP.parse("64KiB"));
    }

    @Test
    void metricLabelsNameStrategiesAsResetStrategyDoes() {
        PrometheusMeterRegistry registry = MetricsServer.newRegistry();
        new PoolMetrics(PoolConfig.builder().build()).bindTo(registry);
        Set<String> strategies = new TreeSet<>();
        Matcher m = Pattern.compile("strategy=\"([^\"]*)\"").matcher(registry.scrape());
        while (m.find()) {
            strategies.add(m.group(1));
        }
        assertFalse(strategies.isEmpty());
        Set<String> names = Set.of(ResetStrategy.names().split(", | or "));
        assertTrue(names.containsAll(strategies), strategies + " against " + names);
    }
}
