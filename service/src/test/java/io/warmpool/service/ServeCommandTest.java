package io.warmpool.service;

import io.warmpool.metrics.ProfileExposition;
import io.warmpool.pool.config.SlotKind;
import io.warmpool.pool.profile.ProfileSnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServeCommandTest {
    /** The text format's timestamp: local time with its offset. */
    static final String TIMESTAMP = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d)";
    private static final Pattern METRICS_URL = Pattern.compile("  metrics +(http://\\S+)/metrics ");

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
    private final PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    /** What serve logged: it logs to the stream it is given, here {@code e}. */
    private String log() {
        return err();
    }

    private void awaitLog(String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!log().contains(text)) {
            assertTrue(System.nanoTime() < deadline, "no '" + text + "' in\n" + log());
            Thread.sleep(20);
        }
    }

    @Test
    void servesForItsDurationThenDrainsAndExitsZero() throws InterruptedException {
        // 3s: the duration counts from startup, and the first guest call runs cold (interpreted, loaded machine)
        assertEquals(0, ServeCommand.serve(SmallServe.config("duration", "3s"), e, new StopRequest()), err());
        String text = log();
        assertTrue(Pattern.compile("(?m)^" + TIMESTAMP + " INFO  ServeCommand: serving for 3s \\(or until SIGTERM or Ctrl-C\\)$")
                .matcher(text).find(), text);
        assertTrue(text.contains("  set: workload.threads = 1 (flag --workload.threads)"), text);
        assertTrue(text.contains("ServeCommand: ran for 3s: stopping the tenants"), text);
        assertTrue(Pattern.compile("(?m)ServeCommand: \\[ +\\d+s\\] \\d+ resets/s  reset p50 .+ p99 .+  acquires \\d+/s,"
                + " \\d+% waited \\(p99 .+\\), \\d+ refused  idle RSS .+ / budget .+, in use .+"
                + "  slots 0 in use, \\d+ warm, \\d+ cold, 0 resetting, 0 quarantined"
                + "  wasm request-handler \\d+/s, call p50 .+ p99 .+, 0 traps$").matcher(text).find(), text);
        assertTrue(text.contains("  tenants          wasm: 1 thread(s) calling request-handler.handle(n) (bundled)"), text);
        assertEquals("", out(), "serve writes nothing but log lines, and those to the log stream");
        Matcher drained = Pattern.compile("drained after (\\d+) instances; unmapping the pool").matcher(text);
        assertTrue(drained.find(), text);
        assertTrue(Long.parseLong(drained.group(1)) > 0, text);
    }

    @Test
    void theSyntheticWorkloadServesAsBeforeWhenAskedFor() throws Exception {
        StopRequest stop = new StopRequest();
        ExecutorService runner = Executors.newSingleThreadExecutor();
        try {
            Future<Integer> status = runner.submit(() -> ServeCommand.serve(SmallServe.config("workload", "synthetic"), e, stop));
            Pattern resetting = Pattern.compile("(?m)ServeCommand: \\[ +\\d+s\\] [1-9]\\d* resets/s .+ 0 quarantined$");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!resetting.matcher(log()).find()) {
                assertTrue(System.nanoTime() < deadline, "no summary line with resets in\n" + log());
                Thread.sleep(20);
            }
            stop.request("asked by the test");
            assertEquals(0, status.get(60, TimeUnit.SECONDS), err());
        } finally {
            runner.shutdownNow();
        }
        String text = log();
        assertTrue(text.contains("  tenants          synthetic: 1 thread(s), 3 modules of 64 KiB to 1 MiB, hold 1ms, seed 7"),
                text);
        assertFalse(text.contains("wasm"), text);
    }

    @Test
    void aStopRequestWhileServingDrainsUnregistersAndExitsZero() throws Exception {
        StopRequest stop = new StopRequest();
        MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName("io.warmpool:type=WarmPool,name=serve");
        ExecutorService runner = Executors.newSingleThreadExecutor();
        try {
            Future<Integer> status = runner.submit(() -> ServeCommand.serve(SmallServe.config(), e, stop));
            awaitLog("serving until SIGTERM or Ctrl-C");
            assertEquals("auto", jmx.getAttribute(name, "ResetStrategy"));
            jmx.setAttribute(name, new javax.management.Attribute("MaxUnusedWarmSlots", 1));
            assertEquals(1, jmx.getAttribute(name, "MaxUnusedWarmSlots"));
            awaitLog("resets/s");
            stop.request("asked by the test");
            assertEquals(0, status.get(60, TimeUnit.SECONDS), err());
        } finally {
            runner.shutdownNow();
        }
        assertTrue(log().contains("ServeCommand: asked by the test: stopping the tenants"), log());
        assertTrue(log().contains("JMX: MaxUnusedWarmSlots (pool.max-unused-warm-slots) changed from 32 to 1"), log());
        assertTrue(log().contains("unmapping the pool"), log());
        assertFalse(jmx.isRegistered(name), "the MBean goes with the pool");
    }

    @Test
    void theTenantProfileFileIsRewrittenWholeEveryIntervalAndOnceMoreAtDrain(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("profiles").resolve("serve.prom"); // its directory does not exist yet
        StopRequest stop = new StopRequest();
        ExecutorService runner = Executors.newSingleThreadExecutor();
        Set<String> versions = new HashSet<>();
        try {
            Future<Integer> status = runner.submit(() -> ServeCommand.serve(SmallServe.config("profile.out", file.toString(),
                    "profile.interval", "20ms"), e, stop));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (versions.size() < 5) {
                assertTrue(System.nanoTime() < deadline, "the profile was not rewritten: " + versions.size() + " versions\n"
                        + log());
                if (Files.exists(file)) {
                    String text = Files.readString(file);
                    ProfileExposition.parse(text); // a reader never finds a part of a profile
                    versions.add(text);
                }
            }
            stop.request("asked by the test");
            assertEquals(0, status.get(60, TimeUnit.SECONDS), err());
        } finally {
            runner.shutdownNow();
        }
        Matcher drained = Pattern.compile("drained after (\\d+) instances").matcher(log());
        assertTrue(drained.find(), log());
        ProfileSnapshot.KindProfile memory = ProfileExposition.parse(Files.readString(file)).kind(SlotKind.MEMORY);
        assertEquals(Long.parseLong(drained.group(1)), memory.scannedResets() + memory.unscannedResets(),
                "the write at drain counts the reset of every instance");
        assertTrue(log().contains("  tenant profile   " + file + "  (every 20ms and at drain)"), log());
        assertTrue(log().contains("ServeCommand: wrote the tenant profile to " + file), log());
        try (Stream<Path> left = Files.list(file.getParent())) {
            assertEquals(List.of(file), left.toList(), "no temporary file is left beside it");
        }
    }

    @Test
    void aProfileFileThatCannotBeWrittenStopsStartupNamingIt(@TempDir Path dir) throws Exception {
        Path notADirectory = Files.writeString(dir.resolve("plain-file"), "x");
        Path file = notADirectory.resolve("serve.prom");
        assertEquals(1, ServeCommand.serve(SmallServe.config("profile.out", file.toString()), e, new StopRequest()));
        assertTrue(log().contains("ERROR ServeCommand: cannot write the tenant profile to " + file + " (profile.out): "), log());
        assertFalse(log().contains("serving"), "no tenant ran: " + log());
    }

    @Test
    void aMetricsPortInUseStopsStartupNamingTheAddress() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            assertEquals(1, ServeCommand.serve(SmallServe.config("metrics.port", Integer.toString(port)), e, new StopRequest()));
            assertTrue(log().contains("ERROR ServeCommand: cannot serve metrics on 127.0.0.1:" + port + ": "), log());
            assertTrue(err().contains("choose another port with metrics.port"), err());
        }
    }

    @Test
    void badValuesUnknownFlagsAndStrayArgumentsExitTwoNamingThem() {
        Main main = Main.standard();
        assertEquals(2, main.run(new String[] {"serve", "--pool.memories", "x"}, o, e));
        assertTrue(err().contains("warmpool serve: pool.memories = 'x' (flag --pool.memories): not a whole number"), err());
        err.reset();
        assertEquals(2, main.run(new String[] {"serve", "--pool.memoris=3"}, o, e));
        assertTrue(err().contains("unknown option --pool.memoris"), err());
        err.reset();
        assertEquals(2, main.run(new String[] {"serve", "now"}, o, e));
        assertTrue(err().contains("unexpected argument 'now'"), err());
        err.reset();
        assertEquals(2, main.run(new String[] {"serve", "--summary-interval", "0"}, o, e));
        assertTrue(err().contains("summary-interval = '0' (flag --summary-interval): must be positive"), err());
        err.reset();
        assertEquals(2, main.run(new String[] {"serve", "--profile.out", "p.prom", "--profile.interval", "0"}, o, e));
        assertTrue(err().contains("profile.interval = '0' (flag --profile.interval): must be positive"), err());
    }

    private String baseUrl() throws InterruptedException {
        awaitLog("serving ");
        Matcher url = METRICS_URL.matcher(log());
        assertTrue(url.find(), log());
        return url.group(1);
    }

    @Test
    void whileServingItIsLiveAndReadyAnswers404ElsewhereAndExportsItsBuild() throws Exception {
        StopRequest stop = new StopRequest();
        ExecutorService runner = Executors.newSingleThreadExecutor();
        try {
            Future<Integer> status = runner.submit(() -> ServeCommand.serve(SmallServe.config(), e, stop));
            String base = baseUrl();
            assertEquals(200, HttpGet.get(base + "/-/healthy", java.time.Duration.ofSeconds(10)).status());
            HttpGet.Response ready = HttpGet.get(base + "/-/ready", java.time.Duration.ofSeconds(10));
            assertEquals(200, ready.status(), ready.body());
            assertEquals(404, HttpGet.get(base + "/health", java.time.Duration.ofSeconds(10)).status());
            String scrape = HttpGet.get(base + "/metrics", java.time.Duration.ofSeconds(10)).body();
            BuildInfo build = BuildInfo.current();
            assertTrue(scrape.contains("warmpool_build_info{revision=\"" + build.revision() + "\",version=\""
                    + build.version() + "\",} 1.0"), scrape);
            stop.request("asked by the test");
            assertEquals(0, status.get(60, TimeUnit.SECONDS), log());
        } finally {
            runner.shutdownNow();
        }
    }

    @Test
    void jsonLogsAreOneObjectALineWithTimeLevelLoggerAndMessage() throws InterruptedException {
        assertEquals(0, ServeCommand.serve(SmallServe.config("duration", "1s", "log.format", "json"), e, new StopRequest()), log());
        List<String> lines = log().lines().toList();
        assertTrue(lines.size() >= 4, log());
        boolean drained = false;
        for (String line : lines) {
            @SuppressWarnings("unchecked")
            java.util.Map<String, Object> event = (java.util.Map<String, Object>) JsonReader.parse(line);
            assertTrue(((String) event.get("time")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"), line);
            assertTrue(Set.of("INFO", "WARN", "ERROR").contains(event.get("level")), line);
            assertTrue(((String) event.get("logger")).startsWith("io.warmpool."), line);
            drained |= ((String) event.get("message")).startsWith("drained after ");
        }
        assertTrue(drained, log());
    }

    @Test
    void logLevelWarnLeavesANormalRunSilentAndABadLevelIsAUsageError() throws InterruptedException {
        assertEquals(0, ServeCommand.serve(SmallServe.config("duration", "500ms", "log.level", "warn"), e, new StopRequest()));
        assertEquals("", log());
        UsageException bad = org.junit.jupiter.api.Assertions.assertThrows(UsageException.class,
                () -> ServeCommand.serve(SmallServe.config("log.level", "loud"), e, new StopRequest()));
        assertEquals("serve: log.level = 'loud' (flag --log.level): expected error, warn, info, debug or trace", bad.getMessage());
        UsageException format = org.junit.jupiter.api.Assertions.assertThrows(UsageException.class,
                () -> ServeCommand.serve(SmallServe.config("log.format", "xml"), e, new StopRequest()));
        assertTrue(format.getMessage().contains("unknown log format 'xml'; expected text or json"), format.getMessage());
    }

    @Test
    void theKubernetesVariablesItPassedOverAreLoggedOnce() throws InterruptedException {
        Configuration config = Configuration.load("serve", ServeSettings.KEYS, null,
                ServiceLinksTest.kubelet("warmpool", "10.96.0.9", new ServiceLinksTest.Port(9464, "TCP", null)),
                SmallServe.flags("duration", "200ms"));
        assertEquals(0, ServeCommand.serve(config, e, new StopRequest()), log());
        assertTrue(log().contains("ServeCommand: passed over 7 variables that Kubernetes sets for its Services: WARMPOOL_PORT,"
                + " WARMPOOL_PORT_9464_TCP, WARMPOOL_PORT_9464_TCP_ADDR,"), log());
    }

    @Test
    void aThousandTenantsOfAOneSlotPoolGetSummaryLinesAndStopAtOnceEvenHoldingForAnHour() throws Exception {
        StopRequest stop = new StopRequest();
        ExecutorService runner = Executors.newSingleThreadExecutor();
        try {
            Future<Integer> status = runner.submit(() -> ServeCommand.serve(SmallServe.config("workload", "synthetic", "workload.threads", "1024",
                    "workload.hold", "1h", "pool.memories", "1", "pool.tables", "1", "pool.stacks", "1"), e, stop));
            awaitLog("serving until SIGTERM or Ctrl-C");
            awaitLog("slots 3 in use");
            stop.request("asked by the test");
            // An hour's hold and a thousand waits for the one slot end at the stop: a stop that waited
            // for them would not finish within the minute.
            assertEquals(0, status.get(60, TimeUnit.SECONDS), log());
        } finally {
            runner.shutdownNow();
        }
        assertTrue(Pattern.compile("drained after [1-9]\\d* instances; unmapping the pool").matcher(log()).find(), log());
    }
}
