package io.warmpool.service;

import io.warmpool.metrics.ProfileExposition;
import io.warmpool.pool.config.SlotKind;
import io.warmpool.pool.profile.ProfileSnapshot;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code warmpool tune}'s advice, applied: serve's synthetic workload runs with a setting, tune reads
 * its profile off the metrics endpoint and recommends one, and the workload runs again with it. The
 * recommendation must do no worse on that workload, judged by counts that a busy shared machine does
 * not bend (not by wall-clock speed): the share of acquires that got a cold slot, and the page faults
 * the process took per instance; and its idle RSS stays inside the budget tune was given.
 *
 * <pre>
 *  run(setting): serve --metrics.port 0 SETTING; after SETTLE (the warm slots fill), read the profile
 *    and /proc/PID/stat's minor faults; after WINDOW, read both again: the window's
 *    cold share = cold acquires / acquires (memory),  faults per instance = minor faults / instances
 *  the JVM runs as the launcher runs it (a fixed 64 MiB heap, touched up front), so that the faults
 *  are the tenants' and the pool's
 * </pre>
 */
class TuneAdviceJarIT {
    private static final Pattern RECOMMENDED = Pattern.compile("(?m)^recommended within --rss-budget .*?: (--\\S+ \\S+(?: --\\S+ \\S+)*)$");
    private static final long SETTLE_MILLIS = 3_000;
    private static final long WINDOW_MILLIS = 8_000;
    private static final long BUDGET = 256L << 20;
    /** Cold share may exceed the current setting's by this much: startup and scheduling noise. */
    private static final double COLD_NOISE = 0.02;
    /**
     * Page faults per instance may exceed the current setting's by this factor and this many: the
     * JVM's own faults (its compiler, metadata, thread stacks) vary from run to run, about one a
     * instance in two runs of one setting here, where a cold acquire costs one a page its tenant writes.
     */
    private static final double FAULT_NOISE = 1.25;
    private static final double FAULT_SLACK = 1.5;
    /** The launcher's heap, touched up front: a growing heap's faults are not the pool's. */
    private static final List<String> JVM = List.of("-Xms64m", "-Xmx64m", "-XX:+AlwaysPreTouch", "-XX:+UseSerialGC");

    /** What one run of the workload did in its window. */
    record Window(double coldShare, double faultsPerInstance, long instances, double idleResidentBytes, String tune) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%.1f%% cold, %.1f faults per instance over %d instances, idle RSS %.0f",
                    100 * coldShare, faultsPerInstance, instances, idleResidentBytes);
        }
    }

    @Test
    void onServesDefaultsTheAdviceGoesColdNoMoreOftenAndFaultsNoMore() throws Exception {
        appliedAdviceDoesNoWorse(List.of());
    }

    @Test
    void fromTwoWarmSlotsTheAdviceGoesColdLessOften() throws Exception {
        Window[] w = appliedAdviceDoesNoWorse(List.of("--pool.max-unused-warm-slots", "2"));
        assertTrue(w[0].coldShare() > 0.2, "two warm slots over four stripes leave keys without a warm slot: " + w[0]);
        assertTrue(w[1].coldShare() < w[0].coldShare() / 4, "advice " + w[1] + " against " + w[0] + "\n" + w[0].tune());
    }

    /** Runs the workload with {@code setting}, applies tune's advice, runs it again: {current, advised}. */
    private static Window[] appliedAdviceDoesNoWorse(List<String> setting) throws Exception {
        Window current = run(setting, true);
        Matcher advice = RECOMMENDED.matcher(current.tune());
        assertTrue(advice.find(), "tune recommended nothing:\n" + current.tune());
        List<String> flags = Arrays.asList(advice.group(1).split(" "));
        assertTrue(flags.contains("--pool.max-unused-warm-slots"), flags.toString());
        long idleBound = Long.parseLong(flags.get(flags.indexOf("--pool.max-unused-warm-slots") + 1))
                * io.warmpool.pool.config.ByteSize.parse(flags.get(flags.indexOf("--pool.memory-keep-resident") + 1));
        assertTrue(idleBound <= BUDGET, "advice " + flags + " bounds idle RSS at " + idleBound + " bytes, over the budget");
        List<String> advised = new ArrayList<>(setting);
        advised.addAll(flags); // later flags win
        Window after = run(advised, false);
        String both = "current " + setting + ": " + current + "\nadvised " + flags + ": " + after + "\n" + current.tune();
        System.out.println("TuneAdviceJarIT: current " + setting + ": " + current + "; advised " + flags + ": " + after);
        assertTrue(after.coldShare() <= current.coldShare() + COLD_NOISE, both);
        assertTrue(after.faultsPerInstance() <= current.faultsPerInstance() * FAULT_NOISE + FAULT_SLACK, both);
        assertTrue(after.idleResidentBytes() <= BUDGET, both);
        return new Window[] {current, after};
    }

    private static Window run(List<String> setting, boolean tune) throws Exception {
        List<String> args = new ArrayList<>(List.of("serve", "--workload", "synthetic", "--metrics.port", "0",
                "--summary-interval", "60s"));
        args.addAll(setting);
        Process serve = ProbeJarIT.javaWith(JVM, args.toArray(String[]::new));
        ServeOutput output = ServeOutput.of(serve);
        try {
            String metrics = output.awaitMetricsUrl(90);
            Thread.sleep(SETTLE_MILLIS);
            String scrape0 = ServeJarIT.get(metrics);
            long faults0 = minorFaults(serve.pid());
            Thread.sleep(WINDOW_MILLIS);
            String scrape1 = ServeJarIT.get(metrics);
            long faults1 = minorFaults(serve.pid());
            String advice = tune ? tune(metrics) : "";
            ProfileSnapshot.KindProfile m0 = ProfileExposition.parse(scrape0).kind(SlotKind.MEMORY);
            ProfileSnapshot.KindProfile m1 = ProfileExposition.parse(scrape1).kind(SlotKind.MEMORY);
            long acquires = m1.acquires() - m0.acquires();
            assertTrue(acquires > 100, "the workload ran: " + acquires + " memory acquires in the window\n" + output);
            return new Window((double) (m1.coldAcquires() - m0.coldAcquires()) / acquires,
                    (double) (faults1 - faults0) / acquires, acquires, gauge(scrape1, "warmpool_idle_resident_bytes", "kind=\"memory\""),
                    advice);
        } finally {
            serve.destroy();
            assertTrue(serve.waitFor(30, TimeUnit.SECONDS), "serve drains on SIGTERM:\n" + output);
            assertEquals(0, serve.exitValue(), output.toString());
        }
    }

    private static String tune(String metrics) throws Exception {
        Process tune = ProbeJarIT.java("tune", "--from", metrics, "--rss-budget", BUDGET / (1 << 20) + "MiB");
        String out = new String(tune.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(tune.waitFor(120, TimeUnit.SECONDS), out);
        assertEquals(0, tune.exitValue(), out);
        return out;
    }

    /** The minor page faults of process {@code pid} so far: field 10 of /proc/PID/stat. */
    static long minorFaults(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[7]); // fields from the state (3rd) on: minflt is the 10th
    }

    private static double gauge(String scrape, String name, String label) {
        for (String line : scrape.split("\n")) {
            if (line.startsWith(name + "{") && line.contains(label)) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1).trim());
            }
        }
        throw new AssertionError("no " + name + "{" + label + "} in the scrape");
    }
}
