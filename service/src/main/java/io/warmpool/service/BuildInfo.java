package io.warmpool.service;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * What this build of warmpool is: its version and the git revision it was built from
 * ({@code unknown} when built without git, from a source tarball). The build writes both into
 * {@value #RESOURCE} ({@code src/build/build-info.sh}); {@code warmpool --version} prints them and
 * {@code serve} exports them as {@code warmpool_build_info{version,revision} 1}.
 *
 * @param version  the Maven project version, such as {@code 0.1.0-SNAPSHOT}
 * @param revision the commit, 40 hex digits with {@code -dirty} when the tree had changes, or {@code unknown}
 */
record BuildInfo(String version, String revision) {
    static final String RESOURCE = "build-info.properties";

    /** This build's, from the resource the build wrote; "unknown" for what it lacks. */
    static BuildInfo current() {
        Properties properties = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE + " from the class path", e);
        }
        return new BuildInfo(properties.getProperty("version", "unknown"), properties.getProperty("revision", "unknown"));
    }

    /** Registers {@code warmpool_build_info{version,revision}}, always 1, as Prometheus's own build_info is. */
    void bindTo(MeterRegistry registry) {
        Gauge.builder("warmpool.build.info", () -> 1)
                .description("The warmpool build that runs: its version and git revision; always 1")
                .tag("version", version).tag("revision", revision)
                .register(registry);
    }

    /** {@code warmpool 0.1.0-SNAPSHOT (revision 1a2b...), Java 17.0.12 (Debian)} */
    String line() {
        return "warmpool " + version + " (revision " + revision + "), Java " + System.getProperty("java.runtime.version",
                System.getProperty("java.version")) + " (" + System.getProperty("java.vendor", "unknown vendor") + ")";
    }
}
