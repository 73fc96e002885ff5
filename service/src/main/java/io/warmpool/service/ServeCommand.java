package io.warmpool.service;

import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.warmpool.metrics.MetricsServer;
import io.warmpool.metrics.PoolMetrics;
import io.warmpool.pool.WarmPool;
import io.warmpool.pool.config.ByteSize;
import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.config.ReservationException;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code warmpool serve}: a pool on its defaults (or as configured) under a synthetic tenant
 * workload, its metrics on {@code /metrics}, its controls over JMX, a summary line every few
 * seconds, until a signal or the end of {@code --duration}; then it drains and exits 0.
 *
 * <pre>
 *  configuration -> metrics server (a port in use stops here) -> pool -> profile.out written once
 *                   (a file it cannot write stops here) -> MBean -> tenants
 *  every summary-interval: one line          SIGTERM / Ctrl-C / SIGHUP / duration / a tenant fails
 *  every profile.interval: profile.out                                |
 *                                                  stop the tenants, profile.out written once more
 *  exit 0 (1 if a tenant failed or the profile was not written) <- unmap the pool <- stop the server,
 *                                                                                    drop the meters
 * </pre>
 *
 * The metrics endpoint serves the tenant profile's {@code warmpool_profile_*} series as well, so
 * that {@code warmpool tune --from URL} can read it from the running service.
 */
@SuppressWarnings("deprecation") // PrometheusMeterRegistry: the simpleclient flavour is the one served
final class ServeCommand implements Command {
    /** The name of the pool's MBean: {@code io.warmpool:type=WarmPool,name=serve}. */
    static final String MBEAN_NAME = "serve";

    @Override
    public String name() {
        return "serve";
    }

    @Override
    public String summary() {
        return "run a pool under a synthetic tenant workload; Prometheus metrics, JMX controls";
    }

