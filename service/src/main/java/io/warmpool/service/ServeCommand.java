package io.warmpool.service;

import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.warmpool.metrics.MetricsServer;
import io.warmpool.metrics.PoolMetrics;
import io.warmpool.metrics.Readiness;
import io.warmpool.metrics.WasmMeters;
import io.warmpool.pool.WarmPool;
import io.warmpool.pool.config.ByteSize;
import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.config.ReservationException;
import io.warmpool.service.logging.LogSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code warmpool serve}: a pool on its defaults (or as configured) under a tenant workload (a
 * WebAssembly guest, a fresh instance per request, or the synthetic page writes), its metrics on {@code /metrics}, its controls over JMX, a summary line every few
 * seconds, until a signal or the end of {@code --duration}; then it drains and exits 0.
 *
 * <pre>
 *  configuration -> logging (log.level, log.format) -> metrics server (a port in use stops here;
 *                   /-/healthy answers from here on, /-/ready says "starting") -> pool -> profile.out
 *                   written once (a file it cannot write stops here) -> MBean -> tenants -> ready
 *  every summary-interval: one line          SIGTERM / Ctrl-C / SIGHUP / duration / a tenant fails
 *  every profile.interval: profile.out                                |
 *                                 not ready ("draining"), stop the tenants, profile.out written once more
 *  exit 0 (1 if a tenant failed or the profile was not written) <- unmap the pool <- stop the server,
 *                                                                                    drop the meters
 * </pre>
 *
 * Everything serve says is a log line, on standard error. The metrics endpoint serves the tenant
 * profile's {@code warmpool_profile_*} series and {@code warmpool_build_info} as well, so that
 * {@code warmpool tune --from URL} can read the profile from the running service.
 */
