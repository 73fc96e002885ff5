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

    private void awaitOutput(String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!out().contains(text)) {
            assertTrue(System.nanoTime() < deadline, "no '" + text + "' in\n" + out() + err());
            Thread.sleep(20);
        }
    }

    @Test
    void servesForItsDurationThenDrainsAndExitsZero() throws InterruptedException {
        assertEquals(0, ServeCommand.serve(SmallServe.config("duration", "1s"), o, e, new StopRequest()), err());
        String text = out();
        assertTrue(text.contains("warmpool serve: serving for 1s (or until SIGTERM or Ctrl-C)"), text);
        assertTrue(text.contains("  set: workload.threads = 1 (flag --workload.threads)"), text);
        assertTrue(text.contains("warmpool serve: ran for 1s: stopping the tenants"), text);
        assertTrue(Pattern.compile("(?m)^\\[ +\\d+s\\] \\d+ resets/s  reset p50 .+ p99 .+  slab RSS .+ / budget .+  slots 0 in use, \\d+ warm,"
                + " \\d+ cold, 0 resetting, 0 quarantined$").matcher(text).find(), text);
        Matcher drained = Pattern.compile("drained after (\\d+) instances; unmapping the pool").matcher(text);
        assertTrue(drained.find(), text);
        assertTrue(Long.parseLong(drained.group(1)) > 0, text);
    }

    @Test
    void aStopRequestWhileServingDrainsUnregistersAndExitsZero() throws Exception {
        StopRequest stop = new StopRequest();
        MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName("io.warmpool:type=WarmPool,name=serve");
        ExecutorService runner = Executors.newSingleThreadExecutor();
        try {
            Future<Integer> status = runner.submit(() -> ServeCommand.serve(SmallServe.config(), o, e, stop));
            awaitOutput("serving until SIGTERM or Ctrl-C");
            assertEquals("auto", jmx.getAttribute(name, "ResetStrategy"));
            jmx.setAttribute(name, new javax.management.Attribute("MaxUnusedWarmSlots", 1));
            assertEquals(1, jmx.getAttribute(name, "MaxUnusedWarmSlots"));
            awaitOutput("resets/s");
            stop.request("asked by the test");
            assertEquals(0, status.get(60, TimeUnit.SECONDS), err());
        } finally {
            runner.shutdownNow();
        }
        assertTrue(out().contains("warmpool serve: asked by the test: stopping the tenants"), out());
        assertTrue(out().contains("unmapping the pool"), out());
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
                    "profile.interval", "20ms"), o, e, stop));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (versions.size() < 5) {
                assertTrue(System.nanoTime() < deadline, "the profile was not rewritten: " + versions.size() + " versions\n"
                        + out() + err());
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
        Matcher drained = Pattern.compile("drained after (\\d+) instances").matcher(out());
        assertTrue(drained.find(), out());
        ProfileSnapshot.KindProfile memory = ProfileExposition.parse(Files.readString(file)).kind(SlotKind.MEMORY);
        assertEquals(Long.parseLong(drained.group(1)), memory.scannedResets() + memory.unscannedResets(),
                "the write at drain counts the reset of every instance");
        assertTrue(out().contains("  tenant profile   " + file + "  (every 20ms and at drain)"), out());
        assertTrue(out().contains("warmpool serve: wrote the tenant profile to " + file), out());
        try (Stream<Path> left = Files.list(file.getParent())) {
            assertEquals(List.of(file), left.toList(), "no temporary file is left beside it");
        }
    }

    @Test
    void aProfileFileThatCannotBeWrittenStopsStartupNamingIt(@TempDir Path dir) throws Exception {
        Path notADirectory = Files.writeString(dir.resolve("plain-file"), "x");
        Path file = notADirectory.resolve("serve.prom");
        assertEquals(1, ServeCommand.serve(SmallServe.config("profile.out", file.toString()), o, e, new StopRequest()));
        assertTrue(err().startsWith("warmpool serve: cannot write the tenant profile to " + file + " (profile.out): "), err());
        assertFalse(out().contains("serving"), "no tenant ran: " + out());
    }

    @Test
    void aMetricsPortInUseStopsStartupNamingTheAddress() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            assertEquals(1, ServeCommand.serve(SmallServe.config("metrics.port", Integer.toString(port)), o, e, new StopRequest()));
            assertTrue(err().startsWith("warmpool serve: cannot serve metrics on 127.0.0.1:" + port + ": "), err());
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
}