    @Override
    public String help() {
        return """
                usage: warmpool serve [--config FILE] [--KEY VALUE ...]

                Starts a pool and worker threads that play tenants: each acquires an instance (a memory,
                tables, a stack) with the affinity key of one of a set of modules, writes a hot set of
                pages at the start of its memory plus scattered pages, holds it briefly and releases it,
                and the pool resets every slot. Prometheus metrics are served on
                http://127.0.0.1:9464/metrics (and /-/healthy); the MBean io.warmpool:type=WarmPool,name=serve
                changes keep-resident bytes, the warm-slot bound and the reset strategy of the running
                pool and reads its statistics. A summary line follows every few seconds. The tenant
                profile (dirty pages per reset and where they lie) is on /metrics too, for
                warmpool tune --from URL; with profile.out it is also written to a file every
                profile.interval and at drain, for warmpool tune --profile FILE. SIGTERM or Ctrl-C
                stops the tenants, unmaps the pool and exits 0 (a second signal exits at once).

                configuration, later sources win:
                  defaults < file (--config FILE, else $WARMPOOL_CONFIG; 'key = value' lines, # comments)
                           < environment (WARMPOOL_POOL_MEMORIES=8) < flags (--pool.memories 8)
                An unknown key or a bad value stops serve, naming it and where it came from.
                Sizes: 4096, 64KiB, 16MiB, 1GiB. Durations: 500ms, 30s, 2m, 1h.

                keys (flag, default, environment variable):
                """ + ServeSettings.keyTable() + """


                options:
                  --config FILE  read keys from FILE
                  --help         print this help""";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws InterruptedException {
        Set<String> valued = new HashSet<>(List.of("config"));
        ServeSettings.KEYS.forEach(key -> valued.add(key.name()));
        Options options = Options.parse(name(), args, valued, Set.of());
        if (!options.positional().isEmpty()) {
            throw new UsageException(name() + ": unexpected argument '" + options.positional().get(0) + "'");
        }
        Map<String, String> flags = new LinkedHashMap<>(options.all());
        String file = flags.remove("config");
        Configuration config = Configuration.load(name(), ServeSettings.KEYS, file == null ? null : Path.of(file),
                System.getenv(), flags);
        try (StopRequest stop = StopRequest.onSignals(err)) {
            return serve(config, out, err, stop);
        }
    }

    /** Serves until {@code stop} is requested or the configured duration ends; returns the exit status. */
    static int serve(Configuration config, PrintStream out, PrintStream err, StopRequest stop) throws InterruptedException {
        Duration interval = config.get(ServeSettings.SUMMARY_INTERVAL);
        if (interval.isZero()) {
            throw config.invalid(ServeSettings.SUMMARY_INTERVAL, "must be positive");
        }
        ProfileFile profileFile = config.get(ServeSettings.PROFILE_OUT).map(ProfileFile::new).orElse(null);
        if (profileFile != null && config.get(ServeSettings.PROFILE_INTERVAL).isZero()) {
            throw config.invalid(ServeSettings.PROFILE_INTERVAL, "must be positive");
        }
        PoolConfig poolConfig = ServeSettings.pool(config);
        SyntheticWorkload.Settings tenants = ServeSettings.workload(config, poolConfig);
        PrometheusMeterRegistry registry = MetricsServer.newRegistry();
        PoolMetrics metrics = new PoolMetrics(poolConfig);
        metrics.bindTo(registry);
        MetricsServer server;
        try {
            server = MetricsServer.start(registry, config.get(MetricsAddress.HOST), config.get(MetricsAddress.PORT));
        } catch (IllegalStateException e) {
            err.println("warmpool serve: " + e.getMessage());
            return 1;
        }
        WarmPool pool = null;
        PoolControl control = null;
        SyntheticWorkload workload = null;
        try {
            try {
                pool = WarmPool.create(poolConfig, metrics);
            } catch (ReservationException e) {
                err.println("warmpool serve: " + e.getMessage());
                return 2;
            }
            metrics.observe(pool);
            if (profileFile != null && !writeProfile(profileFile, pool, err)) {
                return 1; // before any tenant runs: a profile.out that cannot be written stops startup
            }
            control = PoolControl.register(pool, metrics, MBEAN_NAME);
            workload = new SyntheticWorkload(tenants, pool, () -> stop.request("a tenant thread failed"));
            printBanner(out, config, poolConfig, pool, server, control, tenants, profileFile);
            SummaryLine summary = new SummaryLine(metrics, pool, System.nanoTime());
            workload.start();
            runUntilStopped(config, out, err, stop, summary, pool, profileFile);
            out.println("warmpool serve: " + stop.reason() + ": stopping the tenants");
            workload.stopAndJoin();
            out.println(summary.next(System.nanoTime()));
            Throwable failure = workload.failure();
            if (failure != null) {
                err.println("warmpool serve: a tenant thread failed: " + failure);
                failure.printStackTrace(err);
            }
            boolean profileWritten = profileFile == null || writeProfile(profileFile, pool, err);
            if (profileFile != null && profileWritten) {
                out.println("warmpool serve: wrote the tenant profile to " + profileFile.path());
            }
            out.println("warmpool serve: drained after " + workload.instances() + " instances; unmapping the pool");
            return failure == null && profileWritten ? 0 : 1;
        } finally {
            if (workload != null) {
                workload.stopAndJoin();
            }
            if (control != null) {
                control.close();
            }
            server.close();
            metrics.close();
            if (pool != null) {
                pool.close();
            }
        }
    }

    /**
     * Prints a summary line every summary-interval and rewrites the profile file every
     * profile.interval, until a stop is requested or the configured duration has passed.
     */
    private static void runUntilStopped(Configuration config, PrintStream out, PrintStream err, StopRequest stop,
                                        SummaryLine summary, WarmPool pool, ProfileFile profileFile)
            throws InterruptedException {
        Duration duration = config.get(ServeSettings.DURATION);
        long interval = config.get(ServeSettings.SUMMARY_INTERVAL).toNanos();
        long profileInterval = config.get(ServeSettings.PROFILE_INTERVAL).toNanos();
        long started = System.nanoTime();
        long deadline = duration.isZero() ? Long.MAX_VALUE : started + duration.toNanos();
        long nextSummary = started + interval;
        long nextProfile = profileFile == null ? Long.MAX_VALUE : started + profileInterval;
        while (true) {
            long wake = Math.min(Math.min(nextSummary, nextProfile), deadline);
            if (stop.await(Duration.ofNanos(Math.max(0, wake - System.nanoTime())))) {
                return;
            }
            long now = System.nanoTime();
            if (now - deadline >= 0) {
                stop.request("ran for " + ConfigKey.formatDuration(duration));
                return;
            }
            if (now - nextSummary >= 0) {
                out.println(summary.next(now));
                nextSummary = now + interval;
            }
            if (now - nextProfile >= 0) {
                writeProfile(profileFile, pool, err);
                nextProfile = now + profileInterval;
            }
        }
    }

    /** Writes the pool's profile to its file; false, with the reason on {@code err}, when that failed. */
    private static boolean writeProfile(ProfileFile file, WarmPool pool, PrintStream err) {
        try {
            file.write(pool.profile().snapshot());
            return true;
        } catch (IOException | RuntimeException e) {
            err.println("warmpool serve: cannot write the tenant profile to " + file.path() + " (profile.out): " + e);
            return false;
        }
    }

    private static void printBanner(PrintStream out, Configuration config, PoolConfig poolConfig, WarmPool pool,
                                    MetricsServer server, PoolControl control, SyntheticWorkload.Settings tenants,
                                    ProfileFile profileFile) {
        Duration duration = config.get(ServeSettings.DURATION);
        out.println("warmpool serve: pid " + ProcessHandle.current().pid() + ", scan mode " + pool.scanMode());
        out.println(poolConfig.toString().replaceAll("(?m)^", "  "));
        for (String line : config.changedFromDefaults()) {
            out.println("  set: " + line);
        }
        out.println("  metrics          " + server.url("/metrics") + "  (health: " + server.url("/-/healthy") + ")");
        out.println("  JMX              " + control.objectName() + "  (jconsole " + ProcessHandle.current().pid() + ")");
        out.println("  tenants          " + tenants.threads() + " thread(s), " + tenants.modules() + " modules of "
                + ByteSize.format(tenants.memoryMin()) + " to " + ByteSize.format(tenants.memoryMax())
                + ", hold " + ConfigKey.formatDuration(tenants.hold()) + ", seed " + tenants.seed());
        if (profileFile != null) {
            out.println("  tenant profile   " + profileFile.path() + "  (every "
                    + ConfigKey.formatDuration(config.get(ServeSettings.PROFILE_INTERVAL)) + " and at drain)");
        }
        out.println("warmpool serve: serving " + (duration.isZero() ? "until SIGTERM or Ctrl-C"
                : "for " + ConfigKey.formatDuration(duration) + " (or until SIGTERM or Ctrl-C)"));
        out.flush();
    }
}