@SuppressWarnings("deprecation") // PrometheusMeterRegistry: the simpleclient flavour is the one served
final class ServeCommand implements Command {
    private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);
    /** The name of the pool's MBean: {@code io.warmpool:type=WarmPool,name=serve}. */
    static final String MBEAN_NAME = "serve";

    @Override
    public String name() {
        return "serve";
    }

    @Override
    public String summary() {
        return "run a pool under WebAssembly guests (or a synthetic workload); Prometheus metrics, JMX controls";
    }

    @Override
    public String help() {
        return """
                usage: warmpool serve [--module FILE.wasm|GUEST] [--export NAME] [--args n,64]
                                      [--workload wasm|synthetic] [--config FILE] [--KEY VALUE ...]

                Starts a pool and worker threads that play tenants. With the wasm workload (the default),
                each request is a fresh instance of a WebAssembly guest (Chicory) on a pooled slot: acquire
                with the module as affinity key, instantiate on the slot's memory (its data segments are
                the slot's memory image), call the export, release; the pool resets the slot. The guest is
                a .wasm file (--module app.wasm --export handle) or a bundled one: request-handler (the
                default: a bump-allocating HTTP/JSON handler), scattered-pages or lookup-table (a 4 MiB
                table); the bundled ones check that no other tenant's byte reached them, and serve stops
                with exit status 1 if one did. A trapping guest is counted (warmpool_wasm_traps_total) and
                serving goes on. With --workload synthetic, each tenant acquires an instance (a memory,
                tables, a stack) with the affinity key of one of a set of modules, writes a hot set of
                pages at the start of its memory plus scattered pages, holds it briefly and releases it
                (the workload.* keys shape it). Prometheus metrics are served on
                http://127.0.0.1:9464/metrics, liveness on /-/healthy and readiness on /-/ready (200 once
                the pool is up and its tenants run, 503 while starting or draining); the MBean
                io.warmpool:type=WarmPool,name=serve changes keep-resident bytes, the warm-slot bound and
                the reset strategy of the running pool (each change is logged) and reads its statistics.
                Log lines go to standard error, as text or JSON (log.format), a summary line every few
                seconds. The tenant
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
        try (StopRequest stop = StopRequest.onSignals()) {
            return serve(config, err, stop);
        }
    }

    /**
     * Serves until {@code stop} is requested or the configured duration ends, logging to
     * {@code logStream} as log.level and log.format say; returns the exit status.
     */
    static int serve(Configuration config, PrintStream logStream, StopRequest stop) throws InterruptedException {
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
        Optional<GuestChoice> guest = ServeSettings.guest(config);
        try (LogSettings.Applied logging = LogSettings.apply(config, logStream)) {
            return serve(config, poolConfig, tenants, guest, profileFile, stop);
        }
    }

    private static int serve(Configuration config, PoolConfig poolConfig, SyntheticWorkload.Settings tenants,
                             Optional<GuestChoice> guest, ProfileFile profileFile, StopRequest stop)
            throws InterruptedException {
        long started = System.nanoTime();
        if (!config.passedOver().isEmpty()) {
            LOG.info("passed over {} variables that Kubernetes sets for its Services: {}", config.passedOver().size(),
                    String.join(", ", config.passedOver()));
        }
        PrometheusMeterRegistry registry = MetricsServer.newRegistry();
        BuildInfo.current().bindTo(registry);
        PoolMetrics metrics = new PoolMetrics(poolConfig);
        metrics.bindTo(registry);
        WasmMeters wasmMeters = new WasmMeters();
        wasmMeters.bindTo(registry);
        Readiness readiness = Readiness.notYet("starting: the pool is not up yet");
        MetricsServer server;
        try {
            server = MetricsServer.start(registry, config.get(MetricsAddress.HOST), config.get(MetricsAddress.PORT), readiness);
        } catch (IllegalStateException e) {
            LOG.error(e.getMessage());
            return 1;
        }
        WarmPool pool = null;
        PoolControl control = null;
        GuestCalls guestCalls = null;
        TenantThreads workers = null;
        ForkChurn forks = null;
        try {
            try {
                pool = WarmPool.create(poolConfig, metrics);
            } catch (ReservationException e) {
                LOG.error(e.getMessage());
                return 2;
            }
            metrics.observe(pool);
            if (profileFile != null && !writeProfile(profileFile, pool)) {
                return 1; // before any tenant runs: a profile.out that cannot be written stops startup
            }
            control = PoolControl.register(pool, metrics, MBEAN_NAME);
            Runnable failed = () -> stop.request("a tenant thread failed");
            String tenantsLine;
            WasmMeters.Module guestMeters = null;
            if (guest.isPresent()) {
                try {
                    guestCalls = WasmGuests.open(pool, guest.get(), config.get(ServeSettings.ENGINE));
                } catch (IllegalArgumentException e) {
                    LOG.error("serve: module {}: {}", guest.get().name(), e.getMessage());
                    return 2;
                }
                WasmWorkload.Settings settings;
                try {
                    settings = WasmGuests.settings(tenants.threads(), guest.get(), guestCalls);
                } catch (IllegalArgumentException e) {
                    LOG.error("serve: args: {}", e.getMessage());
                    return 2;
                }
                workers = new WasmWorkload(settings, guestCalls, wasmMeters, failed).threads();
                guestMeters = wasmMeters.module(guestCalls.moduleName());
                tenantsLine = WasmGuests.describe(settings, guest.get(), guestCalls);
            } else {
                workers = new SyntheticWorkload(tenants, pool, failed).threads();
                tenantsLine = describe(tenants);
            }
            logBanner(config, poolConfig, pool, server, control, tenantsLine, profileFile);
            SummaryLine summary = new SummaryLine(metrics, pool, guestMeters, System.nanoTime());
            workers.start();
            Duration forkInterval = config.get(ServeSettings.FORK_INTERVAL);
            if (!forkInterval.isZero()) {
                forks = new ForkChurn(forkInterval, pool, () -> stop.request("a child process failed"));
                forks.start();
            }
            readiness.markReady();
            runUntilStopped(config, stop, summary, pool, profileFile, started);
            readiness.markNotReady("draining: " + stop.reason());
            LOG.info("{}: stopping the tenants", stop.reason());
            workers.stopAndJoin();
            Throwable forkFailure = null;
            if (forks != null) {
                forks.stopAndJoin();
                forkFailure = forks.failure();
                LOG.info("started {} child processes ({} rounds found no free slot)", forks.forks(), forks.skipped());
            }
            LOG.info(summary.next(System.nanoTime()));
            Throwable failure = workers.failure();
            if (failure != null) {
                LOG.error("a tenant thread failed", failure);
            }
            if (forkFailure != null) {
                LOG.error("a child process failed", forkFailure);
                failure = forkFailure;
            }
            boolean profileWritten = profileFile == null || writeProfile(profileFile, pool);
            if (profileFile != null && profileWritten) {
                LOG.info("wrote the tenant profile to {}", profileFile.path());
            }
            LOG.info("drained after {} instances; unmapping the pool", workers.instances());
            return failure == null && profileWritten ? 0 : 1;
        } finally {
            readiness.markNotReady("stopped");
            if (workers != null) {
                workers.stopAndJoin();
            }
            if (forks != null) {
                forks.stopAndJoin();
            }
            if (guestCalls != null) {
                guestCalls.close();
            }
            wasmMeters.close();
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

    /** The banner's tenants line for the synthetic workload. */
    private static String describe(SyntheticWorkload.Settings tenants) {
        return "synthetic: " + tenants.threads() + " thread(s), " + tenants.modules() + " modules of "
                + ByteSize.format(tenants.memoryMin()) + " to " + ByteSize.format(tenants.memoryMax()) + ", hold "
                + ConfigKey.formatDuration(tenants.hold()) + ", seed " + tenants.seed();
    }

    /**
     * Prints a summary line every summary-interval and rewrites the profile file every
     * profile.interval, until a stop is requested or the configured duration has passed.
     */
    private static void runUntilStopped(Configuration config, StopRequest stop, SummaryLine summary, WarmPool pool,
                                        ProfileFile profileFile, long started) throws InterruptedException {
        Duration duration = config.get(ServeSettings.DURATION);
        long interval = config.get(ServeSettings.SUMMARY_INTERVAL).toNanos();
        long profileInterval = config.get(ServeSettings.PROFILE_INTERVAL).toNanos();
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
                LOG.info(summary.next(now));
                nextSummary = now + interval;
            }
            if (now - nextProfile >= 0) {
                writeProfile(profileFile, pool);
                nextProfile = now + profileInterval;
            }
        }
    }

    /** Writes the pool's profile to its file; false, with the reason logged, when that failed. */
    private static boolean writeProfile(ProfileFile file, WarmPool pool) {
        try {
            file.write(pool.profile().snapshot());
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.error("cannot write the tenant profile to {} (profile.out): {}", file.path(), e.toString());
            return false;
        }
    }

    private static void logBanner(Configuration config, PoolConfig poolConfig, WarmPool pool, MetricsServer server,
                                  PoolControl control, String tenants, ProfileFile profileFile) {
        Duration duration = config.get(ServeSettings.DURATION);
        BuildInfo build = BuildInfo.current();
        StringBuilder banner = new StringBuilder();
        banner.append("pid ").append(ProcessHandle.current().pid()).append(", scan mode ").append(pool.scanMode())
                .append(", warmpool ").append(build.version()).append(" (revision ").append(build.revision()).append(")\n");
        banner.append(poolConfig.toString().replaceAll("(?m)^", "  ")).append('\n');
        for (String line : config.changedFromDefaults()) {
            banner.append("  set: ").append(line).append('\n');
        }
        banner.append("  metrics          ").append(server.url("/metrics")).append("  (liveness: ")
                .append(server.url("/-/healthy")).append(", readiness: ").append(server.url("/-/ready")).append(")\n");
        banner.append("  JMX              ").append(control.objectName()).append("  (jconsole ")
                .append(ProcessHandle.current().pid()).append(")\n");
        banner.append("  tenants          ").append(tenants);
        if (profileFile != null) {
            banner.append("\n  tenant profile   ").append(profileFile.path()).append("  (every ")
                    .append(ConfigKey.formatDuration(config.get(ServeSettings.PROFILE_INTERVAL))).append(" and at drain)");
        }
        LOG.info(banner.toString());
        LOG.info("serving " + (duration.isZero() ? "until SIGTERM or Ctrl-C"
                : "for " + ConfigKey.formatDuration(duration) + " (or until SIGTERM or Ctrl-C)"));
    }
}
